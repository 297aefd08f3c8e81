"""The benchmark's parts work on small synthetic sets; no timing is asserted here on purpose."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.answering.decision import Answerer, Decision
from bot.dev import bench
from bot.dev.bench import (
    FIGURES,
    Baseline,
    Bm25Ranker,
    ClassifierRanker,
    Cutoffs,
    Ranked,
    RulesOnly,
    System,
    choose_cutoffs,
    decide_by_cutoffs,
    forget_caches,
    load_sets,
    main,
    percentile_ms,
    time_interleaved,
)
from bot.dev.evaluation import evaluate
from bot.services import build_answerer
from bot.triage.rules import Triage, Urgency
from knowledge.base import KnowledgeBase, load_knowledge_base
from knowledge.normalize import _stem_cached
from knowledge.search import OUT_OF_SCOPE

SYSTEMS = ("ours", "naive rapidfuzz", "BM25", "classifier alone", "rules alone")
# Messages nobody could match: every system misses them, so they would be among the evaluation's misses.
HOLDOUT_QUESTIONS = [
    {"text": "qqzx blorft vimmel 7731", "expect": "phishing", "accept": []},
    {"text": "mijn instagram is gehackt", "expect": "account-hacked", "accept": []},
    {"text": "wanneer wordt het grofvuil opgehaald", "expect": None, "accept": []},
]
HOLDOUT_CRISIS = [
    {"text": "wrrrzl pflonk 8842", "expect_urgency": "emergency", "accept_urgency": ["emergency"]},
    {"text": "wat is het nummer van veilig thuis", "expect_urgency": None},
]
HOLDOUT_MISSES = ("qqzx blorft vimmel 7731", "wrrrzl pflonk 8842")
TUNE_QUESTIONS = [
    {"text": "ik kreeg een sms van mijn bank met een link om mijn pas te vervangen", "expect": "phishing"},
    {"text": "iemand heeft mijn facebook overgenomen en stuurt berichten", "expect": "account-hacked"},
    {"text": "hoe vraag ik een nieuw paspoort aan", "expect": None},
]
TUNE_OUT_OF_SCOPE = [{"text": "waar kan ik mijn auto parkeren in elburg", "expect": None}]
# No crisis-like file in the tuning set: its crisis-like figures must read "n/a".
TUNE_CRISIS = [{"text": "help er staat iemand met een mes voor mijn deur", "expect_urgency": "emergency"}]


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


@pytest.fixture(scope="module")
def real() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="module")
def answerer(real: KnowledgeBase) -> Answerer:
    return build_answerer(real)


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("sets")
    tune, holdout = root / "tune", root / "holdout"
    tune.mkdir()
    holdout.mkdir()
    _write(tune / "questions.jsonl", TUNE_QUESTIONS)
    _write(tune / "out-of-scope.jsonl", TUNE_OUT_OF_SCOPE)
    _write(tune / "crisis.jsonl", TUNE_CRISIS)
    _write(holdout / "questions.jsonl", HOLDOUT_QUESTIONS)
    _write(holdout / "crisis.jsonl", HOLDOUT_CRISIS[:1])
    _write(holdout / "crisis-like.jsonl", HOLDOUT_CRISIS[1:])
    return tune, holdout


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str
    payload: dict[str, Any]
    calibrated_on: list[list[dict[str, Any]]]


def _run(sets: tuple[Path, Path], tmp: Path, target_ms: float) -> Run:
    tune, holdout = sets
    out_file = tmp / "bench.json"
    calibrated_on: list[list[dict[str, Any]]] = []
    original = bench.calibrate

    def spy(tuning: Any, rankers: Any) -> Any:
        calibrated_on.append(list(tuning))
        return original(tuning, rankers)

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        mp.setattr(bench, "calibrate", spy)
        mp.setattr(bench, "TARGET_MS", target_ms)
        argv = ["--quick", "--no-older", "--tune", str(tune), "--holdout", str(holdout), "--json", str(out_file)]
        status = main(argv)
    payload = json.loads(out_file.read_text(encoding="utf-8"))
    return Run(status, out.getvalue(), err.getvalue(), payload, calibrated_on)


@pytest.fixture(scope="module")
def run(sets: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _run(sets, tmp_path_factory.mktemp("run"), math.inf)


def _tables(out: str) -> list[list[list[str]]]:
    """Every Markdown table in ``out``, as rows of cells."""
    tables: list[list[list[str]]] = []
    for block in out.split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line.startswith("|")]
        if lines:
            tables.append([[cell.strip() for cell in line.strip("|").split("|")] for line in lines])
    return tables


# --- the baselines ---------------------------------------------------------------------------------------


def test_decision_rule_answers_clarifies_or_falls_back() -> None:
    ranked = Ranked(("a", "b", "c"), (0.9, 0.05, 0.01))
    low = Ranked(("a", "b", "c"), (0.3, 0.2, 0.1))
    cutoffs = Cutoffs(answer=0.5, clarify=0.2)
    answer = decide_by_cutoffs("t", ranked, cutoffs)
    assert (answer.action, answer.topic) == ("answer", "a")
    clarify = decide_by_cutoffs("t", low, cutoffs)
    assert (clarify.action, [c.topic for c in clarify.candidates]) == ("clarify", ["a", "b", "c"])
    assert decide_by_cutoffs("t", low, Cutoffs(answer=0.5, clarify=0.35)).action == "fallback"
    assert decide_by_cutoffs("t", low, Cutoffs(answer=0.5)).action == "fallback"  # one cutoff: never clarifies
    assert decide_by_cutoffs("t", Ranked(("a",), (0.9,), out_of_scope=True), cutoffs).action == "fallback"
    assert decide_by_cutoffs("t", Ranked(), Cutoffs(answer=-1.0, clarify=-1.0)).action == "fallback"


def _examples() -> list[tuple[Ranked, frozenset[str]]]:
    return [
        (Ranked(("a", "b", "c"), (10.0, 1.0, 0.5)), frozenset({"a"})),
        (Ranked(("b", "a", "c"), (10.0, 1.0, 0.5)), frozenset({"b"})),
        (Ranked(("c", "a", "b"), (5.0, 4.0, 0.5)), frozenset({"a"})),  # wrong first, right among three
        (Ranked(("a", "b", "c"), (2.0, 1.0, 0.5)), frozenset()),  # out of scope
    ]


def test_cutoffs_are_chosen_for_the_systems_objective() -> None:
    examples = _examples()
    single = choose_cutoffs(examples, clarify=False)
    double = choose_cutoffs(examples, clarify=True)
    assert single.clarify is None
    # Balanced accuracy: answer the two sure ones, fall back on the rest; ties go to the higher cutoff.
    assert [decide_by_cutoffs("t", r, single).action for r, _ in examples] == ["answer", "answer", *["fallback"] * 2]
    assert single.answer > 5.0
    # Our objective rewards the "did you mean" that reaches the third one and keeps the out-of-scope fallback.
    assert [decide_by_cutoffs("t", r, double).action for r, _ in examples] == [
        "answer",
        "answer",
        "clarify",
        "fallback",
    ]
    # Nothing in scope: never answer.
    assert choose_cutoffs([(Ranked(("a",), (3.0,)), frozenset())], clarify=False).answer == math.inf


def test_bm25_scores_a_topic_by_its_best_document(real: KnowledgeBase) -> None:
    ranker = Bm25Ranker(real)
    ranked = ranker.rank("mijn instagram account is gehackt")
    assert ranked.topics[0] == "account-hacked"
    assert len(ranked.topics) == 3
    assert list(ranked.scores) == sorted(ranked.scores, reverse=True)
    tokens = ranker._tokens(["mijn instagram account is gehackt"])[0]
    per_doc = ranker._retriever.get_scores(tokens)
    per_topic = ranker.topic_scores("mijn instagram account is gehackt")
    assert per_topic is not None
    bounds = [*ranker._starts.tolist(), len(per_doc)]
    expected = [float(np.max(per_doc[start:end])) for start, end in itertools.pairwise(bounds)]
    assert per_topic.tolist() == pytest.approx(expected)
    assert ranker.rank("de het een") == Ranked()  # only stopwords
    assert ranker.rank("xyzzyq blorft") == Ranked()  # no word in any document


def test_classifier_alone_answers_from_the_model_and_knows_out_of_scope(real: KnowledgeBase) -> None:
    ranker = ClassifierRanker(real)
    hacked = ranker.rank("mijn instagram is gehackt")
    assert (hacked.topics[0], hacked.out_of_scope) == ("account-hacked", False)
    assert 0.0 < hacked.scores[0] <= 1.0
    waste = ranker.rank("wanneer wordt het grofvuil opgehaald")
    assert waste.out_of_scope
    assert OUT_OF_SCOPE not in waste.topics
    assert decide_by_cutoffs("t", waste, Cutoffs(answer=0.0, clarify=0.0)).action == "fallback"


def test_naive_rapidfuzz_and_the_rules_alone(real: KnowledgeBase) -> None:
    ranked = Baseline(real).rank("mijn instagram is gehackt")
    assert ranked.topics == ("account-hacked",)
    assert 0.0 < ranked.best <= 100.0
    rules = RulesOnly(Triage())
    crisis = rules.decide("help er staat iemand met een mes voor mijn deur")
    assert (crisis.action, crisis.urgency, crisis.topic) == ("urgent", Urgency.EMERGENCY, "emergency")
    assert rules.decide("wat is het nummer van veilig thuis").action == "fallback"


# --- timing ----------------------------------------------------------------------------------------------


class Probe:
    """Records, at each call, how much the per-call caches hold and which system ran before it."""

    def __init__(self, answerer: Answerer, calls: list[str], name: str) -> None:
        self.answerer, self.calls, self.name = answerer, calls, name
        self.cache_sizes: list[tuple[int, int]] = []

    def decide(self, text: str) -> Decision:
        self.calls.append(self.name)
        index_cache = self.answerer.matcher.index._resolve_cached
        self.cache_sizes.append((_stem_cached.cache_info().currsize, index_cache.cache_info().currsize))
        return Decision(text, "fallback", None, (), None)


def test_interleaving_rotates_the_order_and_clears_the_caches(answerer: Answerer) -> None:
    calls: list[str] = []

    class Ours:
        def decide(self, text: str) -> Decision:
            calls.append("ours")
            return answerer.decide(text)

    probe = Probe(answerer, calls, "probe")
    systems = [System("ours", Ours(), frozenset()), System("probe", probe, frozenset())]
    texts = ["mijn instagrm is gehackt door iemand", "ik kreeg een sms met een linkje"]
    samples = time_interleaved(systems, texts, 2, lambda: forget_caches(answerer))
    assert {name: len(ns) for name, ns in samples.items()} == {"ours": 4, "probe": 4}
    assert all(ns > 0 for ns in samples["ours"])
    # Ours fills both memos on every call; the probe, often right after ours, always finds them empty.
    assert "ours" in calls[: calls.index("probe")]
    assert probe.cache_sizes == [(0, 0)] * 4
    assert [calls[i] for i in range(0, 8, 2)] == ["ours", "probe", "ours", "probe"]  # who goes first rotates


def test_percentiles() -> None:
    assert percentile_ms([1_000_000, 2_000_000, 3_000_000], 50) == pytest.approx(2.0)
    assert percentile_ms([1_000_000] * 99 + [9_000_000], 50) == pytest.approx(1.0)
    assert percentile_ms([5_000_000], 99) == pytest.approx(5.0)


# --- the run ---------------------------------------------------------------------------------------------


def test_every_set_has_every_system_and_every_figure_holdout_first(run: Run) -> None:
    assert run.status == 0
    tables = _tables(run.out)
    assert len(tables) == 2
    labels = [f.label for f in FIGURES] + ["p50 ms", "p99 ms"]
    for table in tables:
        assert table[0] == ["figure", *SYSTEMS]
        assert [row[0] for row in table[2:]] == labels
        assert all(len(row) == 1 + len(SYSTEMS) for row in table)
    assert run.out.index("**hold-out (untouched): holdout**") < run.out.index("**tuning**")
    assert [s["name"] for s in run.payload["sets"]] == ["hold-out (untouched): holdout", "tuning"]
    for entry in run.payload["sets"]:
        assert list(entry["systems"]) == list(SYSTEMS)
        for result in entry["systems"].values():
            assert list(result["figures"]) == [f.key for f in FIGURES]
            assert result["samples"] == sum(entry["counts"][k] for k in ("questions", "urgent", "crisis_like"))
            assert result["p50_ms"] <= result["p99_ms"]


def test_figures_a_system_lacks_show_a_dash_and_absent_messages_na(run: Run) -> None:
    holdout, tune = (dict((row[0], row[1:]) for row in table[2:]) for table in _tables(run.out))
    # Baselines have no triage, the rules neither topics nor a concern level.
    assert holdout["crisis recall (urgent)"] == ["0.0 %", "–", "–", "–", "0.0 %"]
    assert holdout["right first time"][4] == "–"
    assert "–" not in holdout["right first time"][:4]
    assert holdout["concern (ordinary)"][1:] == ["–"] * 4
    # The tuning set has no crisis-like messages.
    assert tune["crisis-like → urgent"] == ["n/a", "–", "–", "–", "n/a"]
    ours = run.payload["sets"][0]["systems"]["ours"]["figures"]
    assert ours["right_first_time"] == pytest.approx(1 / 2)  # instagram answered, the gibberish not
    assert run.payload["sets"][0]["systems"]["BM25"]["figures"]["crisis_recall"] is None
    assert run.payload["sets"][1]["systems"]["ours"]["figures"]["crisis_like_urgent"] is None


def test_cutoffs_are_chosen_on_the_tuning_rows_only(run: Run) -> None:
    assert len(run.calibrated_on) == 1
    texts = [row["text"] for row in run.calibrated_on[0]]
    assert texts == [row["text"] for row in TUNE_QUESTIONS + TUNE_OUT_OF_SCOPE]
    assert set(run.payload["cutoffs"]) == set(SYSTEMS[1:4])


def test_holdout_misses_are_never_printed(run: Run, answerer: Answerer) -> None:
    # They are misses: the evaluation report would list them ...
    report = evaluate(answerer, HOLDOUT_QUESTIONS, HOLDOUT_CRISIS)
    assert all(any(text in miss for miss in report.misses) for text in HOLDOUT_MISSES)
    # ... and the benchmark shows none of the hold-out set's messages anywhere.
    written = run.out + run.err + json.dumps(run.payload, ensure_ascii=False)
    for row in HOLDOUT_QUESTIONS + HOLDOUT_CRISIS:
        assert row["text"] not in written


def test_exit_status_1_when_the_latency_target_is_missed(sets: tuple[Path, Path], tmp_path: Path, run: Run) -> None:
    missed = _run(sets, tmp_path, 0.0)
    assert missed.status == 1
    assert "MISSED" in missed.out
    assert missed.payload["target"]["met"] is False
    assert (run.status, run.payload["target"]["met"]) == (0, True)


def test_a_missing_set_directory_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--quick", "--tune", str(tmp_path / "absent"), "--holdout", str(tmp_path)])
    assert exit_.value.code == 2
    assert "absent" in capsys.readouterr().err


def test_the_untouched_set_comes_first_and_the_earlier_hold_outs_after_it(tmp_path: Path) -> None:
    for name in ("tune", "holdout", "holdout-b", "holdout-d"):
        (tmp_path / name).mkdir()
        _write(tmp_path / name / "questions.jsonl", HOLDOUT_QUESTIONS)
    (tmp_path / "holdout-notes.txt").write_text("not a set")
    sets = load_sets(tmp_path / "tune", tmp_path / "holdout-d", older=False)
    assert [s.name for s in sets] == [
        "hold-out (untouched): holdout-d",
        "earlier hold-out: holdout",
        "earlier hold-out: holdout-b",
        "tuning",
    ]
