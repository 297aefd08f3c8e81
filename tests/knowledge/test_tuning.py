"""Choosing the answer / clarify / fallback thresholds by cross-validation (``veiligbot kb tune``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services import build_answerer
from knowledge.base import load_knowledge_base
from knowledge.ranker import Decision, Scored, TopicMatcher
from knowledge.tuning import Example, cross_validate, grid, measure, read_examples

TESTS = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def matcher() -> TopicMatcher:
    return build_answerer(load_knowledge_base()).matcher


def _example(p1: float, p2: float, p3: float, accepted: str | None, oos: float = 0.0) -> Example:
    scored = Scored(("t0", "t1", "t2"), (p1, p2, p3), oos)
    return Example(scored, frozenset({accepted} - {None}))


def test_a_close_second_is_asked_not_answered(matcher: TopicMatcher) -> None:
    # Confident and right; or the top two nearly tied and half of them wrong: answering those costs trust.
    sure = [_example(0.7, 0.1, 0.05, "t0") for _ in range(60)]
    close = [_example(0.36, 0.3, 0.1, "t0" if i % 2 else "t1") for i in range(40)]
    held_out, best = cross_validate(matcher, sure + close)
    assert held_out.wrong == 0.0
    assert held_out.right == pytest.approx(0.6)
    assert held_out.reached == 1.0
    assert matcher.decide(close[0].scored, best).action == "clarify"  # type: ignore[arg-type]
    assert matcher.decide(sure[0].scored, best).action == "answer"  # type: ignore[arg-type]


def test_out_of_scope_is_learned_from_the_examples(matcher: TopicMatcher) -> None:
    in_scope = [_example(0.5, 0.1, 0.05, "t0", oos=0.1) for _ in range(50)]
    off_topic = [_example(0.2, 0.1, 0.05, None, oos=0.6) for _ in range(20)]
    held_out, best = cross_validate(matcher, in_scope + off_topic)
    assert held_out.oos_fallback == 1.0
    assert held_out.right == 1.0
    assert best.out_of_scope <= 0.6


def test_the_shipped_thresholds_are_the_ones_tuning_picks(matcher: TopicMatcher) -> None:
    """The tuning set plus the in-repo set, exactly as ``veiligbot kb tune`` scores them (never the hold-out)."""
    files = [TESTS / "eval" / "tune" / n for n in ("questions.jsonl", "out-of-scope.jsonl")]
    examples = read_examples(matcher, [*files, TESTS / "knowledge" / "data" / "extra-questions.jsonl"])
    best = max(grid(), key=lambda d: measure(matcher, examples, d).objective)
    assert best == Decision()
    assert measure(matcher, examples, best).wrong <= 0.02
