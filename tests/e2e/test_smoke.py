"""The harness itself: the real bot starts against the emulator and answers /start in Dutch."""

from __future__ import annotations

from tests.e2e.conftest import Harness


async def test_start_in_dutch(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "nl")
    message = await bot.say(anna, "/start")
    assert "112" in message.plain_text
    assert len(message.buttons) == 4
