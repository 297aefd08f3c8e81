"""`veiligbot municipality list` and the waiting reasons in `veiligbot reports list`."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.cli.main import main
from bot.outbox.delivery import link_municipality
from bot.reports.filing import file_report
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import MunicipalityLink
from tests.bot.outbox.conftest import draft


def seed(settings: Settings) -> tuple[str, str]:
    """Heerde linked but failing, Epe linked and blocked, Elburg not linked; one report each."""

    async def go() -> tuple[str, str]:
        db = Database(settings.database)
        await db.open()
        try:
            await link_municipality(db, "heerde", -100123)
            await link_municipality(db, "epe", -100456)
            heerde = await file_report(db, draft(), chat_id=1, language="nl")
            await file_report(db, draft(municipality="epe"), chat_id=1, language="nl")
            elburg = await file_report(db, draft(municipality="elburg"), chat_id=1, language="nl")
            async with db.session() as session:
                for municipality, health, error in (
                    ("heerde", "failing", "NetworkError: Bad Gateway"),
                    ("epe", "blocked", "Forbidden: bot was kicked from the group chat"),
                ):
                    link = await session.get(MunicipalityLink, municipality)
                    assert link is not None
                    link.health, link.last_error = health, error
                    link.last_error_at = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC)
            return heerde.reference, elburg.reference
        finally:
            await db.close()

    return asyncio.run(go())


def test_municipality_list_shows_each_staff_chat_and_its_health(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(settings)
    assert main(["municipality", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "elburg\tnot linked\t-\t1 undelivered",
        "epe\t-100456\tblocked\t1 undelivered\t"
        "last error 2026-12-05 08:00Z: Forbidden: bot was kicked from the group chat",
        "hattem\tnot linked\t-\t0 undelivered",
        "heerde\t-100123\tfailing\t1 undelivered\tlast error 2026-12-05 08:00Z: NetworkError: Bad Gateway",
        "nunspeet\tnot linked\t-\t0 undelivered",
        "oldebroek\tnot linked\t-\t0 undelivered",
    ]


def test_relinking_clears_the_health(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    seed(settings)
    assert main(["municipality", "link", "epe", "-100789"]) == 0
    assert main(["municipality", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Reports for epe now go to chat -100789."
    assert lines[2] == "epe\t-100789\tok\t1 undelivered"


def test_reports_list_says_why_a_report_waits(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    heerde, elburg = seed(settings)
    assert main(["reports", "list"]) == 0
    lines = {line.split("\t")[1]: line for line in capsys.readouterr().out.splitlines()}
    assert lines["elburg"].startswith(elburg) and lines["elburg"].endswith(
        "delivery pending, attempts 0, waiting: no staff chat linked"
    )
    assert lines["epe"].endswith(
        "delivery pending, attempts 0, waiting: staff chat blocked (see veiligbot municipality list)"
    )
    assert lines["heerde"].startswith(heerde) and lines["heerde"].endswith("delivery pending, attempts 0")
