"""JWT access tokens: HS256, bound to one service by issuer and audience."""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

import jwt

from shared.clock import utcnow
from shared.errors import OrderflowError

ALGORITHM = "HS256"


class InvalidToken(OrderflowError):
    """Raised for a missing, expired, tampered, unsigned or foreign token."""

    status_code = 401
    headers: ClassVar[dict[str, str] | None] = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the token says."""

    username: str
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)


class TokenIssuer:
    def __init__(self, *, service: str, secret: str, ttl_s: float) -> None:
        self._service = service
        self._secret = secret
        self._ttl = timedelta(seconds=ttl_s)

    @property
    def cookie_name(self) -> str:
        """The web pages' session cookie; one per service, as ports share cookies."""
        return f"orderflow_session_{self._service}"

    def issue(self, principal: Principal) -> str:
        now = utcnow()
        claims = {
            "sub": principal.username,
            "roles": sorted(principal.roles),
            "iss": self._service,
            "aud": self._service,
            "iat": now,
            "exp": now + self._ttl,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        """Checks signature, expiry, issuer and audience; only HS256 is accepted.

        Pinning the algorithm list is what refuses ``alg: none`` and any token
        whose header asks for another algorithm than the one we sign with.
        """
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self._service,
                issuer=self._service,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("the token has expired; log in again") from exc
        except jwt.InvalidTokenError as exc:
            raise InvalidToken(f"the token is not valid here: {exc}") from exc
        roles = claims.get("roles")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise InvalidToken("the token carries no roles")
        return Principal(username=str(claims["sub"]), roles=frozenset(roles))
