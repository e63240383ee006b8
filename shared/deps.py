"""FastAPI dependencies for what the app holds in its state."""

from fastapi import Request

from shared.db import Database
from shared.signing import Verifier


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_verifier(request: Request) -> Verifier:
    verifier: Verifier = request.app.state.verifier
    return verifier
