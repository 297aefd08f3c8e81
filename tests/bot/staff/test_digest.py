"""The digest's text as a pure function of the open reports: sections, assignees, time left, no resident text."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.i18n.catalogs import Catalogs
from bot.reports.drafts import CATEGORIES
from bot.staff.digest import render_digest
from bot.storage.models import Report
from bot.workflow.deadlines import DeadlinePolicy, Terms, WorkCalendar

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 12, 7, 8, 30, tzinfo=AMS)  # Monday


def report(ref: str, status: str, days_ago: int, assignee: int | None = None) -> Report:
    return Report(
        reference=ref,
        category="youth-nuisance",
        municipality="epe",
        status=status,
        description="SECRET resident text",
        created_at=NOW - dt.timedelta(days=days_ago),
        assignee_id=assignee,
    )


def test_sections_assignees_and_no_resident_text() -> None:
    policy = DeadlinePolicy(WorkCalendar(AMS), {c: Terms(response=2, handling=5) for c in CATEGORIES})
    t = Catalogs().get("nl")
    reports = [
        report("EPE-LATE", "in_progress", 30, assignee=7),
        report("EPE-NEAR", "in_progress", 6, assignee=7),  # Tuesday 1 Dec + 5 = due Tuesday 8 Dec
        report("EPE-NEW1", "new", 0),
        report("EPE-WAIT", "reaction_requested", 0, assignee=8),
        report("EPE-CALM", "in_progress", 0, assignee=8),
    ]
    text = render_digest("Epe", reports, {7: "Eva", 8: "Els"}, policy, t, NOW)
    assert "Ochtendoverzicht Epe, maandag 7 december" in text and "5 open meldingen." in text
    order = [text.index(h) for h in ("Te laat</b> (1)", "Termijn bijna voorbij</b> (1)", "Nieuw</b> (1)")]
    assert order == sorted(order)
    assert "Wacht op melder</b> (1)" in text
    late_line = next(line for line in text.splitlines() if "EPE-LATE" in line)
    assert "werkdagen te laat" in late_line and "Eva" in late_line and "(3× te laat)" in late_line
    assert "nog 1 werkdag" in next(line for line in text.splitlines() if "EPE-NEAR" in line)
    assert "niemand" in next(line for line in text.splitlines() if "EPE-NEW1" in line)
    assert "EPE-CALM" not in text and "SECRET" not in text
    quiet = render_digest("Epe", [], {}, policy, t, NOW)
    assert "0 open meldingen." in quiet and "Vanochtend vraagt niets extra aandacht." in quiet
