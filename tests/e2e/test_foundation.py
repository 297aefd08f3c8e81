"""Foundation behaviour through the Bot API emulator: languages, welcome, privacy, menus, limits, errors."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from telegram import Bot
from telegram.error import BadRequest

from bot.app import SANDBOX_TOKEN
from bot.dev.emulator import MAX_TEXT_LENGTH, Message
from bot.storage.models import Resident
from knowledge.render import FIRST_SCREEN, render_topic, visible_length
from tests.e2e.conftest import Harness

COMMAND_NAMES = ["start", "melding", "mijnmeldingen", "taal", "privacy", "help"]


def callback_data(message: Message) -> list[str]:
    return [str(b.get("callback_data")) for b in message.buttons]


def assert_theme_menu(message: Message) -> None:
    assert callback_data(message) == ["theme:digital", "theme:youth", "theme:undermining", "theme:general"]


# ---- /start and languages -----------------------------------------------------------------------------


async def test_start_welcomes_a_dutch_user_in_dutch(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "nl")
    message = await bot.say(anna, "/start")
    text = message.plain_text or ""
    # Language-independent facts first.
    assert "Anna" in text
    assert "112" in text
    assert "/privacy" in text
    assert "/melding" in text
    assert_theme_menu(message)
    # The Dutch catalog.
    assert "Hallo" in text
    assert "Hello" not in text


async def test_start_is_english_for_an_english_telegram(bot: Harness) -> None:
    john = bot.emu.add_user("John", "en-GB")
    message = await bot.say(john, "/start")
    text = message.plain_text or ""
    assert text.startswith("Hello John!")
    assert "112" in text
    assert "/privacy" in text
    assert_theme_menu(message)
    assert message.buttons[0]["text"] == "🔐 Online safety and fraud"


async def test_unsupported_telegram_language_gets_dutch(bot: Harness) -> None:
    dutch = bot.emu.add_user("Kim", "nl")
    german = bot.emu.add_user("Kim", "de")
    english = bot.emu.add_user("Kim", "en")
    nl_text = (await bot.say(dutch, "/start")).plain_text
    de_message = await bot.say(german, "/start")
    en_text = (await bot.say(english, "/start")).plain_text
    assert de_message.plain_text == nl_text
    assert [b["text"] for b in de_message.buttons] == [b["text"] for b in bot.last(dutch).buttons]
    assert "Hallo" in (de_message.plain_text or "")
    assert de_message.plain_text != en_text


async def test_language_choice_switches_survives_restart_and_beats_telegram(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "nl")
    menu = await bot.say(anna, "/taal")
    assert callback_data(menu) == ["lang:nl", "lang:en"]
    assert [b["text"] for b in menu.buttons] == ["🇳🇱 Nederlands", "🇬🇧 English"]

    before = len(bot.emu.messages(anna.id))
    welcome = await bot.press(anna, menu, 1)
    edited = next(m for m in bot.emu.messages(anna.id) if m.message_id == menu.message_id)
    assert edited.edited
    assert "English" in (edited.plain_text or "")
    assert edited.buttons == []  # the language keyboard is gone
    assert len(bot.emu.messages(anna.id)) == before + 1
    assert (welcome.plain_text or "").startswith("Hello Anna!")
    assert bot.emu.callback_queries()[-1].answered

    async with bot.services.db.session() as session:
        stored = await session.scalar(select(Resident.language).where(Resident.user_id == anna.id))
    assert stored == "en"

    await bot.restart()
    again = await bot.say(anna, "/start")  # Telegram still says "nl"
    assert (again.plain_text or "").startswith("Hello Anna!")
    assert "Hallo" not in (again.plain_text or "")

    # And back to Dutch.
    menu = await bot.say(anna, "/language")
    dutch = await bot.press(anna, menu, 0)
    assert "Hallo Anna" in (dutch.plain_text or "")


async def test_first_name_is_escaped(bot: Harness) -> None:
    mallory = bot.emu.add_user("<b>Mal & Co</b>", "en")
    message = await bot.say(mallory, "/start")
    # The emulator rejects invalid HTML and a bare "&": arriving proves escaping; the literal text proves it.
    assert "Hello <b>Mal & Co</b>!" in (message.plain_text or "")
    assert all(c.status == 200 for c in bot.emu.calls("sendMessage"))


async def test_privacy_says_what_is_stored_and_how_to_delete(bot: Harness) -> None:
    john = bot.emu.add_user("John", "en")
    text = (await bot.say(john, "/privacy")).plain_text or ""
    assert "language choice" in text
    assert "30 days" in text
    assert "/verwijder" in text
    assert "/mijngegevens" in text

    anna = bot.emu.add_user("Anna", "nl")
    dutch = (await bot.say(anna, "/privacy")).plain_text or ""
    assert "/verwijder" in dutch
    assert "30" in dutch
    assert "language choice" not in dutch  # translated


async def test_help(bot: Harness) -> None:
    john = bot.emu.add_user("John", "en")
    message = await bot.say(john, "/help")
    text = message.plain_text or ""
    for command in ("/start", "/melding", "/mijnmeldingen", "/taal", "/privacy", "/cancel"):
        assert command in text
    assert "112" in text
    assert "0800-0113" in text
    assert_theme_menu(message)

    anna = bot.emu.add_user("Anna", "nl")
    dutch = await bot.say(anna, "/hulp")
    assert "/melding" in (dutch.plain_text or "")
    assert "How to use this bot" not in (dutch.plain_text or "")


async def test_command_menus_are_registered_per_language(bot: Harness) -> None:
    nl = bot.emu.commands(None, "nl")
    en = bot.emu.commands(None, "en")
    default = bot.emu.commands()
    for commands in (nl, en, default):
        assert [c["command"] for c in commands] == COMMAND_NAMES
    assert en[0]["description"] == "Start: themes and topics"
    assert default == nl  # Dutch is the default for every other Telegram language
    assert nl != en  # the Dutch menu is translated


# ---- Telegram's message limit ------------------------------------------------------------------------


async def test_emulator_refuses_a_message_over_4096_characters(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "nl")
    async with Bot(SANDBOX_TOKEN, base_url=bot.emu.base_url, base_file_url=bot.emu.base_file_url) as api:
        ok = await api.send_message(anna.id, "x" * MAX_TEXT_LENGTH)
        assert ok.text == "x" * MAX_TEXT_LENGTH
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await api.send_message(anna.id, "x" * (MAX_TEXT_LENGTH + 1))
    refused = bot.emu.calls("sendMessage")[-1]
    assert refused.status == 400
    assert refused.description == "Bad Request: message is too long"


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_every_topic_answer_fits_in_one_message(bot: Harness, language: str) -> None:
    reader = bot.emu.add_user("Reader", language)
    topics = list(bot.services.kb.topics.values())
    assert len(topics) >= 30
    # Send all deep links at once and wait for the replies: one wait instead of one per topic.
    for topic in topics:
        bot.emu.send_text(reader, f"/start {topic.id}")
    await bot.emu.wait_for_messages(reader.id, len(topics), timeout=30.0)
    await bot.quiet()

    failed = [c for c in bot.emu.calls() if c.status not in (None, 200)]
    assert failed == []
    messages = bot.emu.messages(reader.id)
    assert len(messages) == len(topics)
    for topic, message in zip(topics, messages, strict=True):
        text = message.plain_text or ""
        assert text.startswith(topic.lang(language).title), topic.id  # type: ignore[arg-type]
        assert len(text) <= 750  # one phone screen (about 700 characters) and "did this help?"
        assert f"fb:{topic.id}:1" in callback_data(message)
        full = render_topic(topic, bot.services.kb, language, bot.services.catalogs.get(language).gettext)  # type: ignore[arg-type]
        assert (f"more:{topic.id}" in callback_data(message)) == (visible_length(full) > FIRST_SCREEN), topic.id


# ---- errors --------------------------------------------------------------------------------------------


async def test_a_failing_handler_gives_a_generic_reply_and_logs_no_text(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(text: str) -> None:
        raise RuntimeError("search index broken")

    monkeypatch.setattr(bot.services.answerer, "decide", explode)
    caplog.set_level(logging.INFO)
    secret = "mijn buurman Piet de Vries 0612345678 heeft mijn wachtwoord"

    john = bot.emu.add_user("John", "en")
    reply = await bot.say(john, secret)
    text = reply.plain_text or ""
    assert "something went wrong" in text
    assert "112" in text

    anna = bot.emu.add_user("Anna", "nl")
    dutch = (await bot.say(anna, secret)).plain_text or ""
    assert "112" in dutch
    assert "something went wrong" not in dutch  # translated

    errors = [r for r in caplog.records if r.name == "handlers.errors"]
    assert errors
    assert errors[0].levelno == logging.ERROR
    assert errors[0].exc_info is not None
    for record in caplog.records:
        assert secret not in record.getMessage()
    assert secret not in caplog.text  # also not in the formatted traceback
    assert "0612345678" not in caplog.text
