"""The Bot API emulator: Telegram's limits and errors, faults, update confirmation, real PTB round trips."""

from __future__ import annotations

import os

os.environ.setdefault("PTB_TIMEDELTA", "1")

import datetime as dtm
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Update,
)
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler
from telegram.ext import ContextTypes as CT
from telegram.request import HTTPXRequest

from bot.dev.emulator import BotApiEmulator, EntityParseError, SimUser, parse_html


@pytest.fixture
def emu() -> Iterator[BotApiEmulator]:
    with BotApiEmulator() as server:
        yield server


@pytest.fixture
def anna(emu: BotApiEmulator) -> SimUser:
    return emu.add_user("Anna", "nl")


def api(emu: BotApiEmulator, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """A raw form-encoded POST, as PTB sends it; returns (status, JSON)."""
    data = {key: str(value) for key, value in params.items()}
    response = httpx.post(f"{emu.base_url}{emu.token}/{method}", data=data, timeout=10)
    return response.status_code, response.json()


def description(emu: BotApiEmulator, method: str, **params: Any) -> str:
    status, body = api(emu, method, **params)
    assert status == 400, body
    assert body["ok"] is False
    return str(body["description"])


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url) as the_bot:
        yield the_bot


# ---- HTML parse mode -------------------------------------------------------------------------------------


def test_parse_html_strips_tags_and_reports_utf16_entities() -> None:
    text, entities = parse_html(
        '  <b>Bel</b> 112 &amp; <a href="https://www.113.nl/?a=1&amp;b=2">113</a> 😀 <i>nu</i>\n'
    )
    assert text == "Bel 112 & 113 😀 nu"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "text_link", "offset": 10, "length": 3, "url": "https://www.113.nl/?a=1&b=2"},
        {"type": "italic", "offset": 17, "length": 2},  # the emoji counts as two UTF-16 units
    ]


def test_parse_html_accepts_every_documented_tag() -> None:
    text, entities = parse_html(
        "<strong>a</strong><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike><del>g</del>"
        '<span class="tg-spoiler">h</span><tg-spoiler>i</tg-spoiler><code>j</code><pre>k</pre>'
        '<blockquote expandable>l</blockquote><blockquote>m</blockquote><tg-emoji emoji-id="5">n</tg-emoji>'
        "&quot;&#65;&#x42;&lt;&gt;"
    )
    assert text == 'abcdefghijklmn"AB<>'
    assert [e["type"] for e in entities] == [
        "bold", "italic", "underline", "underline", "strikethrough", "strikethrough", "strikethrough",
        "spoiler", "spoiler", "code", "pre", "expandable_blockquote", "blockquote", "custom_emoji",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("a <br> b", 'Unsupported start tag "br" at byte offset 2'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("é<b", "Unclosed start tag at byte offset 2"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("Tom & Jerry", "Character entity expected at byte offset 4"),
        ("&nbsp;", "Character entity expected at byte offset 0"),
        (
            "<a href>x</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        ),
    ],
)
def test_parse_html_rejects_what_telegram_rejects(html: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(html)
    assert str(caught.value) == error


def test_bare_ampersand_can_be_lenient_like_telegram() -> None:
    assert parse_html("Tom & Jerry", strict_ampersand=False) == ("Tom & Jerry", [])


# ---- limits and errors over HTTP -------------------------------------------------------------------------


def test_text_limits_count_characters_after_entity_parsing(emu: BotApiEmulator, anna: SimUser) -> None:
    assert api(emu, "sendMessage", chat_id=anna.id, text="x" * 4096)[0] == 200
    # 4096 visible characters wrapped in tags: still fine, the tags do not count.
    assert api(emu, "sendMessage", chat_id=anna.id, text=f"<b>{'x' * 4096}</b>", parse_mode="HTML")[0] == 200
    assert description(emu, "sendMessage", chat_id=anna.id, text="x" * 4097) == "Bad Request: message is too long"
    assert description(emu, "sendMessage", chat_id=anna.id, text="") == "Bad Request: message text is empty"
    assert (
        description(emu, "sendMessage", chat_id=anna.id, text="<b> </b>", parse_mode="HTML")
        == "Bad Request: message text is empty"
    )
    assert description(emu, "sendMessage", chat_id=anna.id, text="a < b", parse_mode="HTML") == (
        'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2'
    )
    assert description(emu, "sendMessage", chat_id=999, text="hoi") == "Bad Request: chat not found"
    assert len(emu.messages(anna.id)) == 2


def test_callback_data_is_limited_to_64_bytes(emu: BotApiEmulator, anna: SimUser) -> None:
    def markup(data: str) -> str:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data=data)]]).to_json()

    assert api(emu, "sendMessage", chat_id=anna.id, text="?", reply_markup=markup("x" * 64))[0] == 200
    # 33 "é" are 33 characters but 66 bytes.
    for data in ("x" * 65, "é" * 33, ""):
        assert (
            description(emu, "sendMessage", chat_id=anna.id, text="?", reply_markup=markup(data))
            == "Bad Request: BUTTON_DATA_INVALID"
        )


def test_caption_and_callback_answer_limits(emu: BotApiEmulator, anna: SimUser) -> None:
    emu.send_photo(anna)
    _, updates = api(emu, "getUpdates")
    file_id = updates["result"][0]["message"]["photo"][-1]["file_id"]
    assert api(emu, "sendPhoto", chat_id=anna.id, photo=file_id, caption="c" * 1024)[0] == 200
    assert (
        description(emu, "sendPhoto", chat_id=anna.id, photo=file_id, caption="c" * 1025)
        == "Bad Request: message caption is too long"
    )
    assert description(emu, "sendPhoto", chat_id=anna.id, photo="nonsense") == (
        "Bad Request: wrong file identifier/HTTP URL specified"
    )
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="y")]]).to_json()
    api(emu, "sendMessage", chat_id=anna.id, text="?", reply_markup=markup)
    emu.press(anna, emu.messages(anna.id)[-1], 0)
    query_id = emu.callback_queries()[0].id
    assert description(emu, "answerCallbackQuery", callback_query_id=query_id, text="t" * 201) == (
        "Bad Request: MESSAGE_TOO_LONG"
    )
    assert api(emu, "answerCallbackQuery", callback_query_id=query_id, text="t" * 200)[0] == 200
    assert description(emu, "answerCallbackQuery", callback_query_id=query_id).startswith(
        "Bad Request: query is too old"
    )


def test_edit_rules(emu: BotApiEmulator, anna: SimUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="y")]]).to_json()
    _, sent = api(emu, "sendMessage", chat_id=anna.id, text="<b>Vraag</b>", parse_mode="HTML", reply_markup=markup)
    message_id = sent["result"]["message_id"]
    same = {"chat_id": anna.id, "message_id": message_id, "text": "<b>Vraag</b>", "parse_mode": "HTML"}
    assert description(emu, "editMessageText", **same, reply_markup=markup).startswith(
        "Bad Request: message is not modified"
    )
    # Same text without reply_markup removes the keyboard, which is a modification.
    assert api(emu, "editMessageText", **same)[0] == 200
    message = emu.last_message(anna.id)
    assert message is not None
    assert message.reply_markup is None
    assert message.edited
    assert message.edits[0].reply_markup == {"inline_keyboard": [[{"text": "Ja", "callback_data": "y"}]]}
    assert description(emu, "editMessageReplyMarkup", chat_id=anna.id, message_id=message_id).startswith(
        "Bad Request: message is not modified"
    )
    assert description(emu, "editMessageText", chat_id=anna.id, message_id=999, text="x") == (
        "Bad Request: message to edit not found"
    )
    assert api(emu, "deleteMessage", chat_id=anna.id, message_id=message_id)[0] == 200
    assert emu.messages(anna.id) == []
    assert description(emu, "deleteMessage", chat_id=anna.id, message_id=message_id) == (
        "Bad Request: message to delete not found"
    )


def test_unknown_method_and_wrong_token(emu: BotApiEmulator) -> None:
    status, body = api(emu, "sendTelepathy", chat_id=1)
    assert (status, body["description"]) == (404, "Not Found")
    response = httpx.post(f"{emu.base_url}999:WRONG/getMe")
    assert response.status_code == 401
    assert [c.method for c in emu.calls()] == ["sendTelepathy"]


def test_reply_keyboard_press_sends_text_and_location_buttons_cannot_be_pressed(
    emu: BotApiEmulator, anna: SimUser
) -> None:
    keyboard = (
        '{"keyboard": [[{"text": "Deel locatie", "request_location": true}], ["Heerde"]], "one_time_keyboard": true}'
    )
    api(emu, "sendMessage", chat_id=anna.id, text="Waar?", reply_markup=keyboard)
    message = emu.messages(anna.id)[-1]
    with pytest.raises(ValueError, match="location"):
        emu.press(anna, message, 0)
    emu.press(anna, message, 1)
    _, updates = api(emu, "getUpdates")
    assert updates["result"][-1]["message"]["text"] == "Heerde"
    assert emu.active_reply_keyboard(anna.id) is None  # one_time_keyboard hides it after use


# ---- updates ---------------------------------------------------------------------------------------------


def test_offset_confirms_updates_and_commands_get_entities(emu: BotApiEmulator, anna: SimUser) -> None:
    first = emu.send_text(anna, "/start@veilig_test_bot nu")
    second = emu.send_location(anna, 52.347, 5.983)
    assert second == first + 1
    _, body = api(emu, "getUpdates", offset=0)
    assert [u["update_id"] for u in body["result"]] == [first, second]
    assert body["result"][0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 22}]
    assert body["result"][1]["message"]["location"] == {"latitude": 52.347, "longitude": 5.983}
    _, body = api(emu, "getUpdates", offset=second)
    assert [u["update_id"] for u in body["result"]] == [second]
    _, body = api(emu, "getUpdates", offset=second + 1)
    assert body["result"] == []
    assert emu.pending_updates() == 0


def test_resident_edits_their_message_as_an_edited_message_update(emu: BotApiEmulator, anna: SimUser) -> None:
    emu.send_text(anna, "hoi")
    api(emu, "sendMessage", chat_id=anna.id, text="Hallo!")
    original = emu.received(anna.id)[-1]
    assert (original.text, original.edited) == ("hoi", False)
    update_id = emu.edit_text(anna, original.message_id, "/verwijder")
    _, body = api(emu, "getUpdates", offset=0)
    update = body["result"][-1]
    assert update["update_id"] == update_id
    assert "message" not in update
    edited = update["edited_message"]
    assert (edited["message_id"], edited["text"]) == (original.message_id, "/verwijder")
    assert edited["edit_date"] >= edited["date"]
    assert edited["entities"] == [{"type": "bot_command", "offset": 0, "length": 10}]
    assert edited["from"]["id"] == anna.id
    now = emu.received(anna.id)[-1]
    assert (now.text, [v.text for v in now.edits]) == ("/verwijder", ["hoi"])
    assert [m.text for m in emu.messages(anna.id)] == ["Hallo!"]  # the bot's messages are separate
    events = [e for e in emu.events() if e.kind == "received"]
    assert [e.note for e in events] == [None, "edited"]


def test_residents_can_only_edit_their_own_text_messages(emu: BotApiEmulator, anna: SimUser) -> None:
    ben = emu.add_user("Ben")
    emu.send_text(anna, "hoi")
    emu.send_location(anna, 52.347, 5.983)
    api(emu, "sendMessage", chat_id=anna.id, text="Hallo!")
    text, location = emu.received(anna.id)
    bot_message = emu.messages(anna.id)[-1]
    with pytest.raises(ValueError, match="own"):
        emu.edit_text(anna, bot_message.message_id, "x")
    with pytest.raises(ValueError, match="own"):
        emu.edit_text(ben, text.message_id, "x", chat=emu.chat(anna.id))
    with pytest.raises(ValueError, match="text"):
        emu.edit_text(anna, location.message_id, "x")
    with pytest.raises(ValueError, match="not modified"):
        emu.edit_text(anna, text.message_id, "hoi")


def test_press_data_sends_any_data_and_records_the_answer(emu: BotApiEmulator, anna: SimUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="y")]]).to_json()
    api(emu, "sendMessage", chat_id=anna.id, text="?", reply_markup=markup)
    message = emu.messages(anna.id)[-1]
    emu.press_data(anna, message, "x" * 70)  # longer than any button may carry: a forged press
    _, body = api(emu, "getUpdates")
    query = body["result"][-1]["callback_query"]
    assert (query["data"], query["message"]["message_id"]) == ("x" * 70, message.message_id)
    assert query["from"]["id"] == anna.id
    recorded = emu.callback_queries()[-1]
    assert (recorded.data, recorded.answered) == ("x" * 70, False)
    assert api(emu, "answerCallbackQuery", callback_query_id=query["id"], text="Nee", show_alert="true")[0] == 200
    recorded = emu.callback_queries()[-1]
    assert (recorded.answered, recorded.text, recorded.show_alert) == (True, "Nee", True)


def test_allowed_updates_filters_types(emu: BotApiEmulator, anna: SimUser) -> None:
    emu.send_text(anna, "hoi")
    _, body = api(emu, "getUpdates", allowed_updates='["callback_query"]')
    assert body["result"] == []
    _, body = api(emu, "getUpdates", allowed_updates="[]")  # empty list: back to the default set
    assert len(body["result"]) == 1


def test_long_poll_wakes_up_on_new_update_and_on_stop(anna: SimUser, emu: BotApiEmulator) -> None:
    results: list[float] = []

    def poll() -> None:
        start = time.monotonic()
        api(emu, "getUpdates", timeout=30)
        results.append(time.monotonic() - start)

    waiter = threading.Thread(target=poll)
    waiter.start()
    time.sleep(0.1)  # let the request arrive first; what is measured is the wake-up
    emu.send_text(anna, "hoi")
    waiter.join(5)
    assert results
    assert results[0] < 2

    def poll_forever() -> None:
        api(emu, "getUpdates", offset=2, timeout=30)  # update 1 is confirmed, so this waits

    waiter = threading.Thread(target=poll_forever)
    waiter.start()
    time.sleep(0.1)
    start = time.monotonic()
    emu.stop()
    waiter.join(5)
    assert not waiter.is_alive()
    assert time.monotonic() - start < 1.5


# ---- faults ----------------------------------------------------------------------------------------------


async def test_faults_are_consumed_in_order(emu: BotApiEmulator, anna: SimUser, bot: Bot) -> None:
    emu.inject_fault("sendMessage", 429, retry_after=3)
    emu.inject_fault("sendMessage", "500")
    emu.inject_fault("sendMessage", "drop")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(anna.id, "1")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(anna.id, "2")
    with pytest.raises(NetworkError):
        await bot.send_message(anna.id, "3")
    await bot.send_message(anna.id, "4")
    assert [(c.params["text"], c.status) for c in emu.calls("sendMessage")] == [
        ("1", 429),
        ("2", 500),
        ("3", 0),
        ("4", 200),
    ]
    assert [m.text for m in emu.messages(anna.id)] == ["4"]  # failed calls change nothing


async def test_slow_fault_times_out_a_short_read_timeout(emu: BotApiEmulator, anna: SimUser) -> None:
    emu.inject_fault("sendMessage", "slow", delay=0.5)
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(emu.token, base_url=emu.base_url, request=request) as slow_bot:
        with pytest.raises(TimedOut):
            await slow_bot.send_message(anna.id, "traag")
    # The server still answered (late), so the message exists: the classic duplicate-after-timeout case.
    await emu.wait_for_messages(anna.id, 1)


# ---- real PTB ----------------------------------------------------------------------------------------------


async def test_bot_methods_round_trip(emu: BotApiEmulator, anna: SimUser, bot: Bot) -> None:
    staff = emu.add_group("Heerde staff")
    assert bot.username == "veilig_test_bot"
    await bot.set_my_commands([BotCommand("start", "Beginnen")], language_code="nl")
    await bot.set_my_commands([BotCommand("help", "Help")], scope=BotCommandScopeAllPrivateChats())
    assert emu.commands(language_code="nl") == [{"command": "start", "description": "Beginnen"}]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats())] == ["help"]
    await bot.delete_my_commands(language_code="nl")
    assert await bot.get_my_commands(language_code="nl") == ()
    await bot.set_my_description("Veilig", language_code="nl")
    assert emu.description("nl") == "Veilig"
    assert await bot.send_chat_action(anna.id, "typing")
    sent = await bot.send_message(staff.id, "Melding <b>1</b>", parse_mode="HTML")
    assert (sent.chat.type, sent.chat.title, sent.text) == ("supergroup", "Heerde staff", "Melding 1")
    assert sent.entities[0].type == "bold"
    located = await bot.send_location(anna.id, 52.35, 5.98)
    assert located.location is not None
    assert located.location.latitude == 52.35
    uploaded = await bot.send_photo(anna.id, b"\x89PNG-fake", caption="<i>kaart</i>", parse_mode="HTML")
    assert uploaded.caption == "kaart"
    file = await bot.get_file(uploaded.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == b"\x89PNG-fake"
    album = await bot.send_media_group(
        anna.id,
        [InputMediaPhoto(uploaded.photo[-1].file_id), InputMediaPhoto(b"second"), InputMediaPhoto(b"third")],
    )
    assert len({m.media_group_id for m in album}) == 1
    assert len(album) == 3
    assert emu.file_content(album[2].photo[-1].file_id) == b"third"
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(-5, "nobody")
    emu.block_bot(anna)
    with pytest.raises(Exception, match="blocked"):
        await bot.send_message(anna.id, "hoi")


async def test_application_polls_answers_buttons_and_survives_429(emu: BotApiEmulator, anna: SimUser) -> None:
    async def start(update: Update, context: CT.DEFAULT_TYPE) -> None:
        assert update.message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="ja")]])
        await update.message.reply_html("Zeker <b>weten</b>?", reply_markup=keyboard)

    async def pressed(update: Update, context: CT.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(f"Gekozen: {update.callback_query.data}")

    app: Application = (  # type: ignore[type-arg]
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=2))
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    emu.inject_fault("sendMessage", 429, retry_after=1)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        emu.send_text(anna, "/start")
        (question,) = await emu.wait_for_messages(anna.id, 1, timeout=5)
        assert question.plain_text == "Zeker weten?"
        emu.press(anna, question, 0)
        await emu.wait_for(lambda: (m := emu.last_message(anna.id)) is not None and m.edited)
        await app.updater.stop()
        await app.stop()
    assert [c.status for c in emu.calls("sendMessage")] == [429, 200]
    assert [q.answered for q in emu.callback_queries()] == [True]
    edited = emu.last_message(anna.id)
    assert edited is not None
    assert (edited.text, edited.reply_markup) == ("Gekozen: ja", None)
    assert emu.pending_updates() == 0  # updater.stop() confirmed everything
    assert [e.kind for e in emu.events()] == ["received", "sent", "pressed", "edited"]
