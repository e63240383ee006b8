"""The web UI of one service, mounted at ``/ui``: server-rendered, no build step."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from shared.auth.deps import get_issuer
from shared.auth.roles import ADMIN
from shared.auth.service import authenticate
from shared.auth.tokens import Principal, TokenIssuer
from shared.clock import utcnow
from shared.db import Database
from shared.deps import get_db
from shared.errors import Conflict, Forbidden, InvalidInput, OrderflowError
from shared.models import HumanTask
from shared.order_repository import OrderRepository
from shared.process import ProcessDefinition
from shared.tasks import service as task_service
from shared.tasks.actions import CompleteTask, TaskActions
from shared.tasks.schemas import CompleteRequest
from shared.types import MAX_OFFSET
from shared.web.assets import add_static_route
from shared.web.inbox import (
    STATE_FILTERS,
    InboxFilter,
    StateFilter,
    TypeCounts,
    inbox_counts,
    inbox_tasks,
)
from shared.web.pages import (
    HERE,
    PREFIX,
    STATIC,
    NavLink,
    PagePrincipal,
    Pages,
    optional_principal,
    page_route_class,
    safe_next,
)

REFRESH_MS = 5000
ORDERS_PER_PAGE = 50
TypeQuery = Annotated[str | None, Query(alias="type", max_length=40)]
STATIC_TYPES = {"app.css": "text/css", "app.js": "text/javascript"}

# Short notes shown after an action redirected back to a page (``?msg=``).
NOTES = {
    "claimed": "You claimed this task: nobody else can complete it now.",
    "unclaimed": "You gave the task back to the inbox.",
    "completed": "Done: the task is completed and the order moves on.",
    "placed": "Your order is placed; the supplier will verify it.",
    "logged_out": "You are logged out.",
    "expired": "Your session has ended; please log in again.",
}


@dataclass(frozen=True)
class WebExtension:
    """Pages one service adds to the shared ones (the buyer's order form)."""

    template_dir: Path
    install: Callable[[APIRouter, Pages], None]
    nav: Sequence[NavLink] = field(default_factory=tuple)


def web_router(
    *,
    title: str,
    process: ProcessDefinition,
    complete: CompleteTask,
    orders: OrderRepository[Any],
    extensions: Sequence[WebExtension] = (),
) -> APIRouter:
    """Log in, the inbox, task pages and order pages of one service, under ``/ui``.

    ``complete`` is the service's task completion, the one its API uses.
    """
    pages = Pages(
        title=title,
        template_dirs=[*(e.template_dir for e in extensions), HERE / "templates"],
        nav=[
            NavLink("Inbox", f"{PREFIX}/tasks"),
            NavLink("Orders", f"{PREFIX}/orders"),
            *(link for e in extensions for link in e.nav),
        ],
    )
    router = APIRouter(
        prefix=PREFIX,
        include_in_schema=False,
        route_class=page_route_class(pages),
    )
    actions = TaskActions(process, complete)
    access = actions.access
    all_types = [t.name for t in process.task_types]
    order_states = [s.name for s in process.states]

    @router.get("")
    async def home() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/tasks", status_code=303)

    add_static_route(router, "/static", STATIC, STATIC_TYPES)

    # --- logging in and out ---------------------------------------------------

    @router.get("/login")
    async def login_page(
        request: Request,
        next_path: Annotated[str | None, Query(alias="next")] = None,
        reason: str | None = None,
        msg: str | None = None,
    ) -> Response:
        if optional_principal(request) is not None and reason is None:
            return RedirectResponse(safe_next(next_path), status_code=303)
        return pages.render(
            request,
            "login.html",
            {"next": safe_next(next_path), "note": NOTES.get(reason or msg or "")},
            principal=None,
        )

    @router.post("/login")
    async def log_in(
        request: Request,
        username: Annotated[str, Form(max_length=100)],
        password: Annotated[str, Form(max_length=200)],
        db: Annotated[Database, Depends(get_db)],
        issuer: Annotated[TokenIssuer, Depends(get_issuer)],
        next_path: Annotated[str | None, Form(alias="next")] = None,
    ) -> Response:
        principal = await authenticate(db, username.strip(), password)
        if principal is None:
            return pages.render(
                request,
                "login.html",
                {
                    "next": safe_next(next_path),
                    "username": username,
                    "error": "Unknown user or wrong password.",
                },
                principal=None,
                status_code=401,
            )
        response = RedirectResponse(safe_next(next_path), status_code=303)
        response.set_cookie(
            issuer.cookie_name,
            issuer.issue(principal),
            httponly=True,
            samesite="lax",
            path="/",
            secure=request.url.scheme == "https",
        )
        return response

    @router.post("/logout")
    async def log_out(
        issuer: Annotated[TokenIssuer, Depends(get_issuer)],
    ) -> RedirectResponse:
        response = RedirectResponse(f"{PREFIX}/login?msg=logged_out", status_code=303)
        response.delete_cookie(issuer.cookie_name, path="/")
        return response

    # --- the inbox ------------------------------------------------------------

    def inbox_filter(
        principal: Principal,
        task_type: str | None,
        state: StateFilter,
        mine: bool,
        overdue: bool,
    ) -> InboxFilter:
        if task_type and task_type not in all_types:
            raise InvalidInput(f"type must be one of: {', '.join(all_types)}")
        if task_type and task_type not in access.visible_types(principal):
            raise Forbidden(f"{principal.username} may not see {task_type} tasks")
        return InboxFilter(
            task_type=task_type or None,
            state=state,
            assignee=principal.username if mine else None,
            overdue=overdue,
        )

    async def inbox_context(
        db: Database, principal: Principal, where: InboxFilter
    ) -> dict[str, Any]:
        visible = access.visible_types(principal)
        async with db.transaction() as session:
            rows, total = await inbox_tasks(session, task_types=visible, where=where)
            counts = await inbox_counts(session, task_types=visible)
        totals = TypeCounts()
        for entry in counts.values():
            totals.add(entry)
        return {
            "tasks": [task_row(task) for task in rows],
            "total": total,
            "counts": counts,
            "totals": totals,
            "where": where,
            "visible": visible,
            "roles_for": {t.name: t.candidate_role for t in process.task_types},
        }

    @router.get("/tasks")
    async def inbox(
        request: Request,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
        task_type: TypeQuery = None,
        state: StateFilter = "active",
        mine: bool = False,
        overdue: bool = False,
    ) -> HTMLResponse:
        where = inbox_filter(principal, task_type, state, mine, overdue)
        context = await inbox_context(db, principal, where)
        query = request.url.query
        return pages.render(
            request,
            "inbox.html",
            {
                **context,
                "state_filters": STATE_FILTERS,
                "refresh_url": f"{PREFIX}/tasks/fragment"
                + (f"?{query}" if query else ""),
                "refresh_ms": REFRESH_MS,
            },
            principal=principal,
        )

    @router.get("/tasks/fragment")
    async def inbox_fragment(
        request: Request,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
        task_type: TypeQuery = None,
        state: StateFilter = "active",
        mine: bool = False,
        overdue: bool = False,
    ) -> HTMLResponse:
        """The counts and the table of the inbox, for the page to swap in."""
        where = inbox_filter(principal, task_type, state, mine, overdue)
        context = await inbox_context(db, principal, where)
        return pages.render(request, "_inbox_live.html", context, principal=principal)

    # --- one task -------------------------------------------------------------

    async def task_page(
        request: Request,
        db: Database,
        principal: Principal,
        task_id: uuid.UUID,
        *,
        note: str | None = None,
        error: str | None = None,
        status_code: int = 200,
        entered: dict[str, str] | None = None,
    ) -> HTMLResponse:
        async with db.transaction() as session:
            task = await task_service.get_task(session, task_id)
            task_type = access.guard_see(principal, task)
            order = await orders.detail(session, task.order_id)
        can_work = principal.has_any(task_type.candidate_role, ADMIN)
        is_open = task.state in task_service.OPEN_STATES
        claimed_by_other = task.state == "claimed" and task.assignee != (
            principal.username
        )
        return pages.render(
            request,
            "task.html",
            {
                "task": task_row(task),
                "task_type": task_type,
                "order": order,
                "form": task.form,
                "can_work": can_work,
                "can_claim": can_work and task.state == "open",
                "can_unclaim": can_work
                and task.state == "claimed"
                and task.assignee == principal.username,
                "can_complete": can_work and is_open and not claimed_by_other,
                "note": note,
                "error": error,
                "entered": entered or {},
            },
            principal=principal,
            status_code=status_code,
        )

    @router.get("/tasks/{task_id}")
    async def show_task(
        request: Request,
        task_id: uuid.UUID,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
        msg: str | None = None,
    ) -> HTMLResponse:
        return await task_page(
            request, db, principal, task_id, note=NOTES.get(msg or "")
        )

    async def act_on_task(
        request: Request,
        db: Database,
        principal: Principal,
        task_id: uuid.UUID,
        action: Callable[[Any], Any],
        *,
        done: str,
        entered: dict[str, str] | None = None,
    ) -> Response:
        """Runs ``action`` in one transaction; a refusal re-renders the task page."""
        try:
            async with db.transaction() as session:
                await action(session)
        except (Conflict, Forbidden, InvalidInput) as exc:
            async with db.transaction() as session:
                task = await task_service.get_task(session, task_id)
            return await task_page(
                request,
                db,
                principal,
                task_id,
                error=explain(exc, task, principal),
                status_code=exc.status_code,
                entered=entered,
            )
        return RedirectResponse(f"{PREFIX}/tasks/{task_id}?msg={done}", status_code=303)

    @router.post("/tasks/{task_id}/claim")
    async def claim_task(
        request: Request,
        task_id: uuid.UUID,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
    ) -> Response:
        async def claim(session: Any) -> None:
            await actions.claim(session, principal, task_id)

        return await act_on_task(request, db, principal, task_id, claim, done="claimed")

    @router.post("/tasks/{task_id}/unclaim")
    async def unclaim_task(
        request: Request,
        task_id: uuid.UUID,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
    ) -> Response:
        async def unclaim(session: Any) -> None:
            await actions.unclaim(session, principal, task_id)

        return await act_on_task(
            request, db, principal, task_id, unclaim, done="unclaimed"
        )

    @router.post("/tasks/{task_id}/complete")
    async def complete_task(
        request: Request,
        task_id: uuid.UUID,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
        decision: Annotated[str, Form(max_length=40)] = "",
        comment: Annotated[str, Form(max_length=2000)] = "",
        version: Annotated[int | None, Form()] = None,
    ) -> Response:
        entered = {"decision": decision, "comment": comment}

        async def finish(session: Any) -> None:
            try:
                body = CompleteRequest(
                    decision=decision, comment=comment.strip() or None, version=version
                )
            except ValidationError as exc:
                raise InvalidInput(exc.errors()[0]["msg"]) from exc
            await actions.complete(session, principal, task_id, body)

        return await act_on_task(
            request, db, principal, task_id, finish, done="completed", entered=entered
        )

    # --- orders ---------------------------------------------------------------

    for extension in extensions:
        extension.install(router, pages)

    @router.get("/orders")
    async def order_list(
        request: Request,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
        state: Annotated[str, Query(max_length=40)] = "",
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
        msg: str | None = None,
    ) -> HTMLResponse:
        async with db.transaction() as session:
            rows, total = await orders.page(
                session,
                state=state or None,
                customer_id=None,
                limit=ORDERS_PER_PAGE,
                offset=offset,
            )
            items = [orders.summary_view.model_validate(row) for row in rows]
        return pages.render(
            request,
            "orders.html",
            {
                "orders": items,
                "total": total,
                "state": state,
                "states": order_states,
                "offset": offset,
                "per_page": ORDERS_PER_PAGE,
                "note": NOTES.get(msg or ""),
            },
            principal=principal,
        )

    @router.get("/orders/{order_id}")
    async def order_page(
        request: Request,
        order_id: uuid.UUID,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
        msg: str | None = None,
    ) -> HTMLResponse:
        async with db.transaction() as session:
            order = await orders.detail(session, order_id)
        return pages.render(
            request,
            "order.html",
            {
                "order": order,
                "tasks": [task_row(task) for task in order.tasks],
                "note": NOTES.get(msg or ""),
                "visible": access.visible_types(principal),
            },
            principal=principal,
        )

    return router


def task_row(task: Any) -> dict[str, Any]:
    """A task as the pages show it, with whether it is late."""
    is_open = task.state in task_service.OPEN_STATES
    return {
        "id": task.id,
        "order_id": task.order_id,
        "task_type": task.task_type,
        "element_id": task.element_id,
        "state": task.state,
        "assignee": task.assignee,
        "priority": task.priority,
        "version": task.version,
        "created_at": task.created_at,
        "due_at": task.due_at,
        "claimed_at": task.claimed_at,
        "completed_at": task.completed_at,
        "completed_by": task.completed_by,
        "escalated_at": task.escalated_at,
        "decision": task.decision,
        "comment": task.comment,
        "candidate_role": task.candidate_role,
        "overdue": is_open and task.due_at is not None and task.due_at < utcnow(),
        "escalated": task.escalated_at is not None,
    }


def explain(exc: OrderflowError, task: HumanTask, principal: Principal) -> str:
    """What a refused action means for the person who tried it."""
    if not isinstance(exc, Conflict):
        return exc.detail
    if task.state == "completed":
        who = "you" if task.completed_by == principal.username else task.completed_by
        return (
            f"This task was already completed by {who} "
            f"(decision: {task.decision}). Nothing was changed."
        )
    if task.state == "cancelled":
        return f"This task was cancelled ({task.comment}). Nothing was changed."
    if task.state == "claimed" and task.assignee != principal.username:
        return (
            f"This task was taken by someone else: {task.assignee} claimed it, so "
            "only they can complete it now. Nothing was changed."
        )
    return f"{exc.detail}. Look at the task again and retry."
