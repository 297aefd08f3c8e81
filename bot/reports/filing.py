"""Filing a completed draft as a report: the report, its first event and its outbox row in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from bot.reports.drafts import CATEGORIES, Draft, new_reference
from bot.storage.db import Database
from bot.storage.models import Delivery, Report, ReportEvent
from bot.workflow.transitions import Status, check_transition


@dataclass(frozen=True)
class FiledReport:
    id: int
    reference: str
    municipality: str


async def file_report(db: Database, draft: Draft, *, chat_id: int, language: str) -> FiledReport:
    """Store the report, its first event and its outbox delivery in one transaction."""
    if not draft.complete():
        raise ValueError("draft is not complete")
    assert draft.category and draft.description and draft.municipality and draft.updates
    check_transition(None, Status.NEW)
    for _attempt in range(5):  # a reference collision is rare; draw again
        reference = new_reference(draft.municipality)
        try:
            async with db.session() as session:
                report = Report(
                    reference=reference,
                    category=draft.category,
                    theme=CATEGORIES[draft.category].theme,
                    municipality=draft.municipality,
                    description=draft.description.strip(),
                    place_text=draft.place_text,
                    latitude=draft.latitude,
                    longitude=draft.longitude,
                    photos=list(draft.photos),
                    updates=draft.updates,
                    resident_chat_id=chat_id if draft.updates == "chat" else None,
                    contact_phone=draft.phone,
                    contact_email=draft.email,
                    language=language,
                    status=Status.NEW,
                )
                session.add(report)
                await session.flush()
                session.add(ReportEvent(report_id=report.id, actor="resident", action="created", to_status=Status.NEW))
                session.add(Delivery(report_id=report.id, target=f"staff:{draft.municipality}", state="pending"))
                return FiledReport(report.id, reference, draft.municipality)
        except IntegrityError:
            continue
    raise RuntimeError("could not draw a unique reference")
