from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlmodel import col, select

from shared.db import Database
from shared.deps import get_db
from shared.errors import NotFound
from supplier_service.models import Product

router = APIRouter(prefix="/catalogue", tags=["catalogue"])


@router.get("/products", response_model=list[Product])
async def list_products(
    db: Annotated[Database, Depends(get_db)], discontinued: bool | None = None
) -> Sequence[Product]:
    """The supplier's products with prices, stock and the discontinued flag."""
    query = select(Product).order_by(col(Product.product_id))
    if discontinued is not None:
        query = query.where(col(Product.discontinued) == discontinued)
    async with db.transaction() as session:
        return (await session.scalars(query)).all()


@router.get("/products/{product_id}", response_model=Product)
async def get_product(
    product_id: Annotated[int, Path(gt=0, le=2_147_483_647)],
    db: Annotated[Database, Depends(get_db)],
) -> Product:
    """One product of the catalogue."""
    async with db.transaction() as session:
        product = await session.get(Product, product_id)
    if product is None:
        raise NotFound(f"product {product_id} is not in the catalogue")
    return product
