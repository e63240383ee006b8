"""Validated field types shared by the API schemas and the webhook contract.

Money is exact: ``Decimal`` in Python, NUMERIC in PostgreSQL, strings on the wire.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, PlainSerializer, StringConstraints

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

Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(_no_nul),
]
Quantity = Annotated[int, Field(gt=0, le=1_000_000)]
UnitPrice = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=4, allow_inf_nan=False),
    _as_string,
]
Money = Annotated[
    Decimal,
    Field(max_digits=16, decimal_places=2, allow_inf_nan=False),
    _as_string,
]
Discount = Annotated[
    Decimal,
    Field(ge=0, lt=1, max_digits=5, decimal_places=4, allow_inf_nan=False),
    _as_string,
]
