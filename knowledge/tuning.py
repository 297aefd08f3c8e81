"""Choosing :class:`~knowledge.search.Weights` and :class:`~knowledge.search.Thresholds` on an evaluation set.

Features are computed once per question; a grid of weights and thresholds is scored by k-fold
cross-validation (choose on k-1 folds, measure on the held-out fold), so the reported figure estimates
quality on questions the choice has not seen. Used by ``veiligbot kb tune``; the chosen values are then
written into :mod:`knowledge.search` by hand, reviewed like any other change.

Pitfall: the dev set is small; prefer the simplest setting within noise of the best, and never add
content to make a particular dev sentence pass.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.search import Features, SearchIndex, Thresholds, Weights


@dataclass(frozen=True)
class Example:
    features: Features | None
    accepted: frozenset[str]  # empty: out of scope


@dataclass(frozen=True)
class Score:
    right: float
    wrong: float
    oos_fallback: float

    @property
    def objective(self) -> float:
        # A confidently wrong answer costs more than a "did you mean"; out-of-scope matters as much.
        return self.right - 5.0 * self.wrong + 0.5 * self.oos_fallback


def measure(index: SearchIndex, examples: Sequence[Example], w: Weights, th: Thresholds) -> Score:
    right = wrong = in_scope = oos = oos_ok = 0
    for ex in examples:
        if ex.features is None:
            result_action, topic = "fallback", None
        else:
            result = index.decide(ex.features, weights=w, thresholds=th)
            result_action, topic = result.action, result.topic
        if not ex.accepted:
            oos += 1
            oos_ok += result_action == "fallback"
            continue
        in_scope += 1
        if result_action == "answer":
            if topic in ex.accepted:
                right += 1
            else:
                wrong += 1
    return Score(right / max(in_scope, 1), wrong / max(in_scope, 1), oos_ok / max(oos, 1))


def grid() -> list[tuple[Weights, Thresholds]]:
    weights = [
        Weights(a, b, c, round(1 - a - b - c, 2))
        for a, b, c in itertools.product((0.2, 0.3, 0.4), (0.15, 0.25, 0.35), (0.15, 0.25, 0.35))
        if a + b + c < 0.96
    ]
    thresholds = [
        Thresholds(answer, margin, clarify, lead)
        for answer, margin, clarify, lead in itertools.product(
            (35, 40, 45, 50, 55), (0, 2, 4, 6, 8), (25, 30, 35), (12.0, 16.0, 20.0, 100.0)
        )
    ]
    return [(w, th) for w in weights for th in thresholds]


def cross_validate(
    index: SearchIndex, examples: Sequence[Example], folds: int = 5, seed: int = 7
) -> tuple[Score, Weights, Thresholds]:
    """(held-out score averaged over folds, best weights, best thresholds on all data)."""
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    parts = [order[i::folds] for i in range(folds)]
    candidates = grid()
    totals = [0.0, 0.0, 0.0]
    for k in range(folds):
        train = [examples[i] for j, part in enumerate(parts) if j != k for i in part]
        test = [examples[i] for i in parts[k]]
        w, th = max(candidates, key=lambda c: measure(index, train, c[0], c[1]).objective)
        s = measure(index, test, w, th)
        totals = [totals[0] + s.right, totals[1] + s.wrong, totals[2] + s.oos_fallback]
    best_w, best_th = max(candidates, key=lambda c: measure(index, examples, c[0], c[1]).objective)
    return Score(*(t / folds for t in totals)), best_w, best_th


def report_tuning(question_files: Sequence[Path]) -> str:
    """Cross-validate on the given question files and describe the best setting (``veiligbot kb tune``)."""
    from knowledge.base import load_knowledge_base
    from knowledge.normalize import Normalizer, Vocabulary

    index = SearchIndex(load_knowledge_base(), Normalizer(Vocabulary.load()))
    examples: list[Example] = []
    for path in question_files:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    accepted = frozenset({row.get("expect"), *row.get("accept", [])} - {None})
                    examples.append(Example(index.features(row["text"]), accepted))
    held_out, weights, thresholds = cross_validate(index, examples)
    current = measure(index, examples, index.weights, index.thresholds)
    best = measure(index, examples, weights, thresholds)
    return "\n".join(
        [
            f"examples: {len(examples)}",
            f"held-out (5-fold): right {held_out.right:.1%}, wrong {held_out.wrong:.1%}, "
            f"out-of-scope fallback {held_out.oos_fallback:.1%}",
            f"best on all: {weights} {thresholds}",
            f"  right {best.right:.1%}, wrong {best.wrong:.1%}, out-of-scope fallback {best.oos_fallback:.1%}",
            f"current: right {current.right:.1%}, wrong {current.wrong:.1%}, "
            f"out-of-scope fallback {current.oos_fallback:.1%}",
        ]
    )
