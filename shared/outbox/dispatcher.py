"""Delivers outbox messages to the peer service.

Claiming. Each pass claims a batch with ``FOR UPDATE SKIP LOCKED`` and stamps a
lease on the rows in the same short transaction, then commits before any HTTP
request is made: no database connection is held while we wait on the network.
A burst ends within the lease, and its outcome is recorded only while the lease
stamped at claim time is still the row's, so a slow dispatcher never overwrites
what a replica that took over recorded.
Replicas skip rows another one has locked, and ignore rows whose lease is still
running, so a message is sent by one dispatcher at a time. A dispatcher that dies
mid-send leaves a lease that simply runs out; the message is then sent again, which
the receiver's inbox turns into a no-op. A message is only claimable when every
earlier message of the same order has been delivered, so the messages of one order
reach the peer in the order they were written, even across replicas and retries.

Retrying. A claimed message gets a short burst of attempts (tenacity, exponential
backoff with jitter, Retry-After honoured). If the burst fails on transient errors
the message is rescheduled durably along ``outbox_retry_schedule_s``; after the
last step it is marked failed, and stays visible until someone redelivers it. Any
other 4xx answer fails it at once: sending the same request again cannot help.
"""

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import structlog
from sqlalchemy import insert, text
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from shared.clock import utcnow
from shared.db import Database
from shared.metrics import hooks as metrics
from shared.metrics.registry import DELIVERED, PERMANENT_FAILURE, TRANSIENT_FAILURE
from shared.models import DeliveryAttempt
from shared.settings import ServiceSettings
from shared.signing import Signer

log = structlog.get_logger()

_CLAIM = text(
    """
    UPDATE outbox_message AS m
       SET lease_until = now() + make_interval(secs => :lease_s)
     WHERE m.id IN (
            SELECT c.id
              FROM outbox_message AS c
             WHERE c.state = 'pending'
               AND c.next_attempt_at <= now()
               AND (c.lease_until IS NULL OR c.lease_until < now())
               AND NOT EXISTS (
                       SELECT 1
                         FROM outbox_message AS e
                        WHERE e.order_id = c.order_id
                          AND e.seq < c.seq
                          AND e.state <> 'delivered')
             ORDER BY c.seq
             LIMIT :limit
               FOR UPDATE SKIP LOCKED)
    RETURNING m.id, m.order_id, m.event_type, m.body, m.bursts, m.attempts,
              m.created_at, m.lease_until
    """
)

_RECORD = text(
    """
    UPDATE outbox_message
       SET state = :state,
           attempts = attempts + :attempts,
           bursts = :bursts,
           next_attempt_at = :next_attempt_at,
           delivered_at = :delivered_at,
           lease_until = NULL,
           last_status = :last_status,
           last_error = :last_error
     WHERE id = :id AND lease_until = :lease_until
    """
)

_NEXT_DUE = text(
    """
    SELECT min(next_attempt_at) FROM outbox_message
     WHERE state = 'pending' AND next_attempt_at > now()
    """
)


class TransientDeliveryError(Exception):
    """Raised for a failure that may pass: network errors, timeouts, 5xx and 429."""

    def __init__(self, detail: str, retry_after_s: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class PermanentDeliveryError(Exception):
    """Raised for an answer that repeating the request cannot change (other 4xx)."""


@dataclass
class ClaimedMessage:
    id: str
    order_id: str
    event_type: str
    body: str
    bursts: int
    previous_attempts: int
    lease_until: datetime
    attempts: list[dict[str, object]] = field(default_factory=list)
    created_at: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    state: str
    bursts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_status: int | None
    last_error: str | None


MAX_RETRY_AFTER_S = 86400.0


def retry_after_seconds(value: str | None) -> float | None:
    """Reads a Retry-After header in either of its two forms, capped at a day."""
    if not value:
        return None
    if value.strip().isdigit():
        return min(float(value), MAX_RETRY_AFTER_S)
    try:
        delay = (parsedate_to_datetime(value) - utcnow()).total_seconds()
    except (TypeError, ValueError):
        return None
    return min(max(0.0, delay), MAX_RETRY_AFTER_S)


class Dispatcher:
    def __init__(
        self,
        *,
        db: Database,
        settings: ServiceSettings,
        http: httpx.AsyncClient,
        signer: Signer,
        target_url: str,
    ) -> None:
        self._db = db
        self._settings = settings
        self._http = http
        self._signer = signer
        self._target_url = target_url

    async def run_once(self) -> bool:
        """Delivers one batch; True when the batch was full and more may wait."""
        async with self._db.transaction() as session:
            rows = (
                await session.execute(
                    _CLAIM,
                    {
                        "lease_s": self._settings.outbox_lease_s,
                        "limit": self._settings.outbox_batch_size,
                    },
                )
            ).all()
        if not rows:
            return False

        batch = [
            ClaimedMessage(
                r.id,
                str(r.order_id),
                r.event_type,
                r.body,
                r.bursts,
                r.attempts,
                r.lease_until,
                created_at=r.created_at,
            )
            for r in rows
        ]
        outcomes = await asyncio.gather(*(self._deliver(m) for m in batch))
        await self._record(batch, outcomes)
        for message, outcome in zip(batch, outcomes, strict=True):
            metrics.delivery_recorded(
                self._db.schema,
                message.event_type,
                state=outcome.state,
                created_at=message.created_at,
                delivered_at=outcome.delivered_at,
            )
        return len(rows) == self._settings.outbox_batch_size

    async def seconds_until_next_due(self) -> float | None:
        return await self._db.seconds_until(_NEXT_DUE)

    async def _deliver(self, message: ClaimedMessage) -> Outcome:
        settings = self._settings
        retrying = AsyncRetrying(
            stop=stop_after_attempt(settings.outbox_burst_attempts),
            wait=self._burst_wait,
            retry=retry_if_exception_type(TransientDeliveryError),
            reraise=True,
        )
        try:
            # The burst must end well inside the lease, or another replica could
            # claim the message while this one is still sending it.
            async with asyncio.timeout(settings.outbox_lease_s * 0.8):
                async for attempt in retrying:
                    with attempt:
                        await self._post(message)
        except TimeoutError:
            return self._reschedule(
                message, TransientDeliveryError("delivery burst outlasted its lease")
            )
        except TransientDeliveryError as exc:
            return self._reschedule(message, exc)
        except PermanentDeliveryError as exc:
            log.error(
                "outbox.delivery.rejected",
                order_id=message.order_id,
                event_id=message.id,
                event_type=message.event_type,
                error=str(exc),
            )
            return Outcome(
                "failed", message.bursts + 1, utcnow(), None, _status(message), str(exc)
            )
        now = utcnow()
        return Outcome("delivered", message.bursts, now, now, _status(message), None)

    def _burst_wait(self, state: RetryCallState) -> float:
        backoff = wait_exponential_jitter(
            initial=self._settings.outbox_burst_wait_initial_s,
            max=self._settings.outbox_burst_wait_max_s,
        )(state)
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, TransientDeliveryError) and exc.retry_after_s:
            return max(
                backoff, min(exc.retry_after_s, self._settings.outbox_burst_wait_max_s)
            )
        return backoff

    def _reschedule(
        self, message: ClaimedMessage, exc: TransientDeliveryError
    ) -> Outcome:
        schedule = self._settings.outbox_retry_schedule_s
        bursts = message.bursts + 1
        if bursts > len(schedule):
            log.error(
                "outbox.delivery.failed",
                order_id=message.order_id,
                event_id=message.id,
                event_type=message.event_type,
                bursts=bursts,
                error=str(exc),
            )
            return Outcome("failed", bursts, utcnow(), None, _status(message), str(exc))

        delay_s = max(schedule[bursts - 1], exc.retry_after_s or 0.0)
        next_attempt_at = utcnow() + timedelta(seconds=delay_s)
        log.warning(
            "outbox.delivery.rescheduled",
            order_id=message.order_id,
            event_id=message.id,
            event_type=message.event_type,
            bursts=bursts,
            next_attempt_at=next_attempt_at.isoformat(),
            error=str(exc),
        )
        return Outcome(
            "pending", bursts, next_attempt_at, None, _status(message), str(exc)
        )

    async def _post(self, message: ClaimedMessage) -> None:
        headers = self._signer.headers(message.id, utcnow(), message.body)
        headers["content-type"] = "application/json"
        headers["x-correlation-id"] = message.order_id
        started_at = utcnow()
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            response = await self._http.post(
                self._target_url, content=message.body, headers=headers
            )
            status = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        message.attempts.append(
            {
                "message_id": message.id,
                "started_at": started_at,
                "duration_ms": (time.perf_counter() - started) * 1000,
                "status_code": status,
                "error": error,
            }
        )
        if error is not None:
            self._count_attempt(message, TRANSIENT_FAILURE)
            raise TransientDeliveryError(error)
        assert status is not None
        if status < 300:
            self._count_attempt(message, DELIVERED)
            return

        detail = f"HTTP {status}: {response.text[:500]}"
        message.attempts[-1]["error"] = detail
        if status == 429 or status >= 500:
            self._count_attempt(message, TRANSIENT_FAILURE)
            raise TransientDeliveryError(
                detail, retry_after_seconds(response.headers.get("retry-after"))
            )
        self._count_attempt(message, PERMANENT_FAILURE)
        raise PermanentDeliveryError(detail)

    def _count_attempt(self, message: ClaimedMessage, outcome: str) -> None:
        metrics.delivery_attempted(self._db.schema, message.event_type, outcome)

    async def _record(
        self, batch: list[ClaimedMessage], outcomes: list[Outcome]
    ) -> None:
        attempts = []
        updates = []
        for message, outcome in zip(batch, outcomes, strict=True):
            first_no = message.previous_attempts + 1
            for attempt_no, attempt in enumerate(message.attempts, start=first_no):
                attempts.append({**attempt, "attempt_no": attempt_no})
            updates.append(
                {
                    "id": message.id,
                    # A replica that took over an expired lease owns the row now.
                    "lease_until": message.lease_until,
                    "state": outcome.state,
                    "attempts": len(message.attempts),
                    "bursts": outcome.bursts,
                    "next_attempt_at": outcome.next_attempt_at,
                    "delivered_at": outcome.delivered_at,
                    "last_status": outcome.last_status,
                    "last_error": outcome.last_error,
                }
            )
        async with self._db.transaction() as session:
            await session.execute(insert(DeliveryAttempt), attempts)
            await session.execute(_RECORD, updates)


def _status(message: ClaimedMessage) -> int | None:
    status = message.attempts[-1]["status_code"] if message.attempts else None
    return status if isinstance(status, int) else None
