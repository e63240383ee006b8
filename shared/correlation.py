"""Binds the correlation id (the order's id) of each request to its log lines."""

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-correlation-id"


class CorrelationMiddleware:
    """Pure ASGI, so it adds no task switch to every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = dict(scope["headers"]).get(HEADER)
        if correlation_id is None:
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (HEADER, correlation_id),
                ]
            await send(message)

        with structlog.contextvars.bound_contextvars(
            correlation_id=correlation_id.decode("latin-1")[:100]
        ):
            await self.app(scope, receive, send_with_header)
