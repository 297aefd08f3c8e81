"""The benchmark's parts work (generator, baseline, report); no timing is asserted here on purpose."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answering.decision import Answerer
from bot.dev.bench import (
    TABLE_KEYS,
    Baseline,
    baseline_accuracy,
    choose_cutoff,
    format_table,
    generate_knowledge_base,
    main,
    make_row,
    percentile_ms,
    rank_all,
    report,
    time_interleaved,
)
from bot.services import build_answerer
from knowledge.base import KnowledgeBase, load_knowledge_base
from knowledge.schema import Topic

QUESTIONS = [
    {"text": "ik kreeg een sms van mijn bank met een link om mijn pas te vervangen", "expect": "phishing"},
    {"text": "mijn instagram is gehackt", "expect": "account-hacked", "accept": []},
    {"text": "wanneer wordt het grofvuil opgehaald", "expect": None},
]


@pytest.fixture(scope="module")
def real() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="module")
def generated(real: KnowledgeBase) -> KnowledgeBase:
    return generate_knowledge_base(real, len(real.topics) + 20, seed=7)


def test_generator_builds_valid_topics_around_the_real_ones(
    real: KnowledgeBase,
    generated: KnowledgeBase,
) -> None:
    assert len(generated.topics) == len(real.topics) + 20
    assert set(real.topics) <= set(generated.topics)
    synthetic = [t for t in generated.topics.values() if t.id not in real.topics]
    assert [t.id for t in synthetic[:2]] == ["gen-00001", "gen-00002"]
    for topic in synthetic:
        # A round trip through the schema: every generated topic is content the loader would accept.
        assert Topic.model_validate(topic.model_dump(mode="json")) == topic
        assert len(topic.nl.questions) == 12
        assert len(topic.en.questions) == 5
        assert len(set(topic.nl.questions)) > 1
    assert generated.out_of_scope == real.out_of_scope
    assert generated.helplines == real.helplines


def test_generator_is_deterministic_and_refuses_to_shrink(
    real: KnowledgeBase,
    generated: KnowledgeBase,
) -> None:
    again = generate_knowledge_base(real, len(real.topics) + 20, seed=7)
    assert again.topics == generated.topics
    other = generate_knowledge_base(real, len(real.topics) + 20, seed=8)
    assert other.topics["gen-00001"] != generated.topics["gen-00001"]
    with pytest.raises(ValueError, match="smaller"):
        generate_knowledge_base(real, len(real.topics) - 1)


def test_baseline_and_answerer_both_answer_on_the_generated_base(generated: KnowledgeBase) -> None:
    answerer = build_answerer(generated)
    baseline = Baseline(generated, cutoff=0)
    for row in QUESTIONS:
        ours = answerer.decide(row["text"])
        assert ours.action in {"answer", "clarify", "fallback", "urgent"}
        theirs = baseline.decide(row["text"])
        assert theirs.action == "answer"
        assert theirs.topic in generated.topics
        score, top = baseline.ranked(row["text"])
        # The untimed ranking used for accuracy agrees with the timed extractOne.
        assert top[0] == theirs.best_topic
        assert score == pytest.approx(theirs.score)
        assert len(set(top)) == 3
    assert answerer.decide("mijn instagram is gehackt").topic == "account-hacked"
    assert Baseline(generated, cutoff=101).decide("mijn instagram is gehackt").action == "fallback"


def test_cutoff_and_accuracy_of_the_baseline(real: KnowledgeBase) -> None:
    baseline = Baseline(real)
    ranked = rank_all(baseline, QUESTIONS)
    cutoff = choose_cutoff(QUESTIONS, ranked)
    assert 0 <= cutoff <= 100
    everything = baseline_accuracy(0, QUESTIONS, ranked)
    assert everything["out_of_scope_fallback"] == 0.0
    assert everything["right_first_time"] + everything["confidently_wrong"] == pytest.approx(1.0)
    nothing = baseline_accuracy(101, QUESTIONS, ranked)
    assert (nothing["right_first_time"], nothing["confidently_wrong"]) == (0.0, 0.0)
    assert nothing["out_of_scope_fallback"] == 1.0
    assert nothing["top3"] == everything["top3"]  # the ranking does not depend on the cutoff


def test_interleaved_timing_and_report_table(real: KnowledgeBase) -> None:
    answerer: Answerer = build_answerer(real)
    texts = [row["text"] for row in QUESTIONS]
    ours, theirs = time_interleaved(answerer, Baseline(real, cutoff=80), texts, repeats=2, baseline_repeats=1)
    assert (len(ours), len(theirs)) == (6, 3)
    assert all(ns > 0 for ns in ours + theirs)
    accuracy = {"right_first_time": 1.0, "top3": 1.0, "confidently_wrong": 0.0, "out_of_scope_fallback": 0.5}
    rows = [
        make_row("ours", 35, 0.1, [1_000_000, 2_000_000, 3_000_000], accuracy),
        make_row("baseline", 35, 0.0, [4_000_000] * 3, accuracy),
        make_row("ours", 100, 0.2, [5_000_000], accuracy),
    ]
    assert rows[0].p50_ms == pytest.approx(2.0)
    assert percentile_ms([1_000_000] * 99 + [9_000_000], 50) == pytest.approx(1.0)
    table = report(rows)
    assert [set(row) for row in table] == [set(TABLE_KEYS)] * 4
    ratio = table[-1]
    assert (ratio["system"], ratio["kb_topics"]) == ("ours/baseline", 35)  # none for 100: no baseline row
    assert ratio["p50_ms"] == pytest.approx(0.5)
    text = format_table(table)
    assert text.splitlines()[0].startswith("| system | KB topics |")
    assert "| ours/baseline | 35 |" in text
    assert "0.50×" in text


def test_main_writes_json_for_a_tiny_run(
    real: KnowledgeBase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(row) + "\n" for row in QUESTIONS), encoding="utf-8")
    out = tmp_path / "bench.json"
    size = len(real.topics) + 5
    status = main(["--quick", "--topics", str(size), "--questions", str(questions), "--json", str(out)])
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert status == (0 if all(t["met"] for t in payload["targets"].values()) else 1)
    assert {(r["system"], r["kb_topics"]) for r in payload["rows"]} == {
        ("ours", len(real.topics)),
        ("baseline", len(real.topics)),
        ("ours", size),
        ("baseline", size),
    }
    assert "| ours/baseline |" in capsys.readouterr().out


def test_main_names_a_missing_questions_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--quick", "--questions", str(tmp_path / "absent.jsonl")])
    assert exit_.value.code == 2
    assert "pass --questions FILE" in capsys.readouterr().err
