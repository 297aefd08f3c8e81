"""Operator views for the command line: reports with their delivery state, staff chats and e-mail addresses
with their health, and the editors' report.

Pitfall: these only read, so they open the database with ``upgrade=False``: a view never migrates the schema
(that is ``veiligbot db upgrade``, or ``veiligbot run`` at start-up); an old schema raises
:class:`~bot.storage.db.SchemaNotCurrent`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import select

from bot.answering.feedback import editor_report
from bot.outbox.delivery import staff_chat_links
from bot.outbox.email import EMAIL_PREFIX, email_targets
from bot.storage.db import Database
from bot.storage.models import Delivery, MunicipalityLink, Report


async def list_reports(url: str, *, municipality: str | None = None, status: str | None = None) -> list[str]:
    """One line per report: reference, municipality, category, status, created, delivery state.

    An undelivered report also says why it waits when its staff chat is the reason (not linked, blocked). A
    report that goes by e-mail has an ``e-mail <state>`` part (``failed`` with the server's reply: not retried
    until ``veiligbot municipality email`` sets the address again).
    """
    db = Database(url)
    await db.open(upgrade=False)
    try:
        async with db.session() as session:
            query = select(Report, MunicipalityLink.health).join(
                MunicipalityLink, MunicipalityLink.municipality == Report.municipality, isouter=True
            )
            if municipality:
                query = query.where(Report.municipality == municipality)
            if status:
                query = query.where(Report.status == status)
            rows = list(await session.execute(query.order_by(Report.created_at, Report.id)))
            deliveries: dict[int, list[Delivery]] = {}
            for delivery in await session.scalars(
                select(Delivery).where(Delivery.report_id.in_([r.id for r, _ in rows])).order_by(Delivery.id)
            ):
                deliveries.setdefault(delivery.report_id, []).append(delivery)
    finally:
        await db.close()
    lines = []
    for report, health in rows:
        parts = []
        for delivery in deliveries.get(report.id, []):
            if delivery.target.startswith(EMAIL_PREFIX):
                parts.append(_email_state(delivery))
                continue
            state = f"delivery {delivery.state}, attempts {delivery.attempts}"
            if delivery.state != "sent" and delivery.last_error:
                state += f", last error: {delivery.last_error}"
            if delivery.state != "sent" and health is None:
                state += ", waiting: no staff chat linked"
            elif delivery.state != "sent" and health == "blocked":
                state += ", waiting: staff chat blocked (see veiligbot municipality list)"
            parts.append(state)
        lines.append(
            f"{report.reference}\t{report.municipality}\t{report.category}\t{report.status}\t"
            f"{report.created_at:%Y-%m-%d %H:%M}Z\t{'; '.join(parts) or 'no delivery'}"
        )
    return lines


def _email_state(delivery: Delivery) -> str:
    state = f"e-mail {delivery.state}, attempts {delivery.attempts}"
    if delivery.state == "sending":
        state += " (may have reached the server; resent with the same Message-ID)"
    if delivery.state != "sent" and delivery.last_error:
        state += f", last error: {delivery.last_error}"
    return state


async def list_municipalities(url: str, municipalities: Sequence[str]) -> list[str]:
    """One line per municipality: id, staff chat id (or "not linked"), health, undelivered reports, last error;
    then, for a municipality with e-mail delivery, ``e-mail ADDRESS (also|only), HEALTH`` and its last error.

    Health: ``ok``; ``failing`` (retrying with backoff); ``blocked`` (the chat refuses the bot: nothing is sent
    until ``veiligbot municipality link`` links it again); ``-`` when not linked. E-mail health: ``ok``,
    ``failing`` (retrying), ``failed`` (the server refused a report's e-mail for good; see ``reports list``).
    Undelivered counts every delivery, card or e-mail, that has not gone out (failed e-mails included).
    """
    db = Database(url)
    await db.open(upgrade=False)
    try:
        links = await staff_chat_links(db)
        emails = await email_targets(db)
        async with db.session() as session:
            undelivered = Counter(
                await session.scalars(
                    select(Report.municipality)
                    .join(Delivery, Delivery.report_id == Report.id)
                    .where(Delivery.state != "sent")
                )
            )
    finally:
        await db.close()
    lines = []
    for municipality in municipalities:
        link = links.get(municipality)
        columns = [municipality, str(link.chat_id) if link else "not linked", link.health if link else "-"]
        columns.append(f"{undelivered[municipality]} undelivered")
        if link is not None and link.last_error and link.last_error_at is not None:
            columns.append(f"last error {link.last_error_at:%Y-%m-%d %H:%M}Z: {link.last_error}")
        email = emails.get(municipality)
        if email is not None:
            columns.append(f"e-mail {email.address} ({'only' if email.only else 'also'}), {email.health}")
            if email.health != "ok" and email.last_error and email.last_error_at is not None:
                columns.append(f"last e-mail error {email.last_error_at:%Y-%m-%d %H:%M}Z: {email.last_error}")
        lines.append("\t".join(columns))
    return lines


async def missed_report(url: str, *, limit: int = 50) -> str:
    db = Database(url)
    await db.open(upgrade=False)
    try:
        report = await editor_report(db, limit=limit)
    finally:
        await db.close()
    lines = ["Questions that ended in fallback or clarify (last 30 days, newest first):"]
    lines += [f"  {m.created_at:%Y-%m-%d} [{m.language}] {m.action:8} {m.text}" for m in report.missed] or ["  (none)"]
    lines.append("Topics with most 👎:")
    lines += [f"  {f.topic_id}: 👎 {f.not_helpful}, 👍 {f.helpful}" for f in report.feedback] or ["  (none)"]
    return "\n".join(lines)
