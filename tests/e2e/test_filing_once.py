"""Send on the summary files exactly one report, however often and whenever it is pressed.

The repeat cases: the draft could not be deleted (as if the bot crashed right after filing), the confirmation
could not be shown (Telegram failed), a double press, a press after a restart, an old summary's button while a
new report is under way, and a cancelled summary.
"""

from __future__ import annotations

from sqlalchemy import select, text

from bot.dev.emulator import Message, SimUser
from bot.storage.models import Delivery, Report, ReportDraft
from tests.e2e.conftest import Harness
from tests.e2e.test_reports import DESCRIPTION, REFERENCE, count, draft_step, send, walk

ERROR = "Sorry, something went wrong on our side. Please try again in a moment.\nIn danger? Call 112."


async def stored_references(bot: Harness) -> list[str]:
    async with bot.services.db.session() as session:
        return list(await session.scalars(select(Report.reference)))


def confirmations(bot: Harness, user: SimUser, after: Message) -> list[str]:
    """References in the bot's messages to ``user`` after ``after`` (the summary)."""
    later = [m for m in bot.emu.messages(user.id) if m.message_id > after.message_id]
    return [found.group() for m in later if (found := REFERENCE.search(m.plain_text or ""))]


async def test_a_failure_while_deleting_the_draft_files_nothing_twice(bot: Harness) -> None:
    """Filing and deleting the draft are one transaction: when the deletion fails, nothing was filed, so the
    resident's next press files the one report (two separate steps filed it twice here)."""
    fay = bot.emu.add_user("Fay", "en")
    summary = await walk(bot, fay)
    postgres = bot.services.db.engine.dialect.name == "postgresql"
    async with bot.services.db.session() as session:
        if postgres:
            await session.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'simulated failure'; END $$"
                )
            )
            await session.execute(
                text(
                    "CREATE TRIGGER refuse_draft_delete BEFORE DELETE ON report_drafts "
                    "FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            )
        else:
            await session.execute(
                text(
                    "CREATE TRIGGER refuse_draft_delete BEFORE DELETE ON report_drafts "
                    "BEGIN SELECT RAISE(ABORT, 'simulated failure'); END"
                )
            )
    message = await bot.press(fay, summary, 0)
    assert message.plain_text == ERROR
    assert await draft_step(bot, fay) == "summary"
    async with bot.services.db.session() as session:
        await session.execute(text("DROP TRIGGER refuse_draft_delete" + (" ON report_drafts" if postgres else "")))

    message = await bot.press(fay, summary, 0)
    (reference,) = await stored_references(bot)
    assert confirmations(bot, fay, summary) == [reference]
    assert (await count(bot, Report), await count(bot, Delivery), await count(bot, ReportDraft)) == (1, 1, 0)


async def test_send_again_after_the_confirmation_failed_files_once(bot: Harness) -> None:
    ada = bot.emu.add_user("Ada", "en")
    summary = await walk(bot, ada)
    bot.emu.inject_fault("sendMessage", "500")  # the confirmation fails once; the report is filed already
    message = await bot.press(ada, summary, 0)
    assert message.plain_text == ERROR
    assert await count(bot, Report) == 1
    assert await draft_step(bot, ada) is None  # filed and deleted in one transaction
    (reference,) = await stored_references(bot)

    message = await bot.press(ada, summary, 0)  # the resident tries again
    assert REFERENCE.search(message.plain_text or "") is not None
    assert confirmations(bot, ada, summary) == [reference]
    assert "forwarding it to the municipality of Heerde" in (message.plain_text or "")
    assert (await count(bot, Report), await count(bot, Delivery)) == (1, 1)


async def test_a_double_press_files_once_and_shows_the_same_reference(bot: Harness) -> None:
    bea = bot.emu.add_user("Bea", "en")
    summary = await walk(bot, bea, updates="none")
    first = bot.emu.press(bea, summary, 0)
    second = bot.emu.press(bea, summary, 0)  # before the bot has handled the first
    await bot.emu.wait_for(lambda: bot.emu.is_delivered(first) and bot.emu.is_delivered(second), timeout=10.0)
    await bot.quiet()
    (reference,) = await stored_references(bot)
    assert confirmations(bot, bea, summary) == [reference, reference]
    assert "not linked to you" in (bot.last(bea).plain_text or "")  # the repeat knows the choice too
    assert (await count(bot, Report), await count(bot, Delivery), await count(bot, ReportDraft)) == (1, 1, 0)
    assert all(q.answered for q in bot.emu.callback_queries())


async def test_send_after_a_restart_shows_the_same_reference(bot: Harness) -> None:
    cor = bot.emu.add_user("Cor", "en")
    summary = await walk(bot, cor)
    reference = await send(bot, cor, summary)
    await bot.restart()
    message = await bot.press(cor, summary, 0)
    assert REFERENCE.search(message.plain_text or "") is not None
    assert confirmations(bot, cor, summary) == [reference, reference]
    assert await count(bot, Report) == 1


async def test_an_old_send_button_leaves_a_new_report_alone(bot: Harness) -> None:
    dirk = bot.emu.add_user("Dirk", "en")
    old_summary = await walk(bot, dirk)
    reference = await send(bot, dirk, old_summary)
    await walk(bot, dirk, upto="description")  # a second report, under way
    message = await bot.press(dirk, old_summary, 0)
    assert confirmations(bot, dirk, old_summary) == [reference, reference]
    assert REFERENCE.search(message.plain_text or "") is not None
    assert await draft_step(bot, dirk) == "description"
    message = await bot.say(dirk, DESCRIPTION)  # the new report goes on where it was
    assert message.reply_markup and "keyboard" in message.reply_markup  # the place question
    assert await count(bot, Report) == 1


async def test_send_on_a_cancelled_summary_files_nothing(bot: Harness) -> None:
    eef = bot.emu.add_user("Eef", "en")
    summary = await walk(bot, eef)
    message = await bot.press(eef, summary, 2)
    assert (message.plain_text or "").startswith("Cancelled. Nothing has been sent.")
    message = await bot.press(eef, summary, 0)
    assert message.plain_text == "Your unfinished report has expired or was removed. Start again with /melding."
    assert await count(bot, Report) == 0
