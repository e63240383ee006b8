"""Refuses cross-site requests that would act with someone's session cookie."""

from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE_PREFIX = b"orderflow_session_"


class SameOriginForms:
    """Pure ASGI: a cookie-borne POST must come from a page of this very origin.

    The session cookie is SameSite=Lax, but two services on one host are one
    "site" (cookies ignore ports), so Lax alone would let a page of one service
    post to the other with the visitor's session. Browsers send ``Origin`` on
    every POST; requests carrying a bearer token are not at risk and pass.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        # Only a bearer token replaces the cookie; any other scheme is ignored by
        # the login check, which then falls back to the cookie.
        bearer = headers.get(b"authorization", b"").lower().startswith(b"bearer ")
        rides_on_cookie = not bearer and SESSION_COOKIE_PREFIX in headers.get(
            b"cookie", b""
        )
        if rides_on_cookie and not _same_origin(headers):
            response = JSONResponse(
                {
                    "error": "Forbidden",
                    "detail": "cross-origin request with a session cookie refused",
                },
                status_code=403,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _same_origin(headers: dict[bytes, bytes]) -> bool:
    source = headers.get(b"origin") or headers.get(b"referer")
    host = headers.get(b"host")
    if source is None or host is None:
        return False
    return urlsplit(source.decode("latin-1")).netloc == host.decode("latin-1")
