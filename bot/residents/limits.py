"""Per-resident limits against abuse: messages per minute (in memory) and reports per day (in the database).

Pitfalls:
- A limit never holds back a crisis: the caller checks the crisis triage before refusing (handlers/gate.py),
  so crisis guidance always goes out, however many messages came before.
- The message limiter lives in the process: a restart (or a standby taking over) starts every resident with a
  clean slate, which is harmless; keeping per-message counters in the database would cost a write per message.
- The report quota counts every filed report, also those that keep no link to the resident (no updates), so
  it stores the Telegram user id and a day: nothing else, and only for two days (:func:`purge_quota`).
- Clocks are injected (``now``) so that tests need no sleeping.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select

from bot.storage.db import Database
from bot.storage.models import ReportQuota, utcnow

WINDOW_SECONDS = 60.0
QUOTA_KEEP_DAYS = 2


@dataclass(frozen=True)
class Verdict:
    """``allowed``: handle the message. ``tell``: the first refusal in a burst, which gets the friendly reply;
    later ones in the same minute are dropped silently (answering a flood would make the bot flood too)."""

    allowed: bool
    tell: bool = False


class MessageLimiter:
    """A sliding one-minute window per user; at most ``per_minute`` messages are handled."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic, max_users: int = 100_000) -> None:
        self._limit = per_minute
        self._clock = clock
        self._max_users = max_users
        self._seen: dict[int, deque[float]] = {}
        self._told: set[int] = set()

    def check(self, user_id: int) -> Verdict:
        now = self._clock()
        window = self._seen.get(user_id)
        if window is None:
            if len(self._seen) >= self._max_users:
                self._forget_idle(now)
            window = self._seen[user_id] = deque()
        while window and now - window[0] >= WINDOW_SECONDS:
            window.popleft()
        if len(window) < self._limit:
            window.append(now)
            self._told.discard(user_id)
            return Verdict(True)
        tell = user_id not in self._told
        self._told.add(user_id)
        return Verdict(False, tell=tell)

    def _forget_idle(self, now: float) -> None:
        """Bounded memory: drop users with no message in the last minute."""
        for user_id in [u for u, w in self._seen.items() if not w or now - w[-1] >= WINDOW_SECONDS]:
            del self._seen[user_id]
            self._told.discard(user_id)


def _day(now: dt.datetime) -> dt.date:
    return now.astimezone(dt.UTC).date()


async def reports_today(db: Database, user_id: int, now: dt.datetime | None = None) -> int:
    async with db.session() as session:
        count = await session.scalar(
            select(ReportQuota.count).where(ReportQuota.user_id == user_id, ReportQuota.day == _day(now or utcnow()))
        )
    return int(count or 0)


async def may_file(db: Database, user_id: int, per_day: int, now: dt.datetime | None = None) -> bool:
    return await reports_today(db, user_id, now) < per_day


async def record_report(db: Database, user_id: int, now: dt.datetime | None = None) -> None:
    """Count one filed report for today (UTC day)."""
    day = _day(now or utcnow())
    async with db.session() as session:
        row = await session.get(ReportQuota, (user_id, day))
        if row is None:
            session.add(ReportQuota(user_id=user_id, day=day, count=1))
        else:
            row.count += 1


async def purge_quota(db: Database, now: dt.datetime | None = None) -> None:
    """Remove counts older than two days (housekeeping)."""
    oldest = _day(now or utcnow()) - dt.timedelta(days=QUOTA_KEEP_DAYS)
    async with db.session() as session:
        await session.execute(delete(ReportQuota).where(ReportQuota.day < oldest))


async def forget_quota(db: Database, user_id: int) -> None:
    """``/verwijder``: the counts go with the rest of the resident's data."""
    async with db.session() as session:
        await session.execute(delete(ReportQuota).where(ReportQuota.user_id == user_id))
