"""What the staff handlers read and write besides workflow actions: reports by id or reference, cards by their
message, work queues, history, pending compositions and resident replies.

Pitfall: every function opens its own session (one per handler call); none of them authorizes -- the caller
runs bot.staff.auth.authorize first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, exists, or_, select

from bot.outbox.messages import queue_card, queue_thread
from bot.reports.drafts import normalise_reference
from bot.residents.preferences import LanguagePreferences
from bot.storage.db import Database
from bot.storage.models import (
    Delivery,
    MunicipalityLink,
    Report,
    ReportEvent,
    ResidentReply,
    StaffCompose,
    utcnow,
)
from bot.workflow.deadlines import REOPEN_REQUEST_DAYS
from bot.workflow.transitions import Status

OPEN_STATUSES = tuple(s.value for s in Status if s not in (Status.CLOSED, Status.CANCELLED, Status.FORWARDED))


async def report_by_id(db: Database, report_id: int) -> Report | None:
    async with db.session() as session:
        return await session.get(Report, report_id)


async def report_by_reference(db: Database, reference: str) -> Report | None:
    async with db.session() as session:
        report: Report | None = await session.scalar(
            select(Report).where(Report.reference == normalise_reference(reference))
        )
        return report


async def linked_chat(db: Database, municipality: str) -> int | None:
    async with db.session() as session:
        link = await session.get(MunicipalityLink, municipality)
        return link.staff_chat_id if link is not None else None


async def municipalities_of_chat(db: Database, chat_id: int) -> list[str]:
    async with db.session() as session:
        rows = await session.scalars(
            select(MunicipalityLink.municipality).where(MunicipalityLink.staff_chat_id == chat_id)
        )
        return list(rows)


async def report_of_card(db: Database, chat_id: int, message_id: int) -> Report | None:
    """The report whose card (or topic) is ``message_id`` in the staff chat ``chat_id``, if any.

    A message in a forum topic carries the topic's id, which is the id of the message that opened it.
    """
    municipalities = await municipalities_of_chat(db, chat_id)
    if not municipalities:
        return None
    targets = [f"staff:{m}" for m in municipalities]
    async with db.session() as session:
        report: Report | None = await session.scalar(
            select(Report)
            .join(Delivery, Delivery.report_id == Report.id)
            .where(
                Delivery.target.in_(targets),
                (Delivery.message_id == message_id) | (Delivery.thread_id == message_id),
                Report.municipality.in_(municipalities),
            )
        )
        return report


async def open_reports(db: Database, municipalities: list[str]) -> list[Report]:
    """Open reports of these municipalities, oldest first."""
    async with db.session() as session:
        rows = await session.scalars(
            select(Report)
            .where(Report.municipality.in_(municipalities), Report.status.in_(OPEN_STATUSES))
            .order_by(Report.created_at)
        )
        return list(rows)


async def assigned_reports(db: Database, user_id: int) -> list[Report]:
    async with db.session() as session:
        rows = await session.scalars(
            select(Report)
            .where(Report.assignee_id == user_id, Report.status.in_(OPEN_STATUSES))
            .order_by(Report.created_at)
        )
        return list(rows)


async def history(db: Database, report_id: int) -> list[ReportEvent]:
    async with db.session() as session:
        rows = await session.scalars(
            select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.id)
        )
        return list(rows)


@dataclass(frozen=True)
class Compose:
    report_id: int
    action: str
    expected_status: str
    text: str | None
    extra: str | None


async def start_compose(
    db: Database, user_id: int, chat_id: int, report_id: int, action: str, expected: str, extra: str | None = None
) -> None:
    """Begin (or restart) writing a text for a report; one composition per person and chat."""
    async with db.session() as session:
        row = await session.get(StaffCompose, (user_id, chat_id))
        if row is None:
            row = StaffCompose(user_id=user_id, chat_id=chat_id)
            session.add(row)
        row.report_id, row.action, row.expected_status, row.text, row.extra = report_id, action, expected, None, extra
        row.updated_at = utcnow()


async def compose_of(db: Database, user_id: int, chat_id: int) -> Compose | None:
    async with db.session() as session:
        row = await session.get(StaffCompose, (user_id, chat_id))
        if row is None:
            return None
        return Compose(row.report_id, row.action, row.expected_status, row.text, row.extra)


async def anything_pending(
    db: Database, user_id: int, chat_id: int, preferences: LanguagePreferences | None = None
) -> bool:
    """Whether a private message may be staff or resident follow-up work (one cheap read per message).

    With ``preferences``, a resident it does not know yet has their language (and last topic) read in the same
    statement: the resident handlers after this one then read nothing more.
    """
    composing = exists().where(StaffCompose.user_id == user_id, StaffCompose.chat_id == chat_id)
    expected = exists().where(ResidentReply.chat_id == chat_id)
    # Only in their private chat, whose id is theirs (the last topic read along is that chat's).
    along = (
        preferences.columns(user_id) if preferences and chat_id == user_id and not preferences.knows(user_id) else ()
    )
    async with db.session() as session:
        row = (await session.execute(select(or_(composing, expected), *along))).one()
    if preferences is not None and along:
        preferences.prime(user_id, tuple(row)[1:])
    return bool(row[0])


async def set_compose_text(db: Database, user_id: int, chat_id: int, text: str) -> None:
    async with db.session() as session:
        row = await session.get(StaffCompose, (user_id, chat_id))
        if row is not None:
            row.text = text


async def end_compose(db: Database, user_id: int, chat_id: int) -> None:
    async with db.session() as session:
        await session.execute(
            delete(StaffCompose).where(StaffCompose.user_id == user_id, StaffCompose.chat_id == chat_id)
        )


async def expect_resident_reply(db: Database, chat_id: int, report_id: int, kind: str) -> None:
    async with db.session() as session:
        row = await session.get(ResidentReply, chat_id)
        if row is None:
            session.add(ResidentReply(chat_id=chat_id, report_id=report_id, kind=kind))
        else:
            row.report_id, row.kind, row.created_at = report_id, kind, utcnow()


async def take_resident_reply(db: Database, chat_id: int) -> tuple[int, str] | None:
    """The report a resident's next message answers (and forget it: it is used once)."""
    async with db.session() as session:
        row = await session.get(ResidentReply, chat_id)
        if row is None:
            return None
        found = (row.report_id, row.kind)
        await session.delete(row)
        return found


async def set_feedback(db: Database, report_id: int, chat_id: int, verdict: str) -> Report | None:
    """Store 👍/👎 on a closed report of this resident; None when it is not theirs or not closed."""
    async with db.session() as session:
        report = await session.get(Report, report_id)
        if report is None or report.resident_chat_id != chat_id or report.status != Status.CLOSED:
            return None
        report.feedback = verdict
        session.add(ReportEvent(report_id=report_id, actor="resident", action="feedback", note=verdict))
        queue_card(session, report_id, report.municipality)
        return report


async def request_reopen(db: Database, report_id: int, chat_id: int, now: dt.datetime | None = None) -> Report | None:
    """The resident asks to reopen, within 14 days of closing; None when it is not theirs, not closed, or late."""
    now = now or utcnow()
    async with db.session() as session:
        report = await session.get(Report, report_id)
        if report is None or report.resident_chat_id != chat_id or report.status != Status.CLOSED:
            return None
        if report.closed_at is None or now - report.closed_at > dt.timedelta(days=REOPEN_REQUEST_DAYS):
            return None
        report.reopen_requested_at = now
        session.add(ReportEvent(report_id=report_id, actor="resident", action="reopen-requested"))
        queue_card(session, report_id, report.municipality)
        return report


async def flag_crisis(db: Database, report_id: int, urgency: str, staff_text: str) -> None:
    """A crisis in a resident's message: flag the card and tell staff in the report's thread at once."""
    async with db.session() as session:
        report = await session.get(Report, report_id)
        if report is None:
            return
        report.crisis = urgency
        session.add(ReportEvent(report_id=report_id, actor="system", action="crisis", note=urgency))
        queue_card(session, report_id, report.municipality)
        queue_thread(session, report_id, report.municipality, staff_text)
