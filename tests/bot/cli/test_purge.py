"""``veiligbot purge``: the retention purge from the command line, on the bot's database and RETENTION_DAYS."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import update

from bot.cli.main import main
from bot.reports.drafts import Draft
from bot.reports.filing import file_report
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Report


def test_purge_removes_old_closed_reports(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEILIGBOT_DATA_DIR", str(settings.veiligbot_data_dir))
    monkeypatch.setenv("RETENTION_DAYS", "30")

    async def setup() -> int:
        db = Database(settings.database)
        await db.open()
        draft = Draft(
            category="youth-nuisance",
            description="Elke avond glas op de speeltuin bij de school.",
            place_text="Vaassen",
            municipality="epe",
            updates="none",
            consent=True,
        )
        report_id = (await file_report(db, draft, chat_id=1, language="nl")).id
        async with db.session() as session:  # closed 31 days ago (test setup, not a workflow step)
            closed = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
            await session.execute(update(Report).values(status="closed", closed_at=closed))
        await db.close()
        return report_id

    async def description(report_id: int) -> str:
        db = Database(settings.database)
        await db.open()
        async with db.session() as session:
            report = await session.get(Report, report_id)
        await db.close()
        assert report is not None
        return report.description

    report_id = asyncio.run(setup())
    assert main(["purge"]) == 0
    assert "removed from 1 report(s)" in capsys.readouterr().out
    assert asyncio.run(description(report_id)) == ""
    assert main(["purge"]) == 0
    assert "removed from 0 report(s)" in capsys.readouterr().out
