"""Browser tests: Playwright's sync API driving Debian's Chromium.

The tests are plain functions, not coroutines. Playwright's sync API keeps its own
event loop marked as running in this thread for as long as it is started, so no
``asyncio.run`` and no async test can run meanwhile. pytest-playwright starts it
once per session; here it lives only while this package's tests run, and the
``system`` fixture (which makes databases with ``asyncio.run``) is set up first.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserType, Playwright, sync_playwright

from tests.browser.people import Person
from tests.system import System

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="package")
def system(
    new_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    """A system of their own, so no other test's tasks crowd the inboxes."""
    with System.started(new_database(), tmp_path_factory.mktemp("browser")) as running:
        yield running


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any],
) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="package")
def playwright(system: System) -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    chosen: BrowserType = getattr(playwright, browser_name)
    return chosen


@pytest.fixture(scope="package")
def launch_browser(
    browser_type_launch_args: dict[str, Any], browser_type: BrowserType
) -> Callable[..., Browser]:
    def launch(**overrides: Any) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **overrides})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    launched = launch_browser()
    yield launched
    launched.close()


@pytest.fixture
def people(system: System, browser: Browser) -> Iterator[dict[str, Person]]:
    """One browser context per person, so each keeps their own session cookie."""
    made: dict[str, Person] = {}

    class Everyone(dict[str, Person]):
        def __missing__(self, username: str) -> Person:
            person = Person.open(browser, system, username)
            made[username] = person
            self[username] = person
            return person

    yield Everyone()
    for person in made.values():
        person.close()
    for person in made.values():
        person.assert_no_console_errors()
