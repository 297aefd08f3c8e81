"""The weekly statistics digest: every linked staff chat gets its municipality's ``/stats`` figures and chart
(Monday 08:45 Europe/Amsterdam, handlers/staff/stats.py schedules and sends it).

Pitfalls:
- A blocked staff chat (the bot was removed) is skipped; a municipality without a linked chat gets nothing.
- PTB jobs are not persisted: a bot that is down at 08:45 on Monday skips that week's digest (nothing is
  owed: ``/stats`` shows the same figures at any time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.i18n.catalogs import Translator
from bot.outbox.delivery import staff_chat_links
from bot.stats.chart import draw_chart
from bot.stats.figures import Figures, Villages, figures
from bot.stats.period import parse_period
from bot.stats.render import render
from bot.storage.db import Database
from bot.workflow.deadlines import DeadlinePolicy

DIGEST_WEEKDAY = 1  # Monday, in python-telegram-bot's numbering (0 = Sunday)
DIGEST_TIME = dt.time(8, 45)


@dataclass(frozen=True)
class Digest:
    municipality: str
    chat_id: int
    text: str  # Telegram HTML
    figures: Figures


async def weekly_digests(
    db: Database, villages: Villages, names: dict[str, str], t: Translator, today: dt.date, policy: DeadlinePolicy
) -> list[Digest]:
    """One digest per linked, not blocked staff chat: the default ``/stats`` period (the last 30 days)."""
    period = parse_period(None, today)
    digests = []
    for municipality, link in sorted((await staff_chat_links(db)).items()):
        if link.health == "blocked":
            continue
        result = await figures(db, [municipality], period, t.tz, villages, policy)
        text = render(result, names.get(municipality, municipality), t)
        digests.append(Digest(municipality, link.chat_id, text, result))
    return digests


def chart(digest: Digest, names: dict[str, str], t: Translator) -> bytes:
    return draw_chart(digest.figures, names.get(digest.municipality, digest.municipality), t)


def local_today(tz: ZoneInfo, now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.UTC)).astimezone(tz).date()
