from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from shared.auth.deps import CurrentPrincipal, get_issuer
from shared.auth.service import authenticate
from shared.auth.tokens import InvalidToken, TokenIssuer
from shared.db import Database
from shared.deps import get_db

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"


class Me(BaseModel):
    username: str
    roles: list[str]


@router.post("/token", response_model=TokenResponse, responses={401: {}})
async def log_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    db: Annotated[Database, Depends(get_db)],
    issuer: Annotated[TokenIssuer, Depends(get_issuer)],
) -> TokenResponse:
    """OAuth2 password flow: trades a username and password for a bearer token."""
    principal = await authenticate(db, form.username, form.password)
    if principal is None:
        raise InvalidToken("unknown user or wrong password")
    return TokenResponse(access_token=issuer.issue(principal))


@router.get("/me", response_model=Me)
async def who_am_i(principal: CurrentPrincipal) -> Me:
    """The caller's name and roles, as their token says."""
    return Me(username=principal.username, roles=sorted(principal.roles))
