"""Possible duplicates without a map: a new report that resembles an open one of the same municipality and
category, filed within the last 4 weeks, gets a hint on its card ("mogelijk gerelateerd aan HEE-7K3Q").

Most reports here have no coordinates (online concerns, or only a village), so Signalen's and FixMyStreet's
distance rule does not work; the text decides. Both descriptions go through the search's normaliser
(stopwords out, synonyms, Dutch/English stems) and rapidfuzz's ``token_set_ratio`` compares the token sets.
When both reports name a village (routed from the typed place or the shared location), it must be the same.

Threshold (:data:`THRESHOLD`), picked on a small hand-labelled set (tests/bot/reports/data/duplicate-pairs.yaml:
15 pairs that staff would handle together, 17 that only share words): at 54 all 15 are found and 1 of the 17
is a false hint. ``token_set_ratio`` scores 100 when one text's words are all in the other's, so a very short
description ("jongeren maken overlast") is never a basis for a hint: both need :data:`MIN_TOKENS` content words.

Pitfalls:
- It is a hint only: nothing is linked until staff press the button (bot.workflow.engine.Workflow.link).
- A report already linked to a main report is never offered as a main one (links are one level deep).
"""

from __future__ import annotations

import datetime as dt

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.routing.router import Router
from bot.storage.models import Report
from knowledge.normalize import Normalizer

WINDOW = dt.timedelta(weeks=4)
THRESHOLD = 54.0
MIN_TOKENS = 4
CLOSED = ("closed", "cancelled")


class DuplicateFinder:
    """Built once at start-up (it holds the normaliser and the router); read-only afterwards."""

    def __init__(self, normalizer: Normalizer, router: Router | None = None) -> None:
        self._normalizer = normalizer
        self._router = router

    def similarity(self, a: str, b: str) -> float:
        """0-100; 0 when either text has fewer than :data:`MIN_TOKENS` distinct content words."""
        ta, tb = self._normalizer.tokens(a), self._normalizer.tokens(b)
        if min(len(set(ta)), len(set(tb))) < MIN_TOKENS:
            return 0.0
        return float(fuzz.token_set_ratio(" ".join(ta), " ".join(tb)))

    def village(self, report: Report) -> str | None:
        """The village or town the report names (from the typed place or the location), if the router knows it."""
        if self._router is None:
            return None
        if report.latitude is not None and report.longitude is not None:
            result = self._router.route_location(report.latitude, report.longitude)
        elif report.place_text:
            result = self._router.route(report.place_text)
        else:
            return None
        return result.place if result.status == "ok" else None

    async def find(self, session: AsyncSession, report: Report) -> Report | None:
        """The open report ``report`` most resembles (same municipality and category, filed at most 4 weeks
        before it, same village when both have one), or None."""
        since = report.created_at - WINDOW
        candidates = await session.scalars(
            select(Report).where(
                Report.id != report.id,
                Report.municipality == report.municipality,
                Report.category == report.category,
                Report.status.not_in(CLOSED),
                Report.created_at >= since,
                Report.created_at <= report.created_at,
                Report.related_to_id.is_(None),
            )
        )
        village = self.village(report)
        best: tuple[float, Report] | None = None
        for other in candidates:
            other_village = self.village(other)
            if village and other_village and village != other_village:
                continue
            score = self.similarity(report.description, other.description)
            if score >= THRESHOLD and (best is None or score > best[0]):
                best = (score, other)
        return best[1] if best else None
