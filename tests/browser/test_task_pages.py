"""Both services' pages, driven in Chromium the way their people use them."""

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.people import Person

SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
ORDER_URL = re.compile(r"/ui/orders/([0-9a-f-]{36})")


def place_order(buyer: Person) -> str:
    """The buyer fills in the order form; returns the new order's id."""
    page = buyer.page
    page.get_by_role("navigation").get_by_role("link", name="Place order").click()
    page.get_by_label("Customer").select_option("ALFKI")
    delivery = date.today() + timedelta(days=30)
    page.get_by_label("Requested delivery date").fill(delivery.isoformat())
    page.get_by_label("Product id, line 1").fill("11")
    page.get_by_label("Quantity, line 1").fill("12")
    page.get_by_label("Product id, line 2").fill("42")
    page.get_by_label("Quantity, line 2").fill("10")
    page.get_by_label("Discount percent, line 2").fill("5")
    page.get_by_role("button", name="Place order").click()

    expect(page).to_have_url(ORDER_URL)
    expect(page.locator(".note")).to_contain_text("Your order is placed")
    match = ORDER_URL.search(page.url)
    assert match is not None
    return match.group(1)


def test_an_order_goes_from_placement_to_completion_by_clicking(
    people: dict[str, Person],
) -> None:
    bob, clara, fay = people["bob"], people["clara"], people["fay"]
    bob.log_in("client")
    order_id = place_order(bob)

    clara.log_in("supplier")
    page = clara.open_task_from_inbox(order_id, "Verify order")
    lines = page.locator("table.lines tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text("Queso Cabrales")
    expect(lines.nth(0)).to_contain_text("in stock")
    expect(lines.nth(1)).to_contain_text("5 %")
    page.get_by_role("button", name="Claim").click()
    expect(page.locator(".note")).to_contain_text("You claimed this task")
    page.screenshot(path=str(SCREENSHOTS / "task.png"))
    clara.complete("approve")

    page = bob.open_task_from_inbox(order_id, "Confirm quote")
    expect(page.locator("table.lines tfoot")).to_contain_text("Total")
    expect(page.get_by_text("Valid until")).to_be_visible()
    bob.complete("accept")

    fay.log_in("supplier")
    page = fay.open_task_from_inbox(order_id, "Confirm fulfilment")
    expect(page.get_by_text("Alfreds Futterkiste")).to_be_visible()
    fay.complete("complete", "shipped in two boxes")

    page = bob.open_task_from_inbox(order_id, "Confirm receipt")
    expect(page.get_by_text("shipped in two boxes")).to_be_visible()
    bob.complete("confirm")

    page.get_by_role("link", name=re.compile("^Order ")).click()
    bob.wait_for_order_state("completed")
    expect(page.locator("ol.timeline")).to_contain_text("Client_End_Completed")

    clara.page.get_by_role("navigation").get_by_role("link", name="Orders").click()
    clara.page.locator(f"a[href$='/ui/orders/{order_id}']").click()
    clara.wait_for_order_state("completed")
    expect(clara.page.locator("ol.timeline")).to_contain_text("clara")


def test_refusals_are_explained_on_the_page(people: dict[str, Person]) -> None:
    bob, clara, carl = people["bob"], people["clara"], people["carl"]
    bob.log_in("client")
    order_id = place_order(bob)
    place_order(bob)

    # Two clerks open the same task; the first claims it, the second then tries.
    clara.log_in("supplier")
    carl.log_in("supplier")
    carl.open_task_from_inbox(order_id, "Verify order")
    clara.open_task_from_inbox(order_id, "Verify order")
    clara.page.get_by_role("button", name="Claim").click()
    expect(clara.page.locator(".note")).to_contain_text("You claimed this task")
    carl.page.get_by_label("approve").check()
    carl.page.get_by_role("button", name="Complete task").click()
    expect(carl.page.locator(".error")).to_contain_text(
        "taken by someone else: clara claimed it"
    )
    expect(carl.page.get_by_text("Claimed by clara")).to_be_visible()
    expect(carl.page.get_by_role("button", name="Complete task")).to_have_count(0)

    # The inbox, filtered to every state, shows who has what.
    carl.page.get_by_role("link", name="← Inbox").click()
    carl.page.get_by_label("State").select_option("all")
    carl.page.get_by_role("button", name="Apply").click()
    expect(carl.page).to_have_url(re.compile(r"state=all"))
    rows = carl.page.locator("table.tasks tbody tr")
    expect(rows.filter(has_text=order_id[:8])).to_contain_text("clara")
    carl.page.screenshot(path=str(SCREENSHOTS / "inbox.png"))

    # A reason is required to reject; then the claimant approves.
    clara.page.get_by_label("reject").check()
    expect(clara.page.get_by_label(re.compile("^Comment"))).to_have_attribute(
        "required", ""
    )
    carl.page.evaluate("window.stillTheSamePage = true")
    clara.complete("approve")

    # Carl's open inbox shows the change by itself, without a reload.
    expect(rows.filter(has_text=order_id[:8])).to_contain_text(
        "completed", timeout=15_000
    )
    assert carl.page.evaluate("window.stillTheSamePage") is True

    # A clerk who logs in on the buyer's service may not see the buyer's task.
    page = bob.open_task_from_inbox(order_id, "Confirm quote")
    task_url = page.url
    clerk_on_client = clara.page
    clerk_on_client.goto(task_url)
    expect(clerk_on_client).to_have_url(re.compile(r"/ui/login"))
    clerk_on_client.get_by_label("User name").fill("clara")
    clerk_on_client.get_by_label("Password").fill(clara.system.logins["clara"])
    clerk_on_client.get_by_role("button", name="Log in").click()
    expect(clerk_on_client.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(clerk_on_client.locator(".error")).to_contain_text("for the buyer role")
    expect(clerk_on_client.get_by_text("There are no tasks for you")).to_have_count(0)

    # A wrong password is refused with a message.
    vic = people["vic"]
    vic.page.goto(f"{vic.base('client')}/ui/login")
    vic.page.get_by_label("User name").fill("vic")
    vic.page.get_by_label("Password").fill("not the password")
    vic.page.get_by_role("button", name="Log in").click()
    expect(vic.page.locator(".error")).to_contain_text("wrong password")

    # A viewer sees the task but gets no buttons to work on it.
    vic.log_in("client")
    vic.page.goto(task_url)
    expect(vic.page.get_by_text("it is for the buyer role")).to_be_visible()
    expect(vic.page.get_by_role("button", name="Claim")).to_have_count(0)
