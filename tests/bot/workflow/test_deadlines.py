"""Working days on the Dutch calendar, service levels per category and municipality, late and 3× late, lapsed
claims, and the settings that override the defaults."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.reports.drafts import CATEGORIES
from bot.settings import Settings, SettingsError, load_settings
from bot.storage.db import Database
from bot.workflow.deadlines import (
    DeadlinePolicy,
    DeadlinesError,
    Terms,
    WorkCalendar,
    default_terms,
    handling_due,
    is_on_time,
    load_default_terms,
    response_due,
    working_days_between,
)

AMS = ZoneInfo("Europe/Amsterdam")


def local(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=AMS)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(AMS)


def policy(cal: WorkCalendar, handling: int = 5, response: int = 2, lapse: float = 16) -> DeadlinePolicy:
    terms = {c: Terms(response=response, handling=handling) for c in CATEGORIES}
    return DeadlinePolicy(cal, terms, {}, lapse)


def test_public_holidays_come_from_the_package(cal: WorkCalendar) -> None:
    assert cal.is_holiday(dt.date(2026, 4, 27))  # King's Day, a Monday
    assert cal.is_holiday(dt.date(2025, 4, 26)) and not cal.is_holiday(dt.date(2025, 4, 27))  # 27th a Sunday
    assert cal.is_holiday(dt.date(2026, 12, 25)) and cal.is_holiday(dt.date(2026, 12, 26))
    assert not cal.is_working_day(dt.date(2026, 4, 27))
    assert cal.is_working_day(dt.date(2026, 4, 28))
    assert not cal.is_working_day(dt.date(2026, 12, 5))  # a Saturday


def test_working_days_skip_a_weekend(cal: WorkCalendar) -> None:
    friday, monday = local(2026, 12, 4), local(2026, 12, 7)
    assert cal.working_days_between(friday, monday) == 1
    assert cal.working_days_between(friday, friday + dt.timedelta(hours=5)) == 0
    assert cal.working_days_between(monday, friday) == 0  # backwards: nothing
    assert working_days_between(friday, local(2026, 12, 11), AMS) == 5


def test_working_days_skip_kings_day_and_christmas(cal: WorkCalendar) -> None:
    # Friday 24 April 2026 to Tuesday 28 April: the weekend and King's Day (Monday 27th) do not count.
    assert cal.working_days_between(local(2026, 4, 24), local(2026, 4, 28)) == 1
    # Thursday 24 December 2026 to Monday 28 December: Christmas Day (Friday) and the weekend do not count.
    assert cal.working_days_between(local(2026, 12, 24), local(2026, 12, 28)) == 1
    # King's Day on a Sunday (2025) is celebrated on Saturday 26 April: Friday 25th to Monday 28th is one day.
    assert cal.working_days_between(local(2025, 4, 25), local(2025, 4, 28)) == 1


def test_handling_deadline_across_a_weekend(cal: WorkCalendar) -> None:
    p = policy(cal, handling=5)
    # Received Thursday 3 December 2026: five working days end on Thursday 10 December, at midnight.
    due = p.handling_due("youth-nuisance", local(2026, 12, 3, 16), "epe")
    assert due == dt.datetime(2026, 12, 11, 0, 0, tzinfo=AMS)
    # Received on Saturday: counts from Monday 7 December, due the Monday after.
    due = p.handling_due("youth-nuisance", local(2026, 12, 5, 11), "epe")
    assert due == dt.datetime(2026, 12, 15, 0, 0, tzinfo=AMS)


def test_handling_deadline_across_kings_day_and_christmas(cal: WorkCalendar) -> None:
    p = policy(cal, handling=2)
    # Friday 24 April 2026 + 2 working days: Tuesday 28th and Wednesday 29th (King's Day is the Monday).
    assert p.handling_due("youth-nuisance", local(2026, 4, 24), "epe") == dt.datetime(2026, 4, 30, tzinfo=AMS)
    # Wednesday 23 December 2026 + 2: Thursday 24th and Monday 28th (Christmas Friday, weekend with Boxing Day).
    assert p.handling_due("youth-nuisance", local(2026, 12, 23), "epe") == dt.datetime(2026, 12, 29, tzinfo=AMS)
    # Received on Christmas Day: counts from Monday 28th; two days later is Wednesday 30th.
    assert p.handling_due("youth-nuisance", local(2026, 12, 25), "epe") == dt.datetime(2026, 12, 31, tzinfo=AMS)


def test_standing_time_left_late_and_three_times_late(cal: WorkCalendar) -> None:
    p = policy(cal, handling=2, response=1)
    received = local(2026, 12, 1)  # Tuesday; handling due end of Thursday 3rd, 3× (6 days) end of Wednesday 9th
    s = p.standing("youth-nuisance", received, "epe", local(2026, 12, 1, 15))
    assert (s.kind, s.days_left, s.punctuality) == ("handling", 2, "on_time")
    s = p.standing("youth-nuisance", received, "epe", local(2026, 12, 3, 23))
    assert (s.days_left, s.late) == (0, False)  # due today
    s = p.standing("youth-nuisance", received, "epe", local(2026, 12, 7, 9))  # Monday
    assert (s.days_left, s.punctuality) == (-2, "late")  # Friday and Monday
    s = p.standing("youth-nuisance", received, "epe", local(2026, 12, 5, 9))  # Saturday: late, at least one day
    assert (s.days_left, s.punctuality) == (-1, "late")
    s = p.standing("youth-nuisance", received, "epe", local(2026, 12, 10, 9))
    assert s.punctuality == "late_factor_3"
    # Without a first response the response deadline counts: one working day, so late on Thursday.
    s = p.standing("youth-nuisance", received, "epe", local(2026, 12, 3, 9), responded=False)
    assert (s.kind, s.days_left, s.punctuality) == ("response", -1, "late")
    assert p.punctuality("youth-nuisance", received, "epe", local(2026, 12, 3, 9)) == "on_time"


def test_working_hours_count_office_hours_on_working_days(cal: WorkCalendar) -> None:
    # Friday 15:00 to Monday 11:00: two hours on Friday, two on Monday.
    assert cal.working_hours_between(local(2026, 12, 4, 15), local(2026, 12, 7, 11)) == 4
    # Over Christmas (Thursday 24th 09:00 to Monday 28th 09:00): only the Thursday's eight hours.
    assert cal.working_hours_between(local(2026, 12, 24, 9), local(2026, 12, 28, 9)) == 8
    p = policy(cal, lapse=16)
    assert not p.claim_lapsed(local(2026, 12, 3, 9), local(2026, 12, 4, 16))
    assert p.claim_lapsed(local(2026, 12, 3, 9), local(2026, 12, 4, 17))


def test_defaults_cover_every_category_and_are_checked(tmp_path: Path) -> None:
    terms = default_terms()
    assert set(terms) == set(CATEGORIES)
    assert all(1 <= t.response <= t.handling for t in terms.values())
    bad = tmp_path / "deadlines.yaml"
    bad.write_text("categories:\n  youth-nuisance: {response: 3, handling: 15}\n", encoding="utf-8")
    with pytest.raises(DeadlinesError, match="missing"):
        load_default_terms(bad)
    bad.write_text("categories:\n  youth-nuisance: {response: 9, handling: 2}\n", encoding="utf-8")
    with pytest.raises(DeadlinesError, match="later than the handling"):
        load_default_terms(bad)


def test_a_municipality_overrides_one_category(settings: Settings) -> None:
    override = Settings(  # type: ignore[call-arg]
        _env_file=None, deadlines='{"heerde": {"youth-nuisance": {"response": 1, "handling": 1}}}'
    )
    received = local(2026, 12, 1)
    assert handling_due("youth-nuisance", received, "heerde", override) == dt.datetime(2026, 12, 3, tzinfo=AMS)
    default = default_terms()["youth-nuisance"].handling
    assert handling_due("youth-nuisance", received, "epe", override) == handling_due(
        "youth-nuisance", received, "epe", settings
    )
    assert DeadlinePolicy.from_settings(override).terms("youth-nuisance", "epe").handling == default
    assert response_due("youth-nuisance", received, "heerde", override) == dt.datetime(2026, 12, 3, tzinfo=AMS)
    assert is_on_time("youth-nuisance", received, "heerde", override, done_at=local(2026, 12, 2, 23))
    assert not is_on_time("youth-nuisance", received, "heerde", override, done_at=local(2026, 12, 3, 0))


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("not json", "must be JSON"),
        ('{"zwolle": {}}', "unknown municipality"),
        ('{"epe": {"parking": {"response": 1, "handling": 2}}}', "unknown category"),
        ('{"epe": {"youth-nuisance": {"response": 0, "handling": 2}}}', "greater than or equal to 1"),
    ],
)
def test_wrong_deadline_settings_name_the_variable(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, value: str, words: str
) -> None:
    monkeypatch.setitem(os.environ, "DEADLINES", value)
    with pytest.raises(SettingsError, match="DEADLINES") as caught:
        load_settings(_env_file=None)
    assert words in str(caught.value)


async def test_the_question_deadline_skips_christmas(db: Database) -> None:
    from bot.workflow.engine import question_deadlines
    from bot.workflow.transitions import Action, Status
    from tests.bot.workflow.test_engine import EVA, filed, outbox, workflow

    report_id = await filed(db)
    wf = workflow(db)
    asked = local(2026, 12, 23, 11)  # Wednesday; Thursday 24th is working day 1, Christmas Friday is not
    await wf.apply(report_id, Action.ASK, expected=Status.NEW, actor=EVA, resident_text="Wanneer?", now=asked)
    before = len(await outbox(db, "resident"))
    # Monday 28th is only working day 2 (without holidays it would be day 3): no reminder yet.
    assert await question_deadlines(wf, db, AMS, local(2026, 12, 28, 12)) == 0
    assert await question_deadlines(wf, db, AMS, local(2026, 12, 29, 9)) == 1  # Tuesday: day 3
    assert len(await outbox(db, "resident")) == before + 1
    # Day 5 is Thursday 31 December: back to the queue then, not on Wednesday.
    assert await question_deadlines(wf, db, AMS, local(2026, 12, 30, 12)) == 0
    assert await question_deadlines(wf, db, AMS, local(2026, 12, 31, 9)) == 1
