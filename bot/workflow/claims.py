"""Lapsed claims: a report taken on (in progress, or the resident's answer is in) with no action for the
configured working hours (``CLAIM_LAPSE_WORKING_HOURS``, office hours 09:00-17:00 on working days) is marked in
``/open`` and the digest, and its assignee gets one reminder -- privately when the bot can write to them, else
under the card in the group -- through the message outbox.

Pitfalls:
- "Action" is any event on the report except the bot's own bookkeeping (refusals, reminders, this lapse): a
  note, a question, a message or the resident's answer all restart the clock.
- Once per idle period: a compare-and-set on ``reports.claim_reminded_at`` (set only when it is older than the
  last action), so a second run, or two at once, never reminds twice; a new action allows a new reminder later.
- This changes no status, so it does not go through Workflow.apply; it only records an event.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from sqlalchemy import CursorResult, func, or_, select, update

from bot.i18n.catalogs import Translator
from bot.outbox.messages import queue_staff
from bot.reports.drafts import CATEGORIES
from bot.storage.db import Database
from bot.storage.models import Report, ReportEvent, utcnow
from bot.workflow.deadlines import DeadlinePolicy
from bot.workflow.transitions import Status

CLAIMED = (Status.IN_PROGRESS.value, Status.REACTION_RECEIVED.value)
# The bot's own bookkeeping: not an action on the report.
QUIET_EVENTS = ("refused", "claim-lapsed", "reminder", "resident-unreachable", "crisis")


async def last_activity(db: Database, report_ids: list[int]) -> dict[int, dt.datetime]:
    """The time of the last action on each report (see the module's pitfalls for what counts)."""
    if not report_ids:
        return {}
    async with db.session() as session:
        rows = await session.execute(
            select(ReportEvent.report_id, func.max(ReportEvent.at))
            .where(ReportEvent.report_id.in_(report_ids), ReportEvent.action.not_in(QUIET_EVENTS))
            .group_by(ReportEvent.report_id)
        )
        found: dict[int, dt.datetime] = {}
        for report_id, at in rows:
            if at is not None:
                # func.max bypasses the column type: SQLite hands back a naive (UTC) value or a string.
                value = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
                found[report_id] = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
        return found


def is_lapsed(report: Report, last: dt.datetime | None, policy: DeadlinePolicy, now: dt.datetime) -> bool:
    """Whether the report is claimed and its last action is at least the lapse time ago (working hours)."""
    if report.status not in CLAIMED or report.assignee_id is None:
        return False
    return policy.claim_lapsed(last or report.updated_at, now)


async def remind_lapsed_claims(
    db: Database,
    policy: DeadlinePolicy,
    t: Translator,
    names: dict[int, str],
    now: dt.datetime | None = None,
) -> int:
    """Queue one reminder per lapsed claim (see the module docstring); returns how many were queued."""
    now = now or utcnow()
    async with db.session() as session:
        claimed = list(
            await session.scalars(select(Report).where(Report.status.in_(CLAIMED), Report.assignee_id.is_not(None)))
        )
    lasts = await last_activity(db, [r.id for r in claimed])
    reminded = 0
    for report in claimed:
        last = lasts.get(report.id, report.updated_at)
        if not is_lapsed(report, last, policy, now):
            continue
        assert report.assignee_id is not None
        async with db.session() as session:
            result = await session.execute(
                update(Report)
                .where(
                    Report.id == report.id,
                    Report.status == report.status,
                    Report.assignee_id == report.assignee_id,
                    or_(Report.claim_reminded_at.is_(None), Report.claim_reminded_at < last),
                )
                .values(claim_reminded_at=now)
            )
            if not isinstance(result, CursorResult) or result.rowcount != 1:
                continue
            hours = policy.claim_lapse_hours
            category = CATEGORIES.get(report.category)
            label = t.gettext(category.label) if category else report.category
            body = escape(
                t.ngettext(
                    "no action for {hours} working hour. Please pick it up, or hand it on.",
                    "no action for {hours} working hours. Please pick it up, or hand it on.",
                    int(hours),
                ).format(hours=int(hours))
            )
            what = f"<b>{escape(report.reference)}</b> ({escape(label)})"
            name = escape(names.get(report.assignee_id, f"#{report.assignee_id}"))
            mention = f'<a href="tg://user?id={report.assignee_id}">{name}</a>'
            queue_staff(
                session,
                report.id,
                report.municipality,
                report.assignee_id,
                f"⏳ {what}: {body}",
                f"⏳ {mention}, {what}: {body}",
            )
            session.add(
                ReportEvent(
                    report_id=report.id, at=now, actor="system", action="claim-lapsed", note=str(report.assignee_id)
                )
            )
        reminded += 1
    return reminded
