"""``kb eval`` figures (bot/dev/evaluation.py) on hand-made decisions, and the CLI on a set directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answering.decision import Decision
from bot.cli.main import main as veiligbot
from bot.dev.evaluation import evaluate, read_set
from bot.triage.rules import Urgency
from knowledge.search import Candidate


class _Scripted:
    """An answerer that returns a fixed decision per text."""

    def __init__(self, decisions: dict[str, Decision]) -> None:
        self.decisions = decisions

    def decide(self, text: str) -> Decision:
        return self.decisions[text]


def _d(text: str, action: str, topic: str | None = None, top: tuple[str, ...] = (), **kw: object) -> Decision:
    candidates = tuple(Candidate(t, 50.0) for t in top)
    return Decision(text, action, topic, candidates, kw.pop("urgency", None), **kw)  # type: ignore[arg-type]


def test_every_figure_counts_what_it_says() -> None:
    decisions = {
        "right": _d("right", "answer", "phishing", ("phishing",)),
        "tap": _d("tap", "clarify", None, ("sextortion", "phishing", "account-hacked")),
        "wrong": _d("wrong", "answer", "sextortion", ("sextortion",)),
        "lost": _d("lost", "fallback", None, ("x", "y", "z")),
        "oos ok": _d("oos ok", "fallback"),
        "oos answered": _d("oos answered", "answer", "phishing", concern=Urgency.ABUSE),
        "crisis": _d("crisis", "urgent", "suicidal-thoughts", urgency=Urgency.SUICIDE),
        "crisis as concern": _d("crisis as concern", "answer", "phishing", concern=Urgency.SUICIDE),
        "crisis missed": _d("crisis missed", "fallback"),
        "like urgent": _d("like urgent", "urgent", "emergency", urgency=Urgency.EMERGENCY),
        "like concern": _d("like concern", "answer", "emergency", concern=Urgency.EMERGENCY),
    }
    questions = [
        {"text": "right", "expect": "phishing"},
        {"text": "tap", "expect": "phishing"},
        {"text": "wrong", "expect": "phishing"},
        {"text": "lost", "expect": "phishing"},
        {"text": "oos ok", "expect": None},
        {"text": "oos answered", "expect": None},
    ]
    crisis = [
        {"text": "crisis", "expect_urgency": "suicide"},
        {"text": "crisis as concern", "expect_urgency": "suicide"},
        {"text": "crisis missed", "expect_urgency": "abuse"},
        {"text": "like urgent", "expect_urgency": None},
        {"text": "like concern", "expect_urgency": None},
    ]
    m = evaluate(_Scripted(decisions), questions, crisis).metrics  # type: ignore[arg-type]
    assert m["right_first_time"] == 1 / 4
    assert m["reached_within_one_tap"] == 2 / 4
    assert m["confidently_wrong"] == 1 / 4
    assert m["in_scope_fallback"] == 1 / 4
    assert m["out_of_scope_fallback"] == 1 / 2
    assert m["crisis_recall"] == 1 / 3
    assert m["urgent_or_concern"] == 2 / 3
    assert m["false_urgent"] == 0.0
    assert m["concern_on_ordinary"] == 1 / 6
    assert m["crisis_like_urgent"] == 1 / 2
    assert m["crisis_like_concern"] == 1 / 2


def test_urgent_on_a_crisis_topic_question_counts_as_right() -> None:
    decisions = {"q": _d("q", "urgent", "domestic-violence", urgency=Urgency.ABUSE)}
    report = evaluate(_Scripted(decisions), [{"text": "q", "expect": "domestic-violence"}], [])  # type: ignore[arg-type]
    assert (report.right_first, report.false_urgent) == (1, 0)


def _write(directory: Path, name: str, rows: list[dict[str, object]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_a_set_directory_and_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "questions.jsonl", [{"text": "mijn instagram is gehackt", "expect": "account-hacked"}])
    _write(tmp_path, "out-of-scope.jsonl", [{"text": "wanneer wordt het grofvuil opgehaald", "expect": None}])
    _write(tmp_path, "crisis.jsonl", [{"text": "ik wil niet meer leven", "expect_urgency": "suicide"}])
    _write(tmp_path, "crisis-like.jsonl", [{"text": "wanneer bel ik 113?", "expect_urgency": None}])
    questions, crisis = read_set(tmp_path)
    assert (len(questions), len(crisis)) == (2, 2)
    assert veiligbot(["kb", "eval", "--set", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "right first time:        100.0%  (1/1)" in out
    assert "crisis recall (urgent):  100.0%  (1/1)" in out
    assert "out-of-scope → fallback: 100.0%  (1/1)" in out


def test_kb_eval_needs_a_set_or_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert veiligbot(["kb", "eval"]) == 2
    assert "give --set DIR" in capsys.readouterr().err
