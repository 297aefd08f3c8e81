"""The period a statistic covers, as staff type it (``/stats 2026-11``) or the command line gives it (``--since``).

Accepted (documented in the README): nothing (the last 30 days), ``Nd`` (the last N days, today included),
``YYYY`` (a calendar year), ``YYYY-MM`` (a month), ``YYYY-MM-DD`` (from that day up to today).

Pitfall: a period is a range of *local* dates (the bot's time zone, Europe/Amsterdam); :meth:`Period.bounds`
turns it into UTC instants for the database, so a report filed at 00:30 on 1 December in Amsterdam (23:30 UTC
on 30 November) belongs to December.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DEFAULT_DAYS = 30
MAX_DAYS = 3660  # ten years: anything longer is a typo

_DAYS_RE = re.compile(r"^(\d{1,4})d$")
_YEAR_RE = re.compile(r"^(\d{4})$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_DAY_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class PeriodError(ValueError):
    """The text is not a period this module understands."""


@dataclass(frozen=True)
class Period:
    """Local dates ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    def bounds(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """UTC instants: from ``start`` 00:00 local (included) to the day after ``end`` 00:00 local (excluded)."""
        first = dt.datetime.combine(self.start, dt.time(), tzinfo=tz)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        return first.astimezone(dt.UTC), after.astimezone(dt.UTC)


def last_days(days: int, today: dt.date) -> Period:
    return Period(today - dt.timedelta(days=days - 1), today)


def parse_period(text: str | None, today: dt.date) -> Period:
    """The period ``text`` names (see the module docstring); a period reaching past ``today`` ends today."""
    if text is None or not text.strip():
        return last_days(DEFAULT_DAYS, today)
    text = text.strip().lower()
    try:
        if match := _DAYS_RE.match(text):
            days = int(match[1])
            if not 1 <= days <= MAX_DAYS:
                raise PeriodError(f"{days} days is out of range (1-{MAX_DAYS})")
            return last_days(days, today)
        if match := _YEAR_RE.match(text):
            period = Period(dt.date(int(match[1]), 1, 1), dt.date(int(match[1]), 12, 31))
        elif match := _MONTH_RE.match(text):
            year, month = int(match[1]), int(match[2])
            period = Period(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))
        elif match := _DAY_RE.match(text):
            period = Period(dt.date(int(match[1]), int(match[2]), int(match[3])), today)
        else:
            raise PeriodError(f"not a period: {text!r}")
    except ValueError as exc:  # dt.date refuses month 13, day 31 of a short month, year 0
        raise PeriodError(str(exc)) from exc
    period = Period(period.start, min(period.end, today))
    if period.start > period.end:
        raise PeriodError("the period starts after today")
    return period


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` only (the export's ``--since`` and ``--until``)."""
    text = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise PeriodError(f"not a date (YYYY-MM-DD): {text!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise PeriodError(f"not a date (YYYY-MM-DD): {text!r}") from exc
