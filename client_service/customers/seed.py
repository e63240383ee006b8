"""Loading the buying companies from a Northwind-format CSV at start-up."""

import csv
from pathlib import Path

from sqlalchemy.dialects.postgresql import insert

from client_service.models import Customer
from shared.db import Database


def read_customers(path: Path) -> list[dict[str, str | None]]:
    with path.open(newline="", encoding="utf-8") as file:
        return [
            {
                "customer_id": row["customer_id"],
                "company_name": row["company_name"],
                "city": row["city"] or None,
                "region": row["region"] or None,
                "country": row["country"] or None,
            }
            for row in csv.DictReader(file)
        ]


async def load_customers(db: Database, path: Path) -> None:
    """Upserts every customer, so a restart picks up an edited file."""
    rows = read_customers(path)
    statement = insert(Customer)
    statement = statement.on_conflict_do_update(
        index_elements=["customer_id"],
        set_={
            column: statement.excluded[column]
            for column in ("company_name", "city", "region", "country")
        },
    )
    async with db.transaction() as session:
        await session.execute(statement, rows)
