"""``/stats [period] [municipality]`` for staff, in a staff group or a private chat with the bot, and the weekly
digest job (bot.stats). Figures and chart are computed in bot/stats; this module only reads the command and
sends.

Pitfalls:
- Authorization is checked again for every command, from the database (handlers.staff.commands): only
  registered staff get an answer; in a group only for the municipalities linked to that group; in a private
  chat for their own municipality, and a coordinator or administrator for all six or the one they name.
- The chart is drawn in a worker thread (matplotlib takes a few hundred milliseconds).
"""

from __future__ import annotations

import asyncio
import logging
from html import escape
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.stats.chart import draw_chart
from bot.stats.digest import DIGEST_TIME, DIGEST_WEEKDAY, chart, local_today, weekly_digests
from bot.stats.figures import Villages, figures
from bot.stats.period import PeriodError, parse_period
from bot.stats.render import render
from bot.workflow.deadlines import DeadlinePolicy
from handlers.common import App, Context, services
from handlers.staff.commands import _visible_municipalities
from handlers.staff.common import municipality_names, staff_translator

log = logging.getLogger(__name__)


def _villages(context: Context) -> Villages:
    svc = services(context)
    return Villages(svc.router, svc.municipalities)


async def stats_command(update: Update, context: Context) -> None:
    message = update.effective_message
    visible = await _visible_municipalities(update, context)
    if visible is None or message is None:
        raise ApplicationHandlerStop  # not staff: ignored, as the other staff commands do
    t = staff_translator(context)
    names = municipality_names(context)
    by_word = {**{m: m for m in names}, **{n.lower(): m for m, n in names.items()}}
    chosen = [by_word[a.lower()] for a in context.args or [] if a.lower() in by_word]
    words = [a for a in context.args or [] if a.lower() not in by_word]
    if not visible:
        await message.reply_text(escape(t.gettext("This group is not linked to a municipality of yours.")))
        raise ApplicationHandlerStop
    if any(m not in visible for m in chosen):
        await message.reply_text(escape(t.gettext("You cannot see the figures of that municipality here.")))
        raise ApplicationHandlerStop
    try:
        period = parse_period(" ".join(words) or None, local_today(t.tz))
    except PeriodError:
        usage = t.gettext(
            "Use /stats, /stats 30d, /stats 2026, /stats 2026-11 or /stats 2026-11-01 (from that day), "
            "optionally with a municipality."
        )
        await message.reply_text(escape(usage))
        raise ApplicationHandlerStop from None
    municipalities = chosen or visible
    if len(municipalities) == len(names):
        title = t.gettext("all municipalities")
    else:
        title = ", ".join(names[m] for m in municipalities)
    policy = DeadlinePolicy.from_settings(services(context).settings)
    result = await figures(services(context).db, municipalities, period, t.tz, _villages(context), policy)
    await message.reply_text(render(result, title, t))
    png = await asyncio.to_thread(draw_chart, result, title, t)
    await message.reply_photo(png)
    raise ApplicationHandlerStop


async def weekly_digest_job(context: Context) -> None:
    """Monday morning: each linked staff chat gets the figures and the chart (bot.stats.digest)."""
    svc = services(context)
    t = staff_translator(context)
    names = municipality_names(context)
    for digest in await weekly_digests(
        svc.db, _villages(context), dict(names), t, local_today(t.tz), DeadlinePolicy.from_settings(svc.settings)
    ):
        png = await asyncio.to_thread(chart, digest, dict(names), t)
        heading = escape(t.gettext("Weekly overview"))
        try:
            await context.bot.send_message(digest.chat_id, f"🗓 <b>{heading}</b>\n\n{digest.text}")
            await context.bot.send_photo(digest.chat_id, png)
        except TelegramError as exc:
            log.warning("Weekly statistics not delivered to %s (%s)", digest.municipality, type(exc).__name__)


def schedule_weekly_digest(app: App, timezone: str) -> None:
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is required")
    at = DIGEST_TIME.replace(tzinfo=ZoneInfo(timezone))
    app.job_queue.run_daily(weekly_digest_job, time=at, days=(DIGEST_WEEKDAY,), name="weekly-stats")
