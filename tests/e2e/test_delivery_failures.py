"""The outbox through real PTB and the emulator when the staff chat changes under it: a group upgraded to a
supergroup, the bot removed from the group, a chat id that does not exist, and an answer PTB cannot parse.

As in test_delivery.py, reports are filed before the staff chat is linked (so the resident's own messages are
not involved) and the test runs the outbox itself.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.cli.main import main as veiligbot
from bot.outbox.delivery import link_municipality, staff_chat_links, staff_chats
from tests.e2e.conftest import Harness
from tests.e2e.test_delivery import cards, delivery_of, group_calls, later, outbox
from tests.e2e.test_reports import file_via_chat

SECRET = "Drug deals from the shed behind Dorpsstraat 12, every night after ten."


async def cli(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    """Run `veiligbot ARGS` as the operator would (its own event loop and database connection)."""
    capsys.readouterr()
    assert await asyncio.to_thread(veiligbot, list(args)) == 0
    return capsys.readouterr().out.splitlines()


async def test_a_group_upgraded_to_a_supergroup_gets_the_card_at_its_new_id(bot: Harness) -> None:
    first = await file_via_chat(bot, bot.emu.add_user("Ans", "en"))
    box = outbox(bot)
    group = bot.emu.add_group("Heerde staff", supergroup=False)
    await link_municipality(bot.services.db, "heerde", group.id)
    supergroup = bot.emu.migrate_group(group)

    result = await box.run_once()
    await bot.quiet()
    assert (result.sent, result.retried, result.blocked) == (1, 0, 0)
    assert group_calls(bot, "sendMessage", group) == [400]
    (card,) = cards(bot, supergroup)
    assert first in (card.plain_text or "")
    assert cards(bot, group) == []
    assert await staff_chats(bot.services.db) == {"heerde": supergroup.id}
    assert (await staff_chat_links(bot.services.db))["heerde"].health == "ok"
    delivery = await delivery_of(bot, first)
    assert (delivery.state, delivery.message_id) == ("sent", card.message_id)

    # The next report goes straight to the supergroup (whether the deliver-now job or this run sends it).
    second = await file_via_chat(bot, bot.emu.add_user("Bart", "en"))
    await box.run_once()
    await bot.quiet()
    assert group_calls(bot, "sendMessage", group) == [400]
    assert [second in (c.plain_text or "") for c in cards(bot, supergroup)] == [False, True]


async def test_a_group_that_removed_the_bot_blocks_until_relinked(
    bot: Harness, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    first = await file_via_chat(bot, bot.emu.add_user("Cas", "en"), description=SECRET)
    second = await file_via_chat(bot, bot.emu.add_user("Dina", "en"))
    box = outbox(bot)
    group = await bot.staff_group("heerde", "Heerde staff")
    bot.emu.remove_bot(group)

    with caplog.at_level(logging.ERROR, logger="bot.outbox.delivery"):
        result = await box.run_once()
    assert (result.sent, result.retried, result.blocked) == (0, 0, 2)
    assert group_calls(bot, "sendMessage", group) == [403]  # one try for both reports
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "heerde" in record.getMessage() and "Forbidden" in record.getMessage()
    assert SECRET not in caplog.text and first not in caplog.text

    # Not hammered: later runs do not try the group again.
    assert (await box.run_once(now=later(60))).blocked == 2
    assert group_calls(bot, "sendMessage", group) == [403]

    # The operator sees why.
    lines = await cli(capsys, "municipality", "list")
    assert [line.split("\t")[0] for line in lines] == ["elburg", "epe", "hattem", "heerde", "nunspeet", "oldebroek"]
    heerde = lines[3].split("\t")
    assert heerde[:4] == ["heerde", str(group.id), "blocked", "2 undelivered"]
    assert heerde[4].startswith("last error ") and heerde[4].endswith(
        "Z: Forbidden: bot was kicked from the supergroup chat"
    )
    assert lines[0].split("\t") == ["elburg", "not linked", "-", "0 undelivered"]
    reports = await cli(capsys, "reports", "list")
    assert len(reports) == 2
    assert all("waiting: staff chat blocked" in line for line in reports)

    # The bot is added again and the municipality linked again: the waiting reports go out.
    bot.emu.add_bot(group)
    assert await cli(capsys, "municipality", "link", "heerde", str(group.id)) == [
        f"Reports for heerde now go to chat {group.id}."
    ]
    result = await box.run_once()
    await bot.quiet()
    assert (result.sent, result.blocked) == (2, 0)
    assert [[ref in (c.plain_text or "") for ref in (first, second)] for c in cards(bot, group)] == [
        [True, False],
        [False, True],
    ]
    lines = await cli(capsys, "municipality", "list")
    assert lines[3].split("\t") == ["heerde", str(group.id), "ok", "0 undelivered"]
    assert all("delivery sent" in line for line in await cli(capsys, "reports", "list"))


async def test_a_chat_that_does_not_exist_is_blocked(bot: Harness) -> None:
    reference = await file_via_chat(bot, bot.emu.add_user("Eva", "en"))
    box = outbox(bot)
    await link_municipality(bot.services.db, "heerde", -1009999999999)  # a typo in the chat id
    assert (await box.run_once()).blocked == 1
    target = (await staff_chat_links(bot.services.db))["heerde"]
    assert (target.health, target.last_error) == ("blocked", "BadRequest: Chat not found")
    delivery = await delivery_of(bot, reference)
    assert (delivery.state, delivery.last_error) == ("pending", "BadRequest: Chat not found")
    group = await bot.staff_group("heerde", "Heerde staff")  # linked with the right id
    assert (await box.run_once()).sent == 1
    await bot.quiet()
    assert len(cards(bot, group)) == 1


async def test_an_unexpected_failure_for_one_report_does_not_stop_the_next_card(bot: Harness) -> None:
    first = await file_via_chat(bot, bot.emu.add_user("Fem", "en"))
    # Another concern: an identical one would carry the hint "mogelijk gerelateerd aan <first>" on its card.
    other = "Someone sprays graffiti on the wall of the sports hall every weekend."
    second = await file_via_chat(bot, bot.emu.add_user("Gert", "en"), description=other)
    box = outbox(bot)
    group = await bot.staff_group("heerde", "Heerde staff")
    bot.emu.inject_fault("sendMessage", "malformed")  # PTB cannot parse the answer: a KeyError, not Telegram's

    result = await box.run_once()
    await bot.quiet()
    assert (result.sent, result.retried) == (1, 1)
    (card,) = cards(bot, group)
    assert second in (card.plain_text or "")
    delivery = await delivery_of(bot, first)
    # PTB could not read the answer: the card may be there, so the next one says it may be a repeat.
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("pending", 1, "maybe sent: unexpected KeyError")
    assert (await staff_chat_links(bot.services.db))["heerde"].health == "ok"

    assert (await box.run_once(now=later())).sent == 1
    await bot.quiet()
    assert [[ref in (c.plain_text or "") for ref in (first, second)] for c in cards(bot, group)] == [
        [False, True],
        [True, False],
    ]
    assert group_calls(bot, "sendMessage", group) == [200, 200, 200]


REPEAT = "Mogelijk een herhaling"


async def test_a_lost_answer_gives_one_repeat_that_says_so(bot: Harness) -> None:
    """Telegram took the card but the answer was lost: at most one repeat, and it says so on its face."""
    reference = await file_via_chat(bot, bot.emu.add_user("Hanna", "en"))
    box = outbox(bot)
    group = await bot.staff_group("heerde", "Heerde staff")
    bot.emu.inject_fault("sendMessage", "lost")

    assert (await box.run_once()).retried == 1
    assert (await delivery_of(bot, reference)).last_error.startswith("maybe sent: ")  # type: ignore[union-attr]
    assert (await box.run_once(now=later())).sent == 1
    await bot.quiet()
    first, second = cards(bot, group)
    assert reference in (first.plain_text or "") and reference in (second.plain_text or "")
    assert REPEAT not in (first.plain_text or "") and REPEAT in (second.plain_text or "")
    assert first.buttons == second.buttons  # both act on the same report
    assert (await box.run_once(now=later())).sent == 0  # and no third card
    assert len(cards(bot, group)) == 2
    assert (await delivery_of(bot, reference)).last_error is None


async def test_an_answered_failure_repeats_nothing(bot: Harness) -> None:
    """A 500 is an answer: Telegram did not take the card, so the next card is the only one and plain."""
    reference = await file_via_chat(bot, bot.emu.add_user("Ids", "en"))
    box = outbox(bot)
    group = await bot.staff_group("heerde", "Heerde staff")
    bot.emu.inject_fault("sendMessage", "500")
    assert (await box.run_once()).retried == 1
    assert (await box.run_once(now=later())).sent == 1
    await bot.quiet()
    (card,) = cards(bot, group)
    assert reference in (card.plain_text or "") and REPEAT not in (card.plain_text or "")


async def test_a_crash_during_the_send_marks_the_next_card(bot: Harness) -> None:
    """The process died between sending the card and recording it: the mark set before the send remains."""
    reference = await file_via_chat(bot, bot.emu.add_user("Jip", "en"))
    delivery = await delivery_of(bot, reference)
    async with bot.services.db.session() as session:  # what an interrupted attempt leaves behind
        row = await session.get(type(delivery), delivery.id)
        assert row is not None
        row.last_error = "maybe sent: sending"
    group = await bot.staff_group("heerde", "Heerde staff")
    assert (await outbox(bot).run_once(now=later())).sent == 1
    await bot.quiet()
    (card,) = cards(bot, group)
    assert REPEAT in (card.plain_text or "")


async def test_the_resident_hears_being_forwarded_until_a_staff_chat_took_the_report(bot: Harness) -> None:
    kees = bot.emu.add_user("Kees", "en")
    reference = await file_via_chat(bot, kees)
    assert "forwarding it to the municipality of Heerde" in bot.texts(kees)[-1]
    assert "sent to" not in bot.texts(kees)[-1]
    bot.emu.inject_fault("sendMessage", "500")
    await bot.staff_group("heerde", "Heerde staff")
    await outbox(bot).run_once()  # every attempt fails: still being forwarded
    status = await bot.say(kees, f"/status {reference}")
    assert "being forwarded" in (status.plain_text or "")
    listing = await bot.say(kees, "/mijnmeldingen")
    assert "being forwarded" in (listing.plain_text or "")

    assert (await outbox(bot).run_once(now=later())).sent == 1
    status = await bot.say(kees, f"/status {reference}")
    assert "being forwarded" not in (status.plain_text or "") and "received" in (status.plain_text or "")
