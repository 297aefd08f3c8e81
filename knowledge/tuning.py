"""Choosing the answer / clarify / fallback thresholds (:class:`~knowledge.ranker.Decision`) on evaluation sets.

Each question is scored once; a grid of thresholds is scored by k-fold cross-validation (choose on k-1
folds, measure on the held-out fold), so the reported figure estimates quality on questions the choice has
not seen. Used by ``veiligbot kb tune``; the chosen values are then written into :mod:`knowledge.ranker`
by hand, reviewed like any other change.

Pitfalls: tune only on the tuning sets (``tests/eval/tune``) and development sets, never on the untouched
hold-out sets (``tests/eval/holdout*``), or their figures stop estimating anything. Prefer the simplest setting
within noise of the best, and never add content to make a particular sentence pass.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.ranker import Decision, Scored, TopicMatcher


@dataclass(frozen=True)
class Example:
    scored: Scored | None  # None: nothing searchable in the message
    accepted: frozenset[str]  # empty: out of scope


@dataclass(frozen=True)
class Score:
    right: float  # answered with an accepted topic
    reached: float  # answered right, or an accepted topic among the "did you mean" buttons
    wrong: float  # answered with a wrong topic
    in_scope_fallback: float
    oos_fallback: float

    @property
    def objective(self) -> float:
        # A wrong answer costs trust, "I can't answer that" loses the resident, a "did you mean" costs a tap.
        return (
            self.right
            + self.reached
            - 8.0 * max(0.0, self.wrong - 0.015)
            - 2.0 * self.wrong
            - 3.0 * self.in_scope_fallback
            + 0.5 * self.oos_fallback
        )


def measure(matcher: TopicMatcher, examples: Sequence[Example], decision: Decision) -> Score:
    right = reached = wrong = fallback = in_scope = oos = oos_ok = 0
    for ex in examples:
        if ex.scored is None:
            action, topic, top3 = "fallback", None, set[str]()
        else:
            result = matcher.decide(ex.scored, decision)
            action, topic = result.action, result.topic
            top3 = {c.topic for c in result.candidates[:3]}
        if not ex.accepted:
            oos += 1
            oos_ok += action == "fallback"
            continue
        in_scope += 1
        if action == "answer":
            right += topic in ex.accepted
            reached += topic in ex.accepted
            wrong += topic not in ex.accepted
        elif action == "clarify":
            reached += bool(ex.accepted & top3)
        else:
            fallback += 1
    n = max(in_scope, 1)
    return Score(right / n, reached / n, wrong / n, fallback / n, oos_ok / max(oos, 1))


def grid() -> list[Decision]:
    return [
        Decision(answer, ratio, clarify, oos)
        for answer, ratio, clarify, oos in itertools.product(
            (0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4),
            (1.0, 1.2, 1.35, 1.5, 2.0, 3.0),
            (0.1, 0.15, 0.2, 0.25, 0.3),
            (0.1, 0.2, 0.3, 0.4),
        )
    ]


def cross_validate(
    matcher: TopicMatcher, examples: Sequence[Example], folds: int = 5, seed: int = 7
) -> tuple[Score, Decision]:
    """(held-out score averaged over folds, best decision on all data)."""
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    parts = [order[i::folds] for i in range(folds)]
    candidates = grid()
    held_out: list[Score] = []
    for k in range(folds):
        train = [examples[i] for j, part in enumerate(parts) if j != k for i in part]
        test = [examples[i] for i in parts[k]]
        best = max(candidates, key=lambda d: measure(matcher, train, d).objective)
        held_out.append(measure(matcher, test, best))
    mean = Score(*(sum(getattr(s, f) for s in held_out) / folds for f in Score.__dataclass_fields__))
    return mean, max(candidates, key=lambda d: measure(matcher, examples, d).objective)


def read_examples(matcher: TopicMatcher, question_files: Sequence[Path]) -> list[Example]:
    examples: list[Example] = []
    for path in question_files:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    accepted = frozenset({row.get("expect"), *row.get("accept", [])} - {None})
                    text = row["text"]
                    scored = matcher.score(text) if matcher.index.normalizer.tokens(text) else None
                    examples.append(Example(scored, accepted))
    return examples


def _describe(label: str, s: Score) -> str:
    return (
        f"{label}: right {s.right:.1%}, within one tap {s.reached:.1%}, wrong {s.wrong:.1%}, "
        f"in-scope fallback {s.in_scope_fallback:.1%}, out-of-scope fallback {s.oos_fallback:.1%}"
    )


def report_tuning(matcher: TopicMatcher, question_files: Sequence[Path]) -> str:
    """Cross-validate on the given question files and describe the best setting (``veiligbot kb tune``)."""
    examples = read_examples(matcher, question_files)
    held_out, decision = cross_validate(matcher, examples)
    return "\n".join(
        [
            f"examples: {len(examples)}",
            _describe("held-out (5-fold)", held_out),
            f"best on all: {decision}",
            _describe("  with it", measure(matcher, examples, decision)),
            _describe("current", measure(matcher, examples, matcher.decision)),
        ]
    )
