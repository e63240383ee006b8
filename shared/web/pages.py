"""Rendering pages, reading the session cookie, and turning errors into pages."""

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from shared.auth.deps import get_issuer
from shared.auth.tokens import InvalidToken, Principal, TokenIssuer
from shared.errors import OrderflowError
from shared.types import CENT
from shared.web.assets import asset_version

HERE = Path(__file__).parent
STATIC = HERE / "static"
PREFIX = "/ui"

# Scripts and styles come only from our own static files, never inline: the policy
# below lets the browser refuse anything else a page might be tricked into holding.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class LoginRequired(Exception):
    """Raised by a page whose visitor has no valid session; they are sent to log in."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class NavLink:
    """A link in the page header, shown to people with one of ``roles`` (or all)."""

    label: str
    path: str
    roles: tuple[str, ...] = ()


def safe_next(target: str | None) -> str:
    """Where to go after logging in: only a page of ours, never another site."""
    ours = (f"{PREFIX}/", "/dashboard/", "/dashboard?")
    if target == "/dashboard":
        return target
    if target and target.startswith(ours) and "//" not in target and "\\" not in target:
        return target
    return f"{PREFIX}/tasks"


def login_url(next_path: str, reason: str | None = None) -> str:
    url = f"{PREFIX}/login?next={quote(next_path, safe='/')}"
    return f"{url}&reason={reason}" if reason else url


def when(value: datetime | str | None) -> Markup:
    """A UTC timestamp as ``<time>``; the page's script shows it in local time."""
    if value is None:
        return Markup('<span class="muted">—</span>')
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    utc = value.astimezone(UTC)
    iso = utc.isoformat().replace("+00:00", "Z")
    text = utc.strftime("%Y-%m-%d %H:%M UTC")
    return Markup('<time datetime="{}" data-utc>{}</time>').format(iso, text)


def short_id(value: object) -> str:
    return str(value)[:8]


def percent(value: object) -> str:
    if value is None or value == "":
        return ""
    number = float(str(value)) * 100
    return f"{number:g} %"


def money(value: object) -> str:
    """An amount with at least two decimals, and more only where they matter."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if amount == amount.quantize(CENT):
        return str(amount.quantize(CENT))
    return str(amount.normalize())


def _static_version(name: str) -> str:
    return asset_version(STATIC / name)


class Pages:
    """The templates of the UI, and the pieces every page shows."""

    def __init__(
        self,
        *,
        title: str,
        template_dirs: Sequence[Path],
        nav: Sequence[NavLink],
    ) -> None:
        self.title = title
        self.nav = list(nav)
        environment = Environment(
            loader=ChoiceLoader(
                [FileSystemLoader(str(folder)) for folder in template_dirs]
            ),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        environment.filters["short_id"] = short_id
        environment.filters["percent"] = percent
        environment.filters["money"] = money
        environment.globals["when"] = when
        environment.globals["prefix"] = PREFIX
        environment.globals["asset"] = {
            name: f"{PREFIX}/static/{name}?v={_static_version(name)}"
            for name in ("app.css", "app.js")
        }
        self.templates = Jinja2Templates(env=environment)

    def render(
        self,
        request: Request,
        name: str,
        context: dict[str, Any],
        *,
        principal: Principal | None,
        status_code: int = 200,
    ) -> HTMLResponse:
        nav = [
            link
            for link in self.nav
            if principal is not None
            and (not link.roles or principal.has_any(*link.roles))
        ]
        response = self.templates.TemplateResponse(
            request,
            name,
            {
                "service_title": self.title,
                "principal": principal,
                "nav": nav,
                "path": request.url.path,
                **context,
            },
            status_code=status_code,
        )
        response.headers.update(SECURITY_HEADERS)
        return response

    def error(
        self, request: Request, *, status_code: int, title: str, detail: str
    ) -> HTMLResponse:
        return self.render(
            request,
            "error.html",
            {"title": title, "detail": detail},
            principal=optional_principal(request),
            status_code=status_code,
        )


def optional_principal(request: Request) -> Principal | None:
    """The visitor, if their session cookie holds a valid token for this service."""
    issuer = get_issuer(request)
    token = request.cookies.get(issuer.cookie_name)
    if not token:
        return None
    try:
        return issuer.verify(token)
    except InvalidToken:
        return None


async def page_principal(
    request: Request, issuer: Annotated[TokenIssuer, Depends(get_issuer)]
) -> Principal:
    """The visitor of a page that needs a login; without one they go to log in."""
    token = request.cookies.get(issuer.cookie_name)
    if not token:
        raise LoginRequired("")
    try:
        return issuer.verify(token)
    except InvalidToken as exc:
        raise LoginRequired("expired") from exc


PagePrincipal = Annotated[Principal, Depends(page_principal)]

ERROR_TITLES = {
    403: "Not allowed",
    404: "Not found",
    409: "Not possible now",
    422: "Not valid",
}


def page_route_class(pages: Pages) -> type[APIRoute]:
    """A route class that answers a page's failures with pages, not JSON.

    The app's error handler renders JSON for the API; the UI needs the same errors
    as readable pages and a missing login as a redirect, without touching the app.
    """

    class PageRoute(APIRoute):
        def get_route_handler(
            self,
        ) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def handle(request: Request) -> Response:
                try:
                    return await handler(request)
                except LoginRequired as exc:
                    target = request.url.path
                    if request.url.query:
                        target += f"?{request.url.query}"
                    return RedirectResponse(
                        login_url(target, exc.reason or None), status_code=303
                    )
                except OrderflowError as exc:
                    return pages.error(
                        request,
                        status_code=exc.status_code,
                        title=ERROR_TITLES.get(exc.status_code, "Something went wrong"),
                        detail=exc.detail,
                    )
                except RequestValidationError as exc:
                    problems = "; ".join(
                        f"{'.'.join(map(str, error['loc'][1:]))}: {error['msg']}"
                        for error in exc.errors()
                    )
                    return pages.error(
                        request, status_code=422, title="Not valid", detail=problems
                    )

            return handle

    return PageRoute
