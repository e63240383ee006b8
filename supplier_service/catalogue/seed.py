"""Loading the supplier's catalogue from Northwind-format CSVs at start-up."""

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.dialects.postgresql import insert

from shared.db import Database
from supplier_service.models import Product


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def read_products(folder: Path) -> list[dict[str, Any]]:
    categories = {
        row["category_id"]: row["category_name"]
        for row in _read(folder / "categories.csv")
    }
    makers = {
        row["supplier_id"]: row["company_name"]
        for row in _read(folder / "suppliers.csv")
    }
    return [
        {
            "product_id": int(row["product_id"]),
            "product_name": row["product_name"],
            "category": categories.get(row["category_id"]),
            "maker": makers.get(row["supplier_id"]),
            "quantity_per_unit": row["quantity_per_unit"] or None,
            "unit_price": Decimal(row["unit_price"]),
            "units_in_stock": int(row["units_in_stock"]),
            "units_on_order": int(row["units_on_order"]),
            "reorder_level": int(row["reorder_level"]),
            "discontinued": row["discontinued"] == "1",
        }
        for row in _read(folder / "products.csv")
    ]


async def load_catalogue(db: Database, folder: Path) -> None:
    """Upserts every product, so a restart picks up edited prices and stock."""
    rows = read_products(folder)
    statement = insert(Product)
    statement = statement.on_conflict_do_update(
        index_elements=["product_id"],
        set_={
            column: statement.excluded[column]
            for column in rows[0]
            if column != "product_id"
        },
    )
    async with db.transaction() as session:
        await session.execute(statement, rows)
