"""Per-resident limits with an injected clock: messages per minute (in memory), reports per day (database)."""

from __future__ import annotations

import datetime as dt

from bot.residents.limits import (
    MessageLimiter,
    Verdict,
    forget_quota,
    may_file,
    purge_quota,
    record_report,
    reports_today,
)
from bot.storage.db import Database


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_allows_n_per_minute_tells_once_and_recovers() -> None:
    clock = Clock()
    limiter = MessageLimiter(3, clock=clock)
    assert [limiter.check(7).allowed for _ in range(3)] == [True, True, True]
    fourth, fifth = limiter.check(7), limiter.check(7)
    assert (fourth.allowed, fourth.tell) == (False, True)  # the friendly reply, once
    assert (fifth.allowed, fifth.tell) == (False, False)  # then silence: answering a flood floods too
    assert limiter.check(8).allowed  # another resident is not affected
    clock.now += 60.0
    assert limiter.check(7).allowed
    assert [limiter.check(7).allowed for _ in range(2)] == [True, True]
    assert limiter.check(7) == Verdict(False, tell=True)  # a new burst is told again


def test_the_window_slides() -> None:
    clock = Clock()
    limiter = MessageLimiter(2, clock=clock)
    assert limiter.check(1).allowed
    clock.now += 40
    assert limiter.check(1).allowed
    clock.now += 19
    assert not limiter.check(1).allowed
    clock.now += 1  # the first message is a minute old now
    assert limiter.check(1).allowed


def test_memory_stays_bounded() -> None:
    clock = Clock()
    limiter = MessageLimiter(5, clock=clock, max_users=10)
    for user in range(10):
        limiter.check(user)
    clock.now += 61
    limiter.check(99)
    assert len(limiter._seen) == 1  # the idle ones were dropped


async def test_reports_per_day_count_per_utc_day(db: Database) -> None:
    morning = dt.datetime(2026, 12, 5, 8, tzinfo=dt.UTC)
    for _ in range(2):
        await record_report(db, 42, morning)
    assert await reports_today(db, 42, morning) == 2
    assert not await may_file(db, 42, 2, morning)
    assert await may_file(db, 42, 3, morning)
    assert await may_file(db, 43, 1, morning)  # someone else
    tomorrow = morning + dt.timedelta(days=1)
    assert await may_file(db, 42, 2, tomorrow)
    await purge_quota(db, morning + dt.timedelta(days=3))
    assert await reports_today(db, 42, morning) == 0  # older than two days: gone


async def test_forget_quota_removes_the_counts(db: Database) -> None:
    now = dt.datetime(2026, 12, 5, 8, tzinfo=dt.UTC)
    await record_report(db, 42, now)
    await forget_quota(db, 42)
    assert await reports_today(db, 42, now) == 0
