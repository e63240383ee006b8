"""``/metrics``: the service's metrics in Prometheus' text format, without login.

A scrape shows counts, durations and states only: no ids, names, amounts or
secrets, so it may be open to the monitoring network.
"""

from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from shared.db import Database
from shared.deps import get_db
from shared.metrics.registry import ServiceMetrics

log = structlog.get_logger()

router = APIRouter(tags=["operations"])

# The classic text format, which every Prometheus 2.x reads; our metric and label
# names are plain ASCII, so the body is the same in its newer 1.0.0 version.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_INSTANCES = text("SELECT state, count(*) AS n FROM orders GROUP BY state")


def get_metrics(request: Request) -> ServiceMetrics:
    metrics: ServiceMetrics = request.app.state.metrics
    return metrics


async def refresh_instances(db: Database, metrics: ServiceMetrics) -> None:
    """Sets the instances gauge from one GROUP BY on the orders table.

    States of the process without orders read 0. When the database does
    not answer the gauge is left out of the scrape rather than shown stale.
    """
    try:
        async with db.transaction() as session:
            rows = (await session.execute(_INSTANCES)).all()
    except (SQLAlchemyError, OSError) as exc:
        log.warning("metrics.instances.unavailable", error=str(exc))
        metrics.instances.clear()
        return

    counts: dict[str, int] = {row.state: row.n for row in rows}
    metrics.instances.clear()
    for state in [*metrics.states, *(s for s in counts if s not in metrics.states)]:
        metrics.instances.labels(metrics.service, state).set(counts.get(state, 0))


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}}},
)
async def metrics(
    db: Annotated[Database, Depends(get_db)],
    service_metrics: Annotated[ServiceMetrics, Depends(get_metrics)],
) -> Response:
    """The service's metrics in Prometheus' text format, for scraping."""
    await refresh_instances(db, service_metrics)
    body = generate_latest(service_metrics.registry)
    return Response(content=body, media_type=CONTENT_TYPE)
