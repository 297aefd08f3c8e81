"""Looking up a resident's own reports, and unlinking a resident from them."""

from __future__ import annotations

import html
import re

from sqlalchemy import delete, select

from bot.outbox.messages import queue_card
from bot.reports.drafts import normalise_reference
from bot.routing.router import Router
from bot.storage.db import Database
from bot.storage.models import Delivery, OutboxMessage, Report, ReportDraft, ReportEvent


async def reports_of(db: Database, chat_id: int) -> list[Report]:
    async with db.session() as session:
        rows = await session.scalars(
            select(Report).where(Report.resident_chat_id == chat_id).order_by(Report.created_at.desc())
        )
        return list(rows)


async def still_forwarding(db: Database, report_ids: list[int]) -> set[int]:
    """Of these reports, those that no staff chat or mailbox has taken yet (no card in a chat, no e-mail sent).

    The resident is told "received, being forwarded" for them, never "sent", while every attempt fails.
    """
    if not report_ids:
        return set()
    async with db.session() as session:
        taken = set(
            await session.scalars(
                select(Delivery.report_id).where(
                    Delivery.report_id.in_(report_ids), Delivery.state.in_(("card_sent", "sent"))
                )
            )
        )
    return set(report_ids) - taken


async def own_report(db: Database, chat_id: int, reference: str) -> Report | None:
    """The report with this reference if it belongs to this chat; None otherwise (no hint it exists)."""
    async with db.session() as session:
        report: Report | None = await session.scalar(
            select(Report).where(Report.reference == normalise_reference(reference), Report.resident_chat_id == chat_id)
        )
        return report


async def last_message(db: Database, report_id: int) -> str | None:
    """The newest message the municipality sent the resident about a report (HTML, as it was sent), if any."""
    async with db.session() as session:
        text: str | None = await session.scalar(
            select(OutboxMessage.payload["text"].as_string())
            .where(
                OutboxMessage.report_id == report_id, OutboxMessage.kind == "resident", OutboxMessage.state == "sent"
            )
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
        return text


async def last_messages(db: Database, report_ids: list[int]) -> dict[int, str]:
    """Per report, the newest message the municipality sent the resident (HTML, as sent); reports without one
    are left out."""
    if not report_ids:
        return {}
    async with db.session() as session:
        rows = await session.execute(
            select(OutboxMessage.report_id, OutboxMessage.payload["text"].as_string())
            .where(
                OutboxMessage.report_id.in_(report_ids),
                OutboxMessage.kind == "resident",
                OutboxMessage.state == "sent",
            )
            .order_by(OutboxMessage.id)
        )
        latest: dict[int, str] = {}
        for report_id, text in rows:  # oldest first: the newest wins
            if isinstance(report_id, int) and text:
                latest[report_id] = str(text)
        return latest


def excerpt(message_html: str, limit: int = 120) -> str:
    """A message as one short plain line (for a list): its body after the heading, tags removed, cut at a word.

    Pitfall: the result is plain text; escape it again before sending it as HTML.
    """
    parts = [p for p in message_html.split("\n\n") if p.strip()]
    body = parts[1] if len(parts) > 1 else (parts[0] if parts else "")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


async def resident_municipality(db: Database, router: Router, text: str, chat_id: int | None) -> str | None:
    """The resident's municipality when known: a place in their message, else their latest linked report."""
    if text:
        routed = router.route(text)
        if routed.status == "ok" and routed.municipality:
            return routed.municipality
    if chat_id is None:
        return None
    async with db.session() as session:
        municipality: str | None = await session.scalar(
            select(Report.municipality)
            .where(Report.resident_chat_id == chat_id)
            .order_by(Report.created_at.desc())
            .limit(1)
        )
        return municipality


async def forget_resident(db: Database, chat_id: int) -> int:
    """Unlink a resident from their reports (chat id, phone, e-mail); the municipality keeps the concern.

    The staff cards are redrawn (message outbox, same transaction): the "show contact details" button and
    "would like updates" go, the card says the report has no link to the resident.
    """
    async with db.session() as session:
        reports = list(await session.scalars(select(Report).where(Report.resident_chat_id == chat_id)))
        for report in reports:
            report.resident_chat_id = None
            report.contact_phone = None
            report.contact_email = None
            report.updates = "none"
            session.add(ReportEvent(report_id=report.id, actor="resident", action="personal-data-removed"))
            queue_card(session, report.id, report.municipality)
        await session.execute(delete(ReportDraft).where(ReportDraft.chat_id == chat_id))
    return len(reports)
