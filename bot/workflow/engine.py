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
- Staff text goes to the resident HTML-escaped; a *standard text* (knowledge/data/standard-texts.yaml) goes in
  the resident's language with their own reference, a text typed by staff is sent as typed.
- Related reports (a report linked to a main one, :meth:`Workflow.link`): a message or closing on the main
  report is applied to each related report in the same transaction (their own event, their resident's message
  in their language with their reference). A related report that changed status at the same moment makes
  the compare-and-set fail, and the whole action is refused as stale (staff press again).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html import escape, unescape
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n.catalogs import N_, Catalogs, Translator, as_lang
from bot.outbox.email import delivery_targets
from bot.outbox.messages import Button, Buttons, queue_card, queue_resident, queue_thread, queue_topic
from bot.staff.auth import Actor
from bot.storage.db import Database
from bot.storage.models import Delivery, Report, ReportEvent, utcnow
from bot.workflow.deadlines import QUESTION_OPEN_DAYS, QUESTION_REMINDER_DAY, working_days_between
from bot.workflow.transitions import ACTIONS, STAFF, Action, Status
from knowledge.standard_texts import StandardText, StandardTexts, TextAction

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


# Which standard texts (knowledge/data/standard-texts.yaml) belong to which workflow action.
TEXT_ACTION: dict[Action, TextAction] = {Action.ASK: "question", Action.MESSAGE: "message", Action.CLOSE: "close"}
# A message or closing on a main report is also applied to the reports linked to it.
PROPAGATED = (Action.MESSAGE, Action.CLOSE)
_ENDED = (Status.CLOSED, Status.CANCELLED)  # no (new) links from or to these
_TAG = re.compile(r"<[^>]+>")


def resident_message(
    t: Translator, action: Action, *, municipality: str, reference: str, body: str, report_id: int
) -> tuple[str, Buttons]:
    """The message a resident receives for a question, a message or a closing: the heading, ``body`` (HTML,
    already escaped or a standard text) and the footer, with its buttons. ``municipality`` and ``reference``
    are escaped here. ``veiligbot kb check`` measures standard texts with this too."""
    name, reference = escape(municipality), escape(reference)
    if action == Action.ASK:
        heading = t.gettext(
            "❓ <b>A question from the municipality of {municipality} about your report {reference}</b>"
        ).format(municipality=name, reference=reference)
        footer = t.gettext("Please answer within {days} working days with the button below.").format(
            days=QUESTION_OPEN_DAYS
        )
        return f"{heading}\n\n{body}\n\n{footer}", [[Button(t.gettext("✍️ Answer"), "resident", "answer", report_id)]]
    if action == Action.MESSAGE:
        heading = t.gettext(
            "✉️ <b>A message from the municipality of {municipality} about your report {reference}</b>"
        ).format(municipality=name, reference=reference)
        return f"{heading}\n\n{body}", []
    if action == Action.CLOSE:
        heading = t.gettext("✅ <b>The municipality of {municipality} has closed your report {reference}</b>").format(
            municipality=name, reference=reference
        )
        rows = [[Button("👍", "resident", "up", report_id), Button("👎", "resident", "down", report_id)]]
        question = t.gettext("Did this help you?")
        return f"{heading}\n\n{body}\n\n{question}", rows
    raise ValueError(f"{action} has no message with a text")


def plain(html: str) -> str:
    """A standard text without its markup, for the history (read by staff, escaped when shown)."""
    return unescape(_TAG.sub("", html))


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
    def __init__(
        self,
        db: Database,
        catalogs: Catalogs,
        municipality_names: dict[str, str],
        texts: StandardTexts | None = None,
    ) -> None:
        """``texts``: the standard texts a ``template`` id is looked up in (without them a template is refused)."""
        self._db = db
        self._catalogs = catalogs
        self._names = municipality_names
        self._texts = texts

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

        ``resident_text`` is staff's own words for the resident, ``template`` the id of a standard text of the
        report's category for this action (sent in the resident's language); ``municipality`` is the target of
        a transfer, ``partner`` of a forward (a key of :data:`PARTNERS`).
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
        *,
        propagate: bool = True,
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
        standard = self._standard(report, action, template)
        if template and standard is None:
            raise Refused("missing-text")
        # Without a resident to write to, the closing text is kept as the note (see transitions' pitfalls).
        if transition.requires == "resident_message" and not (resident_text or standard or (note and not reachable)):
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
            staff_version = plain(self._render(standard, report, "nl")) if standard else None
            event_note = resident_text or staff_version or note
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
        told = self._tell_resident(session, report, action, expected, t, resident_text, standard)
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
        if propagate and action in PROPAGATED:
            await self._propagate(session, report, action, actor, note, resident_text, template, now)
        return Outcome(report_id, report.reference, report.municipality, expected, target, told)

    async def _propagate(
        self,
        session: AsyncSession,
        main: Report,
        action: Action,
        actor: Actor,
        note: str | None,
        resident_text: str | None,
        template: str | None,
        now: dt.datetime,
    ) -> None:
        """Apply a message or closing of ``main`` to each report linked to it that can take it (see Pitfalls)."""
        related = list(await session.scalars(select(Report).where(Report.related_to_id == main.id)))
        transition = ACTIONS[action]
        for other in related:
            status = Status(other.status)
            reachable = (
                other.updates == "chat" and other.resident_chat_id is not None and not other.resident_unreachable
            )
            if status not in transition.sources or (transition.contacts and not reachable):
                continue  # already closed, or nobody to tell
            # The main report's own text (or, closed without a resident, its closing note) goes to this one too.
            text_for_other = resident_text or (None if template else note)
            await self._apply(
                session,
                other.id,
                action,
                status,
                actor,
                note,
                text_for_other,
                template,
                None,
                None,
                now,
                propagate=False,
            )

    def _standard(self, report: Report, action: Action, template: str | None) -> StandardText | None:
        if not template or self._texts is None or action not in TEXT_ACTION:
            return None
        return self._texts.get(report.category, TEXT_ACTION[action], template)

    def _render(self, text: StandardText | None, report: Report, lang: str) -> str:
        if text is None:
            return ""
        name = self._names.get(report.municipality, report.municipality)
        return StandardTexts.render(
            text, "en" if lang == "en" else "nl", reference=escape(report.reference), municipality=escape(name)
        )

    def _tell_resident(
        self,
        session: AsyncSession,
        report: Report,
        action: Action,
        expected: Status,
        t: Translator,
        resident_text: str | None,
        standard: StandardText | None,
    ) -> bool:
        name = self._names.get(report.municipality, report.municipality)
        if action in TEXT_ACTION and (resident_text or standard or action == Action.CLOSE):
            body = self._render(standard, report, t.lang) if standard else escape(resident_text or "")
            text, rows = resident_message(
                t, action, municipality=name, reference=report.reference, body=body, report_id=report.id
            )
            return queue_resident(session, report, text, rows)
        tell = ACTIONS[action].tell
        if tell is None or (action == Action.TAKE and expected == Status.IN_PROGRESS):
            return False
        reference = escape(report.reference)
        return queue_resident(session, report, t.gettext(tell).format(reference=reference, municipality=escape(name)))

    async def _move_card(self, session: AsyncSession, report_id: int, municipality: str) -> None:
        """The report arrives in the other municipality's chat as a new card (again, if it was there before), and
        by e-mail where that municipality asked for it (once: an e-mail that went out is not sent again)."""
        for target in await delivery_targets(session, municipality):
            delivery = await session.scalar(
                select(Delivery).where(Delivery.report_id == report_id, Delivery.target == target)
            )
            if delivery is None:
                session.add(Delivery(report_id=report_id, target=target, state="pending"))
            elif target.startswith("staff:"):
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

    async def link(self, report_id: int, *, expected: Status, actor: Actor, now: dt.datetime | None = None) -> str:
        """Link the report to the open report it resembles (``similar_to_id``): that one becomes its main report,
        whose messages and closing reach this report's resident too. Returns the main report's reference, or
        raises :class:`Refused` (after recording why). An event on both; both cards are redrawn.

        No status changes, so this is a recorded action beside :meth:`apply`, with the same checks: the role,
        the status the button was drawn with, and a compare-and-set (``related_to_id IS NULL``).
        """
        try:
            async with self._db.session() as session:
                report = await self._linkable(session, report_id, expected, actor)
                main = await session.get(Report, report.similar_to_id) if report.similar_to_id else None
                if main is None or main.status in _ENDED or main.related_to_id is not None:
                    raise Refused("bad-target")
                if main.municipality != report.municipality:
                    raise Refused("bad-target")
                if report.related_to_id is not None or await session.scalar(
                    select(Report.id).where(Report.related_to_id == report.id).limit(1)
                ):
                    raise Refused("illegal")  # already linked, or itself a main report: links are one level deep
                result = await session.execute(
                    update(Report)
                    .where(Report.id == report_id, Report.status == expected, Report.related_to_id.is_(None))
                    .values(related_to_id=main.id, updated_at=now or utcnow())
                )
                if not isinstance(result, CursorResult) or result.rowcount != 1:
                    raise Refused("stale")
                self._link_events(session, report, main, "link", actor, now)
                return main.reference
        except Refused as refused:
            await self.refuse(report_id, actor.event_actor, "link", refused.reason)
            raise

    async def unlink(self, report_id: int, *, expected: Status, actor: Actor, now: dt.datetime | None = None) -> str:
        """Undo :meth:`link`: the report stands on its own again. Returns the former main report's reference."""
        try:
            async with self._db.session() as session:
                report = await self._linkable(session, report_id, expected, actor, ended_ok=True)
                main = await session.get(Report, report.related_to_id) if report.related_to_id else None
                if main is None:
                    raise Refused("illegal")
                result = await session.execute(
                    update(Report)
                    .where(Report.id == report_id, Report.status == expected, Report.related_to_id == main.id)
                    .values(related_to_id=None, updated_at=now or utcnow())
                )
                if not isinstance(result, CursorResult) or result.rowcount != 1:
                    raise Refused("stale")
                self._link_events(session, report, main, "unlink", actor, now)
                return main.reference
        except Refused as refused:
            await self.refuse(report_id, actor.event_actor, "unlink", refused.reason)
            raise

    async def _linkable(
        self, session: AsyncSession, report_id: int, expected: Status, actor: Actor, *, ended_ok: bool = False
    ) -> Report:
        report = await session.get(Report, report_id)
        if report is None:
            raise Refused("unknown-report")
        if actor.role not in STAFF:
            raise Refused("role")
        if report.status != expected:
            raise Refused("stale")
        if report.status in _ENDED and not ended_ok:
            raise Refused("illegal")
        return report

    @staticmethod
    def _link_events(
        session: AsyncSession, report: Report, main: Report, action: str, actor: Actor, now: dt.datetime | None
    ) -> None:
        # Staff read the history in Dutch (as NO_REACTION_NOTE): the note names the other report.
        at = now or utcnow()
        session.add(
            ReportEvent(
                report_id=report.id,
                at=at,
                actor=actor.event_actor,
                action=action,
                note=f"hoofdmelding {main.reference}",
            )
        )
        session.add(
            ReportEvent(
                report_id=main.id, at=at, actor=actor.event_actor, action=action, note=f"gerelateerd {report.reference}"
            )
        )
        queue_card(session, report.id, report.municipality)
        queue_card(session, main.id, main.municipality)

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

    Working days skip weekends and Dutch public holidays (bot.workflow.deadlines).
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
