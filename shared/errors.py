"""One error hierarchy for both services, rendered by one handler.

Each error carries its HTTP status; the body is always
``{"error": "<ClassName>", "detail": "<message>"}``.
"""

import math
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class OrderflowError(Exception):
    """Base of every error a request may legitimately end with."""

    status_code = 500
    headers: ClassVar[dict[str, str] | None] = None

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(OrderflowError):
    """Raised when the addressed order, task or message does not exist."""

    status_code = 404


class Conflict(OrderflowError):
    """Raised when a request does not fit the current state; nothing was changed."""

    status_code = 409


class InvalidInput(OrderflowError):
    """Raised for input that passed schema validation but is still unusable."""

    status_code = 422


class Forbidden(OrderflowError):
    """Raised when the caller's roles do not allow what they asked for."""

    status_code = 403


class InvalidSignature(OrderflowError):
    """Raised when a webhook's signature, headers or timestamp fail verification."""

    status_code = 401


async def _render(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OrderflowError)
    return JSONResponse(
        status_code=exc.status_code,
        content={"error": type(exc).__name__, "detail": exc.detail},
        headers=exc.headers,
    )


def _finite(value: Any) -> Any:
    """JSON has no infinity or NaN: such an input is echoed back as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


async def _render_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _finite(jsonable_encoder(exc.errors()))
    return JSONResponse(status_code=422, content={"detail": errors})


def install_error_handler(app: FastAPI) -> None:
    app.add_exception_handler(OrderflowError, _render)
    app.add_exception_handler(RequestValidationError, _render_validation)
