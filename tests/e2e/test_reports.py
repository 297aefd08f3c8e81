"""The report conversation end to end: the real bot against the Bot API emulator.

Residents speak English here so that assertions can quote the bot's wording; one flow runs in Dutch and
only checks what does not depend on the catalog (references, stored rows). Button indexes are 0-based.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.cli.main import main as veiligbot
from bot.dev.emulator import Message, SimUser
from bot.reports.drafts import Drafts
from bot.storage.models import Delivery, Report, ReportDraft, ReportEvent
from tests.e2e.conftest import Harness

REFERENCE = re.compile(r"\b(?:ELB|EPE|HAT|HEE|NUN|OLD)-[2-9A-HJKMNP-Z]{4}\b")
SEND = re.compile(r"r:sum:send:[A-Za-z0-9_-]{16}")  # carries the draft's idempotency key
DESCRIPTION = "Youngsters gather at the playground every evening and smash bottles."

# Category buttons in the order residents see them.
CAT_WORRIED, CAT_NUISANCE, CAT_SCAM, CAT_UNDERMINING, CAT_OTHER = range(5)
MUNICIPALITIES = ("elburg", "epe", "hattem", "heerde", "nunspeet", "oldebroek")

# Steps of the conversation in order; walk() stops when the named step is being asked.
STEPS = ("category", "description", "place", "place_confirm", "photos", "updates", "contact", "consent", "summary")


def buttons(message: Message) -> list[str]:
    return [str(b.get("callback_data", b["text"])) for b in message.buttons]


async def walk(
    bot: Harness,
    user: SimUser,
    upto: str = "summary",
    *,
    category: int = CAT_NUISANCE,
    description: str = DESCRIPTION,
    place: str = "Wapenveld",
    updates: str = "chat",
    contact: str | None = None,
) -> Message:
    """Go through the conversation until the question of step ``upto`` is shown; returns that message."""
    message = await bot.say(user, "/melding")
    assert buttons(message)[category].startswith("r:cat:"), message.plain_text
    if upto == "category":
        return message
    message = await bot.press(user, message, category)
    if upto == "description":
        return message
    message = await bot.say(user, description)
    assert message.reply_markup and "keyboard" in message.reply_markup, message.plain_text  # place prompt
    if upto == "place":
        return message
    message = await bot.say(user, place)
    assert buttons(message) == ["r:place:yes", "r:place:other"], message.plain_text
    if upto == "place_confirm":
        return message
    message = await bot.press(user, message, 0)
    assert buttons(message) == ["r:photos:done"], message.plain_text
    if upto == "photos":
        return message
    message = await bot.press(user, message, 0)
    assert buttons(message) == ["r:upd:chat", "r:upd:none"], message.plain_text
    if upto == "updates":
        return message
    message = await bot.press(user, message, 0 if updates == "chat" else 1)
    assert buttons(message) == ["r:contact:skip"], message.plain_text
    if upto == "contact":
        return message
    message = await (bot.say(user, contact) if contact else bot.press(user, message, 0))
    assert buttons(message) == ["r:consent:yes", "r:consent:no"], message.plain_text
    if upto == "consent":
        return message
    message = await bot.press(user, message, 0)
    assert buttons(message)[1:] == ["r:sum:edit", "r:sum:cancel"], message.plain_text
    assert SEND.fullmatch(buttons(message)[0]), buttons(message)
    assert upto == "summary"
    return message


async def send(bot: Harness, user: SimUser, summary: Message) -> str:
    """Press "Send report" on the summary; returns the reference from the confirmation."""
    confirmation = await bot.press(user, summary, 0)
    found = REFERENCE.search(confirmation.plain_text or "")
    assert found, confirmation.plain_text
    return found.group()


async def file_via_chat(bot: Harness, user: SimUser, **kwargs: object) -> str:
    return await send(bot, user, await walk(bot, user, **kwargs))  # type: ignore[arg-type]


async def report(bot: Harness, reference: str) -> Report:
    async with bot.services.db.session() as session:
        row = await session.scalar(select(Report).where(Report.reference == reference))
    assert row is not None
    return row


async def count(bot: Harness, model: type[object]) -> int:
    async with bot.services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def draft_step(bot: Harness, user: SimUser) -> str | None:
    loaded = await Drafts(bot.services.db).load(user.id)
    return loaded[0] if loaded else None


# --- the place paths ------------------------------------------------------------------------------------


async def test_place_name_path_files_a_report_for_heerde(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "en")
    message = await walk(bot, anna, upto="place_confirm", place="Wapenveld")
    texts = bot.texts(anna)
    assert "I found: Wapenveld, municipality of Heerde." in texts
    # The reply keyboard of the place question is gone once the place is known.
    assert bot.emu.active_reply_keyboard(anna.id) is None
    message = await bot.press(anna, message, 0)
    for index in (0, 0, 0, 0):  # no photos, updates via chat, skip contact, agree
        message = await bot.press(anna, message, index)
    reference = await send(bot, anna, message)
    assert reference.startswith("HEE-")
    row = await report(bot, reference)
    assert (row.municipality, row.category, row.place_text, row.latitude) == (
        "heerde",
        "youth-nuisance",
        "Wapenveld",
        None,
    )
    assert row.description == DESCRIPTION
    assert row.status == "new" and row.language == "en"
    assert await draft_step(bot, anna) is None
    assert "municipality of Heerde" in bot.last(anna).plain_text  # type: ignore[operator]


async def test_location_path(bot: Harness) -> None:
    bea = bot.emu.add_user("Bea", "en")
    await walk(bot, bea, upto="place")
    message = await bot.location(bea, 52.347, 5.983)
    assert buttons(message) == ["r:place:yes", "r:place:other"]
    assert any("municipality of Epe" in t for t in bot.texts(bea))
    message = await bot.press(bea, message, 0)
    for index in (0, 0, 0, 0):
        message = await bot.press(bea, message, index)
    assert "shared location" in (message.plain_text or "")
    reference = await send(bot, bea, message)
    row = await report(bot, reference)
    assert reference.startswith("EPE-")
    assert (row.municipality, row.place_text, row.latitude, row.longitude) == ("epe", None, 52.347, 5.983)


async def test_postcode_path_8084_is_elburg(bot: Harness) -> None:
    cas = bot.emu.add_user("Cas", "en")
    reference = await file_via_chat(bot, cas, place="8084")
    assert reference.startswith("ELB-")
    assert (await report(bot, reference)).municipality == "elburg"


async def test_online_path_asks_the_municipality(bot: Harness) -> None:
    eva = bot.emu.add_user("Eva", "en")
    prompt = await walk(bot, eva, upto="place", category=CAT_SCAM)
    # Button 0 shares the location; button 1 is "Online / no particular place".
    with pytest.raises(ValueError, match="location"):
        bot.emu.press(eva, prompt, 0)
    message = await bot.press(eva, prompt, 1)
    assert buttons(message) == [f"r:mun:{m}" for m in MUNICIPALITIES]
    assert "Okay, no particular place." in bot.texts(eva)
    message = await bot.press(eva, message, MUNICIPALITIES.index("nunspeet"))
    assert buttons(message) == ["r:photos:done"]
    assert "Municipality: Nunspeet." in bot.texts(eva)
    for index in (0, 0, 0, 0):
        message = await bot.press(eva, message, index)
    assert "online / no particular place" in (message.plain_text or "")
    reference = await send(bot, eva, message)
    row = await report(bot, reference)
    assert (row.municipality, row.category, row.place_text, row.latitude) == (
        "nunspeet",
        "online-scam-signal",
        None,
        None,
    )


async def test_ambiguous_and_unknown_places_ask_for_the_municipality(bot: Harness) -> None:
    fay = bot.emu.add_user("Fay", "en")
    await walk(bot, fay, upto="place")
    message = await bot.say(fay, "Oosterwolde")
    assert buttons(message) == ["r:mun:oldebroek", "r:mun:all"]
    message = await bot.press(fay, message, 1)  # another municipality: all six
    assert buttons(message) == [f"r:mun:{m}" for m in MUNICIPALITIES]
    gus = bot.emu.add_user("Gus", "en")
    await walk(bot, gus, upto="place")
    message = await bot.say(gus, "Atlantis onder zee")
    assert buttons(message) == [f"r:mun:{m}" for m in MUNICIPALITIES]
    assert await draft_step(bot, gus) == "municipality"


async def test_place_outside_the_region_is_not_filed(bot: Harness) -> None:
    hans = bot.emu.add_user("Hans", "en")
    await walk(bot, hans, upto="place")
    message = await bot.say(hans, "Zwolle")
    text = message.plain_text or ""
    assert "Zwolle is outside" in text and "0900-8844" in text and "112" in text
    assert "not been sent" in text
    assert message.buttons == []
    assert bot.emu.active_reply_keyboard(hans.id) is None
    assert await draft_step(bot, hans) is None
    assert await count(bot, Report) == 0
    # The conversation is over: the next words are a question for the knowledge base, not a place.
    message = await bot.say(hans, "Wapenveld")
    assert "I found" not in (message.plain_text or "")
    assert await count(bot, Report) == 0


async def test_dutch_resident_in_hattemerbroek_reports_to_oldebroek(bot: Harness) -> None:
    """The default language; the wording is the catalog's business, so only stored facts are checked."""
    ingrid = bot.emu.add_user("Ingrid", "nl")
    reference = await file_via_chat(bot, ingrid, place="Hattemerbroek", updates="none")
    row = await report(bot, reference)
    assert reference.startswith("OLD-")
    assert (row.municipality, row.language, row.updates, row.resident_chat_id) == ("oldebroek", "nl", "none", None)


# --- updates, contact, consent --------------------------------------------------------------------------


async def test_no_updates_path_keeps_no_link_to_the_resident(bot: Harness) -> None:
    jan = bot.emu.add_user("Jan", "en")
    summary = await walk(bot, jan, updates="none")
    assert "Updates: none" in (summary.plain_text or "")
    reference = await send(bot, jan, summary)
    assert "not linked to you" in (bot.last(jan).plain_text or "")
    row = await report(bot, reference)
    assert (row.updates, row.resident_chat_id) == ("none", None)
    async with bot.services.db.session() as session:
        events = list(await session.scalars(select(ReportEvent).where(ReportEvent.report_id == row.id)))
    assert [(e.actor, e.action) for e in events] == [("resident", "created")]
    assert all(str(jan.id) not in (e.note or "") for e in events)
    message = await bot.say(jan, "/mijnmeldingen")
    assert reference not in (message.plain_text or "")
    assert "no reports" in (message.plain_text or "")
    message = await bot.say(jan, f"/status {reference}")
    assert message.plain_text == "No report with that reference was found in this chat."


async def test_updates_via_chat_keeps_the_chat_id_and_contact(bot: Harness) -> None:
    kim = bot.emu.add_user("Kim", "en")
    summary = await walk(bot, kim, contact="06 12345678")
    assert "+31612345678" in (summary.plain_text or "")
    reference = await send(bot, kim, summary)
    row = await report(bot, reference)
    assert (row.updates, row.resident_chat_id, row.contact_phone, row.contact_email) == (
        "chat",
        kim.id,
        "+31612345678",
        None,
    )
    message = await bot.say(kim, "/mijnmeldingen")
    assert reference in (message.plain_text or "") and "received" in (message.plain_text or "")
    message = await bot.say(kim, f"/status {reference.lower()}")
    assert reference in (message.plain_text or "") and "Heerde" in (message.plain_text or "")
    assert "received" in (message.plain_text or "")


async def test_invalid_contact_details_are_asked_again(bot: Harness) -> None:
    lot = bot.emu.add_user("Lot", "en")
    prompt = await walk(bot, lot, upto="contact")
    message = await bot.say(lot, "call me maybe")
    assert "phone number does not look right" in (message.plain_text or "")
    message = await bot.say(lot, "lot@@example")
    assert "e-mail address does not look right" in (message.plain_text or "")
    assert await draft_step(bot, lot) == "contact"
    message = await bot.say(lot, "Lot@Example.NL")
    assert buttons(message) == ["r:consent:yes", "r:consent:no"]
    message = await bot.press(lot, message, 0)
    assert "Lot@example.nl" in (message.plain_text or "")
    assert prompt.message_id < message.message_id


async def test_refusing_consent_cancels(bot: Harness) -> None:
    max_ = bot.emu.add_user("Max", "en")
    message = await walk(bot, max_, upto="consent")
    message = await bot.press(max_, message, 1)
    assert (message.plain_text or "").startswith("Cancelled. Nothing has been sent.")
    assert await draft_step(bot, max_) is None
    assert await count(bot, Report) == 0


async def test_status_of_someone_elses_reference_is_refused(bot: Harness) -> None:
    nina = bot.emu.add_user("Nina", "en")
    otto = bot.emu.add_user("Otto", "en")
    reference = await file_via_chat(bot, nina)
    message = await bot.say(otto, f"/status {reference}")
    assert message.plain_text == "No report with that reference was found in this chat."
    assert reference not in (message.plain_text or "")
    message = await bot.say(otto, "/mijnmeldingen")
    assert reference not in (message.plain_text or "")
    message = await bot.say(otto, "/status")
    assert "/status followed by your reference" in (message.plain_text or "")
    message = await bot.say(nina, f"/status {reference}")
    assert reference in (message.plain_text or "")


async def test_my_data_and_delete(bot: Harness) -> None:
    pim = bot.emu.add_user("Pim", "en")
    reference = await file_via_chat(bot, pim, contact="pim@example.nl")
    await walk(bot, pim, upto="description")  # an unfinished second report
    message = await bot.say(pim, "/mijngegevens")
    text = message.plain_text or ""
    assert reference in text and "pim@example.nl" in text and "Unfinished report: yes" in text
    assert DESCRIPTION[:40] in text
    message = await bot.press(pim, await bot.say(pim, "/verwijder"), 1)
    assert message.plain_text == "Nothing was deleted."
    assert (await report(bot, reference)).resident_chat_id == pim.id
    message = await bot.say(pim, "/verwijder")
    assert buttons(message) == ["del:yes", "del:no"]
    message = await bot.press(pim, message, 0)
    assert "1 report is no longer linked to you" in (message.plain_text or "")
    row = await report(bot, reference)
    assert (row.resident_chat_id, row.contact_email, row.updates) == (None, None, "none")
    assert row.description == DESCRIPTION  # the municipality keeps the concern
    assert await draft_step(bot, pim) is None
    message = await bot.say(pim, "/mijnmeldingen")
    assert reference not in (message.plain_text or "")
    message = await bot.say(pim, f"/status {reference}")
    assert message.plain_text == "No report with that reference was found in this chat."


# --- cancel, change, restart, expiry ------------------------------------------------------------------


async def test_cancel_at_every_step(bot: Harness) -> None:
    """/cancel at each question (a fresh resident per step), then the summary's own Cancel button."""
    for step in (*STEPS, "edit"):
        rosa = bot.emu.add_user(f"Rosa-{step}", "en")
        message = await walk(bot, rosa, upto="summary" if step == "edit" else step)
        if step == "edit":
            message = await bot.press(rosa, message, 1)
            assert buttons(message)[0] == "r:edit:category"
        assert await draft_step(bot, rosa) == step
        message = await bot.say(rosa, "/cancel")
        assert (message.plain_text or "").startswith("Cancelled. Nothing has been sent."), step
        assert bot.emu.active_reply_keyboard(rosa.id) is None, step
        assert await draft_step(bot, rosa) is None, step
        # Out of the conversation: a place name is now a question for the knowledge base.
        message = await bot.say(rosa, "Wapenveld")
        assert "I found" not in (message.plain_text or ""), step
        assert await draft_step(bot, rosa) is None, step
    sam = bot.emu.add_user("Sam", "en")
    message = await bot.press(sam, await walk(bot, sam), 2)
    assert (message.plain_text or "").startswith("Cancelled. Nothing has been sent.")
    assert await draft_step(bot, sam) is None
    assert await count(bot, Report) == 0
    assert await count(bot, ReportDraft) == 0


async def test_change_from_the_summary(bot: Harness) -> None:
    tom = bot.emu.add_user("Tom", "en")
    summary = await walk(bot, tom)
    edit = await bot.press(tom, summary, 1)
    assert buttons(edit) == [
        "r:edit:category",
        "r:edit:description",
        "r:edit:place",
        "r:edit:photos",
        "r:edit:updates",
    ]
    # Description: back to the summary right after the new text.
    await bot.press(tom, edit, 1)
    summary = await bot.say(tom, "They now also leave empty cans and bottles on the benches.")
    assert SEND.fullmatch(buttons(summary)[0]), bot.texts(tom)[-4:]
    assert "They now also leave empty cans and bottles on the benches." in (summary.plain_text or "")
    assert DESCRIPTION not in (summary.plain_text or "")
    # Category.
    categories = await bot.press(tom, await bot.press(tom, summary, 1), 0)
    summary = await bot.press(tom, categories, CAT_OTHER)
    assert "Category: Other safety concern" in (summary.plain_text or "")
    # Place: a postcode in another municipality, confirmed, then straight back to the summary.
    place_prompt = await bot.press(tom, await bot.press(tom, summary, 1), 2)
    assert place_prompt.reply_markup and "keyboard" in place_prompt.reply_markup
    confirm = await bot.say(tom, "8084")
    summary = await bot.press(tom, confirm, 0)
    assert "Municipality: Elburg" in (summary.plain_text or "")
    # Updates and contact: asked again in order, then the summary.
    message = await bot.press(tom, await bot.press(tom, summary, 1), 4)
    assert buttons(message) == ["r:upd:chat", "r:upd:none"]
    message = await bot.press(tom, message, 1)
    message = await bot.say(tom, "tom@example.nl")
    summary = await bot.press(tom, message, 0)
    assert "Updates: none" in (summary.plain_text or "")
    reference = await send(bot, tom, summary)
    row = await report(bot, reference)
    assert reference.startswith("ELB-")
    assert (row.category, row.municipality, row.place_text, row.updates, row.contact_email) == (
        "other-safety-concern",
        "elburg",
        "8084",
        "none",
        "tom@example.nl",
    )
    assert row.description == "They now also leave empty cans and bottles on the benches."


async def test_restart_in_the_middle_of_the_flow(bot: Harness) -> None:
    uma = bot.emu.add_user("Uma", "en")
    await walk(bot, uma, upto="description")
    await bot.restart()
    message = await bot.say(uma, DESCRIPTION)
    assert message.reply_markup and "keyboard" in message.reply_markup  # the place question
    confirm = await bot.say(uma, "Wapenveld")
    updates = await bot.press(uma, await bot.press(uma, confirm, 0), 0)
    assert buttons(updates) == ["r:upd:chat", "r:upd:none"]
    # A button pressed after a second restart, on a message from before it.
    await bot.restart()
    message = await bot.press(uma, updates, 0)
    assert buttons(message) == ["r:contact:skip"]
    summary = await bot.press(uma, await bot.press(uma, message, 0), 0)
    reference = await send(bot, uma, summary)
    row = await report(bot, reference)
    assert (row.municipality, row.description, row.resident_chat_id) == ("heerde", DESCRIPTION, uma.id)
    assert bot.restarts == 2


async def test_idle_draft_expires_with_a_message(bot: Harness) -> None:
    vera = bot.emu.add_user("Vera", "en")
    walt = bot.emu.add_user("Walt", "en")
    await walk(bot, vera, upto="description")
    await walk(bot, walt, upto="description")
    # Vera's draft was last touched 31 minutes ago; Walt's just now.
    async with bot.services.db.session() as session:
        await session.execute(
            update(ReportDraft)
            .where(ReportDraft.user_id == vera.id)
            .values(updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
        )
    app = bot.app
    assert app is not None
    (job,) = app.job_queue.get_jobs_by_name("expire-drafts")  # type: ignore[attr-defined]
    await job.run(app)
    await bot.quiet()
    assert bot.last(vera).plain_text == (
        "Your unfinished report was not used for 30 minutes and has been removed. Start again with /melding."
    )
    assert await draft_step(bot, vera) is None
    assert await draft_step(bot, walt) == "description"
    assert "30 minutes" not in (bot.last(walt).plain_text or "")
    # A late answer to the old question gets the "expired" reply instead of being used.
    message = await bot.say(vera, DESCRIPTION)
    assert message.plain_text == "Your unfinished report has expired or was removed. Start again with /melding."
    assert await draft_step(bot, vera) is None
    # Walt carries on as normal.
    message = await bot.say(walt, DESCRIPTION)
    assert message.reply_markup and "keyboard" in message.reply_markup


async def test_wrong_input_for_a_button_step(bot: Harness) -> None:
    xan = bot.emu.add_user("Xan", "en")
    await walk(bot, xan, upto="updates")
    message = await bot.say(xan, "yes please")
    assert message.plain_text == "Please use the buttons above, or /cancel to stop."
    assert await draft_step(bot, xan) == "updates"


# --- description rules ----------------------------------------------------------------------------------


async def test_description_bounds(bot: Harness) -> None:
    yara = bot.emu.add_user("Yara", "en")
    await walk(bot, yara, upto="description")
    message = await bot.say(yara, "too short")
    assert "at least 10 characters" in (message.plain_text or "")
    message = await bot.say(yara, "x" * 2001)
    assert "under 2000 characters" in (message.plain_text or "")
    assert await draft_step(bot, yara) == "description"
    message = await bot.say(yara, "ten chars!")
    assert message.reply_markup and "keyboard" in message.reply_markup


async def test_crisis_in_the_description_declined_files_nothing(bot: Harness) -> None:
    zoe = bot.emu.add_user("Zoe", "en")
    await walk(bot, zoe, upto="description")
    before = len(bot.emu.messages(zoe.id))
    offer = await bot.say(zoe, "He is hitting me right now and I am scared")
    texts = bot.texts(zoe)[before:]
    assert len(texts) == 2
    assert "Call 112" in texts[0]
    assert texts[1].startswith("Do you want the municipality to get this as a report anyway? Nobody reads it")
    assert buttons(offer) == ["r:crisis:yes", "r:crisis:no"]
    message = await bot.press(zoe, offer, 1)
    assert message.plain_text == "Your report has not been sent. Please use the numbers above."
    assert await draft_step(bot, zoe) is None
    assert await count(bot, Report) == 0
    assert await count(bot, Delivery) == 0


async def test_undermining_category_explains_anonymity(bot: Harness) -> None:
    abe = bot.emu.add_user("Abe", "en")
    await walk(bot, abe, upto="description", category=CAT_UNDERMINING)
    assert any("0800-7000" in t for t in bot.texts(abe))


# --- photos -------------------------------------------------------------------------------------------


async def test_photos(bot: Harness) -> None:
    bo = bot.emu.add_user("Bo", "en")
    await walk(bot, bo, upto="photos")
    message = await bot.photo(bo)
    assert message.plain_text == "1 photo added." and buttons(message) == ["r:photos:done"]
    message = await bot.photo(bo)
    assert message.plain_text == "2 photos added."
    message = await bot.press(bo, message, 0)
    assert buttons(message) == ["r:upd:chat", "r:upd:none"]
    summary = await bot.press(bo, await bot.press(bo, await bot.press(bo, message, 0), 0), 0)
    assert "Photos: 2" in (summary.plain_text or "")
    reference = await send(bot, bo, summary)
    row = await report(bot, reference)
    assert len(row.photos) == 2 and len(set(row.photos)) == 2


async def test_third_photo_moves_on(bot: Harness) -> None:
    cor = bot.emu.add_user("Cor", "en")
    await walk(bot, cor, upto="photos")
    for _ in range(2):
        await bot.photo(cor)
    message = await bot.photo(cor)
    assert "3 photos added, that is the maximum." in bot.texts(cor)
    assert buttons(message) == ["r:upd:chat", "r:upd:none"]
    assert await draft_step(bot, cor) == "updates"
    # A photo now is not part of the report.
    message = await bot.photo(cor)
    assert message.plain_text == "Please use the buttons above, or /cancel to stop."
    loaded = await Drafts(bot.services.db).load(cor.id)
    assert loaded is not None and len(loaded[1].photos) == 3


async def test_change_photos_from_the_summary_replaces_them(bot: Harness) -> None:
    dex = bot.emu.add_user("Dex", "en")
    await walk(bot, dex, upto="photos")
    message = await bot.photo(dex)
    message = await bot.press(dex, message, 0)
    for index in (0, 0, 0):
        message = await bot.press(dex, message, index)
    assert "Photos: 1" in (message.plain_text or "")
    photos = await bot.press(dex, await bot.press(dex, message, 1), 3)
    assert buttons(photos) == ["r:photos:done"]
    summary = await bot.press(dex, photos, 0)
    assert "Photos: 0" in (summary.plain_text or "")


# --- report intent and the CLI ------------------------------------------------------------------------


async def test_plain_words_start_a_report(bot: Harness) -> None:
    eli = bot.emu.add_user("Eli", "en")
    message = await bot.say(eli, "I want to make a report")
    assert buttons(message)[0] == "r:cat:worried-about-youth"
    assert await draft_step(bot, eli) == "category"


@pytest.mark.parametrize(
    ("text", "municipality"),
    [("8084", "elburg"), ("Hattemerbroek", "oldebroek"), ("Wapenveld", "heerde")],
)
def test_cli_route(capsys: pytest.CaptureFixture[str], text: str, municipality: str) -> None:
    assert veiligbot(["route", text]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["text"], out["status"], out["municipality"], out["candidates"]) == (
        text,
        "ok",
        municipality,
        [municipality],
    )


def test_sandbox_report_reaches_the_heerde_staff_chat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VEILIGBOT_DATA_DIR", str(tmp_path / "data"))
    script = tmp_path / "report.txt"
    script.write_text(
        "\n".join(
            [
                "/melding",
                "#press 2",  # nuisance by young people (the sandbox counts from 1)
                "Hangjongeren bij de speeltuin, elke avond",
                "Wapenveld",
                "#press 1",  # yes, that's right
                "#press 1",  # no photos
                "#press 1",  # updates via this chat
                "#press 1",  # skip contact details
                "#press 1",  # agree
                "#press 1",  # send
            ]
        ),
        encoding="utf-8",
    )
    assert veiligbot(["chat", "--script", str(script)]) == 0
    transcript = capsys.readouterr().out
    assert REFERENCE.search(transcript), transcript
    reference = REFERENCE.search(transcript).group()  # type: ignore[union-attr]
    assert reference.startswith("HEE-")
    cards = [line for line in transcript.splitlines() if line.startswith("bot → [Heerde staff]")]
    assert len(cards) == 1, transcript
    assert reference in cards[0]
    assert not any(
        line.startswith("bot → [") and "staff]" in line and "Heerde" not in line for line in transcript.splitlines()
    )
