"""Answering free text through the Bot API emulator: answers, crisis first, fallback, did-you-mean, menus."""

from __future__ import annotations

import io
import json
import sys

import pytest
from sqlalchemy import inspect, select

from bot.cli.main import main as veiligbot
from bot.dev.emulator import Message, SimUser
from bot.storage.models import MissedQuestion, TopicFeedback
from tests.e2e.conftest import Harness

THEME_BUTTONS = ["theme:digital", "theme:youth", "theme:undermining", "theme:general"]


def callback_data(message: Message) -> list[str]:
    return [str(b.get("callback_data")) for b in message.buttons]


async def say_and_collect(bot: Harness, user: SimUser, text: str) -> list[Message]:
    """Every message the bot sent in reply to ``text``, in order."""
    before = len(bot.emu.messages(user.id))
    await bot.say(user, text)
    return bot.emu.messages(user.id)[before:]


# ---- answers -------------------------------------------------------------------------------------------


async def test_phishing_question_gets_the_phishing_answer(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "nl")
    replies = await say_and_collect(bot, anna, "ik heb op een link geklikt in een sms van de bank")
    assert len(replies) == 1
    answer = replies[0]
    text = answer.plain_text or ""
    phishing = bot.services.kb.topics["phishing"]
    assert text.startswith(phishing.nl.title)
    assert {"type": "bold", "offset": 0, "length": len(phishing.nl.title)} in answer.entities
    assert phishing.nl.first and phishing.nl.first in text.splitlines()[1]  # what to do first, under the title
    assert f"1. {phishing.nl.steps[0]}" in text
    assert len(text) <= 750  # one phone screen (about 700 characters) and "did this help?"

    data = callback_data(answer)
    assert data[:2] == ["fb:phishing:1", "fb:phishing:0"]
    assert "👍" in answer.buttons[0]["text"]
    assert "👎" in answer.buttons[1]["text"]
    assert data[2] == "more:phishing"
    assert answer.buttons[2]["text"] == "📖 Meer"
    assert f"rep:{phishing.report}" in data
    related = [d.removeprefix("topic:") for d in data if d.startswith("topic:")]
    assert related and set(related) <= set(phishing.related)
    assert data[-1] == "menu"

    # "Meer": the rest as a second message (every step that was not shown, the helplines); the button goes.
    rest = await bot.press(anna, answer, 2)
    assert rest.message_id != answer.message_id
    both = text + (rest.plain_text or "")
    for i, step in enumerate(phishing.nl.steps, start=1):
        assert f"{i}. {step}" in both
    assert "Fraudehelpdesk" in (rest.plain_text or "")
    first_screen = next(m for m in bot.emu.messages(anna.id) if m.message_id == answer.message_id)
    assert "more:phishing" not in callback_data(first_screen)
    assert callback_data(first_screen)[:2] == ["fb:phishing:1", "fb:phishing:0"]  # the rest stays
    assert callback_data(rest) == [f"rep:{phishing.report}", "menu"]


async def test_thumbs_up_counts_anonymously_and_removes_the_feedback_row(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "nl")
    answer = await bot.say(anna, "ik heb op een link geklikt in een sms van de bank")
    count_before = len(bot.emu.messages(anna.id))
    after = await bot.press(anna, answer, 0)

    assert after.message_id == answer.message_id  # edited in place, nothing new sent
    assert len(bot.emu.messages(anna.id)) == count_before
    assert after.plain_text == answer.plain_text
    data = callback_data(after)
    assert not any(d.startswith("fb:") for d in data)
    assert data == callback_data(answer)[2:]  # the rest of the keyboard stays
    query = bot.emu.callback_queries()[-1]
    assert query.answered
    assert query.text  # a thank-you toast

    async with bot.services.db.session() as session:
        row = await session.get(TopicFeedback, "phishing")
        assert row is not None
        assert (row.helpful, row.not_helpful) == (1, 0)
    assert set(TopicFeedback.__table__.columns.keys()) == {"topic_id", "helpful", "not_helpful"}

    # A second answer (a deep link: a typed question would point to the answer above), 👎 this time, adds
    # to the same anonymous counter.
    second = await bot.say(anna, "/start phishing")
    await bot.press(anna, second, 1)
    async with bot.services.db.session() as session:
        row = await session.get(TopicFeedback, "phishing")
        assert row is not None
        assert (row.helpful, row.not_helpful) == (1, 1)


# ---- crisis first --------------------------------------------------------------------------------------


async def test_suicidal_message_gets_113_first(bot: Harness) -> None:
    john = bot.emu.add_user("John", "en")
    replies = await say_and_collect(bot, john, "I want to kill myself")
    first = replies[0].plain_text or ""
    assert "113" in first
    assert "0800-0113" in first
    assert "112" in first
    assert "topic:suicidal-thoughts" in callback_data(replies[0])
    assert not any(d.startswith("fb:") for d in callback_data(replies[0]))  # no 👍/👎 on a crisis reply


async def test_burglar_still_in_the_house_gets_112(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "nl")
    replies = await say_and_collect(bot, anna, "er is iemand in mijn huis ingebroken en hij is er nog")
    first = replies[0].plain_text or ""
    assert "112" in first
    assert first.index("112") < 100  # in the first lines
    data = callback_data(replies[0])
    assert "topic:emergency" in data
    # Pressing "read more" shows the emergency topic afterwards.
    topic = await bot.press(anna, replies[0], data.index("topic:emergency"))
    assert (topic.plain_text or "").startswith(bot.services.kb.topics["emergency"].nl.title)


async def test_abuse_at_home_gets_veilig_thuis(bot: Harness) -> None:
    anna = bot.emu.add_user("Sara", "nl")
    replies = await say_and_collect(bot, anna, "mijn vader slaat mij")
    first = replies[0].plain_text or ""
    assert "Veilig Thuis" in first
    assert "0800-2000" in first
    assert "topic:domestic-violence" in callback_data(replies[0])


async def test_question_about_112_is_not_a_crisis(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "nl")
    replies = await say_and_collect(bot, anna, "wanneer bel ik 112?")
    assert len(replies) == 1
    assert (replies[0].plain_text or "").startswith(bot.services.kb.topics["emergency"].nl.title)
    assert callback_data(replies[0])[:2] == ["fb:emergency:1", "fb:emergency:0"]


# ---- fallback and did-you-mean -------------------------------------------------------------------------


async def test_out_of_scope_question_gets_honest_fallback_and_is_stored_without_user(bot: Harness) -> None:
    question = "wanneer wordt het grofvuil opgehaald"
    anna = bot.emu.add_user("Anna", "nl")
    replies = await say_and_collect(bot, anna, question)
    assert len(replies) == 1
    text = replies[0].plain_text or ""
    assert "112" in text
    assert "0900-8844" in text
    assert callback_data(replies[0])[:4] == THEME_BUTTONS
    assert not any(d.startswith("fb:") for d in callback_data(replies[0]))

    async with bot.services.db.session() as session:
        rows = list(await session.scalars(select(MissedQuestion)))

        def columns(connection: object) -> list[str]:
            return [c["name"] for c in inspect(connection).get_columns("missed_questions")]

        table_columns = await (await session.connection()).run_sync(columns)
    assert [(r.text, r.language, r.action) for r in rows] == [(question, "nl", "fallback")]
    assert sorted(table_columns) == ["action", "created_at", "id", "language", "text"]
    assert not any("user" in c or "chat" in c for c in table_columns)
    assert str(anna.id) not in repr([(r.id, r.text, r.language, r.action) for r in rows])


CLARIFY_CANDIDATES = ["geld", "iets met mijn telefoon", "ik weet het niet", "probleem met kind", "hulp nodig"]


async def test_unclear_message_asks_which_topic_was_meant(bot: Harness) -> None:
    # The search is tuned over time; take the first of these vague messages that the answerer calls unclear.
    decisions = [bot.services.answerer.decide(t) for t in CLARIFY_CANDIDATES]
    unclear = next((d for d in decisions if d.action == "clarify"), None)
    assert unclear is not None, "none of the vague messages leads to a did-you-mean"

    anna = bot.emu.add_user("Anna", "nl")
    replies = await say_and_collect(bot, anna, unclear.text)
    assert len(replies) == 1
    data = callback_data(replies[0])
    topics = [d.removeprefix("topic:") for d in data[:-1]]
    assert 1 <= len(topics) <= 3
    assert all(d.startswith("topic:") for d in data[:-1])
    assert topics == [c.topic for c in unclear.candidates[:3]]
    assert data[-1] == "none"

    shown = await bot.press(anna, replies[0], 0)
    assert (shown.plain_text or "").startswith(bot.services.kb.topics[topics[0]].nl.title)

    # "None of these" ends in the honest fallback with the theme menu.
    fallback = await bot.press(anna, replies[0], len(data) - 1)
    assert callback_data(fallback)[:4] == THEME_BUTTONS


# ---- menus and deep links ------------------------------------------------------------------------------


async def test_theme_menu_leads_to_a_topic(bot: Harness) -> None:
    john = bot.emu.add_user("John", "en")
    welcome = await bot.say(john, "/start")
    theme_list = await bot.press(john, welcome, 0)
    digital = bot.services.kb.by_theme("digital")
    assert callback_data(theme_list) == [f"topic:{t.id}" for t in digital] + ["menu"]
    assert "Online safety and fraud" in (theme_list.plain_text or "")

    topic = await bot.press(john, theme_list, 0)
    assert (topic.plain_text or "").startswith(digital[0].en.title)

    menu = await bot.press(john, topic, len(topic.buttons) - 1)
    assert callback_data(menu) == THEME_BUTTONS


async def test_deep_link_opens_a_topic(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "nl")
    replies = await say_and_collect(bot, anna, "/start phishing")
    assert len(replies) == 1
    assert (replies[0].plain_text or "").startswith(bot.services.kb.topics["phishing"].nl.title)

    unknown = await say_and_collect(bot, anna, "/start no-such-topic")
    assert callback_data(unknown[0]) == THEME_BUTTONS  # an unknown payload gets the normal welcome


# ---- veiligbot ask -------------------------------------------------------------------------------------


def assert_decision_json(data: dict[str, object]) -> None:
    assert set(data) == {"text", "action", "topic", "candidates", "urgency", "concern"}
    assert data["action"] in ("answer", "clarify", "fallback", "urgent")
    candidates = data["candidates"]
    assert isinstance(candidates, list)
    assert len(candidates) <= 5
    for candidate in candidates:
        assert set(candidate) == {"topic", "score"}
        assert 0 <= candidate["score"] <= 100


def test_ask_prints_the_decision_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert veiligbot(["ask", "ik heb op een link geklikt in een sms van de bank"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert_decision_json(data)
    assert data["text"] == "ik heb op een link geklikt in een sms van de bank"
    assert (data["action"], data["topic"], data["urgency"]) == ("answer", "phishing", None)


def test_ask_jsonl_reads_one_message_per_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("I want to kill myself\n\n   \nwanneer bel ik 112?\r\n"))
    assert veiligbot(["ask", "--jsonl"]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(results) == 2  # blank lines are skipped
    for data in results:
        assert_decision_json(data)
    assert [r["text"] for r in results] == ["I want to kill myself", "wanneer bel ik 112?"]
    assert (results[0]["action"], results[0]["urgency"]) == ("urgent", "suicide")
    assert (results[1]["action"], results[1]["topic"], results[1]["urgency"]) == ("answer", "emergency", None)
