"""Who is calling: the bearer token (API) or the session cookie (web pages)."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from shared.auth.roles import ADMIN
from shared.auth.tokens import InvalidToken, Principal, TokenIssuer
from shared.errors import Forbidden

bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def get_issuer(request: Request) -> TokenIssuer:
    issuer: TokenIssuer = request.app.state.tokens
    return issuer


async def current_principal(
    request: Request,
    token: Annotated[str | None, Depends(bearer)],
    issuer: Annotated[TokenIssuer, Depends(get_issuer)],
) -> Principal:
    token = token or request.cookies.get(issuer.cookie_name)
    if not token:
        raise InvalidToken("log in first: send a bearer token from /auth/token")
    return issuer.verify(token)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through callers with one of ``roles``, or admins."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(*roles, ADMIN):
            raise Forbidden(
                f"{principal.username} needs one of the roles: {', '.join(roles)}"
            )
        return principal

    return check
