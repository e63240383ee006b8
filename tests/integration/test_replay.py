"""`orderflow replay` on real Northwind orders, against the running services."""

import csv
import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from tests.system import System

NORTHWIND = Path(__file__).parents[2] / "data" / "northwind"
ORDERS = 40
MAX_TOTAL = 2000
DISPUTE_EVERY = 7


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def write_subset(folder: Path, count: int) -> list[dict[str, str]]:
    """Copies the first ``count`` orders and their lines into ``folder``."""
    orders = _rows(NORTHWIND / "orders.csv")[:count]
    ids = {order["order_id"] for order in orders}
    details = [
        d for d in _rows(NORTHWIND / "order_details.csv") if d["order_id"] in ids
    ]
    for name, rows in (("orders.csv", orders), ("order_details.csv", details)):
        with (folder / name).open("w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return orders


def expected_ends(orders: list[dict[str, str]]) -> dict[str, int]:
    """The replay policy applied by hand to the raw CSV rows."""
    products = {p["product_id"]: p for p in _rows(NORTHWIND / "products.csv")}
    lines: dict[str, list[dict[str, str]]] = {}
    for detail in _rows(NORTHWIND / "order_details.csv"):
        lines.setdefault(detail["order_id"], []).append(detail)
    ends: dict[str, int] = {}
    for order in orders:
        own = lines[order["order_id"]]
        if any(products[line["product_id"]]["discontinued"] == "1" for line in own):
            end = "rejected"
        else:
            total = sum(
                (
                    Decimal(products[line["product_id"]]["unit_price"])
                    * int(line["quantity"])
                    * (1 - min(Decimal(line["discount"]), Decimal("0.25")))
                ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                for line in own
            )
            if total > MAX_TOTAL:
                end = "declined"
            elif int(order["order_id"]) % DISPUTE_EVERY == 0:
                end = "disputed"
            else:
                end = "completed"
        ends[end] = ends.get(end, 0) + 1
    return ends


def test_replay_drives_every_order_to_the_end_the_policy_predicts(
    system: System, tmp_path: Path
) -> None:
    orders = write_subset(tmp_path, ORDERS)

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "orderflow.cli",
            "replay",
            str(tmp_path),
            "--client-url",
            system.client_url,
            "--supplier-url",
            system.supplier_url,
            "--max-quote-total",
            str(MAX_TOTAL),
            "--dispute-every",
            str(DISPUTE_EVERY),
            "--timeout",
            "120",
            "--logins",
            str(system.logins_file),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    expected = expected_ends(orders)
    assert report == {
        "orders": ORDERS,
        "unfinished": 0,
        "client": expected,
        "supplier": expected,
    }
    assert len(expected) == 4, "the subset should reach four different ends"
    assert "Final states" in run.stderr
