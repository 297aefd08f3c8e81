"""The export for the uitvoeringsplan (``veiligbot export``): one row per report filed in a date range, as CSV for
a spreadsheet or as JSON.

Privacy: by default no personal data -- no description, no contact details, no place finer than the village,
no chat ids, no staff ids. ``with_contact`` adds the description and the phone number and e-mail address the
resident chose to leave (only those: a resident who left none, or removed them with /verwijder, has empty
cells), and records an ``exported`` event on every report in the export (each row carries its description),
in the same transaction as the read, so the report's history (``/melding REF``) shows that its words left the
bot. One event per report rather than one audit line: the history of a report is where staff and a resident's
data request look.

CSV for Excel with a Dutch locale: UTF-8 with a byte-order mark (else Excel guesses the encoding wrongly), ``;``
as separator (Excel's list separator where the decimal separator is a comma), CRLF line ends, a header row
even without reports, dates as ISO ``YYYY-MM-DD`` and whole numbers only (no decimal separator to misread).
A text cell that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@`` first) gets a leading
apostrophe (OWASP's advice against CSV injection): descriptions are residents' words.

Pitfall: the columns (:data:`COLUMNS`, :data:`CONTACT_COLUMNS`) are documented in the README; add new ones at
the end so that spreadsheets built on the export keep working.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.stats.figures import ReportFacts, Villages, facts_of
from bot.stats.period import Period
from bot.storage.db import Database
from bot.storage.models import Report, ReportEvent, utcnow

COLUMNS: tuple[str, ...] = (
    "reference",
    "municipality",
    "theme",
    "category",
    "status",
    "village",
    "created",
    "first_response",
    "closed",
    "hours_to_first_response",
    "hours_to_close",
    "feedback",
)
CONTACT_COLUMNS: tuple[str, ...] = ("description", "contact_phone", "contact_email")
EXPORT_EVENT = "exported"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Row = dict[str, str | int | None]


def _hours(later: dt.datetime | None, earlier: dt.datetime) -> int | None:
    return None if later is None else int((later - earlier).total_seconds() // 3600)


def _date(value: dt.datetime | None, tz: ZoneInfo) -> str | None:
    return None if value is None else value.astimezone(tz).date().isoformat()


def row_of(facts: ReportFacts, tz: ZoneInfo, *, with_contact: bool) -> Row:
    report = facts.report
    row: Row = {
        "reference": report.reference,
        "municipality": report.municipality,
        "theme": report.theme,
        "category": report.category,
        "status": report.status,
        "village": facts.village,
        "created": _date(report.created_at, tz),
        "first_response": _date(facts.first_response_at, tz),
        "closed": _date(facts.closed_at, tz),
        "hours_to_first_response": _hours(facts.first_response_at, report.created_at),
        "hours_to_close": _hours(facts.closed_at, report.created_at),
        "feedback": report.feedback,
    }
    if with_contact:
        row.update(
            description=report.description,
            contact_phone=report.contact_phone,
            contact_email=report.contact_email,
        )
    return row


async def export_rows(
    db: Database,
    municipality: str,
    period: Period,
    tz: ZoneInfo,
    villages: Villages,
    *,
    with_contact: bool = False,
    actor: str = "operator",
    who: str | None = None,
    now: dt.datetime | None = None,
) -> list[Row]:
    """The rows of ``municipality``'s reports filed in ``period``, oldest first.

    ``with_contact``: also the description and contact details, and one ``exported`` event (by ``actor``) per
    report in the export, written in the same transaction as the read; ``who`` (the operator's login) goes into
    its note.
    """
    start, end = period.bounds(tz)
    where = (Report.municipality == municipality, Report.created_at >= start, Report.created_at < end)
    async with db.session() as session:
        reports = list(await session.scalars(select(Report).where(*where).order_by(Report.created_at, Report.id)))
        events: dict[int, list[ReportEvent]] = {}
        for event in await session.scalars(
            select(ReportEvent).join(Report, Report.id == ReportEvent.report_id).where(*where).order_by(ReportEvent.id)
        ):
            events.setdefault(event.report_id, []).append(event)
        rows = [row_of(facts_of(r, events.get(r.id, []), villages), tz, with_contact=with_contact) for r in reports]
        if with_contact:
            at = now or utcnow()
            note = f"export {period.start.isoformat()}..{period.end.isoformat()}: description and contact details"
            note += f" (by {who})" if who else ""
            session.add_all(
                ReportEvent(report_id=r.id, at=at, actor=actor, action=EXPORT_EVENT, note=note) for r in reports
            )
    return rows


def _cell(value: str | int | None) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(_FORMULA_START) else text


def to_csv(rows: Sequence[Row], *, with_contact: bool) -> bytes:
    """UTF-8 with BOM, ``;``, CRLF, a header row always (see the module docstring)."""
    columns = COLUMNS + (CONTACT_COLUMNS if with_contact else ())
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


def to_json(rows: Sequence[Row]) -> bytes:
    """A JSON array of objects with the same keys as the CSV columns (null for empty), UTF-8."""
    return (json.dumps(list(rows), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
