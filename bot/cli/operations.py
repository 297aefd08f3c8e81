"""Operator views for the command line: reports with their delivery state, staff chats with their health,
and the editors' report.

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
from bot.storage.db import Database
from bot.storage.models import Delivery, MunicipalityLink, Report


async def list_reports(url: str, *, municipality: str | None = None, status: str | None = None) -> list[str]:
    """One line per report: reference, municipality, category, status, created, delivery state.

    An undelivered report also says why it waits when its staff chat is the reason (not linked, blocked).
    """
    db = Database(url)
    await db.open(upgrade=False)
    try:
        async with db.session() as session:
            query = (
                select(Report, Delivery, MunicipalityLink.health)
                .join(Delivery, Delivery.report_id == Report.id, isouter=True)
                .join(MunicipalityLink, MunicipalityLink.municipality == Report.municipality, isouter=True)
            )
            if municipality:
                query = query.where(Report.municipality == municipality)
            if status:
                query = query.where(Report.status == status)
            rows = list(await session.execute(query.order_by(Report.created_at)))
    finally:
        await db.close()
    lines = []
    for report, delivery, health in rows:
        state = "no delivery"
        if delivery is not None:
            state = f"delivery {delivery.state}, attempts {delivery.attempts}"
            if delivery.state != "sent" and delivery.last_error:
                state += f", last error: {delivery.last_error}"
            if delivery.state != "sent" and health is None:
                state += ", waiting: no staff chat linked"
            elif delivery.state != "sent" and health == "blocked":
                state += ", waiting: staff chat blocked (see veiligbot municipality list)"
        lines.append(
            f"{report.reference}\t{report.municipality}\t{report.category}\t{report.status}\t"
            f"{report.created_at:%Y-%m-%d %H:%M}Z\t{state}"
        )
    return lines


async def list_municipalities(url: str, municipalities: Sequence[str]) -> list[str]:
    """One line per municipality: id, staff chat id (or "not linked"), health, undelivered reports, last error.

    Health: ``ok``; ``failing`` (retrying with backoff); ``blocked`` (the chat refuses the bot: nothing is sent
    until ``veiligbot municipality link`` links it again); ``-`` when not linked.
    """
    db = Database(url)
    await db.open(upgrade=False)
    try:
        links = await staff_chat_links(db)
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
