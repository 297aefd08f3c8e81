"""``veiligbot kb eval``: answer quality on evaluation sets, measured through :class:`bot.answering.decision.Answerer`.

Question lines: ``{"text", "expect": topic-id | null, "accept": [topic-id, ...]}`` (null = out of scope,
the bot should fall back). Urgent lines: ``{"text", "expect_urgency", "accept_urgency": [...]}``.

Metrics (issue #3): right first time (``answer`` with the expected or an accepted topic), top-3,
confidently wrong (``answer`` with a wrong topic), out-of-scope → fallback, crisis recall, and false
urgent on ordinary questions. A question whose expected topic *is* a crisis topic (suicidal thoughts,
domestic violence, emergency) and that triage flags is counted as right: the crisis reply leads to that
topic -- it is neither a false alarm nor a miss.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.answering.decision import URGENCY_TOPIC, Answerer, Decision

CRISIS_TOPICS = frozenset(URGENCY_TOPIC.values())


@dataclass
class Report:
    questions: int = 0
    in_scope: int = 0
    right_first: int = 0
    top3: int = 0
    wrong: int = 0
    out_of_scope: int = 0
    oos_fallback: int = 0
    false_urgent: int = 0
    urgent: int = 0
    urgent_caught: int = 0
    misses: list[str] = field(default_factory=list)

    def ratio(self, num: int, den: int) -> float:
        return num / den if den else 1.0

    @property
    def metrics(self) -> dict[str, float]:
        return {
            "right_first_time": self.ratio(self.right_first, self.in_scope),
            "top3": self.ratio(self.top3, self.in_scope),
            "confidently_wrong": self.ratio(self.wrong, self.in_scope),
            "out_of_scope_fallback": self.ratio(self.oos_fallback, self.out_of_scope),
            "crisis_recall": self.ratio(self.urgent_caught, self.urgent),
            "false_urgent": self.ratio(self.false_urgent, self.questions),
        }


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(answerer: Answerer, questions: list[dict[str, Any]], urgent: list[dict[str, Any]]) -> Report:
    report = Report()
    for row in questions:
        decision: Decision = answerer.decide(row["text"])
        expected = row.get("expect")
        accepted = {expected, *row.get("accept", [])} - {None}
        report.questions += 1
        if expected is None:
            report.out_of_scope += 1
            if decision.action == "fallback":
                report.oos_fallback += 1
            else:
                report.misses.append(f"out of scope → {decision.action} {decision.topic}: {row['text']}")
            if decision.action == "urgent":
                report.false_urgent += 1
            continue
        report.in_scope += 1
        top = [c.topic for c in decision.candidates[:3]]
        if decision.action == "urgent":
            if accepted & CRISIS_TOPICS and decision.topic in accepted:
                report.right_first += 1
                report.top3 += 1
            else:
                report.false_urgent += 1
                report.misses.append(f"false urgent ({decision.urgency}): {row['text']}")
            continue
        if decision.action == "answer" and decision.topic in accepted:
            report.right_first += 1
        elif decision.action == "answer":
            report.wrong += 1
            report.misses.append(f"wrong: {decision.topic} instead of {expected}: {row['text']}")
        else:
            report.misses.append(f"{decision.action} (expected {expected}; top {top}): {row['text']}")
        if accepted & set(top):
            report.top3 += 1
    for row in urgent:
        decision = answerer.decide(row["text"])
        report.urgent += 1
        accepted_urgency = {row.get("expect_urgency"), *row.get("accept_urgency", [])} - {None}
        if decision.urgency is not None and decision.urgency.value in accepted_urgency:
            report.urgent_caught += 1
        else:
            report.misses.append(f"crisis missed ({row.get('expect_urgency')}): {row['text']}")
    return report


def evaluate_files(questions: Path, urgent: Path | None) -> Report:
    from bot.services import build_answerer
    from knowledge.base import load_knowledge_base

    answerer = build_answerer(load_knowledge_base())
    return evaluate(answerer, _read_jsonl(questions), _read_jsonl(urgent) if urgent else [])


def format_report(report: Report, *, verbose: bool = False) -> str:
    m = report.metrics
    lines = []
    if verbose:
        lines += [*report.misses, ""]
    lines += [
        f"questions: {report.questions} ({report.in_scope} in scope, {report.out_of_scope} out of scope); "
        f"urgent messages: {report.urgent}",
        f"right first time:       {m['right_first_time']:6.1%}  ({report.right_first}/{report.in_scope})",
        f"top-3:                  {m['top3']:6.1%}  ({report.top3}/{report.in_scope})",
        f"confidently wrong:      {m['confidently_wrong']:6.1%}  ({report.wrong}/{report.in_scope})",
        f"out-of-scope fallback:  {m['out_of_scope_fallback']:6.1%}  ({report.oos_fallback}/{report.out_of_scope})",
        f"crisis recall:          {m['crisis_recall']:6.1%}  ({report.urgent_caught}/{report.urgent})",
        f"false urgent:           {m['false_urgent']:6.1%}  ({report.false_urgent}/{report.questions})",
    ]
    return "\n".join(lines)
