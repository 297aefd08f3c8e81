"""The leader lease and outbox row claims, on SQLite and PostgreSQL: one holder at a time, a dead holder's
lease and claims are taken over, a sent row is never claimed again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.leader import LeaderLease
from bot.outbox.claims import Claims
from bot.reports.filing import file_report
from bot.storage.db import Database
from bot.storage.models import Delivery, utcnow
from bot.storage.models import LeaderLease as LeaseRow
from tests.bot.outbox.conftest import draft


async def expire(db: Database) -> None:
    """As if the holder died: its lease ran out (instead of waiting for the clock)."""
    async with db.session() as session:
        await session.execute(update(LeaseRow).values(expires_at=utcnow() - dt.timedelta(seconds=1)))


async def test_one_holder_at_a_time_and_a_graceful_hand_over(db: Database) -> None:
    a, b = LeaderLease(db, holder="a"), LeaderLease(db, holder="b")
    assert await a.try_acquire() and a.held()
    assert not await b.try_acquire() and not b.held()
    assert await a.renew() and await a.try_acquire()  # renewing one's own lease, either way
    await a.release()
    assert not a.held()
    assert await b.try_acquire()
    assert not await a.renew() and not a.held()


async def test_a_dead_holders_lease_is_taken_over_and_the_old_holder_is_fenced(db: Database) -> None:
    a, b = LeaderLease(db, holder="a"), LeaderLease(db, holder="b")
    assert await a.try_acquire()
    assert not await b.try_acquire()
    await expire(db)
    assert await b.try_acquire()
    # The old holder comes back (a long pause): its renewal fails, so it stops.
    assert not await a.renew() and not a.held()
    assert not await a.try_acquire()


async def test_a_row_is_claimed_by_one_instance_until_released(db: Database) -> None:
    report = await file_report(db, draft(updates="none"), chat_id=1, language="en")
    async with db.session() as session:
        row_id = await session.scalar(select(Delivery.id).where(Delivery.report_id == report.id))
    assert row_id is not None
    a_lease, b_lease = LeaderLease(db, holder="a"), LeaderLease(db, holder="b")
    a, b = Claims(db, "a"), Claims(db, "b")
    unsent = Delivery.state != "sent"
    assert await a_lease.try_acquire()
    assert await a.claim(Delivery, row_id, unsent)
    assert not await b.claim(Delivery, row_id, unsent)  # a is alive and holds it
    await a.release(Delivery, row_id)
    assert await b.claim(Delivery, row_id, unsent)
    await b.release(Delivery, row_id)

    # a claims it and dies: once b holds the lease, a's claim does not count any more.
    assert await a.claim(Delivery, row_id, unsent)
    assert not await b.claim(Delivery, row_id, unsent)
    await expire(db)
    assert await b_lease.try_acquire()
    assert await b.claim(Delivery, row_id, unsent)

    # A sent row is never claimed again, by anyone.
    async with db.session() as session:
        await session.execute(update(Delivery).values(state="sent", claimed_by=None, claimed_until=None))
    assert not await b.claim(Delivery, row_id, unsent)
    assert not await a.claim(Delivery, row_id, unsent)
