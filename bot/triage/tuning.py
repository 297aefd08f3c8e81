"""Choosing the crisis :class:`~bot.triage.learned.Levels` on evaluation sets (``veiligbot kb tune``).

Every message is assessed once (the model's crisis probability and the rules' verdict); a grid of levels is
then scored. The targets come from the issue: urgent recall ≥ 95 %, urgent-or-concern ≥ 99 %, false urgent
≤ 2 % and concern ≤ 5 % on ordinary questions. A missed crisis costs far more than a concern line above an
ordinary answer, so recall weighs most; false alarms beyond the targets are penalised steeply.

Pitfall: tune on the tuning sets only (``tests/eval/tune``), never on the untouched hold-out set.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from bot.triage.learned import CrisisTriage, Levels


@dataclass(frozen=True)
class Message:
    text: str
    crisis: bool  # a crisis message (else an ordinary question or a crisis-like non-crisis)


@dataclass(frozen=True)
class LevelScore:
    recall: float
    urgent_or_concern: float
    false_urgent: float
    concern: float

    @property
    def objective(self) -> float:
        # A crisis shown as a concern still opens the reply with its crisis lines, so reaching every crisis at
        # either level weighs most; false alarms above the targets cost more than the targets themselves.
        return (
            3.0 * self.urgent_or_concern
            + self.recall
            - 4.0 * max(0.0, self.false_urgent - 0.02)
            - 2.0 * max(0.0, self.concern - 0.05)
            - 0.5 * self.false_urgent
        )


def measure(assessed: Sequence[tuple[Message, bool, float]], levels: Levels) -> LevelScore:
    """``assessed``: (message, rules fired, model crisis probability)."""
    crisis = [(ruled, p) for m, ruled, p in assessed if m.crisis]
    ordinary = [(ruled, p) for m, ruled, p in assessed if not m.crisis]
    n, o = max(len(crisis), 1), max(len(ordinary), 1)

    def urgent(ruled: bool, p: float) -> bool:
        return (ruled and p >= levels.veto) or p >= levels.urgent

    def flagged(ruled: bool, p: float) -> bool:
        return ruled or p >= levels.concern

    return LevelScore(
        recall=sum(urgent(r, p) for r, p in crisis) / n,
        urgent_or_concern=sum(flagged(r, p) for r, p in crisis) / n,
        false_urgent=sum(urgent(r, p) for r, p in ordinary) / o,
        concern=sum(flagged(r, p) and not urgent(r, p) for r, p in ordinary) / o,
    )


def assess(triage: CrisisTriage, messages: Sequence[Message]) -> list[tuple[Message, bool, float]]:
    """Each message once: (message, rules fired, model crisis probability)."""
    # Levels the model cannot reach: only the rules flag a message, so "flagged" is the rules' verdict.
    results = triage.assess_many([m.text for m in messages], Levels(urgent=2.0, concern=2.0))
    return [(m, r.flagged, r.probability) for m, r in zip(messages, results, strict=True)]


def grid() -> list[Levels]:
    # The veto stays small: a message that names a crisis and something else ("ik wil dood, mijn account is
    # gehackt") can get a low model probability, and the rules must win there.
    return [
        Levels(urgent, concern, veto)
        for urgent, concern, veto in itertools.product(
            (0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8), (0.2, 0.25, 0.3, 0.35, 0.4, 0.5), (0.0, 0.05, 0.1)
        )
        if concern < urgent
    ]


def best_levels(assessed: Sequence[tuple[Message, bool, float]]) -> Levels:
    return max(grid(), key=lambda lv: measure(assessed, lv).objective)


def choose_levels(triage: CrisisTriage, messages: Sequence[Message]) -> tuple[Levels, LevelScore]:
    assessed = assess(triage, messages)
    best = best_levels(assessed)
    return best, measure(assessed, best)


def cross_validate(assessed: Sequence[tuple[Message, bool, float]], folds: int = 5, seed: int = 7) -> LevelScore:
    """Held-out score of the level choice, averaged over ``folds``: choose on k-1 folds, measure on the rest.

    The figure to compare two versions of the examples by: the in-sample score of :func:`choose_levels`
    flatters whichever model happens to fit the grid best. Pitfall: with about 80 crisis messages one message
    moves recall by more than a point and one shuffle's mean still wanders; average several seeds first.
    """
    order = list(range(len(assessed)))
    random.Random(seed).shuffle(order)
    parts = [order[i::folds] for i in range(folds)]
    held_out: list[LevelScore] = []
    for k in range(folds):
        train = [assessed[i] for j, part in enumerate(parts) if j != k for i in part]
        held_out.append(measure([assessed[i] for i in parts[k]], best_levels(train)))
    return LevelScore(*(sum(getattr(s, f) for s in held_out) / folds for f in LevelScore.__dataclass_fields__))
