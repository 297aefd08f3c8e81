"""Linking a staff group with ``veiligbot municipality link``: like ``/koppel``, the command checks the bot's
rights in the group (through the Bot API, with the bot's token) and says what it lacks; topic mode follows."""

from __future__ import annotations

import asyncio

import pytest

from bot.cli.main import main as veiligbot
from bot.dev.emulator import BotRights
from bot.outbox.delivery import staff_chat_links
from tests.e2e.conftest import Harness
from tests.e2e.test_delivery_failures import cli
from tests.e2e.test_reports import file_via_chat

TOKEN = "123456:EMULATOR-TOKEN"


async def test_cli_link_checks_the_bots_rights_and_says_what_it_lacks(
    bot: Harness, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    forum = bot.emu.add_group("Heerde staff", forum=True, bot_rights=BotRights.member())
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", bot.emu.base_url)

    lines = await cli(capsys, "municipality", "link", "heerde", str(forum.id))
    assert lines[:2] == [f"Reports for heerde now go to chat {forum.id}.", "Each report comes as a card."]
    assert lines[2].startswith("What the bot lacks: ")
    assert "not an administrator" in lines[2] and "may not manage topics" in lines[2]
    assert not (await staff_chat_links(bot.services.db))["heerde"].topics

    # Made an administrator that may manage topics: linked again, nothing lacks, one topic per report.
    bot.emu.set_bot_rights(forum, BotRights())
    lines = await cli(capsys, "municipality", "link", "heerde", str(forum.id))
    assert lines == [f"Reports for heerde now go to chat {forum.id}.", "Each report gets its own topic."]
    assert (await staff_chat_links(bot.services.db))["heerde"].topics
    reference = await file_via_chat(bot, bot.emu.add_user("Anna", "en"), place="Wapenveld")
    await bot.quiet()
    assert [reference in topic.name for topic in bot.emu.topics(forum.id)] == [True]

    # A group the bot is not in (yet): linked, and the operator is told to add the bot.
    lines = await cli(capsys, "municipality", "link", "epe", "-1009999999999")
    assert lines[0] == "Reports for epe now go to chat -1009999999999."
    assert lines[1:] == [
        "Each report comes as a card.",
        "What the bot lacks: the bot is not a member of this group (add it first).",
    ]


async def test_cli_link_without_a_token_says_the_rights_were_not_checked(
    bot: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    group = bot.emu.add_group("Epe staff")
    capsys.readouterr()
    assert await asyncio.to_thread(veiligbot, ["municipality", "link", "epe", str(group.id)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"Reports for epe now go to chat {group.id}."]
    assert "not checked" in err and "/koppel" in err
