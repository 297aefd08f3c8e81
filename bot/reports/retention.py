"""Retention: the personal data of a closed report is removed ``RETENTION_DAYS`` after closing (a daily job,
and ``veiligbot purge``); what the statistics need stays.

Removed: the description, the place as typed (kept: the village or town the router recognises in it), the
exact position, photos' file ids, contact details, the link to the resident's chat, the text of internal
notes, staff questions and messages, closing texts and resident answers in the history (``report_events``), the
text of sent and queued messages (``outbox``), drafts of staff texts and pending resident replies. Kept:
reference, category, theme, municipality, village, dates, statuses, the history's actions and times, the
resident's verdict (👍/👎) and the crisis flag.

The bot's own copies in staff chats are cleaned through the message outbox (kind ``redact`` and the topic op
``delete``), in this order per staff chat that holds a card:

1. the card is deleted when it is younger than 48 hours (Telegram's ``deleteMessage`` limit), otherwise
   redrawn without personal data (a bot may edit its own messages at any age); thread posts under it likewise
   (deleted, or replaced by a short "removed" line);
2. in topic mode, the report's forum topic is deleted (``deleteForumTopic``, with all its messages, at any
   age) when the bot has the right to delete messages there.

Pitfalls:
- What cannot be removed: photos sent with a card in a plain group (their message ids are not recorded, and
  they are older than 48 hours anyway), contact details staff had sent to them privately, messages staff wrote
  themselves in the group, and the bot's messages in the resident's own chat (those are the resident's copy).
  The README's Privacy section lists these.
- Only reports closed (or cancelled) before the cut-off are purged; a reopened report has no ``closed_at``.
- Idempotent: ``purged_at`` marks a report, a second run skips it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n.catalogs import N_, Translator
from bot.outbox.messages import queue_card, queue_topic
from bot.routing.router import Router
from bot.storage.db import Database
from bot.storage.models import (
    Delivery,
    OutboxMessage,
    Report,
    ReportEvent,
    ResidentReply,
    StaffCompose,
    utcnow,
)
from bot.workflow.transitions import Status

DELETE_WINDOW = dt.timedelta(hours=48)  # Bot API deleteMessage: "sent less than 48 hours ago"
# Event notes that are no one's words: the refusal reason, the verdict, the crisis class, the system's text.
KEEP_NOTE = frozenset({"refused", "feedback", "crisis", "no_reaction"})
REMOVED_POST = N_("🗑 Removed: the retention period of this report has ended.")


@dataclass(frozen=True)
class PurgeRun:
    reports: int
    cutoff: dt.datetime


def cutoff_for(retention_days: int, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=retention_days)


async def purge_expired(
    db: Database, router: Router, staff_t: Translator, *, retention_days: int, now: dt.datetime | None = None
) -> PurgeRun:
    """Purge every report closed or cancelled more than ``retention_days`` ago (one transaction each)."""
    now = now or utcnow()
    cutoff = cutoff_for(retention_days, now)
    async with db.session() as session:
        ids = list(
            await session.scalars(
                select(Report.id)
                .where(
                    Report.purged_at.is_(None),
                    or_(
                        and_(Report.status == Status.CLOSED, Report.closed_at <= cutoff),
                        and_(Report.status == Status.CANCELLED, Report.updated_at <= cutoff),
                    ),
                )
                .order_by(Report.id)
            )
        )
    done = 0
    for report_id in ids:
        async with db.session() as session:
            report = await session.get(Report, report_id)
            if report is None or report.purged_at is not None:
                continue
            await purge_report(session, report, router, staff_t, now)
            done += 1
    return PurgeRun(done, cutoff)


def village_of(report: Report, router: Router) -> str | None:
    """The recognised village or town of the report's place (a statistic), never the address as typed."""
    if report.place_text:
        routed = router.route(report.place_text)
        if routed.place:
            return routed.place
    if report.latitude is not None and report.longitude is not None:
        return router.route_location(report.latitude, report.longitude).place
    return None


def _kept_note(event: ReportEvent) -> str | None:
    if event.action in KEEP_NOTE:
        return event.note
    if event.action == "transfer" and event.note:
        return event.note.split(":", 1)[0]  # "epe → heerde: why" keeps "epe → heerde"
    return None


async def purge_report(
    session: AsyncSession, report: Report, router: Router, staff_t: Translator, now: dt.datetime
) -> None:
    """Remove the report's personal data (in the caller's transaction) and queue the staff-chat clean-up."""
    report.place_text = village_of(report, router)
    report.description = ""
    report.latitude = report.longitude = None
    report.photos = []
    report.resident_chat_id = None
    report.contact_phone = report.contact_email = None
    report.updates = "none"
    report.reopen_requested_at = None
    report.purged_at = now
    for event in await session.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id)):
        event.note = _kept_note(event)
        if event.actor.startswith("user:"):
            event.actor = "user"  # a refused presser may be anyone; staff ids ("staff:…") are staff records
    messages = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.report_id == report.id)))
    for message in messages:
        if "text" in message.payload:
            message.payload = {**message.payload, "text": ""}
        if message.state == "pending" and message.kind in ("resident", "thread"):
            message.state = "dropped"
    await session.execute(delete(StaffCompose).where(StaffCompose.report_id == report.id))
    await session.execute(delete(ResidentReply).where(ResidentReply.report_id == report.id))
    session.add(ReportEvent(report_id=report.id, at=now, actor="system", action="personal-data-purged"))
    deliveries = list(
        await session.scalars(select(Delivery).where(Delivery.report_id == report.id, Delivery.message_id.is_not(None)))
    )
    for delivery in deliveries:
        municipality = delivery.target.removeprefix("staff:")
        young = delivery.sent_at is not None and now - delivery.sent_at < DELETE_WINDOW
        if young and delivery.message_id is not None:
            _queue_redact(session, report.id, municipality, delivery.message_id, card=True, text="")
        else:
            queue_card(session, report.id, municipality)  # redrawn without personal data
        for post in messages:
            if post.kind != "thread" or post.state != "sent" or post.message_id is None:
                continue
            if post.payload.get("municipality") != municipality:
                continue
            post_young = post.sent_at is not None and now - post.sent_at < DELETE_WINDOW
            text = staff_t.gettext(REMOVED_POST)
            _queue_redact(session, report.id, municipality, post.message_id, card=False, text=text, delete=post_young)
        if delivery.thread_id is not None:
            queue_topic(session, report.id, municipality, "delete")


def _queue_redact(
    session: AsyncSession,
    report_id: int,
    municipality: str,
    message_id: int,
    *,
    card: bool,
    text: str,
    delete: bool = True,
) -> None:
    """Delete (``delete``) or replace one bot message in a staff chat: a card falls back to its purged redraw,
    a thread post to ``text``. Sent by bot.outbox.messages (kind ``redact``)."""
    session.add(
        OutboxMessage(
            report_id=report_id,
            kind="redact",
            payload={
                "municipality": municipality,
                "message_id": message_id,
                "card": card,
                "delete": delete,
                "text": text,
            },
        )
    )
