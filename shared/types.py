"""Validated field types shared by the API schemas and the webhook contract.

Money is exact: ``Decimal`` in Python, NUMERIC in PostgreSQL, strings on the wire.
"""

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    StringConstraints,
)

CENT = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    """The one rounding rule: to the cent, halves away from zero."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it at the edge, not in the driver.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


_as_string = PlainSerializer(lambda value: str(value), return_type=str)


def plain_zero(value: Decimal) -> Decimal:
    """Zero without an exponent: 0E-1000000 passes every digit check, but the
    database driver cannot encode it."""
    return Decimal(0) if value.is_zero() else value


_zero = AfterValidator(plain_zero)

Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(_no_nul),
]
# A person's login name, as it appears in tokens, assignees and history.
UserName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_no_nul),
]
# Strict: JSON true is no quantity, and 2.0 is no product id.
Quantity = Annotated[int, Field(gt=0, le=1_000_000, strict=True)]
ProductId = Annotated[int, Field(gt=0, le=2_147_483_647, strict=True)]
LineNo = Annotated[int, Field(gt=0, le=10_000, strict=True)]
CUSTOMER_ID = r"^[A-Za-z0-9_-]{1,20}$"
CustomerId = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=CUSTOMER_ID)
]
NO_NUL = r"^[^\x00]*$"
# Deep enough for a billion rows, and far from PostgreSQL's bigint limit.
MAX_OFFSET = 1_000_000_000


def _calendar_date(value: object) -> object:
    # Lax date parsing would take 1893456000 or a timestamp as a date.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be a date written YYYY-MM-DD")
    if not isinstance(value, str | date) or isinstance(value, datetime):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_calendar_date)]
UnitPrice = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=4, allow_inf_nan=False),
    _zero,
    _as_string,
]
Money = Annotated[
    Decimal,
    Field(max_digits=16, decimal_places=2, allow_inf_nan=False),
    _zero,
    _as_string,
]
Discount = Annotated[
    Decimal,
    Field(ge=0, lt=1, max_digits=5, decimal_places=4, allow_inf_nan=False),
    _zero,
    _as_string,
]
