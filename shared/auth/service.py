"""Logging in, and loading the users of a service from its seed file."""

import asyncio
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col

from shared.auth.models import User
from shared.auth.passwords import verify_password
from shared.auth.roles import ALL
from shared.auth.tokens import Principal
from shared.clock import utcnow
from shared.db import Database

MAX_USERNAME = 40


class SeedUser(BaseModel):
    """One entry of a users file; it holds a hash, never a password."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=r"^[a-z][a-z0-9_.-]{0,39}$")
    roles: list[str] = Field(min_length=1)
    password_hash: str = Field(pattern=r"^\$argon2")

    def model_post_init(self, _context: object) -> None:
        unknown = set(self.roles) - set(ALL)
        if unknown:
            raise ValueError(f"unknown roles for {self.username}: {sorted(unknown)}")


def read_users_file(path: Path) -> list[SeedUser]:
    return TypeAdapter(list[SeedUser]).validate_python(json.loads(path.read_text()))


async def load_users(db: Database, path: Path) -> None:
    """Makes the users table match ``path``.

    A changed hash or role list takes effect, and a user no longer in the file can
    no longer log in (tokens already issued run until they expire).
    """
    users = read_users_file(path)
    statement = insert(User)
    statement = statement.on_conflict_do_update(
        index_elements=["username"],
        set_={
            "password_hash": statement.excluded.password_hash,
            "roles": statement.excluded.roles,
            "disabled": False,
        },
    )
    now = utcnow()
    async with db.transaction() as session:
        if users:
            await session.execute(
                statement,
                [
                    {**user.model_dump(), "disabled": False, "created_at": now}
                    for user in users
                ],
            )
        await session.execute(
            update(User)
            .where(col(User.username).not_in([user.username for user in users]))
            .values(disabled=True)
        )


async def authenticate(db: Database, username: str, password: str) -> Principal | None:
    """The user if the password is theirs; None for anyone or anything else."""
    user = None
    if "\x00" not in username and len(username) <= MAX_USERNAME:
        async with db.transaction() as session:
            user = await session.get(User, username)
    known = user is not None and not user.disabled
    password_hash = user.password_hash if user is not None and known else None
    # argon2 takes tens of milliseconds of CPU: off the event loop, and after the
    # transaction, so that logins never hold a database connection meanwhile.
    if not await asyncio.to_thread(verify_password, password, password_hash):
        return None
    assert user is not None
    return Principal(username=user.username, roles=frozenset(user.roles))
