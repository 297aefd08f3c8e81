"""End-to-end harness: the real bot (bot.app.embedded_bot) against the local Bot API emulator.

Usage in a test::

    async def test_x(bot: Harness) -> None:
        anna = bot.emu.add_user("Anna", "nl")
        msg = await bot.say(anna, "/start")          # the bot's last message to Anna after it went quiet
        assert "112" in msg.plain_text
        await bot.press(anna, msg, 0)                 # 0-based button index
        await bot.edit(anna, bot.emu.received(anna.id)[-1].message_id, "new text")  # an edited message
        await bot.press_data(anna, msg, "forged")     # a press with data no button carries
        await bot.restart()                           # same database, new Application

``bot.services`` gives the running Services (db, kb, router ...); ``bot.staff_group(municipality)``
creates a group chat and links the municipality to it.

Waiting: every helper returns once the bot is idle (bot.dev.idle: no update unconfirmed or being handled, no
request in flight, no job due or running), read from the running Application itself, not from a silence of
some length: a slow machine makes a test slower, never wrong.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

import pytest

from bot.app import embedded_bot
from bot.dev.emulator import BotApiEmulator, Message, SimChat, SimUser
from bot.dev.idle import Idleness
from bot.outbox.delivery import link_municipality
from bot.services import Services, build_services
from bot.settings import Settings


@dataclass
class Harness:
    emu: BotApiEmulator
    settings: Settings
    services: Services
    _stack: AsyncExitStack | None = None
    app: object | None = None
    restarts: int = field(default=0)
    idle: Idleness | None = None

    async def start(self) -> None:
        self._stack = AsyncExitStack()
        self.app = await self._stack.enter_async_context(
            embedded_bot(
                self.settings, base_url=self.emu.base_url, base_file_url=self.emu.base_file_url, services=self.services
            )
        )
        # No await between entering the bot's context and attaching: no job can have started yet.
        self.idle = Idleness(self.emu)
        self.idle.attach(self.app)
        await self.quiet()

    async def stop(self) -> None:
        if self.idle is not None:
            self.idle.detach()
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None

    async def restart(self) -> None:
        """Stop and start the bot, keeping its database (a fresh Services, as a new process would)."""
        await self.stop()
        self.services = build_services(self.settings)
        self.restarts += 1
        await self.start()

    async def quiet(self) -> None:
        """Wait until the bot has handled every update sent so far, and the work it started (jobs) is done."""
        assert self.idle is not None, "the bot is not running"
        assert await self.idle.wait(timeout=30.0), "the bot did not go quiet"

    async def say(self, user: SimUser, text: str, chat: SimChat | None = None) -> Message:
        update_id = self.emu.send_text(user, text, chat)
        await self.emu.wait_for(lambda: self.emu.is_delivered(update_id), timeout=10.0)
        await self.quiet()
        return self.last(user if chat is None else chat)

    async def press(self, user: SimUser, message: Message, index: int) -> Message:
        update_id = self.emu.press(user, message, index)
        await self.emu.wait_for(lambda: self.emu.is_delivered(update_id), timeout=10.0)
        await self.quiet()
        return self.last(user)

    async def press_data(self, user: SimUser, message: Message, data: str) -> None:
        """A press with any callback data on ``message`` (forged, or a button of an older bot version)."""
        update_id = self.emu.press_data(user, message, data)
        await self.emu.wait_for(lambda: self.emu.is_delivered(update_id), timeout=10.0)
        await self.quiet()

    async def edit(self, user: SimUser, message_id: int, text: str) -> None:
        """The resident edits their own earlier message (an ``edited_message`` update)."""
        update_id = self.emu.edit_text(user, message_id, text)
        await self.emu.wait_for(lambda: self.emu.is_delivered(update_id), timeout=10.0)
        await self.quiet()

    async def location(self, user: SimUser, lat: float, lon: float) -> Message:
        update_id = self.emu.send_location(user, lat, lon)
        await self.emu.wait_for(lambda: self.emu.is_delivered(update_id), timeout=10.0)
        await self.quiet()
        return self.last(user)

    async def photo(self, user: SimUser, caption: str | None = None) -> Message:
        update_id = self.emu.send_photo(user, caption)
        await self.emu.wait_for(lambda: self.emu.is_delivered(update_id), timeout=10.0)
        await self.quiet()
        return self.last(user)

    def last(self, chat: SimUser | SimChat) -> Message:
        message = self.emu.last_message(chat.id)
        assert message is not None, "the bot sent nothing to this chat"
        return message

    def texts(self, chat: SimUser | SimChat) -> list[str]:
        return [m.plain_text or "" for m in self.emu.messages(chat.id)]

    async def staff_group(self, municipality: str, title: str | None = None) -> SimChat:
        group = self.emu.add_group(title or f"{municipality} staff")
        await link_municipality(self.services.db, municipality, group.id)
        return group


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Scripted residents and staff type faster than people: no message limit here (tests/e2e/test_abuse.py
    tests it), and group chats are not held to Telegram's 20 messages a minute, which would make every staff
    test wait on the clock (tests/e2e/test_load.py keeps the production limiter; validation bypassed on purpose).
    """
    return settings.model_copy(update={"messages_per_minute": 1000, "telegram_group_rate_limit": 6000.0})


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[Harness]:
    with BotApiEmulator(accept_any_token=True) as emu:
        harness = Harness(emu=emu, settings=settings, services=build_services(settings))
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()
