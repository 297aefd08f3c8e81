"""Crisis triage on sets written independently of the rules (tests/bot/data): full recall, no false alarms.

These are regression guards: when a set shows a miss, fix the family of phrasings in knowledge/data/triage/, not the
sentence.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.triage.rules import Triage

DATA = Path(__file__).parent / "data"


def _rows(name: str) -> list[dict[str, object]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage()


def test_every_crisis_message_is_flagged_with_an_accepted_class(triage: Triage) -> None:
    missed = []
    for row in _rows("extra-urgent.jsonl"):
        accepted = {row["expect_urgency"], *row.get("accept_urgency", [])}  # type: ignore[misc]
        urgency = triage.classify(str(row["text"]))
        if urgency is None or urgency.value not in accepted:
            missed.append((row["text"], urgency))
    assert missed == []


def test_crisis_words_in_ordinary_messages_raise_no_alarm(triage: Triage) -> None:
    false = [row["text"] for row in _rows("not-urgent.jsonl") if triage.classify(str(row["text"]))]
    assert false == []
