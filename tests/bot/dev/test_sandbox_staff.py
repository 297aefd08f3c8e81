"""The sandbox's staff side: staff members and their groups (one a forum), speaking in groups and topics,
replying to a group message, pressing a card's button, and the transcript's group and topic labels.

The bot here is a tiny PTB bot built in the test (not ``bot.app``): it files a card into a staff group (a topic in
the forum), lets staff take it on and note things, so these tests exercise only the sandbox machinery.
"""

from __future__ import annotations

import io
import os
import sqlite3

os.environ.setdefault("PTB_TIMEDELTA", "1")

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.cli.main import main as veiligbot
from bot.dev.sandbox import (
    SANDBOX_FORUM_MUNICIPALITY,
    SANDBOX_STAFF,
    StaffGroup,
    run_interactive,
    run_script,
    sandbox_staff_groups,
    stable_user_id,
)
from bot.settings import Settings

MUNICIPALITIES = [("epe", "Epe"), ("heerde", "Heerde")]
GROUPS = sandbox_staff_groups(MUNICIPALITIES, {})
EPE, HEERDE = (g.chat_id for g in GROUPS)
CARD = InlineKeyboardMarkup([[InlineKeyboardButton("Oppakken", callback_data="take")]])


async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/melding [epe]``: a card in Heerde's forum (in a new topic) or in Epe's plain group."""
    assert update.message is not None and update.effective_user is not None
    chat_id, thread_id = EPE, None
    if context.args != ["epe"]:
        chat_id = HEERDE
        thread_id = (await context.bot.create_forum_topic(HEERDE, "HEE-7K3Q Overlast")).message_thread_id
    context.bot_data["resident"] = update.effective_user.id
    await context.bot.send_message(chat_id, "Melding: ontvangen", message_thread_id=thread_id, reply_markup=CARD)
    await update.message.reply_text("Doorgestuurd")


async def take(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"Opgepakt door {query.from_user.first_name}")
    await query.edit_message_text("Melding: in behandeling")
    await context.bot.send_message(context.bot_data["resident"], "Je melding wordt behandeld")


async def note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    assert message is not None and message.from_user is not None
    replied = message.reply_to_message
    about = f" op #{replied.message_id}" if replied is not None and replied.forum_topic_created is None else ""
    await message.reply_text(f"Notitie van {message.from_user.first_name}{about}")


async def close(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    assert message is not None and message.message_thread_id is not None
    await context.bot.close_forum_topic(message.chat_id, message.message_thread_id)


@asynccontextmanager
async def staff_bot(base_url: str, base_file_url: str) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    app = ApplicationBuilder().token("42:SANDBOX").base_url(base_url).base_file_url(base_file_url).build()
    app.add_handler(CommandHandler("melding", report, filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("sluit", close, filters.ChatType.GROUPS))
    app.add_handler(CallbackQueryHandler(take))
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND, note))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def play(script: str) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = await run_script(
        script.splitlines(), settings=None, out=out, bot_factory=staff_bot, staff_groups=GROUPS, quiet=0.15
    )
    return code, out.getvalue().splitlines()


# ---- the staff and their groups --------------------------------------------------------------------------


def test_staff_members_have_stable_ids_and_one_municipality_each() -> None:
    assert {name: user_id for name, (user_id, _) in SANDBOX_STAFF.items()} == {
        name: stable_user_id(name) for name in SANDBOX_STAFF
    }
    assert sorted(m for _, m in SANDBOX_STAFF.values()) == [
        "elburg", "epe", "hattem", "heerde", "nunspeet", "oldebroek",
    ]  # fmt: skip


def test_staff_groups_one_forum_and_linked_chats_kept() -> None:
    groups = sandbox_staff_groups([("elburg", "Elburg"), ("heerde", "Heerde")], {"elburg": -1009000000001})
    assert groups[0] == StaffGroup("elburg", "Elburg staff", -1009000000001, forum=False)
    assert (groups[1].title, groups[1].forum) == ("Heerde staff", True)
    assert SANDBOX_FORUM_MUNICIPALITY == "heerde"
    assert str(groups[1].chat_id).startswith("-100")  # a forum is a supergroup
    assert not str(GROUPS[0].chat_id).startswith("-100")  # a plain group is a basic group


# ---- playing both sides ----------------------------------------------------------------------------------


async def test_resident_and_staff_in_a_forum_topic() -> None:
    code, lines = await play(
        "\n".join(
            [
                "/melding",
                "#user Henk",
                "#topic hee-7k3q",
                "#press 1",
                "even kijken",
                "#reply 2 dit is de kaart",
                "#chat Heerde",
                "in general",
                "#user Anna",
            ]
        )
    )
    assert code == 0, lines
    topic = "[Heerde staff › HEE-7K3Q Overlast]"
    assert lines == [
        "Anna: /melding",
        "bot → [Heerde staff] (topic created) HEE-7K3Q Overlast",
        f"bot → {topic} #2 Melding: ontvangen",
        "      [1] Oppakken",
        "bot → Doorgestuurd",
        "~ now speaking as Henk (nl), staff of heerde",
        f"~ now in {topic}",
        f"{topic} Henk: [pressed: Oppakken]",
        f"bot → {topic} (popup) Opgepakt door Henk",
        f"bot → {topic} #2 (edited) Melding: in behandeling",
        "bot → [Anna] Je melding wordt behandeld",
        f"{topic} Henk: #3 even kijken",
        f"bot → {topic} #4 Notitie van Henk",  # a topic message "replies" to the topic, not to a message
        f"{topic} Henk: #5 dit is de kaart",
        f"bot → {topic} #6 Notitie van Henk op #2",
        "~ now in [Heerde staff]",
        "[Heerde staff] Henk: #7 in general",
        "bot → [Heerde staff] #8 Notitie van Henk",
        "~ now speaking as Anna (nl)",
    ]


async def test_staff_in_a_plain_group_reply_to_the_card_and_press_by_number() -> None:
    code, lines = await play(
        "\n".join(["/melding epe", "#user Eva", "#chat epe", "eerst iets anders", "#reply 1 ik pak hem", "#press 1 1"])
    )
    assert code == 0, lines
    assert lines == [
        "Anna: /melding epe",
        "bot → [Epe staff] #1 Melding: ontvangen",
        "      [1] Oppakken",
        "bot → Doorgestuurd",
        "~ now speaking as Eva (nl), staff of epe",
        "~ now in [Epe staff]",
        "[Epe staff] Eva: #2 eerst iets anders",
        "bot → [Epe staff] #3 Notitie van Eva",
        "[Epe staff] Eva: #4 ik pak hem",
        "bot → [Epe staff] #5 Notitie van Eva op #1",
        "[Epe staff] Eva: [pressed: Oppakken]",  # button 1 of message #1, not of the bot's last message (#5)
        "bot → [Epe staff] (popup) Opgepakt door Eva",
        "bot → [Epe staff] #1 (edited) Melding: in behandeling",
        "bot → [Anna] Je melding wordt behandeld",
    ]


async def test_press_without_a_message_number_uses_the_bots_last_message_here() -> None:
    code, lines = await play("/melding epe\n#user Eva\n#chat Epe\nhallo\n#press 1\n")
    assert code == 2, lines  # the last bot message in Epe's group is the note, which has no buttons
    assert lines[-1] == "! #press 1: the bot's last message has no buttons"


async def test_wrong_staff_directives_are_script_errors() -> None:
    code, lines = await play(
        "\n".join(
            [
                "#chat Zwolle",
                "#topic HEE-0000",
                "#chat Epe",
                "#topic general",  # Epe's group is no forum and no topic matches "general" elsewhere yet
                "#reply 9 hallo",
                "#press 1 9",
                "#reply",
                "#chat private",
                "/melding",
                "#user Henk",
                "#topic HEE-7K3Q",
                "/sluit",
                "nog iets",
            ]
        )
    )
    assert code == 2, lines
    assert lines[0].startswith("! #chat Zwolle: no such group (try: Epe staff, Heerde staff")
    assert "! #topic HEE-0000: no topic with that name" in lines
    assert "! #reply 9: no message #9 in this chat" in lines
    assert "! #press 1 9: no message #9 in this chat" in lines
    assert "! usage: #reply M TEXT (M: the message's number, e.g. 12 for #12)" in lines
    assert "~ now in the private chat" in lines
    assert "bot → [Heerde staff] (topic closed) HEE-7K3Q Overlast" in lines
    assert lines[-1] == "! cannot send here: TOPIC_CLOSED: only administrators can post in a closed topic"


def test_interactive_prompt_names_the_group_and_topic() -> None:
    inputs = iter(["/melding", "#user Henk", "#topic HEE", "#chat Heerde", "#chat private", "#quit"])
    prompts: list[str] = []

    def read_line(prompt: str) -> str:
        prompts.append(prompt)
        return next(inputs)

    out = io.StringIO()
    code = run_interactive(settings=None, bot_factory=staff_bot, staff_groups=GROUPS, out=out, read_line=read_line)
    assert code == 0, out.getvalue()
    assert prompts == [
        "Anna> ",
        "Anna> ",
        "Henk> ",
        "Henk@Heerde staff › HEE-7K3Q Overlast> ",
        "Henk@Heerde staff> ",
        "Henk> ",
    ]
    assert "Eva, Hans, Henk" in out.getvalue()  # the help line names the staff members


# ---- through `veiligbot chat` ----------------------------------------------------------------------------


def test_veiligbot_chat_has_a_staff_group_per_municipality_heerde_a_forum(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VEILIGBOT_DATA_DIR", str(settings.veiligbot_data_dir))
    script = "#user Eva\n#chat Epe\n#topic general\n#chat heerde\n#topic general\n#user Hans en\n#chat Hattem\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    assert veiligbot(["chat", "--script", "-"]) == 2  # "#topic general" in Epe's plain group is a script error
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "~ now speaking as Eva (nl), staff of epe",
        "~ now in [Epe staff]",
        "! #topic general: no topic with that name",  # Epe's is a plain group; Heerde's forum has no topics yet
        "~ now in [Heerde staff]",
        "~ now in [Heerde staff]",  # the General topic of Heerde's forum
        "~ now speaking as Hans (en), staff of hattem",
        "~ now in [Hattem staff]",
    ]
    sandbox = settings.veiligbot_data_dir / "sandbox" / "veiligbot.sqlite3"
    with sqlite3.connect(sandbox) as conn:
        links = dict(conn.execute("SELECT municipality, staff_chat_id FROM municipality_links").fetchall())
    assert len(links) == 6
    assert str(links["heerde"]).startswith("-100") and not str(links["epe"]).startswith("-100")
