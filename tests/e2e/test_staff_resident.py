"""The resident's side of staff work: /mijnmeldingen and /status with the status and the last message, the
closing message's "Ben je geholpen? 👍 👎" (stored), the reopen request within 14 days only, and crisis triage
on a resident's reply (also a Telegram reply to the bot's message) with the card flagged."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.dev.emulator import Message, SimChat, SimUser
from bot.storage.models import Report
from tests.e2e.conftest import Harness
from tests.e2e.test_reports import file_via_chat
from tests.e2e.test_staff import actions, card_of, events, press, report_of, say_in, setup
from tests.e2e.test_staff_typed import command


async def test_my_reports_and_status_show_the_status_and_the_last_message(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, anna = await setup(bot)
    reference = await file_via(bot, anna)
    await press(bot, eva, card_of(bot, epe), "take")
    await command(
        bot, eva, "/bericht We kijken er deze week naar, dank voor je melding.", epe, reply_to=card_of(bot, epe)
    )
    await press(bot, eva, bot.last(epe), "send")

    listing = (await bot.say(anna, "/mijnmeldingen")).plain_text or ""
    assert reference in listing and "being handled" in listing
    assert "We kijken er deze week naar" in listing  # the last message, shortened
    status = (await bot.say(anna, f"/status {reference}")).plain_text or ""
    assert "being handled" in status and "We kijken er deze week naar, dank voor je melding." in status
    # Another resident learns nothing about it.
    other = bot.emu.add_user("Bo", "en")
    assert reference not in ((await bot.say(other, f"/status {reference}")).plain_text or "")


async def file_via(bot: Harness, user: SimUser) -> str:
    reference = await file_via_chat(bot, user, place="Epe")
    await bot.quiet()
    return reference


async def close_with_template(bot: Harness, epe: SimChat, eva: SimUser) -> None:
    await press(bot, eva, card_of(bot, epe), "close")
    await press(bot, eva, bot.last(epe), "tpl")
    await press(bot, eva, bot.last(epe), "send")


async def test_helped_verdict_is_stored_and_shown_to_staff(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, anna = await setup(bot)
    reference = await file_via(bot, anna)
    await close_with_template(bot, epe, eva)
    closing = bot.last(anna)
    assert "Did this help you?" in (closing.plain_text or "")
    count = len(bot.emu.messages(anna.id))
    await press(bot, anna, closing, "up")
    row = await report_of(bot, reference)
    assert row.feedback == "up"
    assert [e.note for e in await events(bot, reference) if e.action == "feedback"] == ["up"]
    assert "👍" in (card_of(bot, epe).plain_text or "")
    assert len(bot.emu.messages(anna.id)) == count  # 👍 offers no reopen request


async def test_a_reopen_request_is_possible_for_14_days_only(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, anna = await setup(bot)
    first = await file_via(bot, anna)
    await close_with_template(bot, epe, eva)
    first_closing = bot.last(anna)
    await press(bot, anna, first_closing, "down")
    assert (await report_of(bot, first)).feedback == "down"
    late_offer = bot.last(anna)
    assert "14" in (late_offer.plain_text or "") and actions(late_offer) == ["reopen"]

    # 15 days after closing, the request is refused and nothing changes.
    async with bot.services.db.session() as session:
        await session.execute(
            update(Report)
            .where(Report.reference == first)
            .values(closed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=15))
        )
    await press(bot, anna, late_offer, "reopen")
    assert "no longer be reopened" in (bot.emu.callback_queries()[-1].text or "")
    row = await report_of(bot, first)
    assert row.reopen_requested_at is None and row.status == "closed"
    assert "reopen-requested" not in [e.action for e in await events(bot, first)]

    # Within 14 days: recorded, and the card asks staff to reopen.
    async with bot.services.db.session() as session:
        await session.execute(
            update(Report)
            .where(Report.reference == first)
            .values(closed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=13))
        )
    await press(bot, anna, late_offer, "reopen")
    assert (await report_of(bot, first)).reopen_requested_at is not None
    assert "heropenen" in (card_of(bot, epe).plain_text or "").lower() and "reopen" in actions(card_of(bot, epe))


async def test_a_telegram_reply_to_the_question_is_the_answer(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, anna = await setup(bot)
    reference = await file_via(bot, anna)
    await press(bot, eva, card_of(bot, epe), "ask")
    await say_in(bot, eva, epe, "Om hoe laat ongeveer?")
    await press(bot, eva, bot.last(epe), "send")
    question = bot.last(anna)
    await _reply(bot, anna, question, "Around ten in the evening.")
    assert (await report_of(bot, reference)).status == "reaction_received"
    assert "Around ten in the evening." in (bot.last(epe).plain_text or "")
    assert "passed on" in bot.texts(anna)[-1]


async def test_crisis_in_a_reply_to_a_message_about_the_report_flags_it(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, anna = await setup(bot)
    reference = await file_via(bot, anna)
    await press(bot, eva, card_of(bot, epe), "take")
    taken = bot.last(anna)  # "Your report … is now being handled by the municipality of Epe."
    count = len(bot.emu.messages(anna.id))
    await _reply(bot, anna, taken, "They said they will stab him tonight, he has a knife")
    replies = [m.plain_text or "" for m in bot.emu.messages(anna.id)[count:]]
    assert len(replies) == 1 and "112" in replies[0]  # the guidance, once
    row = await report_of(bot, reference)
    assert row.crisis == "emergency" and row.status == "in_progress"
    assert "🚨" in (card_of(bot, epe).plain_text or "")
    assert "crisis" in [e.action for e in await events(bot, reference)]


async def _reply(bot: Harness, user: SimUser, message: Message, text: str) -> None:
    update_id = bot.emu.send_text(user, text, reply_to=message)
    await bot.emu.wait_for(lambda: bot.emu.is_delivered(update_id), timeout=10.0)
    await bot.quiet()
