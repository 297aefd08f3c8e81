"""Delivering reports to municipal staff chats through the outbox (``deliveries`` table).

A delivery moves ``pending`` → ``card_sent`` (the card is in the staff chat; its message id is stored) →
``sent`` (photos too). Each phase is committed before the next starts, so a retry after a failure or a
restart never sends a second card. Only one :class:`Outbox` run is active at a time (a lock), which the
exactly-once guarantee also depends on.

Pitfalls:
- Exactly once holds for every failure Telegram *answers* (429, 5xx, 4xx). A crash in the instant between
  Telegram accepting the card and our commit cannot be told apart from a lost request; the card is then
  sent again (at-least-once in that window only).
- A municipality without a linked staff chat is not an error: its deliveries wait, visible in
  ``veiligbot reports list``, and go out once ``veiligbot municipality link`` is run.
- The card never contains the resident's Telegram identity; the description is HTML-escaped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from html import escape
from typing import Protocol

from sqlalchemy import select

from bot.i18n.catalogs import Translator
from bot.reports.drafts import CATEGORIES
from bot.storage.db import Database
from bot.storage.models import Delivery, MunicipalityLink, Report, utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(minutes=30)


class RetryLater(Exception):
    """The target could not take the message now; try again after ``seconds`` (None: use backoff)."""

    def __init__(self, reason: str, seconds: float | None = None) -> None:
        super().__init__(reason)
        self.seconds = seconds


class Sender(Protocol):
    """The transport (Telegram in production); raises :class:`RetryLater` for any failure."""

    async def send_card(self, chat_id: int, text: str) -> int: ...

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


async def link_municipality(db: Database, municipality: str, chat_id: int) -> None:
    async with db.session() as session:
        row = await session.get(MunicipalityLink, municipality)
        if row is None:
            session.add(MunicipalityLink(municipality=municipality, staff_chat_id=chat_id))
        else:
            row.staff_chat_id = chat_id


async def staff_chats(db: Database) -> dict[str, int]:
    async with db.session() as session:
        rows = await session.execute(select(MunicipalityLink.municipality, MunicipalityLink.staff_chat_id))
        return {municipality: chat_id for municipality, chat_id in rows}


@dataclass(frozen=True)
class RunResult:
    sent: int = 0
    retried: int = 0
    waiting: int = 0


class Outbox:
    def __init__(self, db: Database, sender: Sender, staff_translator: Translator) -> None:
        self._db = db
        self._sender = sender
        self._t = staff_translator
        self._lock = asyncio.Lock()

    async def run_once(self, now: dt.datetime | None = None) -> RunResult:
        """Try every due delivery once; never raises for a delivery's failure."""
        async with self._lock:
            now = now or utcnow()
            chats = await staff_chats(self._db)
            async with self._db.session() as session:
                due = list(
                    await session.execute(
                        select(Delivery, Report)
                        .join(Report, Report.id == Delivery.report_id)
                        .where(Delivery.state != "sent", Delivery.next_attempt_at <= now)
                        .order_by(Delivery.id)
                    )
                )
            sent = retried = waiting = 0
            for delivery, report in due:
                chat_id = chats.get(report.municipality)
                if chat_id is None:
                    waiting += 1
                    continue
                if await self._deliver(delivery, report, chat_id):
                    sent += 1
                else:
                    retried += 1
            return RunResult(sent, retried, waiting)

    async def _deliver(self, delivery: Delivery, report: Report, chat_id: int) -> bool:
        try:
            if delivery.state == "pending":
                message_id = await self._sender.send_card(chat_id, render_card(report, self._t))
                await self._update(delivery.id, state="card_sent", message_id=message_id, last_error=None)
                delivery.state, delivery.message_id = "card_sent", message_id
            if delivery.state == "card_sent" and report.photos and delivery.message_id is not None:
                await self._sender.send_photos(chat_id, list(report.photos), delivery.message_id)
            await self._update(delivery.id, state="sent", sent_at=utcnow(), last_error=None)
            return True
        except RetryLater as exc:
            attempts = delivery.attempts + 1
            wait = dt.timedelta(seconds=exc.seconds) if exc.seconds is not None else backoff(attempts)
            # The error text comes from Telegram, never from the resident; still keep it short.
            await self._update(
                delivery.id, attempts=attempts, last_error=str(exc)[:300], next_attempt_at=utcnow() + wait
            )
            log.warning("Delivery %s of a report failed (attempt %s); retrying in %s", delivery.id, attempts, wait)
            return False

    async def _update(self, delivery_id: int, **values: object) -> None:
        async with self._db.session() as session:
            row = await session.get(Delivery, delivery_id)
            assert row is not None
            for key, value in values.items():
                setattr(row, key, value)
