"""Operator views for the command line: reports with their delivery state, and the editors' report.

Pitfall: these only read, so they open the database with ``upgrade=False``: a view never migrates the schema
(that is ``veiligbot db upgrade``, or ``veiligbot run`` at start-up); an old schema raises
:class:`~bot.storage.db.SchemaNotCurrent`.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.answering.feedback import editor_report
from bot.storage.db import Database
from bot.storage.models import Delivery, Report


async def list_reports(url: str, *, municipality: str | None = None, status: str | None = None) -> list[str]:
    """One line per report: reference, municipality, category, status, created, delivery state."""
    db = Database(url)
    await db.open(upgrade=False)
    try:
        async with db.session() as session:
            query = select(Report, Delivery).join(Delivery, Delivery.report_id == Report.id, isouter=True)
            if municipality:
                query = query.where(Report.municipality == municipality)
            if status:
                query = query.where(Report.status == status)
            rows = list(await session.execute(query.order_by(Report.created_at)))
    finally:
        await db.close()
    lines = []
    for report, delivery in rows:
        state = "no delivery"
        if delivery is not None:
            state = f"delivery {delivery.state}, attempts {delivery.attempts}"
            if delivery.state != "sent" and delivery.last_error:
                state += f", last error: {delivery.last_error}"
        lines.append(
            f"{report.reference}\t{report.municipality}\t{report.category}\t{report.status}\t"
            f"{report.created_at:%Y-%m-%d %H:%M}Z\t{state}"
        )
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
