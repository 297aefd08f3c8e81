"""bot.dev.idle: "the bot is done" is read from the Application (updates handled, jobs done), so work that is
slow or that a handler hands to the job queue is waited for, however long the silence before it."""

from __future__ import annotations

import asyncio
import os

os.environ.setdefault("PTB_TIMEDELTA", "1")

from collections.abc import AsyncIterator

import pytest
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes

from bot.dev.emulator import BotApiEmulator
from bot.dev.idle import Idleness

GATE: dict[str, asyncio.Event] = {}


@pytest.fixture
async def running() -> AsyncIterator[tuple[BotApiEmulator, Application, Idleness]]:  # type: ignore[type-arg]
    GATE["slow"] = asyncio.Event()

    async def slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await GATE["slow"].wait()  # works without calling the API: a silence-based wait would stop here
        assert update.message is not None
        await update.message.reply_text("slow done")

    async def later(context: ContextTypes.DEFAULT_TYPE) -> None:
        await asyncio.sleep(0.4)
        assert context.job is not None and isinstance(context.job.data, int)
        await context.bot.send_message(context.job.data, "job done")

    async def hand_off(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and context.job_queue is not None
        context.job_queue.run_once(later, 0, data=update.effective_chat.id)

    with BotApiEmulator(accept_any_token=True) as emu:
        app = ApplicationBuilder().token("42:IDLE").base_url(emu.base_url).build()
        app.add_handler(CommandHandler("slow", slow))
        app.add_handler(CommandHandler("job", hand_off))
        async with app:
            await app.start()
            idle = Idleness(emu)
            idle.attach(app)
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            try:
                yield emu, app, idle
            finally:
                GATE["slow"].set()  # a failed test must not leave a handler waiting
                idle.detach()
                await app.updater.stop()
                await app.stop()


async def test_waits_for_a_handler_that_is_silent_for_a_while(
    running: tuple[BotApiEmulator, Application, Idleness],  # type: ignore[type-arg]
) -> None:
    emu, _app, idle = running
    anna = emu.add_user("Anna", "nl")
    emu.send_text(anna, "/slow")
    assert idle.busy()  # the update is not even fetched yet
    asyncio.get_running_loop().call_later(0.4, GATE["slow"].set)
    assert await idle.wait(timeout=10.0)
    assert [m.plain_text for m in emu.messages(anna.id)] == ["slow done"]
    assert not idle.busy()


async def test_waits_for_a_job_the_handler_started(
    running: tuple[BotApiEmulator, Application, Idleness],  # type: ignore[type-arg]
) -> None:
    emu, _app, idle = running
    anna = emu.add_user("Anna", "nl")
    emu.send_text(anna, "/job")
    assert await idle.wait(timeout=10.0)
    assert [m.plain_text for m in emu.messages(anna.id)] == ["job done"]


async def test_reports_a_bot_that_stays_busy(
    running: tuple[BotApiEmulator, Application, Idleness],  # type: ignore[type-arg]
) -> None:
    emu, _app, idle = running
    anna = emu.add_user("Anna", "nl")
    emu.send_text(anna, "/slow")
    assert not await idle.wait(timeout=0.05)
    assert idle.busy()
    GATE["slow"].set()
    assert await idle.wait(timeout=10.0)
    assert [m.plain_text for m in emu.messages(anna.id)] == ["slow done"]
