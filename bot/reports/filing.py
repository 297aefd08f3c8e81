"""Filing a completed draft as a report, exactly once per draft.

One transaction writes the report, its first event and its outbox row, and deletes the resident's draft.
The draft's idempotency key is stored on the report under a unique constraint, so filing the same draft
again -- a double press on Send, a retry after Telegram failed to show the confirmation, a button pressed
after a restart -- returns the report filed the first time instead of a second one.

Pitfalls:
- The caller passes the resident's *current* draft (just loaded) and their user id: that draft row is
  deleted in the same transaction, whether the report is new or was filed before.
- The key is a random value with no link to the resident (it is in the summary's Send button only), so it
  may stay on a report without updates, which keeps no link to the resident otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox.email import delivery_targets
from bot.reports.drafts import CATEGORIES, Draft, new_reference
from bot.reports.duplicates import DuplicateFinder
from bot.storage.db import Database
from bot.storage.models import Delivery, Report, ReportDraft, ReportEvent
from bot.workflow.transitions import Status, check_transition


@dataclass(frozen=True)
class FiledReport:
    id: int
    reference: str
    municipality: str
    updates: str  # "chat" | "none": what the resident chose, for the confirmation
    new: bool = True  # False: this draft had been filed before; this is that report
    category: str = ""  # for what the confirmation adds per category (a scam report is no aangifte)


def _filed(report: Report, *, new: bool) -> FiledReport:
    return FiledReport(report.id, report.reference, report.municipality, report.updates, new, report.category)


async def _by_key(session: AsyncSession, key: str) -> Report | None:
    report: Report | None = await session.scalar(select(Report).where(Report.idempotency_key == key))
    return report


async def filed_report(db: Database, key: str) -> FiledReport | None:
    """The report filed with this idempotency key, if any (a Send pressed again after the draft is gone)."""
    async with db.session() as session:
        report = await _by_key(session, key)
        return _filed(report, new=False) if report else None


async def file_report(
    db: Database,
    draft: Draft,
    *,
    chat_id: int,
    language: str,
    user_id: int | None = None,
    duplicates: DuplicateFinder | None = None,
) -> FiledReport:
    """File ``draft`` once: report, first event, outbox delivery, and deleting ``user_id``'s draft, atomically.

    Filing a draft whose key was filed before changes nothing but the draft deletion and returns that report
    (``new=False``). ``user_id=None`` deletes no draft (tools and tests that build drafts in memory).
    ``duplicates``: look for an open report this one resembles (the hint on its card), in the same transaction.
    """
    if not draft.complete():
        raise ValueError("draft is not complete")
    assert draft.category and draft.description and draft.municipality and draft.updates
    check_transition(None, Status.NEW)
    refused: IntegrityError | None = None
    for _attempt in range(5):
        reference = new_reference(draft.municipality)
        try:
            async with db.session() as session:
                if user_id is not None:
                    await session.execute(delete(ReportDraft).where(ReportDraft.user_id == user_id))
                existing = await _by_key(session, draft.key)
                if existing is not None:
                    return _filed(existing, new=False)
                report = Report(
                    reference=reference,
                    idempotency_key=draft.key,
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
                if duplicates is not None:
                    similar = await duplicates.find(session, report)
                    report.similar_to_id = similar.id if similar is not None else None
                session.add(ReportEvent(report_id=report.id, actor="resident", action="created", to_status=Status.NEW))
                # The staff chat, and/or e-mail where the municipality asked for it (bot.outbox.email).
                for target in await delivery_targets(session, draft.municipality):
                    session.add(Delivery(report_id=report.id, target=target, state="pending"))
                return _filed(report, new=True)
        except IntegrityError as exc:
            # A reference collision (rare: draw again), or the same key filed concurrently (the next round
            # finds that report).
            refused = exc
    raise RuntimeError("could not draw a unique reference") from refused
