"""Periods for /stats and --since: the last N days, a year, a month, from a day; local dates, bounded by today."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.stats.period import Period, PeriodError, parse_date, parse_period

TODAY = dt.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        (None, dt.date(2026, 11, 6), TODAY),  # the default: the last 30 days, today included
        ("7d", dt.date(2026, 11, 29), TODAY),
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("2026", dt.date(2026, 1, 1), TODAY),  # the current year: up to today
        ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("2026-11-01", dt.date(2026, 11, 1), TODAY),
    ],
)
def test_parse_period(text: str | None, start: dt.date, end: dt.date) -> None:
    assert parse_period(text, TODAY) == Period(start, end)


@pytest.mark.parametrize("text", ["0d", "yesterday", "2026-13", "2026-02-30", "2027", "99999d"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text, TODAY)


def test_bounds_are_local_midnights() -> None:
    start, end = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)).bounds(ZoneInfo("Europe/Amsterdam"))
    # 1 March 00:00 CET and 1 April 00:00 CEST (summer time began on 29 March).
    assert (start, end) == (
        dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 31, 22, tzinfo=dt.UTC),
    )


def test_parse_date() -> None:
    assert parse_date("2026-01-31") == dt.date(2026, 1, 31)
    for bad in ("2026-1-31", "31-01-2026", "2026-02-30"):
        with pytest.raises(PeriodError):
            parse_date(bad)
