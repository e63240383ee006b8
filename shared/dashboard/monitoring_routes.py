"""The monitoring pages of one service at ``/dashboard``, and the JSON behind them.

Pages need a login (any role may look); redelivering a message and reassigning a
task need the admin role. The JSON under ``/dashboard/api/monitoring`` takes the
session cookie or a bearer token, so the pages and API clients read the same data.
"""

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from shared.auth.deps import CurrentPrincipal
from shared.auth.roles import ADMIN
from shared.auth.tokens import Principal
from shared.db import Database
from shared.deps import get_db
from shared.errors import Forbidden, InvalidInput
from shared.order_repository import OrderRepository
from shared.outbox import service as outbox_service
from shared.outbox.routes import MessageId
from shared.process import ProcessDefinition
from shared.settings import ServiceSettings
from shared.tasks import service as task_service
from shared.types import NO_NUL, UserName
from shared.web.assets import add_static_route, asset_version
from shared.web.pages import HERE as WEB_HERE
from shared.web.pages import PREFIX as UI_PREFIX
from shared.web.pages import NavLink, PagePrincipal, Pages, page_route_class

from . import monitoring
from .monitoring import Direction, ElementCounts, InstanceFilter, Sort, Summary

HERE = Path(__file__).parent
STATIC = HERE / "static"
CHECKOUT = HERE.parents[1]
PREFIX = "/dashboard"
API = f"{PREFIX}/api/monitoring"
REFRESH_MS = 2000
PER_PAGE = 50
# The live figures are shared by every open dashboard: one query per second at
# most, however many people watch. Passed-through counts read the whole history,
# so they are refreshed less often.
SUMMARY_TTL_S = 1.0
PASSED_TTL_S = 10.0

STATIC_TYPES = {"monitoring.css": "text/css", "monitoring.js": "text/javascript"}
VENDOR_TYPES = {".js": "text/javascript", ".css": "text/css", ".woff": "font/woff"}
VENDOR_TYPES |= {".woff2": "font/woff2", ".ttf": "font/ttf", ".eot": "font/eot"}
VENDOR_TYPES |= {".svg": "image/svg+xml"}
VIEWER_SCRIPT = "bpmn-navigated-viewer.production.min.js"

NOTES = {
    "redelivered": "The message is queued again; the dispatcher sends it now.",
    "assigned": "The task is reassigned.",
}

T = TypeVar("T")


def bpmn_js_dir() -> Path:
    """bpmn-js's ``dist`` folder: ``ORDERFLOW_BPMN_JS_DIR``, else the checkout's."""
    configured = os.environ.get("ORDERFLOW_BPMN_JS_DIR")
    return Path(configured) if configured else CHECKOUT / "node_modules/bpmn-js/dist"


def bpmn_model_file() -> Path:
    """The model drawn on the pages: ``ORDERFLOW_BPMN_FILE``, else the checkout's."""
    configured = os.environ.get("ORDERFLOW_BPMN_FILE")
    return Path(configured) if configured else CHECKOUT / "bpmn/order-process.bpmn"


class Cached(Generic[T]):
    """A value recomputed at most every ``ttl_s``, by one caller while others wait."""

    def __init__(self, ttl_s: float) -> None:
        self._ttl_s = ttl_s
        self._value: T | None = None
        self._at = 0.0
        self._lock = asyncio.Lock()

    async def get(self, compute: Callable[[], Awaitable[T]]) -> T:
        async with self._lock:
            if self._value is None or time.monotonic() - self._at > self._ttl_s:
                self._value = await compute()
                self._at = time.monotonic()
            return self._value


class LiveFigures(BaseModel):
    """What one refresh of the dashboard sends."""

    summary: Summary
    elements: dict[str, ElementCounts]


@dataclass(frozen=True)
class InstanceQuery:
    """The instance list's URL parameters, parsed once for the page and the JSON."""

    where: InstanceFilter
    sort: Sort
    direction: Direction
    after: str | None
    before: str | None

    def url(self, **changes: str | None) -> str:
        """This view's URL with ``changes``; empty values are left out."""
        where = self.where
        params: dict[str, Any] = {
            "state": where.state,
            "element": where.element,
            "customer": where.customer,
            "placed_from": where.placed_from,
            "placed_to": where.placed_to,
            "total_min": where.total_min,
            "total_max": where.total_max,
            "overdue": "true" if where.overdue else None,
            "failed": "true" if where.failed else None,
            "sort": None if self.sort == "placed" else self.sort,
            "direction": None if self.direction == "desc" else self.direction,
            **changes,
        }
        query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return f"{PREFIX}/instances" + (f"?{query}" if query else "")


Blank = Annotated[str | None, Query(max_length=40, pattern=NO_NUL)]


def _blank_or(value: str | None, parse: Callable[[str], T], what: str) -> T | None:
    """A filter field as the form sends it: empty means no filter."""
    if value is None or not value.strip():
        return None
    try:
        return parse(value.strip())
    except (ValueError, ArithmeticError) as exc:
        raise InvalidInput(f"{what} is not valid: {value!r}") from exc


def _amount(value: str) -> Decimal:
    amount = Decimal(value)
    if not amount.is_finite() or not 0 <= amount <= 10**12:
        raise ValueError(value)
    return amount


def instance_query(
    state: Blank = None,
    element: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    customer: Blank = None,
    placed_from: Blank = None,
    placed_to: Blank = None,
    total_min: Blank = None,
    total_max: Blank = None,
    overdue: bool = False,
    failed: bool = False,
    sort: Sort = "placed",
    direction: Direction = "desc",
    after: Annotated[str | None, Query(max_length=300)] = None,
    before: Annotated[str | None, Query(max_length=300)] = None,
) -> InstanceQuery:
    return InstanceQuery(
        where=InstanceFilter(
            state=state or None,
            element=element or None,
            customer=(customer or "").strip().upper() or None,
            placed_from=_blank_or(placed_from, date.fromisoformat, "placed from"),
            placed_to=_blank_or(placed_to, date.fromisoformat, "placed to"),
            total_min=_blank_or(total_min, _amount, "the minimum total"),
            total_max=_blank_or(total_max, _amount, "the maximum total"),
            overdue=overdue,
            failed=failed,
        ),
        sort=sort,
        direction=direction,
        after=after or None,
        before=before or None,
    )


Instances = Annotated[InstanceQuery, Depends(instance_query)]


def _version(path: Path) -> str:
    return asset_version(path)


def monitoring_router(
    *,
    title: str,
    process: ProcessDefinition,
    orders: OrderRepository[Any],
    peer: str,
) -> APIRouter:
    """Dashboard, instance list, instance page and incidents of one service.

    ``peer`` names the other service in links to the same order over there.
    """
    pages = Pages(
        title=title,
        template_dirs=[HERE / "templates", WEB_HERE / "templates"],
        nav=[
            NavLink("Inbox", f"{UI_PREFIX}/tasks"),
            NavLink("Orders", f"{UI_PREFIX}/orders"),
            NavLink("Instances", f"{PREFIX}/instances"),
        ],
    )
    env = pages.templates.env
    env.globals["dashboard_asset"] = {
        name: f"{PREFIX}/static/{name}?v={_version(STATIC / name)}"
        for name in STATIC_TYPES
    }
    pool = monitoring.pool_elements(process)
    states = [state.name for state in process.states]
    summary_cache: Cached[Summary] = Cached(SUMMARY_TTL_S)
    passed_cache: Cached[dict[str, int]] = Cached(PASSED_TTL_S)

    page_routes = APIRouter(
        prefix=PREFIX, include_in_schema=False, route_class=page_route_class(pages)
    )
    api = APIRouter(prefix=API, tags=["monitoring"])

    async def live(db: Database) -> LiveFigures:
        async def read_summary() -> Summary:
            async with db.transaction() as session:
                return await monitoring.summary(session, process)

        async def read_passed() -> dict[str, int]:
            async with db.transaction() as session:
                return await monitoring.passed_counts(session, process)

        summary = await summary_cache.get(read_summary)
        passed = await passed_cache.get(read_passed)
        return LiveFigures(
            summary=summary,
            elements=monitoring.element_counts(process, summary.waiting, passed),
        )

    def viewer_available() -> bool:
        return (bpmn_js_dir() / VIEWER_SCRIPT).is_file()

    def diagram_context() -> dict[str, Any]:
        return {
            "viewer_available": viewer_available(),
            "viewer_base": f"{PREFIX}/vendor/bpmn-js",
            "viewer_script": VIEWER_SCRIPT,
            "model_url": f"{PREFIX}/model.bpmn",
            "pool": pool,
        }

    # --- files ----------------------------------------------------------------

    add_static_route(page_routes, "/static", STATIC, STATIC_TYPES)

    @page_routes.get("/vendor/bpmn-js/{path:path}")
    async def vendor(path: str) -> Response:
        """bpmn-js's own files, served from node_modules as they were installed."""
        root = bpmn_js_dir().resolve()
        target = (root / path).resolve()
        media_type = VENDOR_TYPES.get(target.suffix)
        if not target.is_relative_to(root) or media_type is None:
            return Response(status_code=404)
        if not target.is_file():
            return Response(status_code=404)
        return FileResponse(
            target,
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @page_routes.get("/model.bpmn")
    async def model(_principal: PagePrincipal) -> Response:
        path = bpmn_model_file()
        if not path.is_file():
            return Response(status_code=404)
        return FileResponse(path, media_type="application/xml")

    # --- the dashboard ----------------------------------------------------------

    @page_routes.get("")
    async def dashboard(
        request: Request,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
    ) -> HTMLResponse:
        figures = await live(db)
        return pages.render(
            request,
            "monitoring.html",
            {
                "figures": figures,
                "states": states,
                "end_states": process.end_states,
                "refresh_url": f"{API}/live",
                "refresh_ms": REFRESH_MS,
                "instances_url": f"{API}/instances",
                **diagram_context(),
            },
            principal=principal,
        )

    @api.get("/live", response_model=LiveFigures)
    async def live_figures(
        _principal: CurrentPrincipal, db: Annotated[Database, Depends(get_db)]
    ) -> LiveFigures:
        """Instances per state, open and overdue tasks, failed deliveries, and on
        each element of the pool the instances waiting there and those that passed.
        """
        return await live(db)

    # --- the instance list ------------------------------------------------------

    async def read_instances(
        db: Database, query: InstanceQuery, limit: int
    ) -> monitoring.InstancePage:
        query.where.check(process)
        async with db.transaction() as session:
            return await monitoring.instances(
                session,
                where=query.where,
                sort=query.sort,
                direction=query.direction,
                after=query.after,
                before=query.before,
                limit=limit,
            )

    @api.get("/instances", response_model=monitoring.InstancePage)
    async def instance_list(
        _principal: CurrentPrincipal,
        db: Annotated[Database, Depends(get_db)],
        query: Instances,
        limit: Annotated[int, Query(ge=1, le=200)] = PER_PAGE,
    ) -> monitoring.InstancePage:
        """Instances matching the filters, one keyset page: follow `next`/`previous`
        as `after`/`before` to page on."""
        return await read_instances(db, query, limit)

    @page_routes.get("/instances")
    async def instances_page(
        request: Request,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
        query: Instances,
    ) -> HTMLResponse:
        page = await read_instances(db, query, PER_PAGE)
        return pages.render(
            request,
            "monitoring_instances.html",
            {
                "page": page,
                "query": query,
                "where": query.where,
                "states": states,
                "pool": pool,
                "next_url": query.url(after=page.next, before=None)
                if page.next
                else None,
                "previous_url": query.url(before=page.previous, after=None)
                if page.previous
                else None,
                "first_url": query.url(after=None, before=None),
                "sort_url": {
                    (sort, direction): query.url(
                        sort=sort, direction=direction, after=None, before=None
                    )
                    for sort in ("placed", "total")
                    for direction in ("asc", "desc")
                },
            },
            principal=principal,
        )

    # --- one instance -----------------------------------------------------------

    @page_routes.get("/instances/{order_id}")
    async def instance_page(
        request: Request,
        order_id: uuid.UUID,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
    ) -> HTMLResponse:
        async with db.transaction() as session:
            order = await orders.detail(session, order_id)
            attempts = await monitoring.delivery_attempts(session, order_id)
        visited = monitoring.visited_elements(h.element_ids for h in order.history)
        settings: ServiceSettings = request.app.state.settings
        peer_base = (settings.peer_public_url or settings.peer_url).rstrip("/")
        return pages.render(
            request,
            "instance.html",
            {
                "order": order,
                "attempts": attempts,
                "visited": visited,
                "peer": peer,
                "peer_url": f"{peer_base}{PREFIX}/instances/{order.id}",
                **diagram_context(),
            },
            principal=principal,
        )

    # --- incidents --------------------------------------------------------------

    @api.get("/incidents", response_model=monitoring.Incidents)
    async def incident_list(
        _principal: CurrentPrincipal, db: Annotated[Database, Depends(get_db)]
    ) -> monitoring.Incidents:
        """Deliveries that failed for good and open tasks past their due time."""
        async with db.transaction() as session:
            return await monitoring.incidents(session)

    @page_routes.get("/incidents")
    async def incidents_page(
        request: Request,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
        msg: Annotated[str | None, Query(max_length=40)] = None,
    ) -> HTMLResponse:
        async with db.transaction() as session:
            found = await monitoring.incidents(session)
            people = await monitoring.usernames(session)
        return pages.render(
            request,
            "incidents.html",
            {
                "incidents": found,
                "people": people,
                "is_admin": principal.has_any(ADMIN),
                "note": NOTES.get(msg or ""),
            },
            principal=principal,
        )

    def require_admin(principal: Principal, what: str) -> None:
        if not principal.has_any(ADMIN):
            raise Forbidden(f"{principal.username} may not {what}: admins only")

    @page_routes.post("/incidents/messages/{message_id}/redeliver")
    async def redeliver(
        message_id: MessageId,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
    ) -> RedirectResponse:
        require_admin(principal, "redeliver messages")
        async with db.transaction() as session:
            await outbox_service.redeliver(
                session, message_id=message_id, actor=principal.username
            )
        return RedirectResponse(f"{PREFIX}/incidents?msg=redelivered", status_code=303)

    @page_routes.post("/incidents/tasks/{task_id}/assign")
    async def reassign(
        task_id: uuid.UUID,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
        assignee: Annotated[UserName, Form()],
    ) -> RedirectResponse:
        require_admin(principal, "reassign tasks")
        async with db.transaction() as session:
            await task_service.assign(
                session, task_id=task_id, assignee=assignee, actor=principal.username
            )
        return RedirectResponse(f"{PREFIX}/incidents?msg=assigned", status_code=303)

    router = APIRouter()
    router.include_router(page_routes)
    router.include_router(api)
    return router
