"""The figures of ``/stats``, ``veiligbot stats`` and the weekly digest, computed from the reports and their
events (the history that :meth:`bot.workflow.engine.Workflow.apply` writes).

Definitions (also in the README, "Statistics and export"):

- The reports counted are those *filed* in the period (``created_at``), of the municipalities asked for (the
  report's municipality now: a transferred report counts where it is handled).
- Status is the report's status now.
- Village: the place the router recognises in the resident's place text or shared location (never anything
  finer); ``None`` for "online / no particular place" and for a place it does not recognise.
- First response: the first workflow action by staff (take on, question, message, forward, close, cancel:
  the actions of the table that staff may take), from the report's events; internal notes, "contact details
  shown" and refused presses are not a response. The median is over the reports that had one.
- Closing: for a report that is closed now, its last ``close`` event (a reopened and closed again report
  counts its final closing). The median is over the reports closed now.
- Satisfaction: the resident's 👍/👎 after closing, stored on the report (``Report.feedback``).
- Share on time (the deadlines of bot.workflow.deadlines, in working days, with the municipality's overrides):
  *first response on time* is over the reports that had a first response (on time when it came before the
  response deadline) plus the reports still without one whose response deadline has passed (late); *handled on
  time* is over the reports closed or handed on to a partner now (on time when that happened before the
  handling deadline, as knowledge/data/deadlines.yaml defines it) plus the open reports whose handling deadline
  has passed (late). Cancelled reports are not judged; a report whose deadline has not come yet and that is not
  done yet is not judged either.

Pitfall: everything is computed in Python over one query's rows, so the numbers are easy to check against the
database (tests/bot/stats); a municipality's reports over years are a few thousand rows at most.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.routing.router import Router
from bot.stats.period import Period
from bot.storage.db import Database
from bot.storage.models import Report, ReportEvent
from bot.workflow.deadlines import DeadlinePolicy
from bot.workflow.transitions import ACTIONS, STAFF, Action, Status
from knowledge.municipalities import MunicipalityRegistry

# The actions of the workflow table that staff may take: the first of these is the first response.
RESPONSE_ACTIONS: frozenset[str] = frozenset(a.value for a, t in ACTIONS.items() if t.roles & STAFF)
_STAFF_ACTORS = tuple(f"{role}:" for role in sorted(STAFF))


@dataclass(frozen=True)
class ReportFacts:
    """One report as statistics and the export see it."""

    report: Report
    village: str | None
    first_response_at: dt.datetime | None
    closed_at: dt.datetime | None  # the last close event, only while the report is closed
    forwarded_at: dt.datetime | None = None  # the last hand-over to a partner, only while it is forwarded


class Villages:
    """The village of a report's place: what the router recognises in the place text or shared location,
    with a hamlet (buurtschap) named by the village it belongs to where our place list says so."""

    def __init__(self, router: Router, registry: MunicipalityRegistry) -> None:
        self._router = router
        self._kern = {p.name: p.part_of for m in registry.municipalities for p in m.places if p.part_of}

    def of(self, report: Report) -> str | None:
        """Never anything finer than a place name; None for online, no place, or a place not recognised."""
        result = None
        if report.place_text:
            result = self._router.route(report.place_text)
        elif report.latitude is not None and report.longitude is not None:
            result = self._router.route_location(report.latitude, report.longitude)
        if result is None or result.status != "ok" or result.place is None:
            return None
        return self._kern.get(result.place, result.place)


def is_staff_actor(actor: str) -> bool:
    return actor.startswith(_STAFF_ACTORS)


def facts_of(report: Report, events: Iterable[ReportEvent], villages: Villages) -> ReportFacts:
    """``events`` in the order they happened (by id)."""
    first: dt.datetime | None = None
    closed: dt.datetime | None = None
    forwarded: dt.datetime | None = None
    for event in events:
        if first is None and event.action in RESPONSE_ACTIONS and is_staff_actor(event.actor):
            first = event.at
        if event.action == Action.CLOSE:
            closed = event.at
        if event.action == Action.FORWARD:
            forwarded = event.at
    if report.status != Status.CLOSED:
        closed = None
    if report.status != Status.FORWARDED:
        forwarded = None
    return ReportFacts(report, villages.of(report), first, closed, forwarded)


async def load_facts(
    db: Database, municipalities: Sequence[str], start: dt.datetime, end: dt.datetime, villages: Villages
) -> list[ReportFacts]:
    """Reports of ``municipalities`` filed in ``[start, end)`` (UTC), oldest first, with their facts."""
    where = (Report.municipality.in_(municipalities), Report.created_at >= start, Report.created_at < end)
    async with db.session() as session:
        reports = list(await session.scalars(select(Report).where(*where).order_by(Report.created_at, Report.id)))
        rows = await session.scalars(
            select(ReportEvent).join(Report, Report.id == ReportEvent.report_id).where(*where).order_by(ReportEvent.id)
        )
        events: dict[int, list[ReportEvent]] = {}
        for event in rows:
            events.setdefault(event.report_id, []).append(event)
    return [facts_of(report, events.get(report.id, []), villages) for report in reports]


@dataclass(frozen=True)
class Figures:
    """What ``/stats`` shows. Counters hold only keys that occur; the renderer orders them."""

    municipalities: tuple[str, ...]
    period: Period
    total: int
    by_theme: dict[str, int]
    by_category: dict[str, int]
    by_status: dict[str, int]
    by_village: dict[str | None, int]  # None: online, no particular place, or not recognised
    responded: int  # reports with a first response
    median_first_response: dt.timedelta | None
    closed: int  # reports closed now
    median_to_close: dt.timedelta | None
    thumbs_up: int
    thumbs_down: int
    response_on_time: int  # see the module docstring: "Share on time"
    response_judged: int
    handled_on_time: int
    handling_judged: int
    weeks: tuple[dt.date, ...]  # the Monday of every week the period touches
    per_week: dict[str, tuple[int, ...]]  # theme → reports filed per week (same order as ``weeks``)


def _median(values: list[dt.timedelta]) -> dt.timedelta | None:
    if not values:
        return None
    return dt.timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _on_time(facts: Sequence[ReportFacts], policy: DeadlinePolicy, now: dt.datetime) -> tuple[int, int, int, int]:
    """(first responses on time, judged; handled on time, judged): see the module docstring."""
    response_on_time = response_judged = handled_on_time = handling_judged = 0
    for f in facts:
        r = f.report
        if r.status == Status.CANCELLED:
            continue
        due = policy.response_due(r.category, r.created_at, r.municipality)
        if f.first_response_at is not None:
            response_judged += 1
            response_on_time += f.first_response_at < due
        elif now >= due:
            response_judged += 1
        handling_due = policy.handling_due(r.category, r.created_at, r.municipality)
        done = f.closed_at or f.forwarded_at
        if done is not None:
            handling_judged += 1
            handled_on_time += done < handling_due
        elif now >= handling_due:
            handling_judged += 1
    return response_on_time, response_judged, handled_on_time, handling_judged


def compute(
    facts: Sequence[ReportFacts],
    municipalities: Sequence[str],
    period: Period,
    tz: ZoneInfo,
    policy: DeadlinePolicy,
    now: dt.datetime,
) -> Figures:
    """The figures over ``facts`` (the reports of the period, see :func:`load_facts`), deadlines judged at
    ``now``."""
    reports = [f.report for f in facts]
    response_on_time, response_judged, handled_on_time, handling_judged = _on_time(facts, policy, now)
    first = [f.first_response_at - f.report.created_at for f in facts if f.first_response_at is not None]
    closing = [f.closed_at - f.report.created_at for f in facts if f.closed_at is not None]
    weeks: list[dt.date] = []
    week = monday(period.start)
    while week <= period.end:
        weeks.append(week)
        week += dt.timedelta(days=7)
    index = {w: i for i, w in enumerate(weeks)}
    per_week: dict[str, list[int]] = {}
    for report in reports:
        row = per_week.setdefault(report.theme, [0] * len(weeks))
        row[index[monday(report.created_at.astimezone(tz).date())]] += 1
    return Figures(
        municipalities=tuple(municipalities),
        period=period,
        total=len(reports),
        by_theme=dict(Counter(r.theme for r in reports)),
        by_category=dict(Counter(r.category for r in reports)),
        by_status=dict(Counter(r.status for r in reports)),
        by_village=dict(Counter(f.village for f in facts)),
        responded=len(first),
        median_first_response=_median(first),
        closed=len(closing),
        median_to_close=_median(closing),
        thumbs_up=sum(1 for r in reports if r.feedback == "up"),
        thumbs_down=sum(1 for r in reports if r.feedback == "down"),
        response_on_time=response_on_time,
        response_judged=response_judged,
        handled_on_time=handled_on_time,
        handling_judged=handling_judged,
        weeks=tuple(weeks),
        per_week={theme: tuple(row) for theme, row in per_week.items()},
    )


async def figures(
    db: Database,
    municipalities: Sequence[str],
    period: Period,
    tz: ZoneInfo,
    villages: Villages,
    policy: DeadlinePolicy,
    now: dt.datetime | None = None,
) -> Figures:
    """Load the period's reports of ``municipalities`` and compute their figures (deadlines judged at ``now``,
    default: the current time)."""
    start, end = period.bounds(tz)
    facts = await load_facts(db, municipalities, start, end, villages)
    return compute(facts, municipalities, period, tz, policy, now or dt.datetime.now(dt.UTC))
