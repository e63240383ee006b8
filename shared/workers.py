"""Background work of a service: wake-ups from LISTEN/NOTIFY and job loops."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from functools import partial

import asyncpg
import structlog

from shared.db import plain_dsn

log = structlog.get_logger()

Job = Callable[[], Awaitable[bool]]
NextDue = Callable[[], Awaitable[float | None]]


class Listener:
    """Turns PostgreSQL notifications into asyncio events, reconnecting when lost."""

    def __init__(self, url: str, channels: list[str]) -> None:
        self._dsn = plain_dsn(url)
        self.events = {channel: asyncio.Event() for channel in channels}

    def _on_notify(self, _conn: object, _pid: int, channel: str, _payload: str) -> None:
        self.events[channel].set()

    async def run(self) -> None:
        while True:
            try:
                connection = await asyncpg.connect(self._dsn)
                lost = asyncio.Event()
                connection.add_termination_listener(partial(_set, lost))
                try:
                    for channel in self.events:
                        await connection.add_listener(channel, self._on_notify)
                    # Anything written while we were not listening is picked up now.
                    for event in self.events.values():
                        event.set()
                    await lost.wait()
                finally:
                    await connection.close()
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("listener.disconnected", error=str(exc))
                await asyncio.sleep(1)


def _set(event: asyncio.Event, _connection: object) -> None:
    event.set()


async def run_job_loop(
    name: str,
    job: Job,
    *,
    wake: asyncio.Event,
    poll_interval_s: float,
    next_due: NextDue | None = None,
) -> None:
    """Runs ``job`` whenever woken, at least every ``poll_interval_s``.

    A job returns True when it stopped with work left, so the loop goes on at once.
    ``next_due`` wakes a job earlier than the poll interval when its next scheduled
    item (a retry, an expiry) falls due sooner.
    """
    while True:
        wake.clear()
        try:
            more = await job()
        except Exception:
            # The loop must outlive any one failed pass; the next pass retries.
            log.exception("worker.pass_failed", worker=name)
            more = False
            await asyncio.sleep(poll_interval_s)
        if more:
            continue

        timeout = poll_interval_s
        if next_due is not None:
            try:
                due = await next_due()
            except Exception:
                log.exception("worker.next_due_failed", worker=name)
                due = None
            if due is not None:
                timeout = min(timeout, due)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=timeout)
