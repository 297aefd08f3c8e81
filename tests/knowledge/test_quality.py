"""Answer quality on the dev sets (issue #3 thresholds), measured exactly as ``veiligbot kb eval`` does.

The bot is also judged on an independent held-out set; these thresholds guard against regressions, they
are not a target to tune content against sentence by sentence.
"""

from __future__ import annotations

import pytest

from bot.dev.evaluation import evaluate_files
from tests.conftest import SHARED

EVAL = SHARED / "eval"
needs_shared = pytest.mark.skipif(not (EVAL / "dev-questions.jsonl").exists(), reason="shared/eval not beside the repo")


@needs_shared
def test_dev_set_quality_thresholds() -> None:
    report = evaluate_files(EVAL / "dev-questions.jsonl", EVAL / "dev-urgent.jsonl")
    m = report.metrics
    assert m["right_first_time"] >= 0.90, report.misses
    assert m["confidently_wrong"] <= 0.03, report.misses
    assert m["out_of_scope_fallback"] >= 0.85, report.misses
    assert m["crisis_recall"] == 1.0, report.misses
    assert m["false_urgent"] <= 0.02, report.misses


def test_independent_set_quality() -> None:
    """Our own set, written without seeing the knowledge base (tests/knowledge/data/extra-questions.jsonl)."""
    from pathlib import Path

    extra = Path(__file__).parent / "data" / "extra-questions.jsonl"
    report = evaluate_files(extra, None)
    m = report.metrics
    assert m["right_first_time"] >= 0.75, report.misses
    assert m["top3"] >= 0.9, report.misses
    assert m["confidently_wrong"] <= 0.03, report.misses
    assert m["out_of_scope_fallback"] >= 0.85, report.misses
    assert m["false_urgent"] <= 0.02, report.misses
