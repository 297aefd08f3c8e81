"""``/stats`` and the weekly digest end to end: the real bot against the emulator, with generated reports."""

from __future__ import annotations

from typing import Any

from bot.dev.demo import generate_demo_reports
from bot.dev.emulator import Message, SimChat, SimUser
from bot.services import build_services
from bot.staff.auth import Actor
from bot.staff.registry import add_staff
from bot.storage.db import Database
from tests.e2e.conftest import Harness


async def _demo(bot: Harness, counts: dict[str, int]) -> None:
    """Demo reports from the last four weeks (inside /stats' default 30 days), filed while the bot is stopped
    (its outbox would otherwise try to reach the made-up residents)."""
    await bot.stop()
    registry = bot.services.municipalities
    names = {m.id: m.name for m in registry.municipalities}
    staff = Actor(4242, "staff", "Demo")
    db = Database(bot.settings.database)
    await db.open()
    for municipality, count in counts.items():
        places = [p.name for m in registry.municipalities if m.id == municipality for p in m.places]
        await generate_demo_reports(
            db, bot.services.catalogs, dict(names), municipality, places, staff, count=count, weeks=4
        )
    await db.close()
    bot.services = build_services(bot.settings)  # a stopped bot's database stays closed: start as a new process
    await bot.start()


async def _ask(bot: Harness, user: SimUser, text: str, chat: SimChat | SimUser, replies: int) -> list[Message]:
    """Send ``text`` and wait for ``replies`` bot messages in ``chat`` (the chart is drawn in a worker thread,
    during which the bot makes no request, so "quiet" alone could come too early)."""
    before = len(bot.emu.messages(chat.id))
    bot.emu.send_text(user, text, None if isinstance(chat, SimUser) else chat)

    def new() -> list[Message]:
        return [m for m in bot.emu.messages(chat.id)[before:] if m.from_bot]

    if replies:
        await bot.emu.wait_for(lambda: len(new()) >= replies, timeout=20.0)
    await bot.quiet()
    return new()


async def test_stats_in_the_group_and_privately_only_for_staff(bot: Harness) -> None:
    await _demo(bot, {"epe": 14, "hattem": 5})
    epe = await bot.staff_group("epe")
    eva, hugo, zoe, cora = (bot.emu.add_user(n, "nl") for n in ("Eva", "Hugo", "Zoe", "Cora"))
    await add_staff(bot.services.db, eva.id, "epe", "staff", "Eva")
    await add_staff(bot.services.db, hugo.id, "hattem", "staff", "Hugo")
    await add_staff(bot.services.db, cora.id, "epe", "coordinator", "Cora")

    text, chart = await _ask(bot, eva, "/stats", epe, 2)
    assert "Cijfers Epe" in (text.plain_text or "") and "14 meldingen gedaan" in (text.plain_text or "")
    assert "Hattem" not in (text.plain_text or "")
    assert chart.photo

    # Not staff, or staff of another municipality: no figures in Epe's group.
    assert await _ask(bot, zoe, "/stats", epe, 0) == []
    (reply,) = await _ask(bot, hugo, "/stats", epe, 1)
    assert reply.plain_text == "Deze groep is niet gekoppeld aan een gemeente van jou."

    # Privately: Eva sees Epe only; the coordinator sees all six, or the one she names.
    (refused,) = await _ask(bot, eva, "/stats hattem", eva, 1)
    assert refused.plain_text == "De cijfers van die gemeente kun je hier niet zien."
    text, chart = await _ask(bot, cora, "/stats 30d", cora, 2)
    assert "Cijfers alle gemeenten" in (text.plain_text or "") and "19 meldingen gedaan" in (text.plain_text or "")
    text, chart = await _ask(bot, cora, "/stats hattem", cora, 2)
    assert "Cijfers Hattem" in (text.plain_text or "") and "5 meldingen gedaan" in (text.plain_text or "")
    assert chart.photo
    (usage,) = await _ask(bot, cora, "/stats gisteren", cora, 1)
    assert "/stats 2026-11" in (usage.plain_text or "")


async def test_weekly_digest_posts_figures_and_chart_to_each_linked_group(bot: Harness) -> None:
    await _demo(bot, {"heerde": 8})
    heerde, nunspeet = await bot.staff_group("heerde"), await bot.staff_group("nunspeet")
    app: Any = bot.app
    (job,) = app.job_queue.get_jobs_by_name("weekly-stats")
    await job.run(app)
    await bot.quiet()
    for group, expected in ((heerde, "8 meldingen gedaan"), (nunspeet, "0 meldingen gedaan")):
        text, chart = [m for m in bot.emu.messages(group.id) if m.from_bot]
        assert "Weekoverzicht" in (text.plain_text or "") and expected in (text.plain_text or "")
        assert chart.photo
