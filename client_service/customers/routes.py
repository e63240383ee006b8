from typing import Annotated

from fastapi import APIRouter, Depends
from sqlmodel import col, select

from client_service.models import Customer
from shared.db import Database
from shared.deps import get_db

router = APIRouter(prefix="/customers", tags=["customers"])


@router.get("", response_model=list[Customer])
async def list_customers(db: Annotated[Database, Depends(get_db)]) -> list[Customer]:
    """The buying companies orders can be placed for."""
    async with db.transaction() as session:
        rows = await session.scalars(
            select(Customer).order_by(col(Customer.customer_id))
        )
        return list(rows.all())
