"""The staff side end to end: two municipalities' staff groups, several staff users, a resident, the real bot.

Staff work in Dutch (the card's language); the resident speaks English so their messages can be told apart.
Assertions read the callback data of buttons (``s1:<action>:<report>:<status>``), the stored events and the
messages in each chat.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.dev.emulator import Message, SimChat, SimUser
from bot.staff.registry import add_staff
from bot.storage.models import Report, ReportEvent
from tests.e2e.conftest import Harness
from tests.e2e.test_reports import file_via_chat

NOTE = "Bekende plek; de wijkagent weet ervan."
QUESTION = "Om hoe laat ongeveer?"
ANSWER = "Around ten in the evening."


async def _settle(bot: Harness, update_id: int) -> None:
    await bot.emu.wait_for(lambda: bot.emu.is_delivered(update_id), timeout=10.0)
    await bot.quiet()


async def press(bot: Harness, user: SimUser, message: Message, action: str) -> None:
    """Press the button of ``message`` whose callback data starts with ``s1:<action>:`` (or ``m1:<action>:``)."""
    current = bot.emu.messages(message.chat_id)
    fresh = next(m for m in current if m.message_id == message.message_id)
    datas = [str(b.get("callback_data", "")) for b in fresh.buttons]
    index = next(i for i, d in enumerate(datas) if d.split(":")[1] == action)
    await _settle(bot, bot.emu.press(user, fresh, index))


async def say_in(bot: Harness, user: SimUser, chat: SimChat, text: str, reply_to: Message | None = None) -> None:
    await _settle(bot, bot.emu.send_text(user, text, chat, reply_to=reply_to))


def card_of(bot: Harness, group: SimChat) -> Message:
    cards = [m for m in bot.emu.messages(group.id) if m.from_bot and "📝" in (m.plain_text or "")]
    assert cards, "no card in the staff group"
    return cards[0]


def actions(message: Message) -> list[str]:
    return [str(b.get("callback_data", "")).split(":")[1] for b in message.buttons]


def last_alert(bot: Harness) -> str:
    queries = bot.emu.callback_queries()
    assert queries and queries[-1].answered
    return queries[-1].text or ""


async def report_of(bot: Harness, reference: str) -> Report:
    async with bot.services.db.session() as session:
        row = await session.scalar(select(Report).where(Report.reference == reference))
    assert row is not None
    return row


async def events(bot: Harness, reference: str) -> list[ReportEvent]:
    report = await report_of(bot, reference)
    async with bot.services.db.session() as session:
        return list(await session.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id)))


async def setup(bot: Harness) -> tuple[SimChat, SimChat, SimUser, SimUser, SimUser]:
    epe, hattem = await bot.staff_group("epe"), await bot.staff_group("hattem")
    eva, hugo = bot.emu.add_user("Eva", "nl"), bot.emu.add_user("Hugo", "nl")
    await add_staff(bot.services.db, eva.id, "epe", "staff", "Eva")
    await add_staff(bot.services.db, hugo.id, "hattem", "staff", "Hugo")
    anna = bot.emu.add_user("Anna", "en")
    return epe, hattem, eva, hugo, anna


async def test_full_flow_take_ask_answer_close_feedback_reopen(bot: Harness) -> None:
    epe, hattem, eva, hugo, anna = await setup(bot)
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    card = card_of(bot, epe)
    assert reference in (card.plain_text or "") and f"Melder {reference}" in (card.plain_text or "")
    assert "Anna" not in (card.plain_text or "") and str(anna.id) not in (card.plain_text or "")
    assert actions(card)[:1] == ["take"] and "reopen" not in actions(card)
    assert not bot.emu.messages(hattem.id)

    # Hattem's staff member cannot take an Epe report, not even on its own card.
    await press(bot, hugo, card, "take")
    assert last_alert(bot)
    assert (await report_of(bot, reference)).status == "new"
    refused = [e for e in await events(bot, reference) if e.action == "refused"]
    assert refused and refused[-1].actor == f"user:{hugo.id}" and "other-municipality" in (refused[-1].note or "")

    await press(bot, eva, card, "take")
    row = await report_of(bot, reference)
    assert (row.status, row.assignee_id) == ("in_progress", eva.id)
    card = card_of(bot, epe)
    assert card.edited and "Eva" in (card.plain_text or "") and "take" not in actions(card)
    told = bot.texts(anna)[-1]
    assert reference in told and "Epe" in told and "Eva" not in told

    # An internal note: stored, acknowledged in the group, never sent to the resident.
    before = len(bot.emu.messages(anna.id))
    await say_in(bot, eva, epe, NOTE, reply_to=card)
    assert [e.note for e in await events(bot, reference) if e.action == "note"] == [NOTE]
    assert len(bot.emu.messages(anna.id)) == before

    # A question: the bot asks for the text, shows a preview, and only Send reaches the resident.
    await press(bot, eva, card, "ask")
    await say_in(bot, eva, epe, QUESTION)
    preview = bot.last(epe)
    assert QUESTION in (preview.plain_text or "") and actions(preview) == ["send", "drop"]
    assert len(bot.emu.messages(anna.id)) == before
    await press(bot, eva, preview, "send")
    question = bot.last(anna)
    assert QUESTION in (question.plain_text or "") and reference in (question.plain_text or "")
    assert "Epe" in (question.plain_text or "") and "Eva" not in (question.plain_text or "")
    assert [str(b["callback_data"]).split(":")[1] for b in question.buttons] == ["answer"]
    assert (await report_of(bot, reference)).status == "reaction_requested"
    assert NOTE not in "\n".join(bot.texts(anna))

    # The resident answers; the answer comes back under the card.
    await press(bot, anna, question, "answer")
    await bot.say(anna, ANSWER)
    assert (await report_of(bot, reference)).status == "reaction_received"
    posted = bot.last(epe)
    assert ANSWER in (posted.plain_text or "") and posted.reply_to_message_id == card.message_id

    # Close with a standard text: the resident gets it in English, with 👍/👎.
    card = card_of(bot, epe)
    await press(bot, eva, card, "close")
    picker = bot.last(epe)
    await press(bot, eva, picker, "tpl")
    preview = bot.last(epe)
    await press(bot, eva, preview, "send")
    closing = bot.last(anna)
    assert (await report_of(bot, reference)).status == "closed"
    assert "youth workers" in (closing.plain_text or "") and [b["text"] for b in closing.buttons] == ["👍", "👎"]

    await press(bot, anna, closing, "down")
    assert (await report_of(bot, reference)).feedback == "down"
    offer = bot.last(anna)
    await press(bot, anna, offer, "reopen")
    assert (await report_of(bot, reference)).reopen_requested_at is not None
    card = card_of(bot, epe)
    assert "reopen" in actions(card)
    await press(bot, eva, card, "reopen")
    assert (await report_of(bot, reference)).status == "reopened"
    trail = [(e.action, e.from_status, e.to_status) for e in await events(bot, reference) if e.to_status]
    assert trail == [
        ("created", None, "new"),
        ("take", "new", "in_progress"),
        ("ask", "in_progress", "reaction_requested"),
        ("answer", "reaction_requested", "reaction_received"),
        ("close", "reaction_received", "closed"),
        ("reopen", "closed", "reopened"),
    ]
