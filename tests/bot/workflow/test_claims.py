"""Lapsed claims: the working-hours clock, what restarts it, and exactly one reminder per idle period."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.i18n.catalogs import Catalogs
from bot.reports.drafts import CATEGORIES
from bot.storage.db import Database
from bot.storage.models import ReportEvent
from bot.workflow.claims import remind_lapsed_claims
from bot.workflow.deadlines import DeadlinePolicy, Terms, WorkCalendar
from bot.workflow.transitions import Action, Status
from tests.bot.workflow.test_engine import EVA, events, filed, outbox, workflow

AMS = ZoneInfo("Europe/Amsterdam")


def at(d: int, h: int) -> dt.datetime:
    return dt.datetime(2026, 12, d, h, tzinfo=AMS)


async def test_one_reminder_per_idle_period_even_when_two_runs_race(db: Database) -> None:
    report_id = await filed(db)
    async with db.session() as session:  # filed on Monday 7 December, 08:00
        for event in await session.scalars(select(ReportEvent).where(ReportEvent.report_id == report_id)):
            event.at = at(7, 8)
    await workflow(db).apply(report_id, Action.TAKE, expected=Status.NEW, actor=EVA, now=at(7, 9))
    policy = DeadlinePolicy(WorkCalendar(AMS), {c: Terms(response=2, handling=10) for c in CATEGORIES}, {}, 16)
    t, names = Catalogs().get("nl"), {EVA.user_id: "Eva"}

    assert await remind_lapsed_claims(db, policy, t, names, at(8, 16)) == 0  # 15 working hours
    runs = await asyncio.gather(*(remind_lapsed_claims(db, policy, t, names, at(9, 10)) for _ in range(2)))
    assert sum(runs) == 1
    (row,) = await outbox(db, "staff")
    assert row.chat_id == EVA.user_id and "16 werkuren" in row.payload["text"]
    assert f'<a href="tg://user?id={EVA.user_id}">Eva</a>' in row.payload["group_text"]
    assert [e.action for e in await events(db, report_id)].count("claim-lapsed") == 1
    assert await remind_lapsed_claims(db, policy, t, names, at(11, 16)) == 0  # still the same idle period

    # A message to the resident is an action: the clock restarts, and a later lapse reminds again.
    await workflow(db).apply(
        report_id, Action.MESSAGE, expected=Status.IN_PROGRESS, actor=EVA, resident_text="Bedankt!", now=at(14, 9)
    )
    assert await remind_lapsed_claims(db, policy, t, names, at(15, 16)) == 0
    assert await remind_lapsed_claims(db, policy, t, names, at(16, 9)) == 1
    assert len(await outbox(db, "staff")) == 2
