"""``veiligbot kb eval``: answer quality on evaluation sets, measured through :class:`bot.answering.decision.Answerer`.

Question lines: ``{"text", "expect": topic-id | null, "accept": [topic-id, ...]}`` (null = out of scope, the
bot should fall back). Crisis lines: ``{"text", "expect_urgency": class | null, "accept_urgency": [...]}``;
a null class marks a crisis-like message that is *not* a crisis (it must not be flagged urgent).

A set directory (``--set DIR``) holds any of ``questions.jsonl``, ``out-of-scope.jsonl``, ``crisis.jsonl`` and
``crisis-like.jsonl``.

Metrics (issue "Understanding residents"):

- right first time: ``answer`` with the expected or an accepted topic;
- reached within one tap: right first time, or an accepted topic among the "did you mean" buttons;
- confidently wrong: ``answer`` with a wrong topic; in-scope → fallback;
- out-of-scope → fallback;
- crisis recall: ``urgent`` with an accepted class; urgent-or-concern: flagged at either level;
- false urgent / concern on ordinary questions (the questions and out-of-scope lines), and on crisis-like
  messages separately.

A question whose accepted topics include a crisis topic (suicidal thoughts, domestic violence, emergency) and
that triage flags urgent is counted as right: the crisis reply leads to that topic -- neither a false alarm
nor a miss.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bot.answering.decision import URGENCY_TOPIC, Answerer, Decision

CRISIS_TOPICS = frozenset(URGENCY_TOPIC.values())
SET_FILES = ("questions.jsonl", "out-of-scope.jsonl", "crisis.jsonl", "crisis-like.jsonl")


class Decides(Protocol):
    """Anything that decides like :class:`Answerer` (the benchmark's baselines too), so all are scored alike."""

    def decide(self, text: str) -> Decision: ...


@dataclass
class Report:
    questions: int = 0
    in_scope: int = 0
    right_first: int = 0
    reached: int = 0
    top3: int = 0
    wrong: int = 0
    in_scope_fallback: int = 0
    out_of_scope: int = 0
    oos_fallback: int = 0
    false_urgent: int = 0
    concern_ordinary: int = 0
    urgent: int = 0
    urgent_caught: int = 0
    urgent_or_concern: int = 0
    crisis_like: int = 0
    crisis_like_urgent: int = 0
    crisis_like_concern: int = 0
    misses: list[str] = field(default_factory=list)

    @staticmethod
    def ratio(num: int, den: int) -> float:
        return num / den if den else 1.0

    @property
    def metrics(self) -> dict[str, float]:
        r = self.ratio
        return {
            "right_first_time": r(self.right_first, self.in_scope),
            "reached_within_one_tap": r(self.reached, self.in_scope),
            "top3": r(self.top3, self.in_scope),
            "confidently_wrong": r(self.wrong, self.in_scope),
            "in_scope_fallback": r(self.in_scope_fallback, self.in_scope) if self.in_scope else 0.0,
            "out_of_scope_fallback": r(self.oos_fallback, self.out_of_scope),
            "crisis_recall": r(self.urgent_caught, self.urgent),
            "urgent_or_concern": r(self.urgent_or_concern, self.urgent),
            "false_urgent": r(self.false_urgent, self.questions) if self.questions else 0.0,
            "concern_on_ordinary": r(self.concern_ordinary, self.questions) if self.questions else 0.0,
            "crisis_like_urgent": r(self.crisis_like_urgent, self.crisis_like) if self.crisis_like else 0.0,
            "crisis_like_concern": r(self.crisis_like_concern, self.crisis_like) if self.crisis_like else 0.0,
        }


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _question(report: Report, row: dict[str, Any], decision: Decision) -> None:
    expected = row.get("expect")
    accepted = {expected, *row.get("accept", [])} - {None}
    report.questions += 1
    report.concern_ordinary += decision.concern is not None
    if expected is None:
        report.out_of_scope += 1
        if decision.action == "fallback":
            report.oos_fallback += 1
        else:
            report.misses.append(f"out of scope → {decision.action} {decision.topic}: {row['text']}")
        if decision.action == "urgent":
            report.false_urgent += 1
        return
    report.in_scope += 1
    top = [c.topic for c in decision.candidates[:3]]
    if decision.action == "urgent":
        if accepted & CRISIS_TOPICS and decision.topic in accepted:
            report.right_first += 1
            report.reached += 1
            report.top3 += 1
        else:
            report.false_urgent += 1
            report.misses.append(f"false urgent ({decision.urgency}): {row['text']}")
        return
    if accepted & set(top):
        report.top3 += 1
    if decision.action == "answer" and decision.topic in accepted:
        report.right_first += 1
        report.reached += 1
    elif decision.action == "answer":
        report.wrong += 1
        report.misses.append(f"wrong: {decision.topic} instead of {expected}: {row['text']}")
    elif decision.action == "clarify" and accepted & set(top):
        report.reached += 1
        report.misses.append(f"clarify (expected {expected}; top {top}): {row['text']}")
    else:
        report.in_scope_fallback += decision.action == "fallback"
        report.misses.append(f"{decision.action} (expected {expected}; top {top}): {row['text']}")


def _crisis(report: Report, row: dict[str, Any], decision: Decision) -> None:
    expected = row.get("expect_urgency")
    if expected is None:  # crisis-like, not a crisis
        report.crisis_like += 1
        report.crisis_like_urgent += decision.action == "urgent"
        report.crisis_like_concern += decision.concern is not None
        if decision.action == "urgent":
            report.misses.append(f"crisis-like flagged urgent ({decision.urgency}): {row['text']}")
        return
    report.urgent += 1
    accepted = {expected, *row.get("accept_urgency", [])} - {None}
    if decision.urgency is not None and decision.urgency.value in accepted:
        report.urgent_caught += 1
    else:
        report.misses.append(f"crisis not urgent ({expected}; concern {decision.concern}): {row['text']}")
    if decision.urgency is not None or decision.concern is not None:
        report.urgent_or_concern += 1


def evaluate(answerer: Decides, questions: list[dict[str, Any]], crisis: list[dict[str, Any]]) -> Report:
    report = Report()
    for row in questions:
        _question(report, row, answerer.decide(row["text"]))
    for row in crisis:
        _crisis(report, row, answerer.decide(row["text"]))
    return report


def read_set(directory: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(question rows, crisis rows) of a set directory."""
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: not a directory")
    rows = {name: read_jsonl(directory / name) for name in SET_FILES if (directory / name).exists()}
    questions = rows.get("questions.jsonl", []) + rows.get("out-of-scope.jsonl", [])
    crisis = rows.get("crisis.jsonl", []) + rows.get("crisis-like.jsonl", [])
    return questions, crisis


def default_answerer() -> Answerer:
    from bot.services import build_answerer
    from knowledge.base import load_knowledge_base

    return build_answerer(load_knowledge_base())


def evaluate_files(questions: Path | None, urgent: Path | None, answerer: Answerer | None = None) -> Report:
    answerer = answerer or default_answerer()
    return evaluate(answerer, read_jsonl(questions) if questions else [], read_jsonl(urgent) if urgent else [])


def evaluate_set(directory: Path, answerer: Answerer | None = None) -> Report:
    questions, crisis = read_set(directory)
    return evaluate(answerer or default_answerer(), questions, crisis)


def format_report(report: Report, *, verbose: bool = False) -> str:
    m = report.metrics
    lines = []
    if verbose:
        lines += [*report.misses, ""]
    lines += [
        f"questions: {report.questions} ({report.in_scope} in scope, {report.out_of_scope} out of scope); "
        f"crisis messages: {report.urgent}; crisis-like: {report.crisis_like}",
        f"right first time:        {m['right_first_time']:6.1%}  ({report.right_first}/{report.in_scope})",
        f"reached within one tap:  {m['reached_within_one_tap']:6.1%}  ({report.reached}/{report.in_scope})",
        f"confidently wrong:       {m['confidently_wrong']:6.1%}  ({report.wrong}/{report.in_scope})",
        f"in-scope → fallback:     {m['in_scope_fallback']:6.1%}  ({report.in_scope_fallback}/{report.in_scope})",
        f"out-of-scope → fallback: {m['out_of_scope_fallback']:6.1%}  ({report.oos_fallback}/{report.out_of_scope})",
        f"crisis recall (urgent):  {m['crisis_recall']:6.1%}  ({report.urgent_caught}/{report.urgent})",
        f"urgent or concern:       {m['urgent_or_concern']:6.1%}  ({report.urgent_or_concern}/{report.urgent})",
        f"false urgent (ordinary): {m['false_urgent']:6.1%}  ({report.false_urgent}/{report.questions})",
        f"concern (ordinary):      {m['concern_on_ordinary']:6.1%}  ({report.concern_ordinary}/{report.questions})",
        f"crisis-like → urgent:    {m['crisis_like_urgent']:6.1%}  ({report.crisis_like_urgent}/{report.crisis_like})",
        f"crisis-like → concern:   {m['crisis_like_concern']:6.1%}  "
        f"({report.crisis_like_concern}/{report.crisis_like})",
    ]
    return "\n".join(lines)
