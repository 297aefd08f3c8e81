"""The /stats figures equal counts computed independently from the database: a few dozen generated reports with
a history (bot.dev.demo, through the domain code), then plain Python over the stored rows and events."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.dev.demo import generate_demo_reports
from bot.i18n.catalogs import Catalogs
from bot.reports.drafts import Draft
from bot.reports.filing import file_report
from bot.routing.router import Router
from bot.staff.auth import Actor
from bot.stats.chart import draw_chart
from bot.stats.figures import Villages, figures
from bot.stats.period import Period
from bot.stats.render import render
from bot.storage.db import Database
from bot.storage.models import Report, ReportEvent
from bot.workflow.deadlines import DeadlinePolicy, calendar, default_terms
from bot.workflow.engine import Workflow
from bot.workflow.transitions import Action, Status
from knowledge.municipalities import load_municipalities
from knowledge.standard_texts import load_standard_texts

TZ = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.UTC)
PERIOD = Period(dt.date(2026, 8, 1), dt.date(2026, 11, 30))
HENK = Actor(7001, "staff", "Henk")
STAFF_ACTIONS = {"take", "ask", "message", "transfer", "forward", "close", "cancel"}
POLICY = DeadlinePolicy(calendar(TZ), default_terms())


@pytest.fixture(scope="module")
def villages() -> Villages:
    registry = load_municipalities()
    return Villages(Router.from_registry(registry), registry)


async def _generate(db: Database, municipality: str = "heerde", count: int = 45, seed: int = 3) -> list[int]:
    registry = load_municipalities()
    names = {m.id: m.name for m in registry.municipalities}
    places = [p.name for m in registry.municipalities if m.id == municipality for p in m.places]
    return await generate_demo_reports(
        db, Catalogs(), dict(names), municipality, places, HENK, count=count, seed=seed, now=NOW
    )


async def _rows(db: Database, municipality: str) -> tuple[list[Report], dict[int, list[ReportEvent]]]:
    start = dt.datetime(2026, 7, 31, 22, 0, tzinfo=dt.UTC)  # 1 August 00:00 in Amsterdam (summer time)
    end = dt.datetime(2026, 11, 30, 23, 0, tzinfo=dt.UTC)  # 1 December 00:00 in Amsterdam (winter time)
    async with db.session() as session:
        reports = [
            r
            for r in await session.scalars(select(Report))
            if r.municipality == municipality and start <= r.created_at < end
        ]
        events: dict[int, list[ReportEvent]] = {}
        for e in await session.scalars(select(ReportEvent).order_by(ReportEvent.id)):
            events.setdefault(e.report_id, []).append(e)
    return reports, events


def _median_hours(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


async def test_figures_match_the_database(db: Database, villages: Villages) -> None:
    await _generate(db)
    await _generate(db, "epe", count=10, seed=4)  # another municipality: never counted for Heerde
    figs = await figures(db, ["heerde"], PERIOD, TZ, villages, POLICY, NOW)
    reports, events = await _rows(db, "heerde")

    assert len(reports) == 45
    assert figs.total == 45
    assert figs.by_theme == dict(Counter(r.theme for r in reports))
    assert figs.by_category == dict(Counter(r.category for r in reports))
    assert figs.by_status == dict(Counter(r.status for r in reports))
    assert len(figs.by_status) >= 3, "the generated history should reach several statuses"
    assert figs.thumbs_up == sum(r.feedback == "up" for r in reports)
    assert figs.thumbs_down == sum(r.feedback == "down" for r in reports)
    assert figs.thumbs_up + figs.thumbs_down > 0
    assert sum(figs.by_village.values()) == 45

    first, closing = [], []
    for r in reports:
        staff_events = [
            e for e in events[r.id] if e.action in STAFF_ACTIONS and e.actor.split(":")[0] in ("staff", "coordinator")
        ]
        if staff_events:
            first.append((staff_events[0].at - r.created_at).total_seconds() / 3600)
        if r.status == "closed":
            closes = [e for e in events[r.id] if e.action == "close"]
            closing.append((closes[-1].at - r.created_at).total_seconds() / 3600)
    assert figs.responded == len(first) and figs.closed == len(closing) > 0
    assert figs.median_first_response is not None and figs.median_to_close is not None
    assert figs.median_first_response.total_seconds() / 3600 == pytest.approx(_median_hours(first))
    assert figs.median_to_close.total_seconds() / 3600 == pytest.approx(_median_hours(closing))

    # Share on time, counted here from the rows with the deadlines' own due times.
    response = [0, 0]
    handling = [0, 0]
    for r in reports:
        if r.status == "cancelled":
            continue
        staff_events = [
            e for e in events[r.id] if e.action in STAFF_ACTIONS and e.actor.split(":")[0] in ("staff", "coordinator")
        ]
        due = POLICY.response_due(r.category, r.created_at, "heerde")
        if staff_events:
            response[0] += staff_events[0].at < due
            response[1] += 1
        elif due <= NOW:
            response[1] += 1
        handling_due = POLICY.handling_due(r.category, r.created_at, "heerde")
        done = [e.at for e in events[r.id] if e.action == {"closed": "close", "forwarded": "forward"}.get(r.status)]
        if done:
            handling[0] += done[-1] < handling_due
            handling[1] += 1
        elif handling_due <= NOW:
            handling[1] += 1
    assert (figs.response_on_time, figs.response_judged) == tuple(response)
    assert (figs.handled_on_time, figs.handling_judged) == tuple(handling)
    assert figs.response_judged > 0 and figs.handling_judged > 0

    # Reports per week per theme: the chart's data adds up to the per-theme counts, week by week.
    for theme, weekly in figs.per_week.items():
        assert sum(weekly) == figs.by_theme[theme]
        for monday, count in zip(figs.weeks, weekly, strict=True):
            in_week = [
                r
                for r in reports
                if r.theme == theme and monday <= r.created_at.astimezone(TZ).date() < monday + dt.timedelta(days=7)
            ]
            assert count == len(in_week)
    assert figs.weeks[0] == dt.date(2026, 7, 27) and figs.weeks[-1] == dt.date(2026, 11, 30)
    assert all(w.weekday() == 0 for w in figs.weeks)


async def test_first_response_ignores_notes_and_counts_the_last_closing(db: Database, villages: Villages) -> None:
    """An internal note is not a response; a report reopened and closed again counts its final closing."""
    filed = await file_report(
        db,
        Draft(
            category="youth-nuisance",
            description="Bottles at the playground again.",
            place_text="Dorpsstraat 12, Wapenveld",
            municipality="heerde",
            updates="chat",
            consent=True,
        ),
        chat_id=42,
        language="nl",
    )
    created = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    async with db.session() as session:
        await session.execute(update(Report).where(Report.id == filed.id).values(created_at=created))
    texts = load_standard_texts()
    workflow = Workflow(db, Catalogs(), {"heerde": "Heerde"}, texts)
    async with db.session() as session:
        session.add(
            ReportEvent(report_id=filed.id, at=created + dt.timedelta(hours=1), actor="staff:7001", action="note")
        )
    hours = [dt.timedelta(hours=h) for h in (5, 10, 20, 50)]
    await workflow.apply(filed.id, Action.TAKE, expected=Status.NEW, actor=HENK, now=created + hours[0])
    template = texts.choices("youth-nuisance", "close")[0].id
    await workflow.apply(
        filed.id, Action.CLOSE, expected=Status.IN_PROGRESS, actor=HENK, template=template, now=created + hours[1]
    )
    await workflow.apply(filed.id, Action.REOPEN, expected=Status.CLOSED, actor=HENK, now=created + hours[2])
    await workflow.apply(
        filed.id, Action.CLOSE, expected=Status.REOPENED, actor=HENK, template=template, now=created + hours[3]
    )
    figs = await figures(db, ["heerde"], PERIOD, TZ, villages, POLICY, NOW)
    assert (figs.total, figs.responded, figs.closed) == (1, 1, 1)
    assert figs.median_first_response == hours[0]
    assert figs.median_to_close == hours[3]
    assert figs.by_village == {"Wapenveld": 1}  # the village, never the street
    # Filed Monday 2 November 10:00: youth-nuisance answers within 3 and closes within 15 working days.
    assert (figs.response_on_time, figs.response_judged) == (1, 1)
    assert (figs.handled_on_time, figs.handling_judged) == (1, 1)


async def test_share_on_time_counts_late_and_overdue_reports(db: Database, villages: Villages) -> None:
    """A response after the deadline is late; an open report past its deadline counts as late already; one
    whose deadline is still ahead is not judged. Deadlines run in working days: a weekend does not count."""
    texts = load_standard_texts()
    workflow = Workflow(db, Catalogs(), {"heerde": "Heerde"}, texts)
    friday = dt.datetime(2026, 11, 6, 15, 0, tzinfo=dt.UTC)  # online-scam-signal: response 2, handling 5

    async def filed(at: dt.datetime) -> int:
        report = await file_report(
            db,
            Draft(
                category="online-scam-signal",
                description="Fake parcel text messages going round.",
                municipality="heerde",
                updates="none",
                consent=True,
            ),
            chat_id=1,
            language="nl",
        )
        async with db.session() as session:
            await session.execute(update(Report).where(Report.id == report.id).values(created_at=at))
        return report.id

    on_time = await filed(friday)  # taken on Tuesday: within 2 working days (Monday, Tuesday)
    await workflow.apply(on_time, Action.TAKE, expected=Status.NEW, actor=HENK, now=friday + dt.timedelta(days=4))
    late = await filed(friday)  # taken on the next Thursday: late
    await workflow.apply(late, Action.TAKE, expected=Status.NEW, actor=HENK, now=friday + dt.timedelta(days=6))
    await filed(friday)  # never answered, never closed: late for both once NOW has passed the deadlines
    await filed(NOW - dt.timedelta(hours=1))  # deadlines still ahead: not judged

    figs = await figures(db, ["heerde"], PERIOD, TZ, villages, POLICY, NOW)
    assert figs.total == 4
    assert (figs.response_on_time, figs.response_judged) == (1, 3)
    assert (figs.handled_on_time, figs.handling_judged) == (0, 3)
    text = render(figs, "Heerde", Catalogs().get("nl"))
    assert "33,3 % (1 van 3)" in text


async def test_villages_are_never_finer_than_a_place(db: Database, villages: Villages) -> None:
    cases = [
        ("Dorpsstraat 12, Wapenveld", None, None, "Wapenveld"),
        ("8161 AB", None, None, "Epe"),
        ("Dijkhuizen", None, None, "Epe"),  # a hamlet: named by the village it belongs to
        (None, 52.3471, 5.9833, "Epe"),  # a shared location: the nearest place
        ("ergens achter de supermarkt", None, None, None),  # not recognised
        (None, None, None, None),  # online
    ]
    for place_text, lat, lon, _ in cases:
        await file_report(
            db,
            Draft(
                category="online-scam-signal",
                description="Fake bank text messages going round.",
                place_text=place_text,
                latitude=lat,
                longitude=lon,
                municipality="epe",
                updates="none",
                consent=True,
            ),
            chat_id=1,
            language="nl",
        )
    figs = await figures(db, ["epe"], Period(dt.date(2020, 1, 1), dt.date.today()), TZ, villages, POLICY)
    assert figs.by_village == dict(Counter(expected for *_, expected in cases))


async def test_render_in_dutch_formats_and_chart_is_a_png(db: Database, villages: Villages) -> None:
    await _generate(db, count=30, seed=5)
    figs = await figures(db, ["heerde"], PERIOD, TZ, villages, POLICY, NOW)
    t = Catalogs().get("nl")
    text = render(figs, "Heerde", t)
    assert "1 aug 2026 – 30 nov 2026" in text
    assert "30 meldingen" in text
    rated = figs.thumbs_up + figs.thumbs_down
    share = round(100 * figs.thumbs_up / rated, 1)
    assert f"{share:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " %" in text
    assert "<b>" in text and "<b>" not in render(figs, "Heerde", t, html=False)

    png = draw_chart(figs, "Heerde", t)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width >= 900 and height >= 800  # readable on a phone, sharp enough to zoom


def test_thousands_and_percent_in_dutch() -> None:
    from bot.stats.render import day, number, percent

    t = Catalogs().get("nl")
    assert (number(1234, t), percent(0.125, t), day(dt.date(2026, 12, 5), t)) == ("1.234", "12,5 %", "5 dec 2026")
