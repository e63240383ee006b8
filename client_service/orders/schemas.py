from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.types import (
    CustomerId,
    Discount,
    IsoDate,
    ProductId,
    Quantity,
    UnitPrice,
)


class OrderLineCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: ProductId
    quantity: Quantity
    requested_unit_price: UnitPrice | None = None
    discount: Discount = Decimal(0)


class OrderCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "customer_id": "ALFKI",
                "requested_delivery_date": "2027-01-15",
                "lines": [
                    {"product_id": 11, "quantity": 12, "requested_unit_price": "14.00"},
                    {"product_id": 42, "quantity": 10, "discount": "0.05"},
                ],
            }
        },
    )

    customer_id: CustomerId
    lines: list[OrderLineCreate] = Field(min_length=1, max_length=200)
    requested_delivery_date: IsoDate | None = None

    @model_validator(mode="after")
    def _one_line_per_product(self) -> "OrderCreate":
        seen: set[int] = set()
        for line in self.lines:
            if line.product_id in seen:
                raise ValueError(
                    f"product {line.product_id} appears on more than one line"
                )
            seen.add(line.product_id)
        return self
