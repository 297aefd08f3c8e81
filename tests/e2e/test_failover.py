"""Active/standby as real processes: two `veiligbot run` against one PostgreSQL and the emulator. The active one
is killed (SIGKILL) in the middle of delivering cards and of a resident's report; the standby takes over: every
report reaches the staff chat exactly once, and the resident goes on where they were.

Needs TEST_DATABASE_URL (a PostgreSQL server): two processes sharing one SQLite file is not a supported setup.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.dev.emulator import BotApiEmulator
from bot.outbox.delivery import link_municipality
from bot.reports.drafts import Draft
from bot.reports.filing import file_report
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Delivery, LeaderLease, ReportDraft
from tests.conftest import NO_POSTGRES, TEST_DATABASE_URL

TOKEN = "987654:FAILOVER-TEST-TOKEN"

pytestmark = pytest.mark.parametrize(
    "backend",
    [
        pytest.param(
            "postgresql", marks=[pytest.mark.postgresql, pytest.mark.skipif(not TEST_DATABASE_URL, reason=NO_POSTGRES)]
        )
    ],
    indirect=True,
)


class Bot:
    """One `veiligbot run` process and its log lines (read as they come)."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for line in self.proc.stdout:
            self.lines.append(line.decode(errors="replace").rstrip())

    def said(self, words: str) -> bool:
        return any(words in line for line in self.lines)

    @property
    def log(self) -> str:
        return "\n".join(self.lines)


@asynccontextmanager
async def veiligbot_run(emu: BotApiEmulator, settings: Settings, tmp_path: Path, name: str) -> AsyncIterator[Bot]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "VEILIGBOT_"))},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "DATABASE_URL": settings.database,
        "VEILIGBOT_DATA_DIR": str(tmp_path / name),
        "LEADER_LEASE_SECONDS": "3",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli.main", "run",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    bot = Bot(proc)
    try:
        yield bot
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), timeout=60)
        await bot._reader


def staff_draft(n: int) -> Draft:
    return Draft(
        category="youth-nuisance",
        description=f"Report number {n}: youngsters smash bottles at the playground every evening.",
        place_text="Wapenveld",
        municipality="heerde",
        updates="none",
        consent=True,
    )


async def draft_step(db: Database, user_id: int) -> str | None:
    async with db.session() as session:
        return await session.scalar(select(ReportDraft.step).where(ReportDraft.user_id == user_id))


async def test_the_standby_takes_over_a_killed_active_instance_losing_and_repeating_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    db = Database(settings.database)
    await db.open()
    with BotApiEmulator(token=TOKEN) as emu:
        group = emu.add_group("Heerde staff")
        await link_municipality(db, "heerde", group.id)
        anna = emu.add_user("Anna", "en")
        try:
            async with veiligbot_run(emu, settings, tmp_path, "a") as first:
                await emu.wait_for(lambda: first.said("Active") and bool(emu.calls("getUpdates")), timeout=60)
                async with veiligbot_run(emu, settings, tmp_path, "b") as second:
                    await emu.wait_for(lambda: second.said("Standby"), timeout=60)

                    # Anna starts a report with the active instance: category chosen, description asked.
                    emu.send_text(anna, "/melding")
                    await emu.wait_for(lambda: any(m.buttons for m in emu.messages(anna.id)), timeout=30)
                    await emu.wait_quiet(0.5, timeout=30)
                    emu.press(anna, emu.messages(anna.id)[-1], 1)  # youth nuisance
                    await emu.wait_for(lambda: emu.pending_updates() == 0, timeout=30)
                    await emu.wait_quiet(0.5, timeout=30)
                    assert await draft_step(db, anna.id) == "description"
                    seen = len(emu.messages(anna.id))

                    # Three reports go out; then the active instance is killed while it sends the fourth card.
                    references = [(await file_report(db, staff_draft(n), chat_id=-1, language="en")).reference
                                  for n in range(3)]  # fmt: skip
                    await emu.wait_for(lambda: len(emu.messages(group.id)) == 3, timeout=60)
                    emu.inject_fault("sendMessage", "hang", delay=120)
                    references += [(await file_report(db, staff_draft(n), chat_id=-1, language="en")).reference
                                   for n in range(3, 6)]  # fmt: skip
                    await emu.wait_for(lambda: any(c.status is None for c in emu.calls("sendMessage")), timeout=60)
                    await emu.wait_for(lambda: emu.pending_updates() == 0, timeout=30)
                    first.proc.send_signal(signal.SIGKILL)
                    await first.proc.wait()

                    # The standby takes over: the remaining cards, once each; Anna is asked for the description.
                    await emu.wait_for(lambda: second.said("Bot started"), timeout=60)
                    await emu.wait_for(lambda: len(emu.messages(group.id)) == 6, timeout=60)
                    emu.send_text(anna, "Youngsters gather at the playground every evening and smash bottles.")
                    await emu.wait_for_messages(anna.id, seen + 1, timeout=30)
                    await emu.wait_quiet(1.0, timeout=30)
            async with db.session() as session:
                holder = await session.scalar(select(LeaderLease.holder))
                unsent = list(await session.scalars(select(Delivery.id).where(Delivery.state != "sent")))
            step = await draft_step(db, anna.id)
        finally:
            await db.close()

    assert first.proc.returncode == -signal.SIGKILL
    assert second.proc.returncode == 0, second.log
    cards = [m.plain_text or "" for m in emu.messages(group.id)]
    for reference in references:
        assert sum(reference in card for card in cards) == 1, (reference, cards)
    assert len(cards) == 6 and not unsent
    # Anna's description was taken at the step she was at when the active instance died: now the place is asked.
    assert step == "place"
    assert holder is not None and holder in second.log and holder not in first.log
