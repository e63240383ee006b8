"""The analytics pages after a replay of Northwind orders, in Chromium."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.people import Person
from tests.system import System

ROOT = Path(__file__).parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
REPLAYED = 40


@pytest.fixture(scope="module")
def replayed(system: System) -> dict[str, object]:
    """Forty Northwind orders driven to their ends through both services' APIs."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "orderflow.cli",
            "replay",
            str(ROOT / "data" / "northwind"),
            "--limit",
            str(REPLAYED),
            "--client-url",
            system.client_url,
            "--supplier-url",
            system.supplier_url,
            "--logins",
            str(system.logins_file),
            "--timeout",
            "120",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    summary: dict[str, object] = json.loads(run.stdout.strip().splitlines()[-1])
    return summary


def open_analytics(person: Person, side: str) -> Page:
    page = person.log_in("client" if side == "client" else "supplier")
    page.get_by_role("navigation").get_by_role("link", name="Analytics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Analytics")
    return page


def assert_charts_drawn(page: Page) -> None:
    charts = page.locator("svg.chart")
    assert charts.count() >= 9
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None, f"chart {index} is not laid out"
        assert box["width"] > 100
        assert box["height"] > 20
    bars = page.locator("svg.bar-chart rect[width]:not([width='0.0'])")
    assert bars.count() > 5
    assert page.locator("svg.line-chart polyline").count() >= 4


@pytest.mark.usefixtures("replayed")
def test_the_analytics_pages_draw_the_replayed_orders(
    people: dict[str, Person],
) -> None:
    vic = people["vic"]
    page = open_analytics(vic, "supplier")
    funnel = page.locator("#funnel svg.funnel")
    expect(funnel).to_contain_text("awaiting verification")
    reached = funnel.locator("text.inside").first
    expect(reached).to_have_text(str(REPLAYED))
    expect(page.locator("#cycle-time table")).to_contain_text("completed")
    expect(page.locator("#bottlenecks svg")).to_contain_text("Supplier_")
    assert_charts_drawn(page)
    page.screenshot(path=str(SCREENSHOTS / "analytics.png"))

    csv_link = page.locator("#outcomes a", has_text="CSV")
    with page.expect_download() as download:
        csv_link.click()
    assert download.value.suggested_filename.startswith("orderflow-supplier-outcomes")

    page = open_analytics(vic, "client")
    expect(page.locator("#funnel svg.funnel text.inside").first).to_have_text(
        str(REPLAYED)
    )
    assert_charts_drawn(page)

    page.get_by_label("From", exact=True).fill("2020-01-01")
    page.get_by_label("To", exact=True).fill("2020-01-31")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"from=2020-01-01&to=2020-01-31"))
    expect(page.locator("#funnel svg.funnel text.inside").first).to_have_text("0")
