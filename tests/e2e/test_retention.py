"""Retention and /verwijder end to end: the bot's copies in staff chats are deleted while Telegram allows it
(the emulator enforces deleteMessage's 48 hours), redrawn without personal data after that, and a report's
forum topic is deleted; /verwijder redraws the cards without the resident's contact details."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.dev.emulator import SimChat
from bot.reports.retention import purge_expired
from bot.staff.auth import Actor
from bot.staff.registry import add_staff, new_link_code
from bot.storage.models import Report
from bot.workflow.engine import Workflow
from bot.workflow.transitions import Action, Status
from tests.e2e.conftest import Harness
from tests.e2e.test_reports import DESCRIPTION, file_via_chat
from tests.e2e.test_staff import card_of

EVA = Actor(101, "staff", "Eva")


async def carded(bot: Harness, group: SimChat, reference: str) -> None:
    """Wait until the outbox has put the report's card in the staff chat (it runs as a job)."""

    def shown() -> bool:
        return any(m.from_bot and reference in (m.plain_text or "") for m in bot.emu.messages(group.id))

    await bot.emu.wait_for(shown, timeout=15.0)
    await bot.quiet()


async def close(bot: Harness, reference: str) -> Report:
    svc = bot.services
    async with svc.db.session() as session:
        report = await session.scalar(select(Report).where(Report.reference == reference))
    assert report is not None
    workflow = Workflow(svc.db, svc.catalogs, {m.id: m.name for m in svc.municipalities.municipalities})
    await workflow.apply(report.id, Action.TAKE, expected=Status.NEW, actor=EVA)
    await workflow.apply(report.id, Action.CLOSE, expected=Status.IN_PROGRESS, actor=EVA, resident_text="Opgelost.")
    return report


async def purge_and_deliver(bot: Harness, now: dt.datetime, days: int) -> int:
    svc = bot.services
    run = await purge_expired(svc.db, svc.router, svc.catalogs.get("nl"), retention_days=days, now=now)
    messages = bot.app.bot_data.messages  # type: ignore[attr-defined]
    await messages.run_once(now=now)
    await bot.quiet()
    return run.reports


async def test_an_old_card_is_redrawn_without_personal_data(bot: Harness) -> None:
    epe = await bot.staff_group("epe")
    anna = bot.emu.add_user("Anna", "en")
    reference = await file_via_chat(bot, anna, place="Vaassen", contact="anna@example.org")
    await carded(bot, epe, reference)
    await close(bot, reference)
    await bot.app.bot_data.messages.run_once()  # type: ignore[attr-defined]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=91)
    bot.emu.advance_clock(91 * 86400)
    assert await purge_and_deliver(bot, later, 90) == 1
    card = card_of(bot, epe)
    text = card.plain_text or ""
    assert reference in text and "bewaartermijn" in text and "Vaassen" in text
    assert DESCRIPTION not in text and card.buttons == []
    refused = [c.description for c in bot.emu.calls("editMessageText") if c.status not in (None, 200)]
    assert all("not modified" in (d or "") for d in refused), refused  # a redundant redraw is harmless


async def test_a_young_card_is_deleted(bot: Harness) -> None:
    epe = await bot.staff_group("epe")
    anna = bot.emu.add_user("Anna", "en")
    reference = await file_via_chat(bot, anna, place="Vaassen")
    await carded(bot, epe, reference)
    await close(bot, reference)
    await bot.app.bot_data.messages.run_once()  # type: ignore[attr-defined]
    assert await purge_and_deliver(bot, dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), 0) == 1
    assert not [m for m in bot.emu.messages(epe.id) if m.from_bot and reference in (m.plain_text or "")]
    assert [m for m in bot.emu.messages(epe.id, include_deleted=True) if m.deleted]


async def test_a_report_topic_is_deleted(bot: Harness) -> None:
    forum = bot.emu.add_group("Heerde staff", forum=True)
    henk, anna = bot.emu.add_user("Henk", "nl"), bot.emu.add_user("Anna", "en")
    await add_staff(bot.services.db, henk.id, "heerde", "staff", "Henk")
    await bot.say(henk, f"/koppel {await new_link_code(bot.services.db, 'heerde')}", forum)
    reference = await file_via_chat(bot, anna, place="Wapenveld")
    await carded(bot, forum, reference)
    await close(bot, reference)
    await bot.app.bot_data.messages.run_once()  # type: ignore[attr-defined]
    bot.emu.advance_clock(91 * 86400)
    assert await purge_and_deliver(bot, dt.datetime.now(dt.UTC) + dt.timedelta(days=91), 90) == 1
    (topic,) = bot.emu.topics(forum.id, include_deleted=True)
    assert topic.deleted and reference in topic.name
    assert not [m for m in bot.emu.messages(forum.id) if reference in (m.plain_text or "")]


async def test_verwijder_redraws_the_card_without_contact_details(bot: Harness) -> None:
    epe = await bot.staff_group("epe")
    anna = bot.emu.add_user("Anna", "en")
    reference = await file_via_chat(bot, anna, place="Vaassen", contact="anna@example.org")
    await carded(bot, epe, reference)
    before = card_of(bot, epe)
    assert any(":contact:" in str(b.get("callback_data")) for b in before.buttons)
    question = await bot.say(anna, "/verwijder")
    await bot.press(anna, question, 0)
    await bot.quiet()
    after = card_of(bot, epe)
    assert after.edited
    assert not any(":contact:" in str(b.get("callback_data")) for b in after.buttons)
    assert "niet aan de inwoner gekoppeld" in (after.plain_text or "")  # staff cards are in Dutch
