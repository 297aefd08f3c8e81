"""Delivery of filed reports to the municipal staff chat, end to end, including injected Bot API faults.

Retries are driven by calling the Outbox (``app.bot_data.outbox``) with a ``now`` in the future instead
of waiting for the backoff; the repeating delivery job is paused so that only the test triggers attempts.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.dev.emulator import Message, SimChat
from bot.outbox.delivery import Outbox
from bot.reports.drafts import CATEGORIES
from bot.storage.models import Delivery, Report
from tests.e2e.conftest import Harness
from tests.e2e.test_reports import file_via_chat, send, walk

HTML_DESCRIPTION = "<script>alert(1)</script> & Co deal from the shed behind the school"


def outbox(bot: Harness) -> Outbox:
    """The running Outbox, with the repeating delivery job paused (the test decides when to deliver)."""
    app = bot.app
    assert app is not None
    for job in app.job_queue.get_jobs_by_name("deliver"):  # type: ignore[attr-defined]
        job.enabled = False
    box: Outbox | None = app.bot_data.outbox  # type: ignore[attr-defined]
    assert box is not None
    return box


def later(minutes: int = 1) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)


async def delivery_of(bot: Harness, reference: str) -> Delivery:
    async with bot.services.db.session() as session:
        row = await session.scalar(
            select(Delivery).join(Report, Report.id == Delivery.report_id).where(Report.reference == reference)
        )
    assert row is not None
    return row


def cards(bot: Harness, group: SimChat) -> list[Message]:
    return [m for m in bot.emu.messages(group.id) if m.text is not None]


def group_calls(bot: Harness, method: str, group: SimChat) -> list[int | None]:
    return [c.status for c in bot.emu.calls(method) if c.params.get("chat_id") == str(group.id)]


async def test_card_reaches_the_linked_staff_chat(bot: Harness) -> None:
    group = await bot.staff_group("heerde", "Heerde staff")
    resident = bot.emu.add_user("Annabel", "en", last_name="Xylofoon", username="annabel_x", user_id=987654321)
    reference = await file_via_chat(bot, resident, description=HTML_DESCRIPTION, contact="06 12345678")
    box = outbox(bot)
    await box.run_once()  # also done by the job right after filing; either way one card
    await bot.quiet()
    (card,) = cards(bot, group)
    async with bot.services.db.session() as session:
        row = await session.scalar(select(Report).where(Report.reference == reference))
    assert row is not None
    staff = bot.services.catalogs.get("nl")
    text = card.plain_text or ""
    local = row.created_at.astimezone(ZoneInfo("Europe/Amsterdam"))
    assert reference in text
    assert staff.gettext(CATEGORIES["youth-nuisance"].label) in text
    assert local.strftime("%H:%M") in text and str(local.year) in text
    assert "Wapenveld" in text
    assert HTML_DESCRIPTION in text  # shown literally ...
    assert "&lt;script&gt;" in (card.text or "")  # ... because it was escaped
    assert staff.gettext("The resident would like updates via the bot.") in text
    # Contact details are not on the card: a registered staff member gets them privately ("contact" button).
    assert "+31612345678" not in text
    assert [str(b["callback_data"]).split(":")[1] for b in card.buttons][-1] == "contact"
    for identity in ("Annabel", "Xylofoon", "annabel_x", "987654321"):
        assert identity not in (card.text or ""), identity
    assert (await delivery_of(bot, reference)).state == "sent"


async def test_no_staff_chat_waits_until_linked(bot: Harness) -> None:
    resident = bot.emu.add_user("Bram", "en")
    reference = await file_via_chat(bot, resident, place="8084")
    box = outbox(bot)
    result = await box.run_once(now=later())
    assert (result.sent, result.waiting) == (0, 1)
    delivery = await delivery_of(bot, reference)
    assert (delivery.state, delivery.attempts, delivery.message_id) == ("pending", 0, None)
    assert bot.emu.calls("sendMessage")[-1].params["chat_id"] == str(resident.id)  # nothing went elsewhere
    group = await bot.staff_group("elburg", "Elburg staff")
    result = await box.run_once()
    await bot.quiet()
    assert (result.sent, result.waiting) == (1, 0)
    (card,) = cards(bot, group)
    assert reference in (card.plain_text or "")
    delivery = await delivery_of(bot, reference)
    assert (delivery.state, delivery.message_id) == ("sent", card.message_id)


async def test_429_and_500_deliver_exactly_one_card(bot: Harness) -> None:
    resident = bot.emu.add_user("Cato", "en")
    # Filed before the staff chat is linked, so the resident's own messages are not hit by the faults.
    reference = await file_via_chat(bot, resident)
    box = outbox(bot)
    group = await bot.staff_group("heerde", "Heerde staff")
    bot.emu.inject_fault("sendMessage", "429", retry_after=1)
    bot.emu.inject_fault("sendMessage", "500")

    first = await box.run_once()
    delivery = await delivery_of(bot, reference)
    assert (first.sent, first.retried) == (0, 1)
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.last_error and "Internal Server Error" in delivery.last_error
    assert delivery.next_attempt_at > dt.datetime.now(dt.UTC)  # backoff
    assert cards(bot, group) == []

    # Not due yet: nothing is tried.
    assert (await box.run_once()).sent == 0
    assert len(group_calls(bot, "sendMessage", group)) == 2

    second = await box.run_once(now=later())
    await bot.quiet()
    assert second.sent == 1
    assert group_calls(bot, "sendMessage", group) == [429, 500, 200]
    (card,) = cards(bot, group)
    assert reference in (card.plain_text or "")
    delivery = await delivery_of(bot, reference)
    assert (delivery.state, delivery.message_id, delivery.last_error) == ("sent", card.message_id, None)

    # Sent is final: later runs send nothing.
    assert (await box.run_once(now=later(60))).sent == 0
    assert len(cards(bot, group)) == 1


async def test_photos_failing_after_the_card_do_not_resend_the_card(bot: Harness) -> None:
    resident = bot.emu.add_user("Daan", "en")
    message = await walk(bot, resident, upto="photos")
    await bot.photo(resident)
    message = await bot.photo(resident)
    for index in (0, 0, 0, 0):  # done, updates via chat, skip contact, agree
        message = await bot.press(resident, message, index)
    reference = await send(bot, resident, message)
    box = outbox(bot)
    group = await bot.staff_group("heerde", "Heerde staff")
    bot.emu.inject_fault("sendMediaGroup", "500")

    first = await box.run_once()
    delivery = await delivery_of(bot, reference)
    (card,) = cards(bot, group)
    assert first.retried == 1
    assert (delivery.state, delivery.message_id, delivery.attempts) == ("card_sent", card.message_id, 1)

    second = await box.run_once(now=later())
    await bot.quiet()
    assert second.sent == 1
    assert len(cards(bot, group)) == 1
    photos = [m for m in bot.emu.messages(group.id) if m.photo]
    assert len(photos) == 2
    assert len({m.media_group_id for m in photos}) == 1
    # The album answers the card (the emulator records reply_parameters but not the reply on albums).
    assert bot.emu.calls("sendMediaGroup")[-1].params["reply_parameters"]["message_id"] == card.message_id
    assert (await delivery_of(bot, reference)).state == "sent"


async def test_a_single_photo_is_delivered(bot: Harness) -> None:
    """Telegram albums need 2-10 items, so one photo must go out on its own."""
    resident = bot.emu.add_user("Gijs", "en")
    await walk(bot, resident, upto="photos")
    message = await bot.photo(resident)
    for index in (0, 0, 0, 0):
        message = await bot.press(resident, message, index)
    reference = await send(bot, resident, message)
    group = await bot.staff_group("heerde", "Heerde staff")
    result = await outbox(bot).run_once()
    await bot.quiet()
    (card,) = cards(bot, group)
    assert len([m for m in bot.emu.messages(group.id) if m.photo]) == 1
    assert result.sent == 1
    assert bot.emu.calls("sendPhoto")[-1].params["reply_parameters"]["message_id"] == card.message_id
    (photo,) = [m for m in bot.emu.messages(group.id) if m.photo]
    assert photo.reply_to_message_id == card.message_id
    assert (await delivery_of(bot, reference)).state == "sent"


async def test_each_report_goes_to_its_own_municipality(bot: Harness) -> None:
    heerde = await bot.staff_group("heerde", "Heerde staff")
    elburg = await bot.staff_group("elburg", "Elburg staff")
    first = await file_via_chat(bot, bot.emu.add_user("Eef", "en"))
    second = await file_via_chat(bot, bot.emu.add_user("Fenna", "en"), place="8084")
    await outbox(bot).run_once()
    await bot.quiet()
    assert [first in (c.plain_text or "") for c in cards(bot, heerde)] == [True]
    (card,) = cards(bot, elburg)
    assert second in (card.plain_text or "") and first not in (card.plain_text or "")
