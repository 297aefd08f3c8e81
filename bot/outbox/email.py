"""Delivering reports by e-mail to municipalities that configured an address (``veiligbot municipality email``).

An e-mail delivery is a ``deliveries`` row with target ``email:<municipality>``, written in the same
transaction as the report (:func:`delivery_targets`, called by filing and by forwarding). It moves
``pending`` → ``sending`` → ``sent``, each phase committed before the next step:

- the Message-ID is fixed and committed at the first attempt (``<REFERENCE.id.municipality@from-domain>``);
  every retry, also after a restart, sends the very same message;
- ``sending`` is committed after the server accepted the sender and recipient and right before the DATA
  command: until then nothing can have been delivered, so a failure there is retried with no risk of a copy;
- ``sent`` is committed after the server's 250 reply to the message.

The guarantee (same as the card outbox, stated precisely):

- Every failure the server *answers* is exactly-once: a 4xx (at connect, MAIL, RCPT or DATA) means the message
  was not taken, and it is retried with backoff; a 5xx to MAIL, RCPT or DATA means it was refused for good: the
  delivery is ``failed`` (never retried, shown in ``veiligbot reports list`` and ``municipality list``) until
  ``veiligbot municipality email`` sets the address again. Connection refused, timeouts before DATA, and
  failures of EHLO/STARTTLS/AUTH and 530/535 to MAIL (server configuration, not this message) are retried.
- The one window we cannot close: the connection drops (or the bot dies) after the message's final ``.`` but
  before the 250 reply arrives or is committed. The server may have accepted the message; we cannot know. The
  delivery is then still ``sending`` and is sent again with the **same Message-ID** (at-least-once in that
  window only), and a warning is logged. The copy is byte for byte the same message, so the receiving side can
  recognise and drop it by its Message-ID (some mail services do so themselves; a Sieve ``duplicate`` rule
  does it anywhere).
- Only one :class:`EmailOutbox` run is active at a time (a lock), as for cards.

Pitfalls:
- The e-mail carries no Telegram identity (the resident is "Melder <reference>"), the place only at village
  level (never an address or coordinates), photos only as a count (they stay in Telegram), and contact details
  only when the resident left them (which, with the consent step, is their agreement to be contacted).
- Resident text is HTML-escaped in the HTML part; neither the message nor the recipient is ever logged.
- A municipality with an address but no ``SMTP_HOST`` setting: its e-mails wait (the job is not scheduled).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.policy
import hashlib
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import partial
from html import escape
from typing import Literal, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n.catalogs import Translator
from bot.outbox.claims import Claims
from bot.outbox.delivery import RetryLater, backoff
from bot.outbox.runner import Runner
from bot.reports.drafts import CATEGORIES
from bot.routing.router import Router
from bot.staff.card import pseudonym
from bot.storage.db import Database
from bot.storage.models import Delivery, MunicipalityEmail, Report, utcnow

log = logging.getLogger(__name__)

EMAIL_PREFIX, STAFF_PREFIX = "email:", "staff:"
SMTP_TIMEOUT = 30.0
AUTH_CODES = frozenset({530, 535, 538})


class EmailRefused(Exception):
    """The SMTP server refused this message for good (a 5xx to MAIL, RCPT or DATA): do not send it again."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code


class Unanswered(RetryLater):
    """The connection failed without an SMTP answer (refused, dropped, timed out): once DATA has started, the
    server may have taken the message."""


# --- configuration per municipality --------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailTarget:
    municipality: str
    address: str
    only: bool
    health: str = "ok"  # ok | failing | failed
    last_error: str | None = None
    last_error_at: dt.datetime | None = None


def _target(row: MunicipalityEmail) -> EmailTarget:
    return EmailTarget(row.municipality, row.address, row.only, row.health, row.last_error, row.last_error_at)


async def email_targets(db: Database) -> dict[str, EmailTarget]:
    async with db.session() as session:
        return {r.municipality: _target(r) for r in await session.scalars(select(MunicipalityEmail))}


async def delivery_targets(session: AsyncSession, municipality: str) -> list[str]:
    """Where a report of ``municipality`` goes now: its staff chat, its e-mail address, or both."""
    config = await session.get(MunicipalityEmail, municipality)
    targets = [] if config is not None and config.only else [STAFF_PREFIX + municipality]
    if config is not None:
        targets.append(EMAIL_PREFIX + municipality)
    return targets


def _never_sent(delivery: Delivery) -> bool:
    """A card delivery that has reached nobody yet (no card, no topic)."""
    return delivery.state == "pending" and delivery.message_id is None and delivery.thread_id is None


async def _waiting_reports(session: AsyncSession, municipality: str) -> dict[int, list[Delivery]]:
    """The deliveries of each of the municipality's reports that has not reached anyone yet (report id → rows).

    Pitfall: a report counts as reached once any of its deliveries to this municipality went out (or may have:
    ``sending``); those keep what they have.
    """
    found = await session.scalars(
        select(Delivery)
        .join(Report, Report.id == Delivery.report_id)
        .where(
            Report.municipality == municipality,
            Delivery.target.in_([STAFF_PREFIX + municipality, EMAIL_PREFIX + municipality]),
        )
    )
    by_report: dict[int, list[Delivery]] = {}
    for row in found:
        by_report.setdefault(row.report_id, []).append(row)
    return {
        report_id: rows
        for report_id, rows in by_report.items()
        if all(_never_sent(d) if d.target.startswith(STAFF_PREFIX) else d.state in ("pending", "failed") for d in rows)
    }


async def set_municipality_email(db: Database, municipality: str, address: str, *, only: bool) -> int:
    """Deliver ``municipality``'s reports by e-mail to ``address`` (``only``: instead of its staff chat).

    In one transaction: the setting (healthy again); its reports that have reached nobody yet get an e-mail
    delivery (and, with ``only``, lose their unsent card delivery); failed e-mails are due again, to the new
    address. Reports already delivered keep what they have. Returns the number of reports due by e-mail now.
    """
    now = utcnow()
    async with db.session() as session:
        row = await session.get(MunicipalityEmail, municipality)
        if row is None:
            session.add(MunicipalityEmail(municipality=municipality, address=address, only=only, health="ok"))
        else:
            row.address, row.only, row.health, row.last_error, row.last_error_at = address, only, "ok", None, None
        failed = set(
            await session.scalars(
                select(Delivery.report_id).where(
                    Delivery.target == EMAIL_PREFIX + municipality, Delivery.state == "failed"
                )
            )
        )
        # Refused e-mails go out again (to the new address), also for reports that reached the staff chat.
        await session.execute(
            update(Delivery)
            .where(Delivery.target == EMAIL_PREFIX + municipality, Delivery.state == "failed")
            .values(state="pending", next_attempt_at=now)
        )
        due = set(failed)
        for report_id, deliveries in (await _waiting_reports(session, municipality)).items():
            email_row = next((d for d in deliveries if d.target.startswith(EMAIL_PREFIX)), None)
            if email_row is None:
                target = EMAIL_PREFIX + municipality
                session.add(Delivery(report_id=report_id, target=target, state="pending", next_attempt_at=now))
            else:
                email_row.state, email_row.next_attempt_at = "pending", now
            due.add(report_id)
            if only:
                for d in deliveries:
                    if d.target.startswith(STAFF_PREFIX):
                        await session.delete(d)
        return len(due)


async def remove_municipality_email(db: Database, municipality: str) -> bool:
    """Stop e-mail delivery; reports whose e-mail has not gone out go to the staff chat instead. False if unset.

    Pitfall: an e-mail in ``sending`` may have arrived; the report then also gets a card (at-least-once).
    """
    async with db.session() as session:
        row = await session.get(MunicipalityEmail, municipality)
        if row is None:
            return False
        await session.delete(row)
        unsent = list(
            await session.scalars(
                select(Delivery).where(
                    Delivery.target == EMAIL_PREFIX + municipality, Delivery.state.in_(("pending", "sending", "failed"))
                )
            )
        )
        for d in unsent:
            has_card = await session.scalar(
                select(Delivery.id).where(
                    Delivery.report_id == d.report_id, Delivery.target == STAFF_PREFIX + municipality
                )
            )
            if has_card is None:
                session.add(Delivery(report_id=d.report_id, target=STAFF_PREFIX + municipality, state="pending"))
        await session.execute(delete(Delivery).where(Delivery.id.in_([d.id for d in unsent])))
        return True


# --- the message ---------------------------------------------------------------------------------------------


def village_of(router: Router, report: Report) -> str | None:
    """The place at village level (never the resident's address or coordinates); None when online/unknown."""
    if report.latitude is not None and report.longitude is not None:
        return router.route_location(report.latitude, report.longitude).place
    if report.place_text:
        return router.route(report.place_text).place
    return None


def message_id_for(report: Report, municipality: str, sender: str) -> str:
    """Stable: derived from the report and the target, never random (a resend must carry the same one)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{report.reference}.{report.id}.{municipality}@{domain}>"


@dataclass(frozen=True)
class EmailContent:
    subject: str
    plain: str
    html: str


def render_email(report: Report, t: Translator, *, municipality_name: str, village: str | None) -> EmailContent:
    """What the staff card carries, as plain text and HTML (the resident's text escaped).

    Pitfall: babel cannot extract ``gettext`` calls inside f-strings, so labels are passed as arguments.
    """
    category = CATEGORIES.get(report.category)
    category_label = t.gettext(category.label) if category else report.category
    subject = f"{t.gettext('New report')} {report.reference} · {category_label}"
    fields: list[tuple[str, str]] = [
        (t.gettext("Municipality"), municipality_name),
        (t.gettext("Category"), category_label),
        (t.gettext("Received"), t.datetime(report.created_at)),
        (t.gettext("Place"), village or t.gettext("online / no particular place")),
    ]
    contact = [
        (t.gettext("Phone"), report.contact_phone),
        (t.gettext("E-mail"), report.contact_email),
    ]
    notes: list[str] = []
    if report.photos:
        n = len(report.photos)
        notes.append(
            t.ngettext(
                "The resident added {n} photo; photos are not sent by e-mail.",
                "The resident added {n} photos; photos are not sent by e-mail.",
                n,
            ).format(n=n)
        )
    if not (report.contact_phone or report.contact_email):
        notes.append(t.gettext("The resident left no contact details."))
    footer = t.gettext(
        "Sent by the Veilig Noord-Veluwe bot. A reply to this e-mail does not reach the resident; "
        "the reference is all that links this e-mail to the report."
    )
    description_label = t.gettext("Description")
    contact_label = t.gettext("Contact details (the resident agreed to be contacted)")

    plain = [subject, "", pseudonym(report), ""]
    plain += [f"{label}: {value}" for label, value in fields]
    plain += ["", f"{description_label}:", report.description, ""]
    if report.contact_phone or report.contact_email:
        plain.append(f"{contact_label}:")
        plain += [f"{label}: {value}" for label, value in contact if value]
        plain.append("")
    plain += notes
    plain += ["", "-- ", footer]

    html = [
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"></head>',
        '<body style="font-family: sans-serif; font-size: 15px; line-height: 1.4">',
        f"<h2>{escape(subject)}</h2>",
        f"<p>👤 {escape(pseudonym(report))}</p>",
        "<table>",
    ]
    html += [f"<tr><th align='left'>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in fields]
    html.append("</table>")
    html.append(f"<h3>{escape(description_label)}</h3>")
    html.append('<p style="white-space: pre-wrap">' + escape(report.description) + "</p>")
    if report.contact_phone or report.contact_email:
        html.append(f"<h3>{escape(contact_label)}</h3><table>")
        html += [
            f"<tr><th align='left'>{escape(label)}</th><td>{escape(value)}</td></tr>"
            for label, value in contact
            if value
        ]
        html.append("</table>")
    html += [f"<p>{escape(note)}</p>" for note in notes]
    html += [f'<hr><p style="color: #555; font-size: 13px">{escape(footer)}</p>', "</body></html>"]
    return EmailContent(subject, "\n".join(plain) + "\n", "\n".join(html) + "\n")


def build_message(content: EmailContent, *, sender: str, to: str, message_id: str, date: dt.datetime) -> EmailMessage:
    """multipart/alternative (plain first, then HTML), with the stable Message-ID; no Reply-To (replies would not
    reach the resident anyway).

    Pitfall: everything here must be a function of the report, so that a resend is the very same message
    (``date`` is the report's filing time, not "now"; the MIME boundary is derived from the Message-ID).
    """
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = Address(addr_spec=to)
    message["Subject"] = content.subject
    message["Date"] = format_datetime(date.astimezone(dt.UTC))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, no vacation notices
    # Quoted-printable keeps the body 7-bit, so no server needs 8BITMIME or SMTPUTF8 for it.
    message.set_content(content.plain, cte="quoted-printable")
    message.add_alternative(content.html, subtype="html", cte="quoted-printable")
    message.set_boundary("=_" + hashlib.sha256(message_id.encode()).hexdigest()[:32])
    return message


# --- the transport -------------------------------------------------------------------------------------------


class EmailTransport(Protocol):
    """Sends one message; raises :class:`RetryLater` (try again later) or :class:`EmailRefused` (never again).

    ``before_data`` is awaited after the server accepted sender and recipient and before the DATA command.
    """

    async def send(self, message: EmailMessage, *, before_data: Callable[[], Awaitable[None]]) -> None: ...


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None  # a secret: never logged
    starttls: bool = True
    timeout: float = SMTP_TIMEOUT

    def __repr__(self) -> str:
        return f"SmtpConfig(host={self.host!r}, port={self.port}, starttls={self.starttls})"


class SmtpTransport:
    """:class:`EmailTransport` over SMTP with aiosmtplib: one connection per message (a few per day)."""

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config

    async def send(self, message: EmailMessage, *, before_data: Callable[[], Awaitable[None]]) -> None:
        import aiosmtplib

        c = self._config
        sender = parseaddr(c.sender)[1]
        recipients = [parseaddr(str(v))[1] for v in message.get_all("To", [])]
        smtp = aiosmtplib.SMTP(
            hostname=c.host,
            port=c.port,
            username=c.username,
            password=c.password,
            start_tls=c.starttls,
            timeout=c.timeout,
            # Not socket.getfqdn(): that may wait on DNS; the sender's domain is a fine EHLO name for submission.
            local_hostname=sender.rpartition("@")[2] or "localhost",
        )
        stage: Literal["connect", "message"] = "connect"
        try:
            await smtp.connect()
            stage = "message"
            await smtp.mail(sender)
            for recipient in recipients:
                await smtp.rcpt(recipient)
            await before_data()
            await smtp.data(message.as_bytes(policy=email.policy.SMTP))
            # Delivered: a failing QUIT changes nothing (and must not make the outbox send it again).
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await smtp.quit()
        except aiosmtplib.SMTPResponseException as exc:
            reason = f"{exc.code} {exc.message}"
            # 530/535/538: authentication needed or refused -- the server's configuration, not this message.
            if 500 <= exc.code < 600 and stage == "message" and exc.code not in AUTH_CODES:
                raise EmailRefused(exc.code, exc.message) from exc
            raise RetryLater(f"SMTP {reason}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise Unanswered(f"SMTP {type(exc).__name__}: {exc}") from exc
        finally:
            smtp.close()


# --- the outbox ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailRunResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    waiting: int = 0  # the municipality has no e-mail address (any more)


Outcome = Literal["sent", "retried", "failed"]


class EmailOutbox(Runner):
    """Sends due e-mail deliveries (see the module docstring for the guarantee)."""

    def __init__(
        self,
        db: Database,
        transport: EmailTransport,
        staff_translator: Translator,
        *,
        sender: str,
        municipality_names: dict[str, str],
        village: Callable[[Report], str | None],
        claims: Claims | None = None,
        active: Callable[[], bool] | None = None,
    ) -> None:
        """``claims`` and ``active``: see bot.outbox.runner.Runner. Each row is claimed before it is sent, so an
        active/standby pair never e-mails a report twice; a lost lease stops the run."""
        super().__init__(db, claims, active)
        self._transport = transport
        self._t = staff_translator
        self._sender = sender
        self._names = municipality_names
        self._village = village

    async def run_once(self, now: dt.datetime | None = None) -> EmailRunResult:
        """Try every due e-mail once; one delivery's failure never ends the run."""
        async with self.running():
            now = now or utcnow()
            to_send = Delivery.state.in_(("pending", "sending"))
            targets = await email_targets(self._db)
            async with self._db.session() as session:
                due = list(
                    await session.execute(
                        select(Delivery, Report)
                        .join(Report, Report.id == Delivery.report_id)
                        .where(
                            Delivery.target.startswith(EMAIL_PREFIX),
                            to_send,
                            Delivery.next_attempt_at <= now,
                        )
                        .order_by(Delivery.id)
                    )
                )
            counts = {"sent": 0, "retried": 0, "failed": 0, "waiting": 0}
            for delivery, report in self.until_stopped(due):
                target = targets.get(delivery.target.removeprefix(EMAIL_PREFIX))
                if target is None:
                    counts["waiting"] += 1
                    continue
                attempt = partial(self._attempt, report=report, target=target)
                outcome = await self.send_claimed(Delivery, delivery.id, to_send, attempt)
                if outcome is not None:
                    counts[outcome] += 1
            return EmailRunResult(**counts)

    async def _attempt(self, delivery: Delivery, report: Report, target: EmailTarget) -> Outcome:
        try:
            return await self._deliver(delivery, report, target)
        except Exception as exc:  # recording the outcome failed too (database trouble): next row
            log.error("E-mail delivery %s could not be recorded (%s)", delivery.id, type(exc).__name__)
            return "retried"

    async def _deliver(self, delivery: Delivery, report: Report, target: EmailTarget) -> Outcome:
        if delivery.email_message_id is None:
            delivery.email_message_id = message_id_for(report, target.municipality, self._sender)
            await self._update(delivery.id, email_message_id=delivery.email_message_id)
        elif delivery.state == "sending":
            log.warning(
                "E-mail delivery %s may have reached the server before (connection lost after DATA); sending it "
                "again with the same Message-ID",
                delivery.id,
            )
        name = self._names.get(target.municipality, target.municipality)
        village = self._village(report)
        if village is None and (report.place_text or report.latitude is not None):
            village = name  # a place the router cannot name a village for: no finer than the municipality
        content = render_email(report, self._t, municipality_name=name, village=village)
        message = build_message(
            content,
            sender=self._sender,
            to=target.address,
            message_id=delivery.email_message_id,
            date=report.created_at,
        )

        async def before_data() -> None:
            if delivery.state != "sending":
                await self._update(delivery.id, state="sending")
                delivery.state = "sending"

        try:
            await self._transport.send(message, before_data=before_data)
        except RetryLater as exc:
            if delivery.state == "sending" and not isinstance(exc, Unanswered):
                # The server answered (4xx): it did not take the message, so no copy can exist.
                await self._update(delivery.id, state="pending")
                delivery.state = "pending"
            await self._retry(delivery, str(exc))
            await self._set_health(target, "failing", str(exc))
            return "retried"
        except EmailRefused as exc:
            await self._update(delivery.id, state="failed", attempts=delivery.attempts + 1, last_error=str(exc)[:300])
            await self._set_health(target, "failed", str(exc))
            log.error(
                "The SMTP server refused the e-mail of delivery %s for good (%s); it is not retried until "
                "'veiligbot municipality email %s ADDRESS' is run again",
                delivery.id,
                exc.code,
                target.municipality,
            )
            return "failed"
        except Exception as exc:
            # Only the class and the stack: an exception's message may quote the report.
            stack = "".join(traceback.format_tb(exc.__traceback__))
            log.error("E-mail delivery %s failed unexpectedly (%s)\n%s", delivery.id, type(exc).__name__, stack)
            await self._retry(delivery, f"unexpected {type(exc).__name__}")
            return "retried"
        await self._update(delivery.id, state="sent", sent_at=utcnow(), last_error=None)
        if target.health != "ok":
            await self._set_health(target, "ok", None)
        return "sent"

    async def _retry(self, delivery: Delivery, error: str) -> None:
        attempts = delivery.attempts + 1
        wait = backoff(attempts)
        await self._update(delivery.id, attempts=attempts, last_error=error[:300], next_attempt_at=utcnow() + wait)
        delivery.attempts = attempts
        log.warning("E-mail delivery %s failed (attempt %s); retrying in %s", delivery.id, attempts, wait)

    async def _set_health(self, target: EmailTarget, health: str, error: str | None) -> None:
        """Only while the address is still the one tried (the CLI may set another meanwhile)."""
        values: dict[str, object] = {"health": health}
        if error is not None:
            values.update(last_error=error[:300], last_error_at=utcnow())
        async with self._db.session() as session:
            await session.execute(
                update(MunicipalityEmail)
                .where(
                    MunicipalityEmail.municipality == target.municipality,
                    MunicipalityEmail.address == target.address,
                )
                .values(**values)
            )

    async def _update(self, delivery_id: int, **values: object) -> None:
        async with self._db.session() as session:
            row = await session.get(Delivery, delivery_id)
            assert row is not None
            for key, value in values.items():
                setattr(row, key, value)
