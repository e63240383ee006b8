"""The small rules of the web pages that need no browser."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.web.pages import money, percent, safe_next, when


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/ui/tasks/1?type=verify_order", "/ui/tasks/1?type=verify_order"),
        ("/ui/orders", "/ui/orders"),
        (
            "/dashboard/analytics?from=2026-11-01",
            "/dashboard/analytics?from=2026-11-01",
        ),
        ("/dashboard//elsewhere.example", "/ui/tasks"),
        ("/dashboardevil", "/ui/tasks"),
        ("https://elsewhere.example/ui/", "/ui/tasks"),
        ("//elsewhere.example/ui/", "/ui/tasks"),
        ("/docs", "/ui/tasks"),
        ("", "/ui/tasks"),
        (None, "/ui/tasks"),
    ],
)
def test_after_login_only_our_own_pages_are_followed(
    target: str | None, expected: str
) -> None:
    assert safe_next(target) == expected


def test_times_are_rendered_in_utc_for_the_script_to_localise() -> None:
    berlin = timezone(timedelta(hours=1))
    markup = when(datetime(2027, 1, 2, 13, 30, tzinfo=berlin))
    assert str(markup) == (
        '<time datetime="2027-01-02T12:30:00Z" data-utc>2027-01-02 12:30 UTC</time>'
    )
    assert "data-utc" in str(when("2027-01-02T12:30:00+00:00"))
    assert "—" in str(when(None))
    assert when(datetime(2027, 1, 2, tzinfo=UTC)).count("<time") == 1


@pytest.mark.parametrize(
    ("amount", "shown"),
    [("21.0000", "21.00"), ("14.1250", "14.125"), ("7", "7.00"), (None, "—")],
)
def test_money_shows_cents_and_no_meaningless_zeros(
    amount: str | None, shown: str
) -> None:
    assert money(amount) == shown


def test_discounts_are_shown_as_percentages() -> None:
    assert percent("0.05") == "5 %"
    assert percent("0.125") == "12.5 %"
    assert percent(None) == ""
