"""Deadlines and the morning digest end to end: the card's time left, /open's late marks, the lapsed-claim
reminder (once; privately, else in the group), and the digest posted and pinned once, then edited in place.

Time is injected (``now=``) where it matters; reports are moved into the past by changing their stored times.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.dev.emulator import Message, SimChat
from bot.staff.card import standing, time_left_label
from bot.staff.digest import Digests, set_digest
from bot.staff.registry import add_staff, staff_names
from bot.storage.models import Report, ReportEvent, utcnow
from bot.workflow.claims import remind_lapsed_claims
from bot.workflow.deadlines import DeadlinePolicy
from tests.e2e.conftest import Harness
from tests.e2e.test_reports import file_via_chat
from tests.e2e.test_staff import card_of, press, report_of, say_in


def policy(bot: Harness) -> DeadlinePolicy:
    return DeadlinePolicy.from_settings(bot.settings)


async def age(bot: Harness, reference: str, days: int) -> None:
    """Pretend the report (and its history) came in ``days`` calendar days ago."""
    report = await report_of(bot, reference)
    back = dt.timedelta(days=days)
    async with bot.services.db.session() as session:
        row = await session.get(Report, report.id)
        assert row is not None
        row.created_at -= back
        for event in await session.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id)):
            event.at -= back


async def deliver(bot: Harness) -> None:
    app = bot.app
    assert app is not None
    messages = app.bot_data.messages  # type: ignore[attr-defined]
    assert messages is not None
    await messages.run_once()
    await bot.quiet()


def digests_of(bot: Harness) -> Digests:
    app = bot.app
    assert app is not None
    (job,) = app.job_queue.get_jobs_by_name("digest")  # type: ignore[attr-defined]
    assert isinstance(job.data, Digests)
    return job.data


def digest_messages(bot: Harness, group: SimChat) -> list[Message]:
    return [m for m in bot.emu.messages(group.id) if m.from_bot and "Ochtendoverzicht" in (m.plain_text or "")]


def next_working_morning(bot: Harness) -> dt.datetime:
    """08:30 local on the first working day after today."""
    cal = policy(bot).calendar
    day = cal.next_working_day(cal.local_date(utcnow()) + dt.timedelta(days=1))
    return dt.datetime.combine(day, dt.time(8, 30), tzinfo=cal.tz).astimezone(dt.UTC)


async def test_card_shows_time_left_and_open_marks_late_and_three_times_late(bot: Harness) -> None:
    epe = await bot.staff_group("epe")
    eva = bot.emu.add_user("Eva", "nl")
    await add_staff(bot.services.db, eva.id, "epe", "staff", "Eva")
    anna = bot.emu.add_user("Anna", "en")
    fresh = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    card = card_of(bot, epe)
    row = await report_of(bot, fresh)
    due = standing(row, policy(bot), utcnow())
    assert due is not None and due.kind == "response" and not due.late
    expected = time_left_label(due, bot.services.catalogs.get("nl"))
    assert "Eerste reactie" in (card.plain_text or "") and expected in (card.plain_text or "")
    assert "werkdag" in expected or expected == "vandaag"

    # Taken on: the card now counts down the handling deadline.
    await press(bot, eva, card, "take")
    card = card_of(bot, epe)
    assert "Afhandeltermijn" in (card.plain_text or "") and "Eerste reactie" not in (card.plain_text or "")

    late = await file_via_chat(bot, anna, place="Epe")
    very_late = await file_via_chat(bot, anna, place="Epe")
    await age(bot, late, 35)  # handling is 15 working days for nuisance: late, not yet 3x (45)
    await age(bot, very_late, 120)
    assert standing(await report_of(bot, late), policy(bot), utcnow()).punctuality == "late"  # type: ignore[union-attr]
    open_list = await bot.say(eva, "/open", epe)
    lines = {
        ref: line
        for line in (open_list.plain_text or "").splitlines()
        for ref in (fresh, late, very_late)
        if ref in line
    }
    assert "TE LAAT" not in lines[fresh] and "Eva" in lines[fresh]
    assert "⚠️ TE LAAT" in lines[late] and "werkdagen te laat" in lines[late] and "3×" not in lines[late]
    assert "‼️ 3× TE LAAT" in lines[very_late] and "(3× te laat)" in lines[very_late]


async def test_a_lapsed_claim_reminds_the_assignee_once(bot: Harness) -> None:
    epe = await bot.staff_group("epe")
    eva = bot.emu.add_user("Eva", "nl")
    await add_staff(bot.services.db, eva.id, "epe", "staff", "Eva")
    anna = bot.emu.add_user("Anna", "en")
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    await press(bot, eva, card_of(bot, epe), "take")
    db, t = bot.services.db, bot.services.catalogs.get("nl")
    names = await staff_names(db)
    p = policy(bot)

    # Not yet: the claim is fresh.
    assert await remind_lapsed_claims(db, p, t, names, utcnow()) == 0
    later = utcnow() + dt.timedelta(days=7)  # at least 3 working days: more than 16 working hours
    open_list = await bot.say(eva, "/open", epe)
    assert "te lang geen actie" not in (open_list.plain_text or "")
    before = len(bot.emu.messages(eva.id))
    assert await remind_lapsed_claims(db, p, t, names, later) == 1
    assert await remind_lapsed_claims(db, p, t, names, later + dt.timedelta(hours=1)) == 0
    await deliver(bot)
    private = bot.emu.messages(eva.id)[before:]
    assert (
        len(private) == 1 and reference in (private[0].plain_text or "") and "werkuren" in (private[0].plain_text or "")
    )
    await deliver(bot)
    assert len(bot.emu.messages(eva.id)) == before + 1  # sent once, not again

    # A note restarts the clock; a later lapse reminds again -- in the group when Eva blocked the bot.
    card = card_of(bot, epe)
    await say_in(bot, eva, epe, "Bel morgen de wijkagent.", reply_to=card)
    async with db.session() as session:
        await session.execute(
            update(ReportEvent).where(ReportEvent.action == "note").values(at=later + dt.timedelta(hours=2))
        )
    bot.emu.block_bot(eva)
    assert await remind_lapsed_claims(db, p, t, names, later + dt.timedelta(days=7)) == 1
    await deliver(bot)
    in_group = [m for m in bot.emu.messages(epe.id) if m.from_bot and "⏳" in (m.plain_text or "")]
    assert len(in_group) == 1 and "Eva" in (in_group[0].plain_text or "")
    assert in_group[0].reply_to_message_id == card.message_id
    assert len(bot.emu.messages(eva.id)) == before + 1


async def test_digest_is_posted_and_pinned_once_then_edited_in_place(bot: Harness) -> None:
    epe, hattem = await bot.staff_group("epe"), await bot.staff_group("hattem")
    eva = bot.emu.add_user("Eva", "nl")
    await add_staff(bot.services.db, eva.id, "epe", "staff", "Eva")
    anna = bot.emu.add_user("Anna", "en")
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    await age(bot, reference, 35)
    digests = digests_of(bot)
    app = bot.app
    assert app is not None
    (job,) = app.job_queue.get_jobs_by_name("digest")  # type: ignore[attr-defined]
    cal = policy(bot).calendar
    assert job.next_t is not None and job.next_t.astimezone(cal.tz).time() == dt.time(8, 30)

    morning = next_working_morning(bot)
    card_text = card_of(bot, epe).plain_text or ""
    run = await digests.run(morning, post=True)
    await bot.quiet()
    assert (run.posted, run.redrawn) == (2, 1)  # Epe and Hattem; the one open report's card
    await deliver(bot)
    card = card_of(bot, epe)
    assert card.edited and card.plain_text != card_text and "te laat" in (card.plain_text or "")
    (digest,) = digest_messages(bot, epe)
    text = digest.plain_text or ""
    assert reference in text and "Te laat" in text and "niemand" in text and "Anna" not in text
    pinned = bot.emu.pinned_message(epe.id)
    assert pinned is not None and pinned.message_id == digest.message_id
    assert "Vanochtend vraagt niets" in (digest_messages(bot, hattem)[0].plain_text or "")

    # Nothing changed: a second run that morning neither posts nor edits.
    again = await digests.run(morning + dt.timedelta(minutes=10), post=True)
    assert (again.posted, again.edited) == (0, 0)
    # Eva takes the report on: the refresh edits the same message in place.
    await press(bot, eva, card_of(bot, epe), "take")
    refreshed = await digests.run(morning + dt.timedelta(hours=2), post=False)
    await bot.quiet()
    assert (refreshed.posted, refreshed.edited) == (0, 1)
    (digest,) = digest_messages(bot, epe)
    assert digest.edited and "Eva" in (digest.plain_text or "")
    assert len(bot.emu.pinned_messages(epe.id)) == 1

    # The next working day gets a new digest; yesterday's is unpinned.
    tomorrow = cal.add_working_days(cal.local_date(morning), 1)
    next_morning = dt.datetime.combine(tomorrow, dt.time(8, 30), tzinfo=cal.tz).astimezone(dt.UTC)
    assert (await digests.run(next_morning, post=True)).posted == 2
    await bot.quiet()
    second = digest_messages(bot, epe)
    assert len(second) == 2
    assert [m.message_id for m in bot.emu.pinned_messages(epe.id)] == [second[-1].message_id]


async def test_no_digest_when_switched_off_or_on_a_holiday(bot: Harness) -> None:
    epe, hattem = await bot.staff_group("epe"), await bot.staff_group("hattem")
    await set_digest(bot.services.db, "epe", False)
    digests = digests_of(bot)
    run = await digests.run(next_working_morning(bot), post=True)
    await bot.quiet()
    assert run.posted == 1 and not digest_messages(bot, epe) and len(digest_messages(bot, hattem)) == 1
    # King's Day 2027 (a Tuesday) and a Saturday: the morning job posts nothing.
    for day in (dt.date(2027, 4, 27), dt.date(2027, 4, 24)):
        moment = dt.datetime.combine(day, dt.time(8, 30), tzinfo=policy(bot).calendar.tz)
        assert (await digests.run(moment, post=True)).posted == 0
    await bot.quiet()
    assert len(digest_messages(bot, hattem)) == 1


async def test_open_marks_a_lapsed_claim(bot: Harness) -> None:
    epe = await bot.staff_group("epe")
    eva = bot.emu.add_user("Eva", "nl")
    await add_staff(bot.services.db, eva.id, "epe", "staff", "Eva")
    anna = bot.emu.add_user("Anna", "en")
    taken, untaken = await file_via_chat(bot, anna, place="Epe"), await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    card = next(m for m in bot.emu.messages(epe.id) if m.from_bot and taken in (m.plain_text or ""))
    await press(bot, eva, card, "take")
    await age(bot, taken, 7)
    await age(bot, untaken, 7)
    open_list = await bot.say(eva, "/open", epe)
    lines = {ref: line for line in (open_list.plain_text or "").splitlines() for ref in (taken, untaken) if ref in line}
    assert "⏳ te lang geen actie" in lines[taken] and "te lang geen actie" not in lines[untaken]
