"""The message outbox (``outbox`` table): everything the bot sends on its own besides the first card --
resident messages, card edits, posts in a report's thread, topic changes. Rows are written in the same
transaction as the change that causes them (bot.workflow.engine), and :class:`MessageOutbox` sends each once.

Kinds:
- ``resident``: a message to the resident's chat (``chat_id``), ``payload = {text, buttons}``.
- ``card``: redraw the report's card in a municipality's staff chat (``payload = {municipality}``); the text
  is rendered when sent, from the report as it is then, so several queued edits show the newest state.
- ``thread``: a post under the report's card (a reply, or in its forum topic): ``payload = {municipality, text}``.
- ``topic``: ``payload = {municipality, op}``, op ``close`` | ``reopen`` | ``delete`` (topic mode only).
- ``staff``: a private message to a colleague (``chat_id`` = their user id), ``payload = {municipality, text,
  group_text}``; when they never started a chat with the bot (or blocked it) ``group_text`` goes under the
  report's card (or in its topic) instead (bot.workflow.claims).
- ``redact``: remove one bot message in a staff chat when the retention period ends (bot.reports.retention):
  ``payload = {municipality, message_id, card, delete, text}``; deleted when ``delete`` and Telegram allows it,
  otherwise a card is redrawn (without personal data) and a thread post replaced by ``text``.

Pitfalls:
- Exactly once, as for cards: a row is marked ``sent`` right after Telegram accepted it, only one run is
  active at a time in a process, and a row is claimed before it is sent (bot.outbox.claims). A crash between
  the two sends it again (at-least-once in that instant only).
- A resident who blocked the bot (:class:`TargetGone`): the row is ``failed`` (never retried), the report is
  marked ``resident_unreachable`` with an event, and the card is redrawn so staff see "melder niet bereikbaar".
- A ``card`` or ``thread`` row for a card that is not in the chat yet waits for it; a ``card`` row is moot
  once a newer one is queued (it is marked sent without a call).
- A resident message is sent only while the report is still linked to that chat: after ``/verwijder`` a queued
  one is ``dropped``.
- Payloads hold resident and staff text: never log them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox.claims import Claims
from bot.outbox.delivery import RetryLater, TargetGone, backoff
from bot.outbox.runner import Runner
from bot.outbox.views import Button, Buttons, CardRenderer, CardView, buttons_from_json, buttons_to_json
from bot.storage.db import Database
from bot.storage.models import Delivery, MunicipalityLink, OutboxMessage, Report, ReportEvent, utcnow

__all__ = [
    "Button",
    "Buttons",
    "CardRenderer",
    "CardView",
    "MessageOutbox",
    "queue_card",
    "queue_resident",
    "queue_staff",
]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20


class MessageSender(Protocol):
    """The transport; raises RetryLater / TargetGone (bot.outbox.delivery) for failures it understands."""

    async def send_message(
        self, chat_id: int, text: str, buttons: Buttons, *, reply_to: int | None = None, thread_id: int | None = None
    ) -> int: ...

    async def edit_message(self, chat_id: int, message_id: int, text: str, buttons: Buttons) -> None:
        """Pitfall: Telegram's "message is not modified" is success, not an error."""
        ...

    async def topic(self, chat_id: int, thread_id: int, op: str) -> None:
        """``op``: ``close``, ``reopen`` or ``delete`` (the topic with all its messages)."""
        ...

    async def delete_message(self, chat_id: int, message_id: int) -> bool:
        """False when Telegram refuses (older than 48 hours, or no right to delete): the caller edits instead."""
        ...


def queue_resident(session: AsyncSession, report: Report, text: str, buttons: Buttons | None = None) -> bool:
    """Queue a message to the report's resident (in the caller's transaction); False when they want no updates."""
    if report.updates != "chat" or report.resident_chat_id is None:
        return False
    session.add(
        OutboxMessage(
            report_id=report.id,
            kind="resident",
            chat_id=report.resident_chat_id,
            payload={"text": text, "buttons": buttons_to_json(buttons or [])},
        )
    )
    return True


def queue_card(session: AsyncSession, report_id: int, municipality: str) -> None:
    session.add(OutboxMessage(report_id=report_id, kind="card", payload={"municipality": municipality}))


def queue_staff(
    session: AsyncSession, report_id: int, municipality: str, user_id: int, text: str, group_text: str
) -> None:
    """Queue a private message to a colleague, with the group post to use when a private one is impossible."""
    session.add(
        OutboxMessage(
            report_id=report_id,
            kind="staff",
            chat_id=user_id,
            payload={"municipality": municipality, "text": text, "group_text": group_text},
        )
    )


def queue_thread(session: AsyncSession, report_id: int, municipality: str, text: str) -> None:
    session.add(OutboxMessage(report_id=report_id, kind="thread", payload={"municipality": municipality, "text": text}))


def queue_topic(session: AsyncSession, report_id: int, municipality: str, op: str) -> None:
    session.add(OutboxMessage(report_id=report_id, kind="topic", payload={"municipality": municipality, "op": op}))


@dataclass(frozen=True)
class MessageRun:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    waiting: int = 0


class _Wait(Exception):
    """The card this row belongs to is not in the staff chat yet."""


class _Drop(Exception):
    """The resident unlinked themselves (/verwijder) after the message was queued: it is never sent."""


class MessageOutbox(Runner):
    def __init__(
        self,
        db: Database,
        sender: MessageSender,
        cards: CardRenderer,
        *,
        claims: Claims | None = None,
        active: Callable[[], bool] | None = None,
    ) -> None:
        """``claims`` and ``active``: see bot.outbox.runner.Runner (row claims, the leader lease's fence)."""
        super().__init__(db, claims, active)
        self._sender = sender
        self._cards = cards

    async def run_once(self, now: dt.datetime | None = None) -> MessageRun:
        async with self.running():
            now = now or utcnow()
            async with self._db.session() as session:
                rows = list(
                    await session.scalars(
                        select(OutboxMessage)
                        .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now)
                        .order_by(OutboxMessage.id)
                    )
                )
            counts = {"sent": 0, "retried": 0, "failed": 0, "waiting": 0}
            newest_card: dict[tuple[int | None, str], int] = {}
            for row in rows:
                if row.kind == "card":
                    newest_card[(row.report_id, str(row.payload.get("municipality")))] = row.id
            for row in self.until_stopped(rows):
                if row.kind == "card" and newest_card[(row.report_id, str(row.payload.get("municipality")))] != row.id:
                    await self._mark(row.id, state="sent", sent_at=utcnow())  # a newer redraw follows
                    continue
                outcome = await self.send_claimed(OutboxMessage, row.id, OutboxMessage.state == "pending", self._one)
                if outcome is not None:
                    counts[outcome] += 1
            return MessageRun(**counts)

    async def _one(self, row: OutboxMessage) -> str | None:
        """Send one claimed row; the count it adds to (None: nothing to count)."""
        try:
            message_id = await self._send(row)
        except _Wait:
            return "waiting"
        except _Drop:
            await self._mark(row.id, state="dropped")
            return None
        except RetryLater as exc:
            await self._retry(row, str(exc), exc.seconds)
            return "retried"
        except TargetGone as exc:
            await self._gone(row, exc)
            return "failed"
        except Exception as exc:  # one row's trouble never ends the run
            log.error("Outbox message %s failed unexpectedly (%s)", row.id, type(exc).__name__)
            await self._retry(row, f"unexpected {type(exc).__name__}", None)
            return "retried"
        await self._mark(row.id, state="sent", sent_at=utcnow(), message_id=message_id, last_error=None)
        return "sent"

    async def _card_location(self, report_id: int | None, municipality: str) -> tuple[int, int, int | None]:
        """(chat id, card message id, topic thread id) of the report's card in that municipality's chat."""
        async with self._db.session() as session:
            link = await session.get(MunicipalityLink, municipality)
            delivery = await session.scalar(
                select(Delivery).where(Delivery.report_id == report_id, Delivery.target == f"staff:{municipality}")
            )
        if link is None or delivery is None or delivery.message_id is None or link.health == "blocked":
            raise _Wait()
        return link.staff_chat_id, delivery.message_id, delivery.thread_id

    async def _send(self, row: OutboxMessage) -> int | None:
        payload = row.payload
        if row.kind == "resident":
            async with self._db.session() as session:
                linked = await session.scalar(select(Report.resident_chat_id).where(Report.id == row.report_id))
            if row.chat_id is None or linked != row.chat_id:
                raise _Drop()
            return await self._sender.send_message(
                row.chat_id, str(payload["text"]), buttons_from_json(payload.get("buttons"))
            )
        municipality = str(payload.get("municipality"))
        if row.kind == "staff" and row.chat_id is not None:
            try:
                return await self._sender.send_message(row.chat_id, str(payload["text"]), [])
            except TargetGone:
                pass  # no private chat with the bot (never started, or blocked): say it in the group instead
        chat_id, card_id, thread_id = await self._card_location(row.report_id, municipality)
        if row.kind == "staff":
            return await self._sender.send_message(
                chat_id, str(payload["group_text"]), [], reply_to=None if thread_id else card_id, thread_id=thread_id
            )
        if row.kind == "card":
            async with self._db.session() as session:
                report = await session.get(Report, row.report_id)
            if report is None:
                return None
            view = await self._cards(report, municipality)
            await self._sender.edit_message(chat_id, card_id, view.text, view.buttons)
            return card_id
        if row.kind == "thread":
            return await self._sender.send_message(
                chat_id, str(payload["text"]), [], reply_to=None if thread_id else card_id, thread_id=thread_id
            )
        if row.kind == "topic":
            if thread_id is not None:
                await self._sender.topic(chat_id, thread_id, str(payload["op"]))
            return None
        if row.kind == "redact":
            target = int(payload["message_id"])
            if payload.get("delete") and await self._sender.delete_message(chat_id, target):
                return None
            if payload.get("card"):
                async with self._db.session() as session:
                    report = await session.get(Report, row.report_id)
                if report is not None:
                    view = await self._cards(report, municipality)
                    await self._sender.edit_message(chat_id, target, view.text, view.buttons)
            else:
                await self._sender.edit_message(chat_id, target, str(payload.get("text") or "🗑"), [])
            return None
        raise ValueError(f"unknown outbox kind {row.kind!r}")

    async def _retry(self, row: OutboxMessage, error: str, seconds: float | None) -> None:
        attempts = row.attempts + 1
        wait = dt.timedelta(seconds=seconds) if seconds is not None else backoff(attempts)
        state = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        await self._mark(
            row.id, attempts=attempts, last_error=error[:300], next_attempt_at=utcnow() + wait, state=state
        )
        log.warning("Outbox message %s (%s) failed (attempt %s); retrying in %s", row.id, row.kind, attempts, wait)

    async def _gone(self, row: OutboxMessage, exc: TargetGone) -> None:
        await self._mark(row.id, state="failed", attempts=row.attempts + 1, last_error=exc.reason[:300])
        if row.kind != "resident" or row.report_id is None:
            log.error("Outbox message %s (%s): the staff chat refuses the bot (%s)", row.id, row.kind, exc.error)
            return
        log.warning("A resident cannot be reached (%s); the report is marked", exc.error)
        async with self._db.session() as session:
            report = await session.get(Report, row.report_id)
            if report is None:
                return
            if not report.resident_unreachable:
                report.resident_unreachable = True
                session.add(ReportEvent(report_id=report.id, actor="system", action="resident-unreachable"))
            queue_card(session, report.id, report.municipality)

    async def _mark(self, row_id: int, **values: object) -> None:
        async with self._db.session() as session:
            row = await session.get(OutboxMessage, row_id)
            if row is not None:
                for key, value in values.items():
                    setattr(row, key, value)
