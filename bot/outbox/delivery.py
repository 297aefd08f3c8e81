"""Delivering reports to municipal staff chats through the outbox (``deliveries`` table).

A delivery moves ``pending`` → ``card_sent`` (the card is in the staff chat; its message id is stored) →
``sent`` (photos too). Each phase is committed before the next starts, so a retry after a failure or a
restart never sends a second card. Only one :class:`Outbox` run is active at a time in a process (a lock),
and each row is claimed before it is sent (bot.outbox.claims), so two processes never send the same row.

Pitfalls:
- Exactly once holds for every failure Telegram *answers* (429, 5xx, 4xx). A crash in the instant between
  Telegram accepting the card and our commit cannot be told apart from a lost request; the card is then
  sent again (at-least-once in that window only). An answer the client cannot read (an unexpected
  exception from the sender) is treated the same way.
- A municipality without a linked staff chat is not an error: its deliveries wait, visible in
  ``veiligbot reports list``, and go out once ``veiligbot municipality link`` is run.
- The card never contains the resident's Telegram identity; the description is HTML-escaped.
- Only ``staff:`` rows are this outbox's; ``email:`` rows belong to :mod:`bot.outbox.email`.

What a failure does (the :class:`Sender` raises the domain errors below; it keeps Telegram out of here):

- :class:`RetryLater` (429, 5xx, network, other 4xx): this row backs off; the staff chat is marked ``failing``.
- :class:`TargetMoved` (the group became a supergroup and has a new id): every link to the old id is moved
  to the new one, and the card goes there at once.
- :class:`TargetGone` (the bot was removed from the group, or the chat does not exist): the municipality's
  staff chat is marked ``blocked`` and logged at ERROR; nothing more is sent there (no hammering) until
  ``veiligbot municipality link`` links it again, which clears the state and makes its reports due now.
- Any other exception: only this row backs off; the run goes on with the other rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from html import escape
from typing import Literal, Protocol

from sqlalchemy import select, update

from bot.i18n.catalogs import Translator
from bot.outbox.claims import Claims
from bot.outbox.runner import Runner
from bot.outbox.views import Buttons, CardRenderer
from bot.reports.drafts import CATEGORIES
from bot.storage.db import Database
from bot.storage.models import Delivery, MunicipalityLink, Report, utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(minutes=30)


class RetryLater(Exception):
    """The target could not take the message now; try again after ``seconds`` (None: use backoff).

    ``unanswered``: no answer came (a timeout, a dropped connection): the message may have arrived after all.
    """

    def __init__(self, reason: str, seconds: float | None = None, *, unanswered: bool = False) -> None:
        super().__init__(reason)
        self.seconds = seconds
        self.unanswered = unanswered


# ``last_error`` of a card that may be in the staff chat already: set before the card is sent (a crash in the
# send leaves it behind) and kept when the send got no answer. The next card then says it may be a repeat.
MAYBE_SENT = "maybe sent: "


class TargetMoved(Exception):
    """The staff chat has a new id (a Telegram group became a supergroup); send there instead."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"the chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


class TargetGone(Exception):
    """The staff chat refuses the bot for good (removed from the group, or no such chat).

    ``reason`` is the transport's description (kept on the link for the operator); ``error`` its error class,
    the only detail that is logged.
    """

    def __init__(self, reason: str, error: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


class TopicsUnavailable(Exception):
    """The chat is no forum, or the bot may not manage topics (any more): the card goes out as a plain card."""


class Sender(Protocol):
    """The transport (Telegram in production): raises :class:`RetryLater`, :class:`TargetMoved` or
    :class:`TargetGone` for the failures it understands; anything else it raises is unexpected."""

    async def send_card(
        self, chat_id: int, text: str, buttons: Buttons | None = None, *, thread_id: int | None = None
    ) -> int: ...

    async def create_topic(self, chat_id: int, name: str) -> int:
        """A forum topic for one report; its thread id. Raises :class:`TopicsUnavailable` when not possible."""
        ...

    async def send_photos(self, chat_id: int, file_ids: list[str], reply_to: int) -> None: ...


def backoff(attempts: int) -> dt.timedelta:
    """10 s, 20 s, 40 s, ... up to 30 minutes."""
    return min(dt.timedelta(seconds=10 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def html_field(label: str, value: str) -> str:
    """``<b>Label:</b> value``, both escaped (values are often resident text)."""
    return f"<b>{escape(label)}:</b> {escape(value)}"


def render_card(report: Report, t: Translator) -> str:
    """The staff card: everything staff need, nothing that identifies the resident on Telegram.

    Pitfall: babel cannot extract ``gettext`` calls inside f-strings, so labels are passed as arguments.
    """
    category = CATEGORIES.get(report.category)
    title = t.gettext("New report")
    lines = [
        f"📝 <b>{escape(title)} {escape(report.reference)}</b>",
        html_field(t.gettext("Category"), t.gettext(category.label) if category else report.category),
        html_field(t.gettext("Received"), t.datetime(report.created_at)),
    ]
    place = report.place_text or ""
    if report.latitude is not None and report.longitude is not None:
        place = (place + " " if place else "") + f"({report.latitude:.5f}, {report.longitude:.5f})"
    lines.append(html_field(t.gettext("Place"), place or t.gettext("online / no particular place")))
    lines += ["", html_field(t.gettext("Description"), ""), escape(report.description), ""]
    if report.photos:
        lines.append(
            escape(
                t.ngettext("{n} photo follows.", "{n} photos follow.", len(report.photos)).format(n=len(report.photos))
            )
        )
    if report.updates == "chat":
        lines.append(escape(t.gettext("The resident would like updates via the bot.")))
    else:
        lines.append(escape(t.gettext("The resident does not want updates; the report has no link to them.")))
    if report.contact_phone:
        lines.append(html_field(t.gettext("Phone"), report.contact_phone))
    if report.contact_email:
        lines.append(html_field(t.gettext("E-mail"), report.contact_email))
    return "\n".join(lines)


Health = Literal["ok", "failing", "blocked"]


@dataclass(frozen=True)
class StaffChat:
    """A municipality's linked staff chat and how delivery to it is going."""

    municipality: str
    chat_id: int
    health: Health
    last_error: str | None = None
    last_error_at: dt.datetime | None = None
    topics: bool = False  # one forum topic per report


async def link_municipality(db: Database, municipality: str, chat_id: int, *, topics: bool = False) -> None:
    """Link (or relink) a municipality's staff chat: healthy again, and its waiting reports due now.

    ``topics``: the chat is a forum where the bot may manage topics (one topic per report).
    """
    async with db.session() as session:
        row = await session.get(MunicipalityLink, municipality)
        if row is None:
            session.add(MunicipalityLink(municipality=municipality, staff_chat_id=chat_id, health="ok", topics=topics))
        else:
            row.staff_chat_id, row.health, row.last_error, row.last_error_at = chat_id, "ok", None, None
            row.topics = topics
        # Reports that backed off or were stopped by a blocked chat go out on the next run, not after backoff.
        waiting = select(Report.id).where(Report.municipality == municipality)
        await session.execute(
            update(Delivery)
            .where(Delivery.state != "sent", Delivery.report_id.in_(waiting))
            .values(next_attempt_at=utcnow())
        )


async def staff_chats(db: Database) -> dict[str, int]:
    async with db.session() as session:
        rows = await session.execute(select(MunicipalityLink.municipality, MunicipalityLink.staff_chat_id))
        return {municipality: chat_id for municipality, chat_id in rows}


def _health(value: str) -> Health:
    return "blocked" if value == "blocked" else "failing" if value == "failing" else "ok"


async def staff_chat_links(db: Database) -> dict[str, StaffChat]:
    """Every linked municipality's staff chat with its health."""
    async with db.session() as session:
        rows = await session.scalars(select(MunicipalityLink))
        return {
            r.municipality: StaffChat(
                r.municipality, r.staff_chat_id, _health(r.health), r.last_error, r.last_error_at, r.topics
            )
            for r in rows
        }


@dataclass(frozen=True)
class RunResult:
    sent: int = 0
    retried: int = 0
    waiting: int = 0  # no staff chat linked
    blocked: int = 0  # the staff chat refuses the bot; waits for `veiligbot municipality link`


Outcome = Literal["sent", "retried", "blocked"]
MAX_MOVES = 2  # a group migrates once; more means something is wrong, so back off instead of looping


class Outbox(Runner):
    def __init__(
        self,
        db: Database,
        sender: Sender,
        staff_translator: Translator,
        cards: CardRenderer | None = None,
        *,
        claims: Claims | None = None,
        active: Callable[[], bool] | None = None,
    ) -> None:
        """``cards`` draws the staff card with its buttons (bot.staff.card); without it, the plain card.

        ``claims`` and ``active``: see bot.outbox.runner.Runner (row claims, the leader lease's fence).
        """
        super().__init__(db, claims, active)
        self._sender = sender
        self._t = staff_translator
        self._cards = cards

    async def run_once(self, now: dt.datetime | None = None) -> RunResult:
        """Try every due delivery once; a delivery's failure, whatever it is, never ends the run."""
        async with self.running():
            now = now or utcnow()
            targets = await staff_chat_links(self._db)
            async with self._db.session() as session:
                due = list(
                    await session.execute(
                        select(Delivery, Report)
                        .join(Report, Report.id == Delivery.report_id)
                        .where(
                            Delivery.target.startswith("staff:"),  # e-mail rows: bot.outbox.email
                            Delivery.state != "sent",
                            Delivery.next_attempt_at <= now,
                        )
                        .order_by(Delivery.id)
                    )
                )
            counts = {"sent": 0, "retried": 0, "waiting": 0, "blocked": 0}
            for delivery, report in self.until_stopped(due):
                target = targets.get(report.municipality)
                if target is None:
                    counts["waiting"] += 1
                    continue
                if target.health == "blocked":
                    counts["blocked"] += 1
                    continue
                attempt = partial(self._attempt, report=report, targets=targets)
                outcome = await self.send_claimed(Delivery, delivery.id, Delivery.state != "sent", attempt)
                if outcome is not None:
                    counts[outcome] += 1
            return RunResult(**counts)

    async def _attempt(self, delivery: Delivery, report: Report, targets: dict[str, StaffChat]) -> Outcome:
        try:
            return await self._deliver(delivery, report, targets)
        except Exception as exc:  # recording the failure failed too (database trouble): next row
            log.error("Delivery %s failed and could not be rescheduled (%s)", delivery.id, type(exc).__name__)
            return "retried"

    async def _deliver(self, delivery: Delivery, report: Report, targets: dict[str, StaffChat]) -> Outcome:
        """One delivery: send, follow a moved chat, or record why not. ``targets`` is updated in place."""
        municipality = report.municipality
        for _move in range(MAX_MOVES + 1):
            target = targets[municipality]
            try:
                await self._send(delivery, report, target)
            except TargetMoved as exc:
                await self._moved(target.chat_id, exc.new_chat_id, targets)
                continue
            except RetryLater as exc:
                # The error text comes from Telegram, never from the resident; still keep it short.
                unknown = exc.unanswered and delivery.state == "pending"  # the card itself may have arrived
                await self._retry(delivery, (MAYBE_SENT if unknown else "") + str(exc), exc.seconds)
                await self._set_health(targets, target, "failing", str(exc))
                return "retried"
            except TargetGone as exc:
                await self._blocked(delivery, target, exc, targets)
                return "blocked"
            except Exception as exc:
                # Only the class and the stack: an exception's message may quote the report.
                stack = "".join(traceback.format_tb(exc.__traceback__))
                log.error("Delivery %s failed unexpectedly (%s)\n%s", delivery.id, type(exc).__name__, stack)
                maybe = MAYBE_SENT if delivery.state == "pending" else ""  # an unreadable answer: maybe sent
                await self._retry(delivery, f"{maybe}unexpected {type(exc).__name__}", None)
                return "retried"
            if target.health != "ok":
                await self._set_health(targets, target, "ok", None)
            return "sent"
        await self._retry(delivery, "the staff chat kept moving", None)
        return "retried"

    async def _send(self, delivery: Delivery, report: Report, target: StaffChat) -> None:
        chat_id = target.chat_id
        if delivery.state == "pending":
            repeat = (delivery.last_error or "").startswith(MAYBE_SENT)
            # Telegram has no idempotency key: mark the attempt first, so that after a crash mid-send (or a lost
            # answer) the next card says it may repeat an earlier one. Both cards act on the same report.
            await self._update(delivery.id, last_error=MAYBE_SENT + "sending")
            delivery.last_error = MAYBE_SENT + "sending"
            if self._cards is None:
                message_id = await self._sender.send_card(chat_id, self._repeat(repeat) + render_card(report, self._t))
            else:
                view = await self._cards(report, report.municipality)
                view = replace(view, text=self._repeat(repeat) + view.text)
                thread_id = await self._topic(delivery, report, target)
                if thread_id is None:
                    message_id = await self._sender.send_card(chat_id, view.text, view.buttons)
                else:
                    message_id = await self._sender.send_card(chat_id, view.text, view.buttons, thread_id=thread_id)
            await self._update(delivery.id, state="card_sent", message_id=message_id, last_error=None)
            delivery.state, delivery.message_id = "card_sent", message_id
        if delivery.state == "card_sent" and report.photos and delivery.message_id is not None:
            await self._sender.send_photos(chat_id, list(report.photos), delivery.message_id)
        await self._update(delivery.id, state="sent", sent_at=utcnow(), last_error=None)

    def _repeat(self, repeat: bool) -> str:
        if not repeat:
            return ""
        return (
            "⚠️ <i>"
            + self._t.gettext(
                "Possibly a repeat: an earlier attempt to send this card got no answer. If you see two cards, both "
                "belong to the same report."
            )
            + "</i>\n\n"
        )

    async def _topic(self, delivery: Delivery, report: Report, target: StaffChat) -> int | None:
        """The report's forum topic in topic mode (created once, its id committed before the card is sent)."""
        if not target.topics:
            return None
        if delivery.thread_id is not None:
            return delivery.thread_id
        category = CATEGORIES.get(report.category)
        name = f"{report.reference} · {self._t.gettext(category.label) if category else report.category}"[:128]
        try:
            thread_id = await self._sender.create_topic(target.chat_id, name)
        except TopicsUnavailable:
            log.warning("The staff chat of %s cannot have topics (any more); cards go out plain", target.municipality)
            async with self._db.session() as session:
                await session.execute(
                    update(MunicipalityLink)
                    .where(MunicipalityLink.municipality == target.municipality)
                    .values(topics=False)
                )
            return None
        await self._update(delivery.id, thread_id=thread_id)
        delivery.thread_id = thread_id
        return thread_id

    async def _retry(self, delivery: Delivery, error: str, seconds: float | None) -> None:
        attempts = delivery.attempts + 1
        wait = dt.timedelta(seconds=seconds) if seconds is not None else backoff(attempts)
        await self._update(delivery.id, attempts=attempts, last_error=error[:300], next_attempt_at=utcnow() + wait)
        delivery.attempts = attempts
        log.warning("Delivery %s of a report failed (attempt %s); retrying in %s", delivery.id, attempts, wait)

    async def _moved(self, old_chat_id: int, new_chat_id: int, targets: dict[str, StaffChat]) -> None:
        """Relink every municipality whose staff chat was ``old_chat_id`` (they share the migrated group)."""
        async with self._db.session() as session:
            await session.execute(
                update(MunicipalityLink)
                .where(MunicipalityLink.staff_chat_id == old_chat_id)
                .values(staff_chat_id=new_chat_id)
            )
        for municipality, target in list(targets.items()):
            if target.chat_id == old_chat_id:
                targets[municipality] = replace(target, chat_id=new_chat_id)
                log.warning("The staff chat of %s became a supergroup; relinked to its new id", municipality)

    async def _blocked(
        self, delivery: Delivery, target: StaffChat, exc: TargetGone, targets: dict[str, StaffChat]
    ) -> None:
        # Due again at once: it waits on the chat's health, not on backoff, and goes out right after a relink.
        await self._update(
            delivery.id, attempts=delivery.attempts + 1, last_error=exc.reason[:300], next_attempt_at=utcnow()
        )
        await self._set_health(targets, target, "blocked", exc.reason)
        log.error(
            "The staff chat of %s refuses the bot (%s): its reports wait until 'veiligbot municipality link %s "
            "CHAT_ID'",
            target.municipality,
            exc.error,
            target.municipality,
        )

    async def _set_health(
        self, targets: dict[str, StaffChat], target: StaffChat, health: Health, error: str | None
    ) -> None:
        """Store a staff chat's health; only while it is still linked to the chat that was tried, so a relink
        made meanwhile (``veiligbot municipality link`` runs in another process) is not undone."""
        at = utcnow() if error is not None else target.last_error_at
        values: dict[str, object] = {"health": health}
        if error is not None:
            values.update(last_error=error[:300], last_error_at=at)
        async with self._db.session() as session:
            await session.execute(
                update(MunicipalityLink)
                .where(
                    MunicipalityLink.municipality == target.municipality,
                    MunicipalityLink.staff_chat_id == target.chat_id,
                )
                .values(**values)
            )
        targets[target.municipality] = replace(
            target, health=health, last_error=error or target.last_error, last_error_at=at
        )

    async def _update(self, delivery_id: int, **values: object) -> None:
        async with self._db.session() as session:
            row = await session.get(Delivery, delivery_id)
            assert row is not None
            for key, value in values.items():
                setattr(row, key, value)
