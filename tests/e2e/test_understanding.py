"""Understanding residents, end to end through the Bot API emulator: every path that takes words is triaged
(captions, a report whose draft is gone, hidden characters), a possible crisis opens the normal reply with
its crisis lines, a crisis in a report description can still be filed, and answers fit a phone screen.

Residents speak English where assertions quote the bot's wording, Dutch where the Dutch wording is the point.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from sqlalchemy import delete, select

from bot.cli.main import main as veiligbot
from bot.dev.emulator import Message, SimUser
from bot.storage.models import ChatTopic, Report, ReportDraft
from bot.triage.learned import TriageResult
from bot.triage.rules import Urgency
from tests.e2e.conftest import Harness
from tests.e2e.test_reports import CAT_NUISANCE, CAT_SCAM, MUNICIPALITIES, buttons, count, draft_step, walk

ANSWER = "ik heb op een link geklikt in een sms van de bank"  # → phishing, a long answer with a "first" line
NOT_SENT = "Your report has not been sent. Please use the numbers above."
EXPIRED = "Your unfinished report has expired or was removed. Start again with /melding."


def data_of(message: Message) -> list[str]:
    return [str(b.get("callback_data")) for b in message.buttons]


async def say_and_collect(bot: Harness, user: SimUser, text: str) -> list[Message]:
    before = len(bot.emu.messages(user.id))
    await bot.say(user, text)
    return bot.emu.messages(user.id)[before:]


def assert_crisis_guidance(message: Message, topic: str) -> None:
    """The crisis guidance message: its "read more" button names the crisis topic, then the menu."""
    assert data_of(message) == [f"topic:{topic}", "menu"], message.plain_text


# ---- every text path is triaged ------------------------------------------------------------------------


async def test_crisis_in_a_photo_caption_outside_the_flow_gets_crisis_guidance(bot: Harness) -> None:
    caption = "hij slaat me nu, help"
    assert bot.services.answerer.triage.classify(caption) is Urgency.EMERGENCY
    anna = bot.emu.add_user("Anna", "nl")
    before = len(bot.emu.messages(anna.id))
    message = await bot.photo(anna, caption)
    assert len(bot.emu.messages(anna.id)) == before + 1
    assert "112" in (message.plain_text or "")
    assert_crisis_guidance(message, "emergency")


async def test_crisis_in_a_photo_caption_inside_the_flow_stops_it(bot: Harness) -> None:
    john = bot.emu.add_user("John", "en")
    await walk(bot, john, upto="photos")
    before = len(bot.emu.messages(john.id))
    await bot.photo(john, "I want to kill myself")
    texts = bot.texts(john)[before:]
    assert "113" in texts[0] and "0800-0113" in texts[0]
    assert texts[-1] == NOT_SENT
    assert await draft_step(bot, john) is None
    assert await count(bot, Report) == 0


async def test_crisis_caption_on_a_photo_at_a_button_step_gets_guidance(bot: Harness) -> None:
    sara = bot.emu.add_user("Sara", "en")
    await walk(bot, sara, upto="updates")
    before = len(bot.emu.messages(sara.id))
    await bot.photo(sara, "my father hits me")
    texts = bot.texts(sara)[before:]
    assert "0800-2000" in texts[0]  # Veilig Thuis
    assert "Please use the buttons above" not in " ".join(texts)


async def test_crisis_after_the_draft_was_deleted_mid_flow_gets_crisis_guidance(bot: Harness) -> None:
    """/verwijder in the middle of a report deletes the draft; the conversation still waits for a place."""
    anna = bot.emu.add_user("Anna", "en")
    await walk(bot, anna, upto="place")
    confirm = await bot.say(anna, "/verwijder")
    await bot.press(anna, confirm, 0)  # yes, delete
    assert await draft_step(bot, anna) is None
    replies = await say_and_collect(bot, anna, "he is hitting me right now, help")
    assert len(replies) == 1
    assert "112" in (replies[0].plain_text or "")
    assert_crisis_guidance(replies[0], "emergency")
    assert EXPIRED not in bot.texts(anna)
    assert await count(bot, Report) == 0


async def test_crisis_after_the_draft_row_vanished_gets_crisis_guidance_not_expired(bot: Harness) -> None:
    ben = bot.emu.add_user("Ben", "en")
    await walk(bot, ben, upto="description")
    async with bot.services.db.session() as session:
        await session.execute(delete(ReportDraft).where(ReportDraft.user_id == ben.id))
    replies = await say_and_collect(bot, ben, "I want to kill myself")
    assert len(replies) == 1
    assert "113" in (replies[0].plain_text or "")
    assert_crisis_guidance(replies[0], "suicidal-thoughts")
    # Anything else there still gets the "expired" note (and the conversation is over).
    cas = bot.emu.add_user("Cas", "en")
    await walk(bot, cas, upto="description")
    async with bot.services.db.session() as session:
        await session.execute(delete(ReportDraft).where(ReportDraft.user_id == cas.id))
    message = await bot.say(cas, "Youngsters smash bottles at the playground.")
    assert message.plain_text == EXPIRED


async def test_zero_width_split_crisis_word_gets_crisis_guidance(
    bot: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "ik wil d\u200bood"
    assert veiligbot(["ask", text]) == 0
    decision = json.loads(capsys.readouterr().out)
    assert (decision["action"], decision["urgency"]) == ("urgent", "suicide")
    anna = bot.emu.add_user("Anna", "nl")
    replies = await say_and_collect(bot, anna, text)
    assert "113" in (replies[0].plain_text or "")
    assert_crisis_guidance(replies[0], "suicidal-thoughts")


# ---- a possible crisis (concern) -----------------------------------------------------------------------


@pytest.fixture
def suicide_concern(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every message is a possible (not urgent) suicide crisis: the model's levels may move, this test must not."""

    def assess(text: str, levels: object = None) -> TriageResult:
        return TriageResult(None, Urgency.SUICIDE, 0.5)

    def assess_many(texts: Sequence[str], levels: object = None) -> list[TriageResult]:
        return [assess(text) for text in texts]

    # Both paths: the update processor triages arrivals in batches, `decide` one text at a time.
    monkeypatch.setattr(bot.services.answerer.triage, "assess", assess)
    monkeypatch.setattr(bot.services.answerer.triage, "assess_many", assess_many)


@pytest.mark.parametrize("text", [ANSWER, "wanneer wordt het grofvuil opgehaald", "probleem met kind"])
@pytest.mark.usefixtures("suicide_concern")
async def test_concern_reply_opens_with_crisis_lines_and_a_help_button(bot: Harness, text: str) -> None:
    decision = bot.services.answerer.decide(text)
    assert decision.concern is Urgency.SUICIDE and decision.action != "urgent"
    anna = bot.emu.add_user("Anna", "nl")
    replies = await say_and_collect(bot, anna, text)
    assert len(replies) == 1
    reply = replies[0]
    first_line = (reply.plain_text or "").splitlines()[0]
    assert first_line.startswith("💛 Denk je aan zelfdoding, of maak je je zorgen om iemand?")
    assert "113" in first_line and "0800-0113" in first_line and "112" in first_line
    assert data_of(reply)[0] == "help:suicide"
    assert reply.buttons[0]["text"] == "🆘 Ik heb nu hulp nodig"
    if decision.action == "answer":  # the normal reply follows the lines
        assert bot.services.kb.topics[str(decision.topic)].nl.title in (reply.plain_text or "")

    # The button shows the full guidance for that class.
    guidance = await bot.press(anna, reply, 0)
    assert guidance.message_id != reply.message_id
    assert "113" in (guidance.plain_text or "") and "0800-0113" in (guidance.plain_text or "")
    assert len(guidance.plain_text or "") > len(first_line)
    assert_crisis_guidance(guidance, "suicidal-thoughts")


async def test_a_message_without_concern_gets_no_crisis_lines(bot: Harness) -> None:
    decision = bot.services.answerer.decide(ANSWER)
    assert decision.concern is None
    anna = bot.emu.add_user("Anna", "nl")
    answer = await bot.say(anna, ANSWER)
    assert not any(d.startswith("help:") for d in data_of(answer))
    assert "113" not in (answer.plain_text or "")


# ---- a crisis in a report description ------------------------------------------------------------------

PARENT = "My 15 year old son says he does not want to live anymore. I want the youth team to know."


async def test_crisis_description_then_filed_as_a_non_urgent_report(bot: Harness) -> None:
    assert bot.services.answerer.triage.classify(PARENT) is Urgency.SUICIDE
    mia = bot.emu.add_user("Mia", "en")
    await walk(bot, mia, upto="description", category=0)  # worried about a young person
    before = len(bot.emu.messages(mia.id))
    offer = await bot.say(mia, PARENT)
    texts = bot.texts(mia)[before:]
    assert "113" in texts[0] and "0800-0113" in texts[0]  # the crisis guidance first
    assert "Nobody reads it straight away" in texts[1]
    assert buttons(offer) == ["r:crisis:yes", "r:crisis:no"]
    assert await draft_step(bot, mia) == "crisis_offer"

    place = await bot.press(mia, offer, 0)  # yes: the description is kept, on to the place
    assert place.reply_markup and "keyboard" in place.reply_markup
    confirm = await bot.say(mia, "Wapenveld")
    message = await bot.press(mia, confirm, 0)
    for index in (0, 0, 0, 0):  # no photos, updates via chat, skip contact, agree
        message = await bot.press(mia, message, index)
    assert PARENT in (message.plain_text or "")  # the summary
    confirmation = await bot.press(mia, message, 0)
    assert "HEE-" in (confirmation.plain_text or "")
    (row,) = await reports(bot)
    assert (row.description, row.category, row.municipality) == (PARENT, "worried-about-youth", "heerde")


async def test_a_crisis_too_short_for_a_description_asks_for_one_after_yes(bot: Harness) -> None:
    assert bot.services.answerer.triage.classify("zelfmoord") is not None
    nina = bot.emu.add_user("Nina", "en")
    await walk(bot, nina, upto="description")
    offer = await bot.say(nina, "zelfmoord")  # 9 characters: not a description
    assert buttons(offer) == ["r:crisis:yes", "r:crisis:no"]
    message = await bot.press(nina, offer, 0)
    assert (message.plain_text or "").startswith("Describe what is going on")
    assert await draft_step(bot, nina) == "description"


async def reports(bot: Harness) -> list[Report]:
    async with bot.services.db.session() as session:
        return list(await session.scalars(select(Report)))


# ---- answers a resident on a phone can use -------------------------------------------------------------


async def test_the_same_topic_again_points_to_the_answer_above(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "nl")
    first = await bot.say(anna, ANSWER)
    title = bot.services.kb.topics["phishing"].nl.title
    assert (first.plain_text or "").startswith(title)
    again = await say_and_collect(bot, anna, "ik heb een sms van de bank gekregen met een link en erop geklikt")
    assert len(again) == 1
    text = again[0].plain_text or ""
    assert not text.startswith(title)
    assert text.startswith("Mijn antwoord daarop staat in het bericht hierboven")
    assert title in text and len(text) < 300
    assert data_of(again[0]) == ["more:phishing", f"rep:{bot.services.kb.topics['phishing'].report}", "menu"]
    rest = await bot.press(anna, again[0], 0)  # "Meer" from the short reply works too
    assert "Fraudehelpdesk" in (rest.plain_text or "")
    # Another question in between: the next phishing question gets the whole answer again.
    await bot.say(anna, "wanneer bel ik 112?")
    third = await bot.say(anna, ANSWER)
    assert (third.plain_text or "").startswith(title)


async def test_the_last_topic_survives_a_restart_and_is_forgotten_with_the_resident(bot: Harness) -> None:
    """The topic of the answer above is stored, not kept in memory: after a restart (or a standby taking over)
    the same question still points to it; /verwijder forgets it."""
    anna = bot.emu.add_user("Anna", "nl")
    title = bot.services.kb.topics["phishing"].nl.title
    assert (await bot.say(anna, ANSWER)).plain_text.startswith(title)  # type: ignore[union-attr]
    async with bot.services.db.session() as session:
        assert (await session.get(ChatTopic, anna.id)) is not None

    await bot.restart()
    again = await bot.say(anna, ANSWER)
    assert (again.plain_text or "").startswith("Mijn antwoord daarop staat in het bericht hierboven")
    shown = (await bot.say(anna, "/mijngegevens")).plain_text or ""  # the resident can see what is kept
    assert f"Onderwerp van het laatste antwoord (een dag bewaard): {title}" in shown

    await bot.say(anna, "hallo")  # anything else clears it, in the database too
    assert "Onderwerp van het laatste antwoord: geen" in ((await bot.say(anna, "/mijngegevens")).plain_text or "")
    async with bot.services.db.session() as session:
        assert (await session.get(ChatTopic, anna.id)) is None
    await bot.restart()
    assert (await bot.say(anna, ANSWER)).plain_text.startswith(title)  # type: ignore[union-attr]

    confirm = await bot.say(anna, "/verwijder")
    await bot.press(anna, confirm, data_of(confirm).index("del:yes"))
    async with bot.services.db.session() as session:
        assert (await session.get(ChatTopic, anna.id)) is None
    assert (await bot.say(anna, ANSWER)).plain_text.startswith(title)  # type: ignore[union-attr]


async def test_what_to_do_first_comes_right_after_the_title(bot: Harness) -> None:
    john = bot.emu.add_user("John", "en")
    topic = bot.services.kb.topics["friend-in-need-fraud"]
    answer = await bot.say(john, "/start friend-in-need-fraud")
    lines = (answer.plain_text or "").splitlines()
    assert lines[0] == topic.en.title
    assert topic.en.first and topic.en.first in lines[1]
    assert "bank" in lines[1]


async def test_crisis_topic_keeps_its_helplines_on_the_first_screen(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "nl")
    answer = await bot.say(anna, "/start sextortion")
    text = answer.plain_text or ""
    assert "113 Zelfmoordpreventie" in text  # a crisis helpline: never behind "Meer"
    assert "more:sextortion" in data_of(answer)


# ---- the report flow understands typed words -----------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "step"),
    [
        ("stop", "description"),
        ("Annuleren", "place"),
        ("annuleer!", "contact"),
        ("CANCEL", "updates"),
        ("Stop", "summary"),
    ],
)
async def test_typed_stop_cancels_at_every_text_step(bot: Harness, word: str, step: str) -> None:
    rosa = bot.emu.add_user("Rosa", "en")
    await walk(bot, rosa, upto=step)
    message = await bot.say(rosa, word)
    assert (message.plain_text or "").startswith("Cancelled. Nothing has been sent.")
    assert bot.emu.active_reply_keyboard(rosa.id) is None
    assert await draft_step(bot, rosa) is None
    assert await count(bot, Report) == 0


@pytest.mark.parametrize("word", ["online", "Internet", "geen plek", "nergens"])
async def test_typed_online_works_like_the_online_button(bot: Harness, word: str) -> None:
    eva = bot.emu.add_user("Eva", "en")
    await walk(bot, eva, upto="place", category=CAT_SCAM)
    message = await bot.say(eva, word)
    assert buttons(message) == [f"r:mun:{m}" for m in MUNICIPALITIES]
    assert "Okay, no particular place." in bot.texts(eva)


async def test_a_place_typed_after_an_unknown_place_is_routed(bot: Harness) -> None:
    gus = bot.emu.add_user("Gus", "en")
    await walk(bot, gus, upto="place")
    message = await bot.say(gus, "Atlantis onder zee")
    assert buttons(message) == [f"r:mun:{m}" for m in MUNICIPALITIES]
    message = await bot.say(gus, "Wapenveld")
    assert buttons(message) == ["r:place:yes", "r:place:other"]
    assert "I found: Wapenveld, municipality of Heerde." in bot.texts(gus)
    message = await bot.press(gus, message, 0)
    for index in (0, 0, 0, 0):
        message = await bot.press(gus, message, index)
    confirmation = await bot.press(gus, message, 0)
    assert "HEE-" in (confirmation.plain_text or "")
    (row,) = await reports(bot)
    assert (row.place_text, row.municipality) == ("Wapenveld", "heerde")


async def test_a_village_typed_for_the_municipality_of_an_online_report_keeps_it_online(bot: Harness) -> None:
    ivo = bot.emu.add_user("Ivo", "en")
    prompt = await walk(bot, ivo, upto="place", category=CAT_SCAM)
    await bot.press(ivo, prompt, 1)  # online / no particular place → which municipality do you live in?
    message = await bot.say(ivo, "Wapenveld")
    assert buttons(message) == ["r:photos:done"]
    assert "Municipality: Heerde." in bot.texts(ivo)
    for index in (0, 0, 0, 0):
        message = await bot.press(ivo, message, index)
    assert "online / no particular place" in (message.plain_text or "")


async def test_dutch_texts_say_annuleer_and_it_cancels(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "nl")
    await walk(bot, anna, upto="description", category=CAT_NUISANCE)
    texts = bot.texts(anna)
    assert any("/annuleer" in t for t in texts)
    assert not any("/cancel" in t for t in texts)
    help_text = (await bot.say(anna, "/help")).plain_text or ""
    assert "/annuleer" in help_text and "/cancel" not in help_text
    message = await bot.say(anna, "/annuleer")
    assert (message.plain_text or "").startswith("Gestopt.")
    assert await draft_step(bot, anna) is None
    message = await bot.say(anna, "/annuleer")
    assert message.plain_text == "Er is niets om te annuleren. Typ een vraag, of begin een melding met /melding."


async def test_a_photo_or_location_outside_the_flow_gets_a_helpful_reply(bot: Harness) -> None:
    john = bot.emu.add_user("John", "en")
    for message in (await bot.photo(john), await bot.location(john, 52.35, 5.98)):
        assert "/melding" in (message.plain_text or "")
        assert data_of(message) == ["rep:-", "menu"]
    assert await draft_step(bot, john) is None


async def test_a_scam_report_says_it_is_not_an_aangifte(bot: Harness) -> None:
    eva = bot.emu.add_user("Eva", "en")
    categories = await walk(bot, eva, upto="category")
    assert "This is not an aangifte (police report)." in (categories.plain_text or "")
    await bot.press(eva, categories, CAT_SCAM)
    note = next(t for t in bot.texts(eva) if t.startswith("ℹ️ A report is not an aangifte"))
    assert "money back" in note and "0900-8844" in note and "politie.nl" in note and "bank" in note
    prompt = await bot.say(eva, "Many fake text messages from 'the bank' in our street this week.")
    message = await bot.press(eva, prompt, 1)
    message = await bot.press(eva, message, MUNICIPALITIES.index("elburg"))
    for index in (0, 0, 0, 0):
        message = await bot.press(eva, message, index)
    confirmation = (await bot.press(eva, message, 0)).plain_text or ""
    assert "ELB-" in confirmation
    assert "A report is not an aangifte" in confirmation and "0900-8844" in confirmation
    # Other categories say nothing about it.
    finn = bot.emu.add_user("Finn", "en")
    await walk(bot, finn, upto="description", category=CAT_NUISANCE)
    assert not any(t.startswith("ℹ️ A report is not an aangifte") for t in bot.texts(finn))


async def test_the_fallback_for_epe_points_to_overheid_nl(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "nl")
    text = (await bot.say(anna, "ik woon in Vaassen, wanneer wordt het grofvuil opgehaald")).plain_text or ""
    assert "gemeente Epe" in text
    assert "overheid.nl" in text and "Overheidsorganisaties" in text
    assert "via zijn website" not in text and "epe.nl" not in text


async def test_a_place_outside_the_region_names_its_municipality(bot: Harness) -> None:
    hans = bot.emu.add_user("Hans", "nl")
    await walk(bot, hans, upto="place")
    text = (await bot.say(hans, "Hierden")).plain_text or ""
    assert text.startswith("Hierden ligt buiten Elburg, Epe, Hattem, Heerde, Nunspeet en Oldebroek.")
    assert "Neem contact op met de gemeente Harderwijk." in text
    assert "overheid.nl" in text and "gemeente Hierden" not in text
    # A shared location far outside: the place is named, and no municipality is made up.
    await walk(bot, hans, upto="place")
    text = (await bot.location(hans, 52.09, 5.12)).plain_text or ""
    assert "ligt buiten" in text
    assert "Neem contact op met de gemeente waar het gebeurt." in text
    assert "gemeente die plaats" not in text
    assert await count(bot, Report) == 0
