"""Looking up a resident's own reports, and unlinking a resident from them."""

from __future__ import annotations

from sqlalchemy import delete, select

from bot.outbox.messages import queue_card
from bot.reports.drafts import normalise_reference
from bot.routing.router import Router
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, Report, ReportDraft, ReportEvent


async def reports_of(db: Database, chat_id: int) -> list[Report]:
    async with db.session() as session:
        rows = await session.scalars(
            select(Report).where(Report.resident_chat_id == chat_id).order_by(Report.created_at.desc())
        )
        return list(rows)


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
