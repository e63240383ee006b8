"""The background work of one service: outbox dispatcher and process jobs."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

import httpx

from shared.db import Database
from shared.outbox.dispatcher import Dispatcher
from shared.outbox.writer import outbox_channel
from shared.process import ProcessDefinition
from shared.settings import ServiceSettings
from shared.signing import Signer
from shared.tasks.escalation import escalate_overdue, seconds_until_next_overdue
from shared.workers import Listener, run_job_loop


@dataclass(frozen=True)
class Job:
    """A background job; it returns True when it stopped with work left over."""

    name: str
    run: Callable[[], Awaitable[bool]]
    channel: str | None = None
    next_due: Callable[[], Awaitable[float | None]] | None = None


class Background:
    def __init__(
        self,
        *,
        db: Database,
        settings: ServiceSettings,
        process: ProcessDefinition,
        jobs: list[Job],
    ) -> None:
        self._db = db
        self._process = process
        self._settings = settings
        self._jobs = jobs
        self._tasks: list[asyncio.Task[None]] = []
        self._http = httpx.AsyncClient(
            timeout=settings.http_timeout_s,
            limits=httpx.Limits(
                max_connections=settings.http_max_connections,
                max_keepalive_connections=settings.http_max_connections,
            ),
        )

    def start(self) -> None:
        dispatcher = Dispatcher(
            db=self._db,
            settings=self._settings,
            http=self._http,
            signer=Signer(self._settings.webhook_secret_out.get_secret_value()),
            target_url=self._settings.peer_url.rstrip("/") + "/webhooks",
        )
        outbox = Job(
            "outbox",
            dispatcher.run_once,
            channel=outbox_channel(self._db.schema),
            next_due=dispatcher.seconds_until_next_due,
        )
        escalation = Job(
            "task_escalation",
            partial(
                escalate_overdue,
                self._db,
                self._process,
                priority_step=self._settings.task_escalation_priority_step,
            ),
            next_due=partial(seconds_until_next_overdue, self._db),
        )
        jobs = [outbox, escalation, *self._jobs]
        listener = Listener(self._db.url, [job.channel for job in jobs if job.channel])
        self._tasks.append(asyncio.create_task(listener.run(), name="listener"))
        for job in jobs:
            wake = listener.events[job.channel] if job.channel else asyncio.Event()
            loop = run_job_loop(
                job.name,
                job.run,
                wake=wake,
                poll_interval_s=self._settings.outbox_poll_interval_s,
                next_due=job.next_due,
            )
            self._tasks.append(asyncio.create_task(loop, name=job.name))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._http.aclose()
