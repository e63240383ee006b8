from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from shared.db import Database
from shared.deps import get_db

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live")
async def live() -> dict[str, str]:
    """Answers as long as the process serves requests."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "Database unreachable"}})
async def ready(db: Annotated[Database, Depends(get_db)]) -> JSONResponse:
    """Answers 200 when the database is reachable, 503 otherwise."""
    if await db.is_reachable():
        return JSONResponse({"status": "ok", "database": "reachable"})
    return JSONResponse(
        {"status": "unavailable", "database": "unreachable"}, status_code=503
    )
