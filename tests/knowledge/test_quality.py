"""Answer quality (issue #3 thresholds), measured exactly as ``veiligbot kb eval`` does: on the shared dev sets when
``../shared`` is beside the repository, and always on the in-repo independent sets.

The bot is also judged on an independent held-out set; these thresholds guard against regressions, they
are not a target to tune content against sentence by sentence.
"""

from __future__ import annotations

from pathlib import Path

from bot.dev.evaluation import evaluate_files, evaluate_set
from tests.conftest import SHARED, needs_shared

EVAL = SHARED / "eval"
# In-repo sets, written without looking at the knowledge base or the triage rules.
EXTRA_QUESTIONS = Path(__file__).parent / "data" / "extra-questions.jsonl"
EXTRA_URGENT = Path(__file__).parents[1] / "bot" / "triage" / "data" / "extra-urgent.jsonl"


@needs_shared("eval/dev-questions.jsonl")
def test_dev_set_quality_thresholds() -> None:
    report = evaluate_files(EVAL / "dev-questions.jsonl", EVAL / "dev-urgent.jsonl")
    m = report.metrics
    assert m["right_first_time"] >= 0.90, report.misses
    assert m["confidently_wrong"] <= 0.03, report.misses
    assert m["out_of_scope_fallback"] >= 0.85, report.misses
    assert m["crisis_recall"] == 1.0, report.misses
    assert m["false_urgent"] <= 0.02, report.misses


def test_independent_set_quality() -> None:
    """The same measurement on the in-repo sets, so a clone without ../shared still guards every threshold."""
    report = evaluate_files(EXTRA_QUESTIONS, EXTRA_URGENT)
    m = report.metrics
    assert report.in_scope >= 150 and report.out_of_scope >= 20 and report.urgent >= 80
    assert m["right_first_time"] >= 0.75, report.misses
    assert m["top3"] >= 0.9, report.misses
    assert m["confidently_wrong"] <= 0.03, report.misses
    assert m["out_of_scope_fallback"] >= 0.85, report.misses
    assert m["crisis_recall"] == 1.0, report.misses
    assert m["false_urgent"] <= 0.02, report.misses


TUNE = Path(__file__).parents[1] / "eval" / "tune"


def test_tuning_set_quality() -> None:
    """Regression guards on the blind tuning set (thresholds were tuned on it, so these measure fit).

    The untouched hold-out set (tests/eval/holdout) is deliberately not asserted here: its figures are read
    only by ``make bench`` and the README, never used to change the bot.
    """
    report = evaluate_set(TUNE)
    m = report.metrics
    assert report.in_scope >= 300 and report.out_of_scope >= 60 and report.urgent >= 60 and report.crisis_like >= 60
    assert m["reached_within_one_tap"] >= 0.92, report.misses
    assert m["right_first_time"] >= 0.75, report.misses
    assert m["confidently_wrong"] <= 0.025, report.misses
    assert m["in_scope_fallback"] <= 0.03, report.misses
    assert m["out_of_scope_fallback"] >= 0.85, report.misses
    assert m["crisis_recall"] >= 0.88, report.misses
    assert m["urgent_or_concern"] >= 0.95, report.misses
    assert m["false_urgent"] <= 0.035, report.misses
    assert m["concern_on_ordinary"] <= 0.08, report.misses
