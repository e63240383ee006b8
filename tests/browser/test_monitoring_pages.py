"""The monitoring pages in Chromium, with the data of a Northwind replay."""

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.people import Person
from tests.system import System

SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
NORTHWIND = Path(__file__).parents[2] / "data" / "northwind"


@pytest.fixture(scope="module")
def replayed(system: System) -> dict[str, Any]:
    """Forty Northwind orders replayed to their ends; the replay's own report."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "orderflow.cli",
            "replay",
            str(NORTHWIND),
            "--limit",
            "40",
            "--client-url",
            system.client_url,
            "--supplier-url",
            system.supplier_url,
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
    report: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return report


def test_the_dashboard_paints_counts_and_an_instance_its_path(
    people: dict[str, Person], replayed: dict[str, Any]
) -> None:
    vic = people["vic"]
    vic.log_in("supplier")
    page = vic.page
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    # Other tests of the package may have added orders: the replay's are a floor.
    completed = int(page.locator('[data-field="state:completed"]').inner_text())
    assert completed >= replayed["supplier"]["completed"] > 0
    supplier_total = sum(
        int(page.locator(f'[data-field="{name}"]').inner_text())
        for name in ("active", "ended")
    )
    assert supplier_total >= sum(replayed["supplier"].values())

    expect(page.locator("#diagram[data-ready]")).to_be_attached()
    started = page.locator(
        '.djs-overlays[data-container-id="Supplier_OrderReceived"] .count-badge.passed'
    )
    expect(started).to_have_text(str(supplier_total))
    ended = page.locator(
        '.djs-overlays[data-container-id="Supplier_End_Completed"] .count-badge.passed'
    )
    expect(ended).to_have_text(str(completed))
    expect(page.locator(".djs-element.other-pool").first).to_be_attached()
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"))

    page.locator('.djs-element[data-element-id="Supplier_End_Completed"]').click()
    panel = page.locator("#element-panel")
    expect(panel).to_be_visible()
    expect(panel.locator(".element-instances li a")).to_have_count(min(completed, 10))
    panel.locator(".element-instances li a").first.click()

    expect(page).to_have_url(re.compile(r"/dashboard/instances/[0-9a-f-]{36}$"))
    expect(page.locator("#diagram[data-ready]")).to_be_attached()
    expect(page.locator(".djs-element.current")).to_have_count(1)
    current = page.locator(".djs-element.current")
    expect(current).to_have_attribute("data-element-id", "Supplier_End_Completed")
    visited = page.locator(".djs-shape.visited")
    assert visited.count() >= 8
    expect(page.locator("ol.timeline li").first).to_contain_text("message:order.placed")
    expect(page.locator(".delivery").first).to_contain_text("quote.issued")
    expect(page.locator("a.peer-link")).to_have_attribute(
        "href", re.compile(r"/dashboard/instances/[0-9a-f-]{36}$")
    )
    page.screenshot(path=str(SCREENSHOTS / "instance.png"))


def test_the_instance_list_and_incidents_pages_work_by_clicking(
    people: dict[str, Person], replayed: dict[str, Any]
) -> None:
    ada = people["ada"]
    ada.log_in("client")
    page = ada.page
    page.get_by_role("navigation").get_by_role("link", name="Incidents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incidents")
    page.get_by_role("navigation").get_by_role("link", name="Instances").click()
    page.get_by_label("State").select_option("completed")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"state=completed"))
    rows = page.locator("table.instances tbody tr")
    shown = rows.count()
    assert min(50, replayed["client"]["completed"]) <= shown <= 50
    expect(rows.locator(".badge.state-completed")).to_have_count(shown)
    page.get_by_role("link", name="largest total").click()
    expect(page).to_have_url(re.compile(r"sort=total"))
    expect(rows).to_have_count(shown)
