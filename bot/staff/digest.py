"""The morning digest: every working day at 08:30 (Europe/Amsterdam) each linked staff chat gets one message with
the reports that need attention -- late (and 3× late), near the deadline, new, waiting for the resident -- with
their assignees. It is pinned, and edited in place through the day when the picture changes.

:func:`render_digest` is a pure function of the open reports; :class:`Digests` posts, pins and edits through a
:class:`DigestSender` (handlers/jobs.py for Telegram) and remembers the message per municipality and local day
(``digests`` table), so a second run that day edits instead of posting again.

Pitfalls:
- Switched off per municipality with ``veiligbot municipality digest MUNICIPALITY off`` (``digest_settings``;
  no row = on). A blocked or unlinked staff chat gets nothing.
- Posting happens only when asked (the 08:30 job, on working days); the refresh only edits today's message, so
  a restart never posts a second digest. A crash between Telegram accepting the post and the row being stored
  could post twice (the same instant as the card outbox); one run at a time (a lock) otherwise.
- The text carries references, categories and staff names, never resident text; it is not logged.
- The morning run also queues a redraw of every card whose deadline runs (for every linked municipality, digest
  or not), so the time left on the cards is today's; the message outbox sends those edits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from html import escape
from typing import Protocol

from babel.dates import format_date
from sqlalchemy import select

from bot.i18n.catalogs import N_, Translator
from bot.outbox.delivery import RetryLater, TargetGone
from bot.outbox.messages import queue_card
from bot.reports.drafts import CATEGORIES
from bot.staff.card import RUNNING, standing, time_left_label
from bot.staff.queries import OPEN_STATUSES
from bot.staff.registry import staff_names
from bot.storage.db import Database
from bot.storage.models import Digest, DigestSetting, MunicipalityLink, Report, utcnow
from bot.workflow.deadlines import NEAR_DEADLINE_DAYS, DeadlinePolicy, Due
from bot.workflow.transitions import Status

log = logging.getLogger(__name__)

DIGEST_TIME = dt.time(8, 30)  # local time (the bot's time zone)

SECTIONS: tuple[tuple[str, str], ...] = (
    ("late", N_("⚠️ Late")),
    ("near", N_("⏰ Near the deadline")),
    ("new", N_("🆕 New")),
    ("waiting", N_("💬 Waiting for the resident")),
)


class DigestSender(Protocol):
    """The transport; raises RetryLater / TargetGone (bot.outbox.delivery) for failures it understands."""

    async def post(self, chat_id: int, text: str) -> int: ...

    async def pin(self, chat_id: int, message_id: int) -> None:
        """Best effort: a group where the bot may not pin still gets the message."""
        ...

    async def unpin(self, chat_id: int, message_id: int) -> None:
        """Best effort, as :meth:`pin`."""
        ...

    async def edit(self, chat_id: int, message_id: int, text: str) -> None:
        """Pitfall: Telegram's "message is not modified" is success, not an error."""
        ...


def section_of(report: Report, due: Due | None) -> str | None:
    """Which section a report belongs in (each report once, the most pressing first), or None."""
    if due is not None and due.late:
        return "late"
    if due is not None and due.days_left <= NEAR_DEADLINE_DAYS:
        return "near"
    if report.status == Status.NEW:
        return "new"
    if report.status == Status.REACTION_REQUESTED:
        return "waiting"
    return None


def render_digest(
    municipality_name: str,
    reports: list[Report],
    names: dict[int, str],
    policy: DeadlinePolicy,
    t: Translator,
    now: dt.datetime,
) -> str:
    """The digest's text for one municipality at ``now`` (HTML). ``reports``: its open reports, oldest first."""
    today = policy.calendar.local_date(now)
    title = t.gettext("Morning digest {municipality}, {date}").format(
        municipality=municipality_name, date=format_date(today, "EEEE d MMMM", locale=t.lang)
    )
    lines = [f"☀️ <b>{escape(title)}</b>"]
    lines.append(escape(t.ngettext("{n} open report.", "{n} open reports.", len(reports)).format(n=len(reports))))
    grouped: dict[str, list[str]] = {key: [] for key, _ in SECTIONS}
    for report in reports:
        due = standing(report, policy, now)
        key = section_of(report, due)
        if key is None:
            continue
        category = CATEGORIES.get(report.category)
        label = t.gettext(category.label) if category else report.category
        assignee = (
            names.get(report.assignee_id, f"#{report.assignee_id}") if report.assignee_id else t.gettext("nobody")
        )
        left = f" – {escape(time_left_label(due, t))}" if due is not None else ""
        grouped[key].append(f"• <code>{escape(report.reference)}</code> {escape(label)}{left} – 🙋 {escape(assignee)}")
    if not any(grouped.values()):
        lines += ["", escape(t.gettext("Nothing needs attention this morning."))]
    for key, heading in SECTIONS:
        if grouped[key]:
            lines += ["", f"<b>{escape(t.gettext(heading))}</b> ({len(grouped[key])})", *grouped[key]]
    return "\n".join(lines)[:4000]


async def digest_enabled(db: Database, municipality: str) -> bool:
    async with db.session() as session:
        row = await session.get(DigestSetting, municipality)
        return row is None or row.enabled


async def set_digest(db: Database, municipality: str, enabled: bool) -> None:
    """``veiligbot municipality digest MUNICIPALITY on|off``."""
    async with db.session() as session:
        row = await session.get(DigestSetting, municipality)
        if row is None:
            session.add(DigestSetting(municipality=municipality, enabled=enabled))
        else:
            row.enabled = enabled


async def redraw_running_cards(db: Database) -> int:
    """Queue a card redraw for every report whose deadline runs (the count of working days moved on)."""
    async with db.session() as session:
        rows = list(
            await session.execute(
                select(Report.id, Report.municipality).where(Report.status.in_([s.value for s in RUNNING]))
            )
        )
        for report_id, municipality in rows:
            queue_card(session, report_id, municipality)
    return len(rows)


@dataclass(frozen=True)
class DigestRun:
    posted: int = 0
    edited: int = 0
    failed: int = 0
    redrawn: int = 0


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Digests:
    def __init__(
        self,
        db: Database,
        sender: DigestSender,
        policy: DeadlinePolicy,
        t: Translator,
        municipality_names: dict[str, str],
    ) -> None:
        self._db = db
        self._sender = sender
        self._policy = policy
        self._t = t
        self._names = municipality_names
        self._lock = asyncio.Lock()

    async def text_for(self, municipality: str, now: dt.datetime) -> str:
        async with self._db.session() as session:
            reports = list(
                await session.scalars(
                    select(Report)
                    .where(Report.municipality == municipality, Report.status.in_(OPEN_STATUSES))
                    .order_by(Report.created_at)
                )
            )
        names = await staff_names(self._db)
        return render_digest(self._names.get(municipality, municipality), reports, names, self._policy, self._t, now)

    async def run(self, now: dt.datetime | None = None, *, post: bool) -> DigestRun:
        """Post (``post=True``: the morning job, skipped on weekends and holidays) or only refresh today's
        digests. Each municipality's trouble stays its own."""
        now = now or utcnow()
        day = self._policy.calendar.local_date(now)
        if post and not self._policy.calendar.is_working_day(day):
            post = False
        counts = {"posted": 0, "edited": 0, "failed": 0, "redrawn": 0}
        async with self._lock:
            if post:
                counts["redrawn"] = await redraw_running_cards(self._db)
            async with self._db.session() as session:
                links = list(
                    await session.scalars(select(MunicipalityLink).where(MunicipalityLink.health != "blocked"))
                )
            for link in links:
                if not await digest_enabled(self._db, link.municipality):
                    continue
                try:
                    done = await self._one(link, day, now, post)
                except (RetryLater, TargetGone) as exc:
                    log.warning("Digest for %s failed (%s)", link.municipality, type(exc).__name__)
                    counts["failed"] += 1
                    continue
                if done:
                    counts[done] += 1
        return DigestRun(**counts)

    async def _one(self, link: MunicipalityLink, day: dt.date, now: dt.datetime, post: bool) -> str | None:
        async with self._db.session() as session:
            row = await session.get(Digest, (link.municipality, day))
            previous = await session.scalar(
                select(Digest)
                .where(Digest.municipality == link.municipality, Digest.day < day)
                .order_by(Digest.day.desc())
                .limit(1)
            )
        if row is not None and row.chat_id != link.staff_chat_id:
            row = None  # relinked to another group today: that group has no digest yet
        if row is None and not post:
            return None
        text = await self.text_for(link.municipality, now)
        if row is not None:
            if row.text_hash == _hash(text):
                return None
            await self._sender.edit(row.chat_id, row.message_id, text)
            async with self._db.session() as session:
                stored = await session.get(Digest, (link.municipality, day))
                if stored is not None:
                    stored.text_hash = _hash(text)
            return "edited"
        message_id = await self._sender.post(link.staff_chat_id, text)
        async with self._db.session() as session:
            stored = await session.get(Digest, (link.municipality, day))
            if stored is None:
                session.add(
                    Digest(
                        municipality=link.municipality,
                        day=day,
                        chat_id=link.staff_chat_id,
                        message_id=message_id,
                        text_hash=_hash(text),
                    )
                )
            else:
                stored.chat_id, stored.message_id, stored.text_hash = link.staff_chat_id, message_id, _hash(text)
        if previous is not None and previous.chat_id == link.staff_chat_id:
            await self._sender.unpin(previous.chat_id, previous.message_id)
        await self._sender.pin(link.staff_chat_id, message_id)
        return "posted"
