"""The chat sandbox: script parsing, transcript rendering, restarts and exit codes, driven by a tiny PTB bot.

The bot here is built in the test (not ``bot.app``) so these tests only exercise the sandbox machinery.
"""

from __future__ import annotations

import io
import os

os.environ.setdefault("PTB_TIMEDELTA", "1")

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.dev.sandbox import Action, html_to_text, parse_line, run_interactive, run_script, stable_user_id

STAFF_CHAT = -1001000000042

# Survives "#restart" like a database would: the factory builds a new Application each time.
Database = dict[str, list[str]]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    assert update.effective_user is not None
    greeting = "Hallo" if update.effective_user.language_code == "nl" else "Hello"
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ja", callback_data="yes"),
                InlineKeyboardButton("Nee", callback_data="no"),
            ],
            [InlineKeyboardButton("Website", url="https://www.politie.nl")],
        ]
    )
    await update.message.reply_html(
        f"{greeting} <b>{update.effective_user.first_name}</b> &amp; welkom!\nKies:", reply_markup=buttons
    )


async def choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Genoteerd")
    await query.edit_message_text(f"Je koos: <i>{query.data}</i>", parse_mode="HTML")


async def ask_place(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("Deel locatie", request_location=True)], ["Heerde", "Epe"]], one_time_keyboard=True
    )
    await update.message.reply_text("Waar?", reply_markup=keyboard)


def make_factory(db: Database, starts: list[int]):  # type: ignore[no-untyped-def]
    async def remember(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        assert update.message.text is not None
        db.setdefault("notes", []).append(update.message.text)
        await update.message.reply_text(f"Notitie {len(db['notes'])} opgeslagen", reply_markup=ReplyKeyboardRemove())

    async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await context.bot.send_message(STAFF_CHAT, "Nieuwe melding uit <b>Heerde</b>", parse_mode="HTML")
        await update.message.reply_text("Doorgestuurd")

    async def location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        assert update.message.location is not None
        loc = update.message.location
        await update.message.reply_text(f"Locatie {loc.latitude:.3f}, {loc.longitude:.3f}")

    async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        file = await update.message.photo[-1].get_file()
        data = await file.download_as_bytearray()
        await update.message.reply_text(f"Foto ontvangen ({len(data)} bytes)")

    async def boom(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise RuntimeError("handler exploded")

    @asynccontextmanager
    async def factory(base_url: str, base_file_url: str) -> AsyncIterator[Application]:  # type: ignore[type-arg]
        starts.append(1)
        app = ApplicationBuilder().token("42:SANDBOX").base_url(base_url).base_file_url(base_file_url).build()
        app.add_handler(CommandHandler("start", start))
        app.add_handler(CommandHandler("waar", ask_place))
        app.add_handler(CommandHandler("melding", report))
        app.add_handler(CommandHandler("boom", boom))
        app.add_handler(CallbackQueryHandler(choice))
        app.add_handler(MessageHandler(filters.LOCATION, location))
        app.add_handler(MessageHandler(filters.PHOTO, photo))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, remember))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            try:
                yield app
            finally:
                await app.updater.stop()
                await app.stop()

    return factory


async def play(script: str, **kwargs: object) -> tuple[int, str, Database, list[int]]:
    db: Database = {}
    starts: list[int] = []
    out = io.StringIO()
    code = await run_script(
        script.splitlines(),
        settings=None,
        out=out,
        bot_factory=make_factory(db, starts),
        group_chats={STAFF_CHAT: "Heerde staff"},
        quiet=0.15,
        **kwargs,  # type: ignore[arg-type]
    )
    return code, out.getvalue(), db, starts


# ---- parsing ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", None),
        ("   ", None),
        ("hallo daar", Action("text", text="hallo daar")),
        ("/start", Action("text", text="/start")),
        ("#press 2", Action("press", number=2)),
        ("#location 52.347,5.983", Action("location", latitude=52.347, longitude=5.983)),
        ("#location 52.347 5.983", Action("location", latitude=52.347, longitude=5.983)),
        ("#photo", Action("photo")),
        ("#user Piet en", Action("user", text="Piet", language="en")),
        ("#user Jan de Vries", Action("user", text="Jan de Vries")),
        ("#restart", Action("restart")),
        ("/location 52.1,5.9", Action("text", text="/location 52.1,5.9")),  # only interactive maps it
    ],
)
def test_parse_line(line: str, expected: Action | None) -> None:
    assert parse_line(line) == expected


def test_parse_line_interactive_aliases_and_errors() -> None:
    assert parse_line("/location 52.1,5.9", interactive=True) == Action("location", latitude=52.1, longitude=5.9)
    assert parse_line("/photo", interactive=True) == Action("photo")
    assert parse_line("#quit", interactive=True) == Action("quit")
    for bad in (
        "#press",
        "#press zero",
        "#press 0",
        "#location here",
        "#location 95,5",
        "#user",
        "#frobnicate",
    ):
        action = parse_line(bad)
        assert action is not None, bad
        assert action.kind == "error", bad


def test_html_to_text_strips_tags_and_keeps_links() -> None:
    assert html_to_text("<b>Bel</b> 112 &amp; <i>niet</i> &lt;wachten&gt;") == "Bel 112 & niet <wachten>"
    assert html_to_text('Zie <a href="https://www.113.nl">113 Zelfmoordpreventie</a>') == (
        "Zie 113 Zelfmoordpreventie (https://www.113.nl)"
    )
    assert html_to_text('<a href="https://www.113.nl">https://www.113.nl</a>') == "https://www.113.nl"


def test_stable_user_id_depends_on_name_only() -> None:
    assert stable_user_id("Anna") == stable_user_id("anna") != stable_user_id("Piet")


# ---- whole scripts ---------------------------------------------------------------------------------------


async def test_script_transcript_with_buttons_edits_and_popups() -> None:
    code, out, _, _ = await play("/start\n#press 1\n")
    assert code == 0, out
    assert out.splitlines() == [
        "Anna: /start",
        "bot → Hallo Anna & welkom!",
        "      Kies:",
        "      [1] Ja  [2] Nee",
        "      [3] Website (https://www.politie.nl)",
        "Anna: [pressed: Ja]",
        "bot → (popup) Genoteerd",
        "bot → (edited) Je koos: yes",
    ]


async def test_reply_keyboard_press_location_photo_and_staff_chat() -> None:
    script = "/waar\n#press 2\n#location 52.347,5.983\n#photo\n/melding\n"
    code, out, db, _ = await play(script)
    assert code == 0, out
    assert db["notes"] == ["Heerde"]
    lines = out.splitlines()
    assert lines[:5] == [
        "Anna: /waar",
        "bot → Waar?",
        "      [1] Deel locatie",
        "      [2] Heerde  [3] Epe",
        "Anna: Heerde",
    ]
    assert "Anna: [location 52.347, 5.983]" in lines
    assert "bot → Locatie 52.347, 5.983" in lines
    assert any(line.startswith("bot → Foto ontvangen (") for line in lines)
    assert lines[-2:] == ["bot → [Heerde staff] #1 Nieuwe melding uit Heerde", "bot → Doorgestuurd"]


async def test_user_switch_uses_language_and_labels_other_chats() -> None:
    code, out, _, _ = await play("#user Piet en\n/start\n#user Anna\n#user piet\n#user Anna\nhoi\n")
    assert code == 0, out
    lines = out.splitlines()
    assert lines.count("~ now speaking as Piet (en)") == 2  # a known resident keeps their language
    assert "~ now speaking as Anna (nl)" in lines
    assert "bot → Hello Piet & welkom!" in lines
    assert lines[-2:] == ["Anna: hoi", "bot → Notitie 1 opgeslagen"]


async def test_restart_keeps_state_and_does_not_replay_updates() -> None:
    code, out, db, starts = await play("eerste\n#restart\ntweede\n")
    assert code == 0, out
    assert starts == [1, 1]
    assert db["notes"] == ["eerste", "tweede"]  # "eerste" was confirmed, not delivered again
    assert "~ restarting the bot" in out.splitlines()


async def test_bot_error_gives_exit_1() -> None:
    code, out, _, _ = await play("/boom\nhallo\n")
    assert code == 1
    assert "! bot error (telegram.ext.Application)" in out
    assert "RuntimeError: handler exploded" in out


async def test_script_errors_give_exit_2_and_continue() -> None:
    code, out, db, _ = await play("#press 1\n#frobnicate\n/start\n#press 3\n#press 9\nnog iets\n")
    assert code == 2
    assert "! #press 1: the bot's last message has no buttons" in out
    assert "! unknown directive '#frobnicate'" in out
    assert "! #press 3: button 'Website' is not a callback button" in out
    assert "! #press 9: there are 3 button(s); index 8 is out of range" in out
    assert db["notes"] == ["nog iets"]


async def test_failed_start_gives_exit_1() -> None:
    @asynccontextmanager
    async def broken(base_url: str, base_file_url: str) -> AsyncIterator[None]:
        raise ConnectionError("database unavailable")
        yield  # pragma: no cover

    out = io.StringIO()
    code = await run_script(["/start"], settings=None, out=out, bot_factory=broken)
    assert code == 1
    assert "! bot failed to start: ConnectionError: database unavailable" in out.getvalue()


def test_interactive_mode_reads_prompts_and_does_not_echo_own_input() -> None:
    inputs = iter(["/start", "/location 52.1,5.9", "#help", "#quit", "never read"])
    prompts: list[str] = []

    def read_line(prompt: str) -> str:
        prompts.append(prompt)
        return next(inputs)

    out = io.StringIO()
    code = run_interactive(settings=None, bot_factory=make_factory({}, []), out=out, read_line=read_line)
    lines = out.getvalue().splitlines()
    assert code == 0, lines
    assert prompts == ["Anna> "] * 4
    assert "bot → Hallo Anna & welkom!" in lines
    assert "bot → Locatie 52.100, 5.900" in lines
    assert not any(line.startswith("Anna:") for line in lines)
    assert any(line.startswith("text or /command") for line in lines)


def test_parse_line_bare_numbers_and_backslash_are_interactive_only() -> None:
    assert parse_line("2", interactive=True) == Action("number", text="2", number=2)
    assert parse_line("  8161 ", interactive=True) == Action("number", text="8161", number=8161)
    assert parse_line("\\3", interactive=True) == Action("text", text="3")
    assert parse_line("\\#press 1", interactive=True) == Action("text", text="#press 1")
    assert parse_line("\\", interactive=True) is None
    # Scripts keep the contract: a plain line is a message, whatever it looks like.
    assert parse_line("2") == Action("text", text="2")
    assert parse_line("\\3") == Action("text", text="\\3")


def test_interactive_bare_number_presses_a_button_and_backslash_sends_text() -> None:
    inputs = iter(["/start", "\\2", "/start", "2", "/start", "8084", "/waar", "3", "5", "#quit"])
    db: Database = {}
    out = io.StringIO()
    code = run_interactive(settings=None, bot_factory=make_factory(db, []), out=out, read_line=lambda _: next(inputs))
    lines = out.getvalue().splitlines()
    assert code == 0, lines
    # "\2" was sent as the text "2" although buttons were showing; "2" pressed "Nee" on the welcome's buttons;
    # "8084" is more than the 3 buttons shown, so it is text; "3" pressed "Epe" on the reply keyboard, after
    # which no keyboard is shown, so "5" is text.
    assert lines.count("bot → (edited) Je koos: no") == 1
    assert db["notes"] == ["2", "8084", "Epe", "5"]
