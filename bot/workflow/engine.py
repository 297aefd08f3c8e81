"""Every change to a report goes through :meth:`Workflow.apply`: one function that enforces the table in
bot/workflow/transitions.py.

In one transaction it checks the actor's role and what the action requires, does a compare-and-set on the
status (``UPDATE reports SET status=:new WHERE id=:id AND status=:expected``), writes the event (who, when,
from → to, note) and queues what follows in the outbox: the resident's message in their language, the card
redraw, a topic change. A refused action writes nothing but a ``refused`` event (with the presser's id and
why), and the card is redrawn so a stale button disappears.

Pitfalls:
- The caller passes the status its button or command was drawn with (``expected``): a press on a card that is
  out of date must fail, even when the move would be legal from the current status.
- The resident never sees a staff member's name: messages come from "the municipality of <name>".
- Staff text goes to the resident HTML-escaped; a closing *template* is translated into the resident's
  language, a text typed by staff is sent as typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n.catalogs import N_, Catalogs, Translator, as_lang
from bot.outbox.messages import Button, queue_card, queue_resident, queue_thread, queue_topic
from bot.staff.auth import Actor
from bot.storage.db import Database
from bot.storage.models import Delivery, Report, ReportEvent, utcnow
from bot.workflow.deadlines import QUESTION_OPEN_DAYS, QUESTION_REMINDER_DAY, working_days_between
from bot.workflow.transitions import ACTIONS, Action, Status

# Staff texts for a resident (questions, messages, closing texts) go out inside a template, and a resident's
# answer is posted under its heading: both must stay below Telegram's 4096 characters per message.
MAX_STAFF_TEXT = 3000
THREAD_TEXT_MAX = 3500

RefusalReason = Literal["unknown-report", "role", "illegal", "stale", "missing-text", "unreachable", "bad-target"]

PARTNERS: dict[str, str] = {
    "police": N_("police"),
    "veilig-thuis": N_("Veilig Thuis"),
    "wijkteam": N_("neighbourhood team (wijkteam)"),
    "jongerenwerk": N_("youth work (jongerenwerk)"),
}


class Refused(Exception):
    """The action was not taken; ``reason`` says why (for the alert), the event is already written."""

    def __init__(self, reason: RefusalReason) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Outcome:
    report_id: int
    reference: str
    municipality: str
    from_status: Status
    to_status: Status
    resident_told: bool


class Workflow:
    def __init__(self, db: Database, catalogs: Catalogs, municipality_names: dict[str, str]) -> None:
        self._db = db
        self._catalogs = catalogs
        self._names = municipality_names

    def _resident_t(self, report: Report) -> Translator:
        return self._catalogs.get(as_lang(report.language) or "nl")

    async def apply(
        self,
        report_id: int,
        action: Action,
        *,
        expected: Status,
        actor: Actor,
        note: str | None = None,
        resident_text: str | None = None,
        template: str | None = None,
        municipality: str | None = None,
        partner: str | None = None,
        now: dt.datetime | None = None,
    ) -> Outcome:
        """Take ``action`` on the report, or raise :class:`Refused` (after recording why).

        ``resident_text`` is staff's own words for the resident, ``template`` a closing-text msgid (translated
        for the resident); ``municipality`` is the target of a transfer, ``partner`` of a forward (a key of
        :data:`PARTNERS`).
        """
        now = now or utcnow()
        try:
            async with self._db.session() as session:
                return await self._apply(
                    session,
                    report_id,
                    action,
                    expected,
                    actor,
                    note,
                    resident_text,
                    template,
                    municipality,
                    partner,
                    now,
                )
        except Refused as refused:
            await self.refuse(report_id, actor.event_actor, action, refused.reason)
            raise

    async def _apply(
        self,
        session: AsyncSession,
        report_id: int,
        action: Action,
        expected: Status,
        actor: Actor,
        note: str | None,
        resident_text: str | None,
        template: str | None,
        municipality: str | None,
        partner: str | None,
        now: dt.datetime,
    ) -> Outcome:
        transition = ACTIONS[action]
        report = await session.get(Report, report_id)
        if report is None:
            raise Refused("unknown-report")
        if actor.role not in transition.roles:
            raise Refused("role")
        if expected not in transition.sources:
            raise Refused("illegal")
        if report.status != expected:
            raise Refused("stale")
        reachable = report.updates == "chat" and report.resident_chat_id is not None and not report.resident_unreachable
        if transition.contacts and not reachable:
            raise Refused("unreachable")
        # Without a resident to write to, the closing text is kept as the note (see transitions' pitfalls).
        if transition.requires == "resident_message" and not (resident_text or template or (note and not reachable)):
            raise Refused("missing-text")
        if transition.requires == "note" and not (note or partner):
            raise Refused("missing-text")
        if transition.requires == "municipality" and (municipality is None or municipality == report.municipality):
            raise Refused("bad-target")
        if action == Action.FORWARD and partner not in PARTNERS:
            raise Refused("bad-target")

        old_municipality = report.municipality  # before the UPDATE: the ORM syncs the loaded row with it
        target = transition.target or expected
        values: dict[str, object] = {"status": target, "updated_at": now}
        if action == Action.TAKE:
            values["assignee_id"] = actor.user_id
        elif action == Action.ASK:
            values.update(question_asked_at=now, question_reminded_at=None)
        elif action in (Action.ANSWER, Action.NO_REACTION):
            values["question_asked_at"] = None
        elif action == Action.CLOSE:
            values.update(closed_at=now, reopen_requested_at=None, feedback=None, question_asked_at=None)
        elif action == Action.REOPEN:
            values.update(closed_at=None, reopen_requested_at=None)
        elif action == Action.TRANSFER:
            values.update(municipality=municipality, assignee_id=None)
        result = await session.execute(
            update(Report).where(Report.id == report_id, Report.status == expected).values(**values)
        )
        if not isinstance(result, CursorResult) or result.rowcount != 1:
            raise Refused("stale")  # another press won the race since we read the report

        await session.refresh(report)
        t = self._resident_t(report)
        staff_t = self._catalogs.get("nl")
        event_note = note
        if action in (Action.ASK, Action.MESSAGE, Action.CLOSE):
            event_note = resident_text or (staff_t.gettext(template) if template else None) or note
        elif action == Action.TRANSFER:
            event_note = f"{old_municipality} → {municipality}" + (f": {note}" if note else "")
        elif action == Action.FORWARD and partner is not None:
            event_note = staff_t.gettext(PARTNERS[partner]) + (f": {note}" if note else "")
        session.add(
            ReportEvent(
                report_id=report_id,
                at=now,
                actor=actor.event_actor,
                action=action.value,
                from_status=expected.value,
                to_status=target.value,
                note=event_note,
            )
        )
        told = self._tell_resident(session, report, action, expected, t, resident_text, template)
        queue_card(session, report_id, old_municipality)
        if action == Action.TRANSFER:
            queue_topic(session, report_id, old_municipality, "close")
            await self._move_card(session, report_id, report.municipality)
        if action == Action.ANSWER and resident_text:
            heading = staff_t.gettext("Answer from the resident ({pseudonym}):").format(
                pseudonym=f"Melder {report.reference}"
            )
            queue_thread(
                session,
                report_id,
                report.municipality,
                f"💬 <b>{escape(heading)}</b>\n{escape(_shortened(resident_text, THREAD_TEXT_MAX))}",
            )
        if target == Status.CLOSED:
            queue_topic(session, report_id, report.municipality, "close")
        elif action == Action.REOPEN:
            queue_topic(session, report_id, report.municipality, "reopen")
        return Outcome(report_id, report.reference, report.municipality, expected, target, told)

    def _tell_resident(
        self,
        session: AsyncSession,
        report: Report,
        action: Action,
        expected: Status,
        t: Translator,
        resident_text: str | None,
        template: str | None,
    ) -> bool:
        name = self._names.get(report.municipality, report.municipality)
        reference = escape(report.reference)
        if action == Action.ASK and resident_text:
            text = (
                t.gettext(
                    "❓ <b>A question from the municipality of {municipality} about your report {reference}</b>"
                ).format(municipality=escape(name), reference=reference)
                + "\n\n"
                + escape(resident_text)
                + "\n\n"
                + t.gettext("Please answer within {days} working days with the button below.").format(
                    days=QUESTION_OPEN_DAYS
                )
            )
            answer = Button(t.gettext("✍️ Answer"), "resident", "answer", report.id)
            return queue_resident(session, report, text, [[answer]])
        if action == Action.MESSAGE and resident_text:
            text = (
                t.gettext(
                    "✉️ <b>A message from the municipality of {municipality} about your report {reference}</b>"
                ).format(municipality=escape(name), reference=reference)
                + "\n\n"
                + escape(resident_text)
            )
            return queue_resident(session, report, text)
        if action == Action.CLOSE:
            body = t.gettext(template) if template else escape(resident_text or "")
            text = (
                t.gettext("✅ <b>The municipality of {municipality} has closed your report {reference}</b>").format(
                    municipality=escape(name), reference=reference
                )
                + "\n\n"
                + body
                + "\n\n"
                + t.gettext("Did this help you?")
            )
            rows = [
                [
                    Button("👍", "resident", "up", report.id),
                    Button("👎", "resident", "down", report.id),
                ]
            ]
            return queue_resident(session, report, text, rows)
        tell = ACTIONS[action].tell
        if tell is None or (action == Action.TAKE and expected == Status.IN_PROGRESS):
            return False
        return queue_resident(session, report, t.gettext(tell).format(reference=reference, municipality=escape(name)))

    async def _move_card(self, session: AsyncSession, report_id: int, municipality: str) -> None:
        """The report arrives in the other municipality's chat as a new card (again, if it was there before)."""
        target = f"staff:{municipality}"
        delivery = await session.scalar(
            select(Delivery).where(Delivery.report_id == report_id, Delivery.target == target)
        )
        if delivery is None:
            session.add(Delivery(report_id=report_id, target=target, state="pending"))
        else:
            delivery.state, delivery.message_id, delivery.thread_id, delivery.attempts = "pending", None, None, 0
            delivery.next_attempt_at = utcnow()

    async def remind(self, report_id: int, now: dt.datetime) -> int:
        """Remind the resident of an open question once (compare-and-set on the reminder); 1 when sent."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Report)
                .where(
                    Report.id == report_id,
                    Report.status == Status.REACTION_REQUESTED,
                    Report.question_reminded_at.is_(None),
                )
                .values(question_reminded_at=now)
            )
            if not isinstance(result, CursorResult) or result.rowcount != 1:
                return 0
            report = await session.get(Report, report_id)
            assert report is not None
            t = self._resident_t(report)
            name = self._names.get(report.municipality, report.municipality)
            text = t.gettext(
                "⏰ The municipality of {municipality} is still waiting for your answer about report {reference}. "
                "You can answer for {days} more working days."
            ).format(
                municipality=escape(name),
                reference=escape(report.reference),
                days=QUESTION_OPEN_DAYS - QUESTION_REMINDER_DAY,
            )
            answer = Button(t.gettext("✍️ Answer"), "resident", "answer", report.id)
            queue_resident(session, report, text, [[answer]])
            session.add(ReportEvent(report_id=report_id, at=now, actor="system", action="reminder"))
            queue_card(session, report_id, report.municipality)
            return 1

    async def refuse(self, report_id: int, actor: str, action: str, reason: str) -> None:
        """Record a refused press or command (who, what, why) and redraw the card."""
        async with self._db.session() as session:
            report = await session.get(Report, report_id)
            if report is None:
                return
            session.add(
                ReportEvent(report_id=report_id, actor=actor, action="refused", note=f"{action}: {reason}"[:200])
            )
            queue_card(session, report_id, report.municipality)

    async def record(
        self, report_id: int, actor: str, action: str, note: str | None = None, *, redraw: bool = True
    ) -> None:
        """An event that changes no status (an internal note, contact details shown, feedback)."""
        async with self._db.session() as session:
            report = await session.get(Report, report_id)
            if report is None:
                return
            session.add(ReportEvent(report_id=report_id, actor=actor, action=action, note=note))
            if redraw:
                queue_card(session, report_id, report.municipality)


SYSTEM = Actor(0, "system")
NO_REACTION_NOTE = "geen reactie ontvangen"  # Signalen's words; staff read the history in Dutch


async def question_deadlines(workflow: Workflow, db: Database, tz: ZoneInfo, now: dt.datetime | None = None) -> int:
    """Open questions past their time: a reminder to the resident on working day 3, and on working day 5 the
    report returns to the queue ("geen reactie ontvangen"). Returns how many reports changed.

    Pitfall: weekdays only, no public holidays yet (bot.workflow.deadlines).
    """
    now = now or utcnow()
    async with db.session() as session:
        waiting = list(
            await session.scalars(
                select(Report).where(Report.status == Status.REACTION_REQUESTED, Report.question_asked_at.is_not(None))
            )
        )
    changed = 0
    for report in waiting:
        assert report.question_asked_at is not None
        days = working_days_between(report.question_asked_at, now, tz)
        if days >= QUESTION_OPEN_DAYS:
            try:
                await workflow.apply(
                    report.id,
                    Action.NO_REACTION,
                    expected=Status.REACTION_REQUESTED,
                    actor=SYSTEM,
                    note=NO_REACTION_NOTE,
                    now=now,
                )
            except Refused:
                continue  # answered meanwhile
            changed += 1
        elif days >= QUESTION_REMINDER_DAY and report.question_reminded_at is None:
            changed += await workflow.remind(report.id, now)
    return changed


def _shortened(text: str, limit: int) -> str:
    """At most ``limit`` characters for a Telegram message; the history (event note) keeps the whole text."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
