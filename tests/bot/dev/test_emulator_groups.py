"""The emulator's group changes (a group upgraded to a supergroup, the bot removed) and the malformed fault,
seen through real PTB as the bot sees them on Telegram."""

from __future__ import annotations

import os

os.environ.setdefault("PTB_TIMEDELTA", "1")

from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import Bot
from telegram.error import ChatMigrated, Forbidden

from bot.dev.emulator import BotApiEmulator


@pytest.fixture
def emu() -> Iterator[BotApiEmulator]:
    with BotApiEmulator() as server:
        yield server


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url) as the_bot:
        yield the_bot


async def test_a_migrated_group_answers_with_its_new_id(emu: BotApiEmulator, bot: Bot) -> None:
    group = emu.add_group("Heerde staff", supergroup=False)
    await bot.send_message(group.id, "before")
    supergroup = emu.migrate_group(group)
    assert (supergroup.type, supergroup.title) == ("supergroup", "Heerde staff")
    assert str(supergroup.id).startswith("-100") and supergroup.id != group.id
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group.id, "after")
    assert caught.value.new_chat_id == supergroup.id
    (call,) = [c for c in emu.calls("sendMessage") if c.params["text"] == "after"]
    assert (call.status, call.description) == (400, "Bad Request: group chat was upgraded to a supergroup chat")
    sent = await bot.send_message(supergroup.id, "there")
    assert sent.chat.type == "supergroup"
    assert [m.text for m in emu.messages(group.id)] == ["before"]
    assert [m.text for m in emu.messages(supergroup.id)] == ["there"]
    with pytest.raises(ValueError, match="basic group"):
        emu.migrate_group(group)
    with pytest.raises(ValueError, match="basic group"):
        emu.migrate_group(supergroup)


async def test_a_removed_bot_is_forbidden_until_added_again(emu: BotApiEmulator, bot: Bot) -> None:
    group = emu.add_group("Epe staff", supergroup=False)
    supergroup = emu.add_group("Elburg staff")
    emu.remove_bot(group)
    emu.remove_bot(supergroup)
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(group.id, "hello")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_photo(supergroup.id, b"photo")
    assert emu.messages(group.id) == [] and emu.messages(supergroup.id) == []
    emu.add_bot(group)
    await bot.send_message(group.id, "back")
    assert [m.text for m in emu.messages(group.id)] == ["back"]
    with pytest.raises(ValueError, match="block_bot"):
        emu.remove_bot(emu.chat(emu.add_user("Anna").id))


async def test_a_removed_bot_stays_out_of_the_supergroup(emu: BotApiEmulator, bot: Bot) -> None:
    group = emu.add_group("Hattem staff", supergroup=False)
    emu.remove_bot(group)
    supergroup = emu.migrate_group(group)
    with pytest.raises(Forbidden):
        await bot.send_message(supergroup.id, "hello")


async def test_malformed_fault_is_not_a_telegram_error_and_changes_nothing(emu: BotApiEmulator, bot: Bot) -> None:
    group = emu.add_group("Nunspeet staff")
    emu.inject_fault("sendMessage", "malformed")
    with pytest.raises(KeyError):
        await bot.send_message(group.id, "lost")
    await bot.send_message(group.id, "kept")
    assert [m.text for m in emu.messages(group.id)] == ["kept"]
    assert [c.status for c in emu.calls("sendMessage")] == [200, 200]
