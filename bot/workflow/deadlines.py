"""Working days and service levels: report ages, response and handling deadlines, late and 3× late (Signalen's
``punctuality`` filter), the question deadline and lapsed claims -- all on one calendar.

A working day is Monday to Friday in the bot's time zone (Europe/Amsterdam) that is not a Dutch public holiday
according to the maintained ``holidays`` package (New Year, Easter and Whit Monday, King's Day -- 26 April when
the 27th is a Sunday --, Liberation Day in lustrum years, Ascension, Christmas; the package also lists Good
Friday). Working hours are 09:00-17:00 on working days.

The defaults per category live in ``knowledge/data/deadlines.yaml``; the ``DEADLINES`` setting overrides them per
municipality (:class:`bot.settings.Settings`). For statistics: :func:`handling_due`, :func:`response_due` and
:func:`is_on_time`.

Pitfalls:
- A deadline is the *end* of its last working day (local midnight, returned in UTC): a report received on
  Monday with 5 working days is on time until Monday night a week later, whatever the hour it came in. A report
  received on a weekend or a holiday counts from the next working day (as in Signalen).
- Holidays come from the package per year on demand; nothing is built at import time (:func:`calendar`
  caches one calendar per time zone).
- All datetimes in and out are aware; naive ones raise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

import holidays
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

if TYPE_CHECKING:
    from bot.settings import Settings

QUESTION_OPEN_DAYS = 5  # Signalen's REACTION_REQUEST_DAYS_OPEN
QUESTION_REMINDER_DAY = 3
REOPEN_REQUEST_DAYS = 14
LATE_FACTOR = 3  # Signalen's deadline_factor_3
OFFICE_START = dt.time(9, 0)
OFFICE_END = dt.time(17, 0)
NEAR_DEADLINE_DAYS = 1  # the digest's "near the deadline": due today or on the next working day

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "deadlines.yaml"

Punctuality = Literal["on_time", "late", "late_factor_3"]


class Terms(BaseModel):
    """A category's service level in working days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    response: int = Field(ge=1, le=60)
    handling: int = Field(ge=1, le=60)

    @model_validator(mode="after")
    def _order(self) -> Terms:
        if self.response > self.handling:
            raise ValueError("the response deadline must not be later than the handling deadline")
        return self


class _DeadlinesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    categories: dict[str, Terms]


class DeadlinesError(ValueError):
    """``deadlines.yaml`` is missing, malformed or does not cover exactly the report categories."""


def load_default_terms(path: Path = DEFAULT_PATH) -> dict[str, Terms]:
    """Read and validate the defaults: every report category exactly once, 1 <= response <= handling <= 60."""
    from bot.reports.drafts import CATEGORIES

    try:
        with path.open(encoding="utf-8") as fh:
            raw = yaml.safe_load(fh)
        parsed = _DeadlinesFile.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise DeadlinesError(f"{path}: {exc}") from exc
    missing = sorted(set(CATEGORIES) - set(parsed.categories))
    unknown = sorted(set(parsed.categories) - set(CATEGORIES))
    if missing or unknown:
        raise DeadlinesError(f"{path}: categories missing {missing}, unknown {unknown}")
    return dict(parsed.categories)


@lru_cache(maxsize=1)
def default_terms() -> dict[str, Terms]:
    """The packaged defaults, read once on first use."""
    return load_default_terms()


class WorkCalendar:
    """Working days and office hours in one time zone, skipping weekends and Dutch public holidays."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._holidays = holidays.country_holidays("NL")  # fills years on demand

    def is_holiday(self, day: dt.date) -> bool:
        return day in self._holidays

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self._holidays

    def local_date(self, moment: dt.datetime) -> dt.date:
        if moment.tzinfo is None:
            raise ValueError("naive datetime")
        return moment.astimezone(self.tz).date()

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the first one after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``n`` >= 0; 0 gives ``day``)."""
        for _ in range(n):
            day += dt.timedelta(days=1)
            while not self.is_working_day(day):
                day += dt.timedelta(days=1)
        return day

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working days after ``start``'s date up to and including ``end``'s date (0 on the same day, and 0 when
        ``end`` is before ``start``)."""
        return self.days_after(self.local_date(start), self.local_date(end))

    def days_after(self, first: dt.date, last: dt.date) -> int:
        """Working days ``d`` with ``first < d <= last``."""
        days = 0
        day = first
        while day < last:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                days += 1
        return days

    def end_of(self, day: dt.date) -> dt.datetime:
        """Local midnight after ``day``, in UTC: the moment a deadline on ``day`` has passed."""
        nxt = day + dt.timedelta(days=1)
        return dt.datetime.combine(nxt, dt.time(0), tzinfo=self.tz).astimezone(dt.UTC)

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Office hours (09:00-17:00 on working days) between two moments; 0 when ``end`` <= ``start``."""
        if end <= start:
            return 0.0
        total = 0.0
        day, last = self.local_date(start), self.local_date(end)
        while day <= last:
            if self.is_working_day(day):
                open_at = dt.datetime.combine(day, OFFICE_START, tzinfo=self.tz)
                close_at = dt.datetime.combine(day, OFFICE_END, tzinfo=self.tz)
                lo, hi = max(open_at, start), min(close_at, end)
                if hi > lo:
                    total += (hi - lo).total_seconds() / 3600
            day += dt.timedelta(days=1)
        return total


@lru_cache(maxsize=4)
def calendar(tz: ZoneInfo | str) -> WorkCalendar:
    """One calendar per time zone, built on first use."""
    return WorkCalendar(tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz))


def working_days_between(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> int:
    """Working days after ``start``'s date up to and including ``end``'s date (0 on the same day)."""
    return calendar(tz).working_days_between(start, end)


@dataclass(frozen=True)
class Due:
    """Where a report stands against one deadline."""

    kind: Literal["response", "handling"]
    due: dt.datetime  # the moment it becomes late (UTC)
    late_factor_3: dt.datetime  # the moment it becomes 3× late (UTC)
    days_left: int  # working days left after today (0: due today); negative: working days late
    punctuality: Punctuality

    @property
    def late(self) -> bool:
        return self.punctuality != "on_time"


class DeadlinePolicy:
    """Service levels per category and municipality on one calendar (defaults from data, overrides from
    settings), and the claim lapse."""

    def __init__(
        self,
        cal: WorkCalendar,
        defaults: dict[str, Terms],
        overrides: dict[str, dict[str, Terms]] | None = None,
        claim_lapse_hours: float = 16,
    ) -> None:
        self.calendar = cal
        self._defaults = defaults
        self._overrides = overrides or {}
        self.claim_lapse_hours = claim_lapse_hours

    @classmethod
    def from_settings(cls, settings: Settings) -> DeadlinePolicy:
        return cls(
            calendar(settings.timezone),
            default_terms(),
            settings.deadlines,
            settings.claim_lapse_working_hours,
        )

    def terms(self, category: str, municipality: str) -> Terms:
        """The municipality's override for the category, else the default; unknown categories get the
        "other-safety-concern" default."""
        override = self._overrides.get(municipality, {}).get(category)
        if override is not None:
            return override
        return self._defaults.get(category) or self._defaults["other-safety-concern"]

    def _due_day(self, received_at: dt.datetime, days: int) -> dt.date:
        cal = self.calendar
        start = cal.next_working_day(cal.local_date(received_at))
        return cal.add_working_days(start, days)

    def response_due(self, category: str, received_at: dt.datetime, municipality: str) -> dt.datetime:
        return self.calendar.end_of(self._due_day(received_at, self.terms(category, municipality).response))

    def handling_due(
        self, category: str, received_at: dt.datetime, municipality: str, *, factor: int = 1
    ) -> dt.datetime:
        days = self.terms(category, municipality).handling * factor
        return self.calendar.end_of(self._due_day(received_at, days))

    def punctuality(self, category: str, received_at: dt.datetime, municipality: str, at: dt.datetime) -> Punctuality:
        """Signalen's filter at ``at`` (now, or the closing time): on time, late, or past 3× the deadline."""
        if at >= self.handling_due(category, received_at, municipality, factor=LATE_FACTOR):
            return "late_factor_3"
        if at >= self.handling_due(category, received_at, municipality):
            return "late"
        return "on_time"

    def standing(
        self,
        category: str,
        received_at: dt.datetime,
        municipality: str,
        now: dt.datetime,
        *,
        responded: bool = True,
    ) -> Due:
        """The deadline that matters now: the first response until there is one, then the handling deadline.

        ``days_left`` counts working days after today up to the due day (0 = due today); when late it is minus
        the working days since the due day (at least -1).
        """
        cal = self.calendar
        kind: Literal["response", "handling"] = "handling" if responded else "response"
        terms = self.terms(category, municipality)
        due_day = self._due_day(received_at, terms.handling if responded else terms.response)
        due = cal.end_of(due_day)
        three = self.handling_due(category, received_at, municipality, factor=LATE_FACTOR)
        today = cal.local_date(now)
        if now < due:
            days_left = cal.days_after(today, due_day)
            punctuality: Punctuality = "on_time"
        else:
            days_left = -max(1, cal.days_after(due_day, today))
            punctuality = "late_factor_3" if now >= three else "late"
        return Due(kind, due, three, days_left, punctuality)

    def claim_lapsed(self, last_activity: dt.datetime, now: dt.datetime) -> bool:
        """A report taken on with no action for at least the configured working hours."""
        return self.calendar.working_hours_between(last_activity, now) >= self.claim_lapse_hours


def response_due(category: str, received_at: dt.datetime, municipality: str, settings: Settings) -> dt.datetime:
    """When the first response to a report is due (the moment it becomes late, UTC)."""
    return DeadlinePolicy.from_settings(settings).response_due(category, received_at, municipality)


def handling_due(category: str, received_at: dt.datetime, municipality: str, settings: Settings) -> dt.datetime:
    """When a report must be handled (the moment it becomes late, UTC)."""
    return DeadlinePolicy.from_settings(settings).handling_due(category, received_at, municipality)


def is_on_time(
    category: str, received_at: dt.datetime, municipality: str, settings: Settings, *, done_at: dt.datetime
) -> bool:
    """Whether a report closed (or still open) at ``done_at`` is within its handling deadline."""
    return done_at < handling_due(category, received_at, municipality, settings)
