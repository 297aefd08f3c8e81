"""Standard texts and possible duplicates end to end: a standard question reaches the resident in their language;
a similar new report's card says "mogelijk gerelateerd aan …", staff link it with one tap, and closing the main
report closes the related one and tells its resident, in their language and with their own reference."""

from __future__ import annotations

from bot.dev.emulator import Message, SimChat
from knowledge.standard_texts import load_standard_texts
from tests.e2e.conftest import Harness
from tests.e2e.test_reports import file_via_chat
from tests.e2e.test_staff import actions, events, last_alert, press, report_of, setup

SIMILAR = "Every evening young people at the playground, smashing bottles and shouting."
DIFFERENT = "Jongeren intimideren ouderen bij het winkelcentrum, vooral op zaterdag."


def card_for(bot: Harness, group: SimChat, reference: str) -> Message:
    cards = [m for m in bot.emu.messages(group.id) if m.from_bot and f"📝 {reference}" in (m.plain_text or "")]
    assert cards, f"no card for {reference}"
    return cards[0]


async def test_a_similar_report_is_hinted_linked_with_one_tap_and_closed_with_its_main(bot: Harness) -> None:
    epe, _hattem, eva, hugo, anna = await setup(bot)
    ben, carla = bot.emu.add_user("Ben", "nl"), bot.emu.add_user("Carla", "nl")
    main = await file_via_chat(bot, anna, place="Epe")  # English: "Youngsters gather at the playground ..."
    await bot.quiet()
    related = await file_via_chat(bot, ben, place="Epe", description=SIMILAR)
    other = await file_via_chat(bot, carla, place="Epe", description=DIFFERENT)
    await bot.quiet()

    card = card_for(bot, epe, related)
    assert f"mogelijk gerelateerd aan {main}" in (card.plain_text or "")
    assert "link" in actions(card)
    assert "gerelateerd" not in (card_for(bot, epe, main).plain_text or "")
    assert "gerelateerd" not in (card_for(bot, epe, other).plain_text or "")  # same category, another concern

    # Only staff of the municipality may link; the refusal is recorded.
    await press(bot, hugo, card, "link")
    assert last_alert(bot)
    assert (await report_of(bot, related)).related_to_id is None

    await press(bot, eva, card, "link")
    main_row, related_row = await report_of(bot, main), await report_of(bot, related)
    assert related_row.related_to_id == main_row.id
    assert [e.note for e in await events(bot, related) if e.action == "link"] == [f"hoofdmelding {main}"]
    assert [e.note for e in await events(bot, main) if e.action == "link"] == [f"gerelateerd {related}"]
    card = card_for(bot, epe, related)
    assert f"Gekoppeld aan hoofdmelding {main}" in (card.plain_text or "") and "unlink" in actions(card)
    assert f"Gerelateerde meldingen: {related}" in (card_for(bot, epe, main).plain_text or "")

    # Closing the main report with a standard text closes the related one; each resident hears it in their own
    # language, with their own reference.
    text = load_standard_texts().choices("youth-nuisance", "close")[0]
    await press(bot, eva, card_for(bot, epe, main), "close")
    await press(bot, eva, bot.last(epe), "tpl")
    await press(bot, eva, bot.last(epe), "send")
    assert (await report_of(bot, main)).status == "closed"
    assert (await report_of(bot, related)).status == "closed"
    to_ben = bot.last(ben)
    assert related in (to_ben.plain_text or "") and main not in (to_ben.plain_text or "")
    assert text.nl in (to_ben.plain_text or "") and [b["text"] for b in to_ben.buttons] == ["👍", "👎"]
    to_anna = bot.last(anna)
    assert main in (to_anna.plain_text or "") and text.en in (to_anna.plain_text or "")
    closed = [e for e in await events(bot, related) if e.action == "close"]
    assert len(closed) == 1 and closed[0].actor == f"staff:{eva.id}" and closed[0].note == text.nl
    assert (await report_of(bot, other)).status == "new"  # not linked, not closed


async def test_a_standard_question_reaches_an_english_resident_in_english(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, anna = await setup(bot)
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    question = load_standard_texts().choices("youth-nuisance", "question")[0]
    await press(bot, eva, card_for(bot, epe, reference), "ask")
    picker = bot.last(epe)
    assert question.nl in (picker.plain_text or "") and actions(picker)[-1] == "own"
    await press(bot, eva, picker, "tpl")
    preview = bot.last(epe)
    assert question.nl in (preview.plain_text or "") and actions(preview) == ["send", "drop"]
    await press(bot, eva, preview, "send")
    asked = bot.last(anna)
    assert question.en in (asked.plain_text or "") and reference in (asked.plain_text or "")
    assert [str(b["callback_data"]).split(":")[1] for b in asked.buttons] == ["answer"]
    assert (await report_of(bot, reference)).status == "reaction_requested"
    assert [e.note for e in await events(bot, reference) if e.action == "ask"] == [question.nl]
