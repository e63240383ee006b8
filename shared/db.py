"""Database access: one async engine per service, confined to the service's schema."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Executable, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from shared.clock import utcnow


def asyncpg_url(url: str) -> str:
    """The SQLAlchemy form of a ``postgresql://`` URL, driven by asyncpg."""
    parts = urlsplit(url)
    scheme = "postgresql+asyncpg"
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def plain_dsn(url: str) -> str:
    """The libpq form of a URL, as asyncpg.connect takes it."""
    parts = urlsplit(url)
    query = urlencode(parse_qsl(parts.query))
    return urlunsplit(("postgresql", parts.netloc, parts.path, query, ""))


class Database:
    """Engine and sessions of one service.

    Every connection's ``search_path`` is the service's own schema, so the service
    cannot read the other's tables by accident and raw SQL needs no schema prefix.
    """

    def __init__(
        self,
        url: str,
        *,
        schema: str,
        pool_size: int = 10,
        task_due_s: dict[str, float] | None = None,
    ) -> None:
        self.url = url
        self.schema = schema
        self.engine: AsyncEngine = create_async_engine(
            asyncpg_url(url),
            # No overflow: a connection opened for a burst and closed after it costs
            # a backend start each time; waiting briefly for a pooled one is cheaper.
            pool_size=pool_size,
            max_overflow=0,
            pool_pre_ping=False,
            connect_args={"server_settings": {"search_path": schema}},
        )
        # Per-service configuration that code deep inside a transaction needs.
        self._sessions = async_sessionmaker(
            self.engine,
            expire_on_commit=False,
            autoflush=False,
            info={"task_due_s": task_due_s or {}, "schema": schema},
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the block ends, rolls back on error."""
        async with self._sessions() as session, session.begin():
            yield session

    async def seconds_until(self, earliest: Executable) -> float | None:
        """Seconds from now to the time ``earliest`` selects; None if it finds none.

        The background jobs use it to wake for their next scheduled item.
        """
        async with self.transaction() as session:
            due: datetime | None = (await session.execute(earliest)).scalar()
        if due is None:
            return None
        return max(0.0, (due - utcnow()).total_seconds())

    async def is_reachable(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
