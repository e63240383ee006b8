"""Analytics of one service: a JSON and CSV API, and the page that is one client of it.

``/dashboard/api/analytics/<figure>`` answers every figure as JSON, or as CSV with
``?format=csv``; ``/dashboard/analytics`` draws them all as server-side SVG. Every
figure covers the orders placed in ``[from, to)``: dates or ISO timestamps, UTC;
a date as ``to`` includes that whole day. Without them: the last 30 days.
"""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from shared.auth.deps import CurrentPrincipal
from shared.clock import utcnow
from shared.dashboard import analytics
from shared.dashboard.analytics import FunnelPlan, Range, Row, Table
from shared.db import Database
from shared.deps import get_db
from shared.errors import InvalidInput
from shared.process import ProcessDefinition
from shared.web.assets import add_static_route, asset_version
from shared.web.pages import (
    HERE as WEB_HERE,
)
from shared.web.pages import (
    PREFIX as WEB_PREFIX,
)
from shared.web.pages import (
    NavLink,
    PagePrincipal,
    Pages,
    money,
    page_route_class,
)

HERE = Path(__file__).parent
STATIC = HERE / "static"
PAGE = "/dashboard/analytics"
API = "/dashboard/api/analytics"
STATIC_TYPES = {"analytics.css": "text/css"}
DEFAULT_DAYS = 30
MAX_DAYS = 3660
# The days a range can cover: Python's calendar ends at the years 1 and 9999, and
# the driver sends their first and last instants as -infinity and infinity.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, tzinfo=UTC)
CALENDAR = f"{EARLIEST.date().isoformat()} to {LATEST.date().isoformat()} (UTC)"

FromQuery = Annotated[
    str | None, Query(alias="from", max_length=40, description="date or timestamp")
]
ToQuery = Annotated[
    str | None,
    Query(
        alias="to", max_length=40, description="date (included) or timestamp (excluded)"
    ),
]
FormatQuery = Annotated[Literal["json", "csv"], Query(alias="format")]


@dataclass(frozen=True)
class Figure:
    path: str
    title: str
    query: analytics.Query

    @property
    def key(self) -> str:
        return self.path.replace("/", "_").replace("-", "_")


FIGURES = (
    Figure("cycle-time", "Cycle time per end state", analytics.cycle_time),
    Figure("cycle-time/daily", "Cycle time per day placed", analytics.cycle_time_daily),
    Figure("tasks", "Human tasks per type", analytics.tasks),
    Figure(
        "tasks/by-assignee", "Human tasks per assignee", analytics.tasks_by_assignee
    ),
    Figure("funnel", "Funnel from placed to completed", analytics.funnel),
    Figure("quotes", "Quote acceptance", analytics.quotes),
    Figure("outcomes", "Orders and quote value per outcome", analytics.outcomes),
    Figure("throughput/daily", "Throughput per day", analytics.throughput_daily),
    Figure("throughput/hourly", "Throughput per hour", analytics.throughput_hourly),
    Figure("bottlenecks", "Waiting time per BPMN element", analytics.bottlenecks),
    Figure("deliveries/attempts", "Attempts per message", analytics.delivery_attempts),
    Figure("deliveries", "Message delivery", analytics.deliveries),
)


def _instant(value: str, *, end: bool) -> datetime:
    """A date (midnight UTC; the next midnight for an end) or an ISO timestamp.

    The instant comes back in UTC, and only within ``EARLIEST`` to ``LATEST``:
    ``to=9999-12-31`` or ``from=0001-01-01T00:00+05:00`` is refused.
    """
    outside = InvalidInput(
        f"{value!r} lies outside {CALENDAR}, the days a range covers"
    )
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time(), tzinfo=UTC)
            if end:
                moment += timedelta(days=1)
        else:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            moment = moment.astimezone(UTC)
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is neither a date nor a timestamp") from exc
    except OverflowError as exc:
        raise outside from exc
    if not EARLIEST <= moment <= LATEST:
        raise outside
    return moment


def parse_range(start: str | None, end: str | None) -> Range:
    until = _instant(end, end=True) if end else utcnow()
    if start:
        since = _instant(start, end=False)
    elif until - EARLIEST >= timedelta(DEFAULT_DAYS):
        since = until - timedelta(DEFAULT_DAYS)
    else:
        raise InvalidInput(
            f"the default {DEFAULT_DAYS} days before to would start before"
            f" {EARLIEST.date().isoformat()}: give from as well"
        )
    if since >= until:
        raise InvalidInput("from must be before to")
    if until - since > timedelta(MAX_DAYS):
        raise InvalidInput(f"a range may span at most {MAX_DAYS} days")
    return Range(since.astimezone(UTC), until.astimezone(UTC))


def _cell(value: Any) -> Any:
    """A value as JSON carries it: money and other decimals as exact strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _csv_cell(value: Any) -> str:
    value = _cell(value)
    return "" if value is None else str(value)


def as_json(figure: Figure, r: Range, table: Table) -> dict[str, Any]:
    return {
        "figure": figure.path,
        "from": r.start.isoformat(),
        "to": r.end.isoformat(),
        "columns": table.columns,
        "rows": [{k: _cell(v) for k, v in row.items()} for row in table.rows],
    }


def as_csv(service: str, figure: Figure, r: Range, table: Table) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_cell(row[column]) for column in table.columns])
    name = "-".join(
        [
            "orderflow",
            service,
            figure.path.replace("/", "-"),
            r.start.strftime("%Y%m%dT%H%M"),
            r.end.strftime("%Y%m%dT%H%M"),
        ]
    )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


async def _read(db: Database, plan: FunnelPlan, figure: Figure, r: Range) -> Table:
    async with db.transaction() as session:
        await analytics.prepare(session)
        return await figure.query(session, plan, r)


def duration(seconds: float | None) -> str:
    """Seconds as a person reads them: 0.4 s, 40 s, 12.5 min, 3.2 h, 2.1 d."""
    if seconds is None:
        return "—"
    if abs(seconds) < 10:
        return f"{seconds:.1f} s"
    if abs(seconds) < 90:
        return f"{seconds:.0f} s"
    for limit, size, unit in ((5400, 60, "min"), (172800, 3600, "h")):
        if abs(seconds) < limit:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds / 86400:.1f} d"


def show(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "duration":
        return duration(float(value))
    if unit == "share":
        return f"{float(value) * 100:.1f} %"
    if unit == "money":
        return money(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def funnel_steps(rows: list[Row]) -> list[dict[str, Any]]:
    """The funnel's long rows, one entry per step with its losses, for drawing."""
    steps: list[dict[str, Any]] = []
    for row in rows:
        if row["outcome"] == "reached":
            steps.append(
                {
                    "step": row["step"],
                    "reached": row["orders"],
                    "share": row["share"],
                    "in_progress": 0,
                    "losses": [],
                }
            )
        elif row["outcome"] == "in_progress":
            steps[-1]["in_progress"] = row["orders"]
        else:
            steps[-1]["losses"].append(row)
    return steps


def analytics_router(
    process: ProcessDefinition,
    *,
    service: str,
    title: str,
    nav: tuple[NavLink, ...] = (
        NavLink("Inbox", f"{WEB_PREFIX}/tasks"),
        NavLink("Orders", f"{WEB_PREFIX}/orders"),
    ),
) -> APIRouter:
    """The analytics API and page of one service, for any logged-in user."""
    plan = FunnelPlan.of(process)
    pages = Pages(
        title=title, template_dirs=[HERE / "templates", WEB_HERE / "templates"], nav=nav
    )
    environment = pages.templates.env
    environment.globals["show"] = show
    environment.globals["analytics_css"] = (
        f"{PAGE}/static/analytics.css?v=" + asset_version(STATIC / "analytics.css")
    )
    router = APIRouter()
    page_router = APIRouter(
        include_in_schema=False, route_class=page_route_class(pages)
    )

    for figure in FIGURES:
        router.add_api_route(
            f"{API}/{figure.path}",
            _endpoint(figure, plan, service),
            methods=["GET"],
            summary=figure.title,
            tags=["analytics"],
            response_model=None,
        )

    @page_router.get(PAGE)
    async def analytics_page(
        request: Request,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
        start: FromQuery = None,
        end: ToQuery = None,
    ) -> HTMLResponse:
        r = parse_range(start, end)
        tables: dict[str, Table | None] = {}
        problems: dict[str, str] = {}
        async with db.transaction() as session:
            await analytics.prepare(session)
            for figure in FIGURES:
                try:
                    tables[figure.key] = await figure.query(session, plan, r)
                except analytics.TooManyBuckets as exc:
                    tables[figure.key] = None
                    problems[figure.key] = exc.detail
        query = urlencode({"from": r.start.isoformat(), "to": r.end.isoformat()})
        shown_end = r.end - timedelta(microseconds=1)
        return pages.render(
            request,
            "analytics.html",
            {
                "t": tables,
                "problems": problems,
                "figures": {f.key: f for f in FIGURES},
                "csv": {f.key: f"{API}/{f.path}?{query}&format=csv" for f in FIGURES},
                "json": {f.key: f"{API}/{f.path}?{query}" for f in FIGURES},
                "range": r,
                "form_from": r.start.date().isoformat(),
                "form_to": shown_end.date().isoformat(),
                "funnel": funnel_steps(tables["funnel"].rows)
                if tables["funnel"]
                else [],
            },
            principal=principal,
        )

    add_static_route(page_router, PAGE + "/static", STATIC, STATIC_TYPES)

    router.include_router(page_router)
    return router


def _endpoint(figure: Figure, plan: FunnelPlan, service: str) -> Any:
    async def read_figure(
        principal: CurrentPrincipal,
        db: Annotated[Database, Depends(get_db)],
        start: FromQuery = None,
        end: ToQuery = None,
        output: FormatQuery = "json",
    ) -> Response:
        r = parse_range(start, end)
        table = await _read(db, plan, figure, r)
        if output == "csv":
            return as_csv(service, figure, r, table)
        return JSONResponse(as_json(figure, r, table))

    read_figure.__doc__ = (
        f"{figure.title}: {(figure.query.__doc__ or '').strip().splitlines()[0]}"
        if figure.query.__doc__
        else figure.title
    )
    return read_figure
