"""A person at their own browser: logging in and finding their tasks by clicking."""

import re
from dataclasses import dataclass, field
from typing import Literal

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    ViewportSize,
    expect,
)

from tests.system import System

VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
Side = Literal["client", "supplier"]

# Pages that answer 401, 403, 409 or 422 on purpose make Chromium log "Failed to
# load resource" for the document; those are expected, every other error is not.
EXPECTED_STATUS = re.compile(r"status of (401|403|409|422) ")


@dataclass
class Person:
    username: str
    system: System
    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, browser: Browser, system: System, username: str) -> "Person":
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(15_000)
        person = cls(username, system, context, context.new_page())
        person.page.on("console", person._console)
        person.page.on("pageerror", lambda exc: person.errors.append(str(exc)))
        return person

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not EXPECTED_STATUS.search(message.text):
            self.errors.append(f"{message.text} at {message.location}")

    def base(self, side: Side) -> str:
        return self.system.client_url if side == "client" else self.system.supplier_url

    def log_in(self, side: Side) -> Page:
        page = self.page
        page.goto(f"{self.base(side)}/ui/")
        expect(page).to_have_url(re.compile(r"/ui/login"))
        page.get_by_label("User name").fill(self.username)
        page.get_by_label("Password").fill(self.system.logins[self.username])
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/ui/tasks"))
        expect(page.locator("header .user")).to_have_text(self.username)
        return page

    def open_task_from_inbox(self, order_id: str, label: str) -> Page:
        """Reloads the inbox until the order's task shows, then opens it."""
        page = self.page
        page.get_by_role("navigation").get_by_role("link", name="Inbox").click()
        row = page.locator("table.tasks tbody tr", has_text=order_id[:8])
        for _ in range(60):
            if row.count():
                break
            page.wait_for_timeout(500)
            page.reload()
        row.get_by_role("link", name=label).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(label)
        return page

    def complete(self, decision: str, comment: str = "") -> None:
        page = self.page
        page.get_by_label(decision, exact=False).check()
        if comment:
            page.get_by_label(re.compile("^Comment")).fill(comment)
        page.get_by_role("button", name="Complete task").click()
        expect(page.locator(".note")).to_contain_text("the task is completed")

    def wait_for_order_state(self, state: str) -> None:
        """Reloads the order page until the order reaches ``state``."""
        badge = self.page.locator("h1 .badge")
        for _ in range(60):
            if badge.inner_text() == state:
                return
            self.page.wait_for_timeout(500)
            self.page.reload()
        expect(badge).to_have_text(state)

    def close(self) -> None:
        self.context.close()

    def assert_no_console_errors(self) -> None:
        assert not self.errors, f"{self.username}'s browser logged: {self.errors}"
