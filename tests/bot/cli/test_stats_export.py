"""``veiligbot stats``, ``veiligbot export`` and ``veiligbot demo reports`` (README, "Statistics and export")."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli.main import main
from bot.settings import Settings
from bot.stats.export import COLUMNS, CONTACT_COLUMNS
from bot.storage.db import Database
from bot.storage.models import Report, ReportEvent


def _count(url: str, *where: object) -> int:
    async def go() -> int:
        db = Database(url)
        await db.open(upgrade=False)
        try:
            async with db.session() as session:
                return int(await session.scalar(select(func.count()).select_from(Report).where(*where)) or 0)
        finally:
            await db.close()

    return asyncio.run(go())


def test_demo_reports_then_stats_with_chart(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "reports", "heerde", "--count", "25", "--database", settings.database]) == 0
    capsys.readouterr()
    assert main(["stats", "--municipality", "heerde", "--since", "90d", "--png", "chart.png"]) == 0
    out = capsys.readouterr().out
    assert "25 meldingen gedaan" in out and "Cijfers Heerde" in out and "<b>" not in out
    closed = _count(settings.database, Report.status == "closed")
    assert f"• afgesloten: {closed}" in out
    assert Path("chart.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_stats_refuses_bad_input(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["stats", "--municipality", "nowhere"]) == 2
    assert main(["stats", "--municipality", "epe", "--since", "2026-13"]) == 2
    assert main(["stats", "--municipality", "epe", "--since", "2020"]) == 0
    assert "0 meldingen gedaan" in capsys.readouterr().out


def test_demo_reports_go_to_the_sandbox_database_by_default(settings: Settings) -> None:
    assert main(["demo", "reports", "epe", "--count", "3"]) == 0
    sandbox = settings.veiligbot_data_dir / "sandbox" / "veiligbot.sqlite3"
    assert sandbox.exists()
    assert _count(f"sqlite+aiosqlite:///{sandbox.resolve()}") == 3
    assert not (settings.veiligbot_data_dir / "veiligbot.sqlite3").exists()  # the bot's own: untouched


def test_export_csv_json_and_with_contact(settings: Settings, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["demo", "reports", "hattem", "--count", "12", "--database", settings.database]) == 0
    capsysbinary.readouterr()
    assert main(["export", "--municipality", "hattem", "--since", "2020-01-01"]) == 0
    data = capsysbinary.readouterr().out
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert table[0] == list(COLUMNS) and len(table) == 13
    assert b"Demo:" not in data  # no descriptions by default

    assert main(["export", "--municipality", "hattem", "--since", "2020-01-01", "--format", "json"]) == 0
    rows = json.loads(capsysbinary.readouterr().out)
    assert [r["reference"] for r in rows] == [r[0] for r in table[1:]]

    assert main(["export", "--municipality", "hattem", "--since", "2020-01-01", "--with-contact"]) == 0
    captured = capsysbinary.readouterr()
    table = list(csv.reader(io.StringIO(captured.out.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert table[0] == list(COLUMNS + CONTACT_COLUMNS)
    assert all(row[len(COLUMNS)].startswith("Demo:") for row in table[1:])
    assert b"12 report(s)" in captured.err

    async def exported() -> int:
        db = Database(settings.database)
        await db.open(upgrade=False)
        try:
            async with db.session() as session:
                query = select(func.count()).select_from(ReportEvent).where(ReportEvent.action == "exported")
                return int(await session.scalar(query) or 0)
        finally:
            await db.close()

    assert asyncio.run(exported()) == 12


def test_export_header_only_and_bad_dates(settings: Settings, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["db", "upgrade"]) == 0
    capsysbinary.readouterr()
    assert main(["export", "--municipality", "elburg", "--since", "2026-01-01", "--until", "2026-12-31"]) == 0
    assert capsysbinary.readouterr().out == ("\ufeff" + ";".join(COLUMNS) + "\r\n").encode()
    assert main(["export", "--municipality", "elburg", "--since", "1-1-2026"]) == 2
    assert main(["export", "--municipality", "elburg", "--since", "2026-02-01", "--until", "2026-01-01"]) == 2
