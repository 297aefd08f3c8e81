"""The export for the uitvoeringsplan: no personal data by default; --with-contact adds the description and the
contact details residents left and records that on every exported report; CSV that Excel opens with a Dutch
locale (BOM, ';', CRLF, a header row even without reports)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.reports.drafts import Draft
from bot.reports.filing import file_report
from bot.routing.router import Router
from bot.stats.export import COLUMNS, CONTACT_COLUMNS, export_rows, to_csv, to_json
from bot.stats.figures import Villages
from bot.stats.period import Period
from bot.storage.db import Database
from bot.storage.models import ReportEvent
from knowledge.municipalities import load_municipalities

TZ = ZoneInfo("Europe/Amsterdam")
CHAT = 777123456
DESCRIPTION = '=HYPERLINK("http://x") jongeren bij de speeltuin aan de Dorpsstraat 12'
PHONE = "+31612345678"
EMAIL = "anna@example.org"
TODAY = dt.datetime.now(TZ).date()
PERIOD = Period(TODAY - dt.timedelta(days=7), TODAY)


@pytest.fixture(scope="module")
def villages() -> Villages:
    registry = load_municipalities()
    return Villages(Router.from_registry(registry), registry)


async def _file(db: Database, **fields: object) -> str:
    values: dict[str, object] = {
        "category": "youth-nuisance",
        "description": DESCRIPTION,
        "place_text": "Dorpsstraat 12, Wapenveld",
        "latitude": 52.4312,
        "longitude": 6.0712,
        "municipality": "heerde",
        "updates": "chat",
        "consent": True,
    }
    values.update(fields)
    filed = await file_report(db, Draft(**values), chat_id=CHAT, language="nl")  # type: ignore[arg-type]
    return filed.reference


def _parse(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark, or Excel guesses the encoding"
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


async def test_default_export_has_no_personal_data(db: Database, villages: Villages) -> None:
    with_contact = await _file(db, phone=PHONE, email=EMAIL)
    await _file(db, category="online-scam-signal", place_text=None, latitude=None, longitude=None)
    rows = await export_rows(db, "heerde", PERIOD, TZ, villages)
    data = to_csv(rows, with_contact=False)
    table = _parse(data)
    assert table[0] == list(COLUMNS)
    assert len(table) == 3
    first = dict(zip(table[0], table[1], strict=True))
    assert first["reference"] == with_contact
    assert (first["village"], first["status"], first["created"]) == ("Wapenveld", "new", TODAY.isoformat())
    assert dict(zip(table[0], table[2], strict=True))["village"] == ""
    text = data.decode("utf-8-sig")
    for secret in ("Dorpsstraat", "speeltuin", PHONE, EMAIL, str(CHAT), "52.43", "6.07"):
        assert secret not in text
    assert not set(CONTACT_COLUMNS) & set(json.loads(to_json(rows))[0])
    async with db.session() as session:
        assert not list(await session.scalars(select(ReportEvent).where(ReportEvent.action == "exported")))


async def test_with_contact_adds_details_and_records_an_event_per_report(db: Database, villages: Villages) -> None:
    shared = await _file(db, phone=PHONE, email=EMAIL)
    silent = await _file(db)  # left no contact details
    other = await _file(db, municipality="epe", place_text="Epe")  # another municipality: not exported
    rows = await export_rows(db, "heerde", PERIOD, TZ, villages, with_contact=True, who="beheer")
    table = _parse(to_csv(rows, with_contact=True))
    assert table[0] == list(COLUMNS + CONTACT_COLUMNS)
    by_ref = {r[0]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    assert set(by_ref) == {shared, silent}
    # A cell a spreadsheet would run as a formula starts with an apostrophe (residents' words, a phone number).
    assert by_ref[shared]["description"] == "'" + DESCRIPTION
    assert (by_ref[shared]["contact_phone"], by_ref[shared]["contact_email"]) == ("'" + PHONE, EMAIL)
    assert (by_ref[silent]["contact_phone"], by_ref[silent]["contact_email"]) == ("", "")
    assert str(CHAT) not in to_csv(rows, with_contact=True).decode("utf-8-sig")
    async with db.session() as session:
        events = list(await session.scalars(select(ReportEvent).where(ReportEvent.action == "exported")))
    assert len(events) == 2 and all(e.actor == "operator" and "beheer" in (e.note or "") for e in events)
    assert other not in by_ref
    as_json = json.loads(to_json(rows))
    assert {r["contact_email"] for r in as_json} == {EMAIL, None}
    assert as_json[0]["description"] == DESCRIPTION  # JSON carries the text as it is


async def test_header_row_without_reports(db: Database, villages: Villages) -> None:
    rows = await export_rows(db, "elburg", PERIOD, TZ, villages, with_contact=True)
    assert rows == []
    assert _parse(to_csv(rows, with_contact=False)) == [list(COLUMNS)]
    assert _parse(to_csv(rows, with_contact=True)) == [list(COLUMNS + CONTACT_COLUMNS)]
    assert json.loads(to_json(rows)) == []
