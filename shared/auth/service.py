"""Logging in, and loading the users of a service from its seed file."""

import asyncio
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth.models import User
from shared.auth.passwords import verify_password
from shared.auth.roles import ALL
from shared.auth.tokens import Principal
from shared.clock import utcnow
from shared.db import Database


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
    """Upserts the users of ``path``: a changed hash or role list takes effect."""
    users = read_users_file(path)
    if not users:
        return
    statement = insert(User)
    statement = statement.on_conflict_do_update(
        index_elements=["username"],
        set_={
            "password_hash": statement.excluded.password_hash,
            "roles": statement.excluded.roles,
        },
    )
    now = utcnow()
    async with db.transaction() as session:
        await session.execute(
            statement,
            [
                {**user.model_dump(), "disabled": False, "created_at": now}
                for user in users
            ],
        )


async def authenticate(
    session: AsyncSession, username: str, password: str
) -> Principal | None:
    user = await session.get(User, username)
    known = user is not None and not user.disabled
    password_hash = user.password_hash if user is not None and known else None
    # argon2 takes tens of milliseconds of CPU: keep the event loop free meanwhile.
    if not await asyncio.to_thread(verify_password, password, password_hash):
        return None
    assert user is not None
    return Principal(username=user.username, roles=frozenset(user.roles))
