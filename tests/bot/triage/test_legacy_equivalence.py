"""Transition check: the YAML rules decide exactly as the Python rules they replace (legacy_rules.py).

Runs both over every message the repository has (knowledge-base sample questions and titles, out-of-scope
lines, every test and evaluation set, the triage test lists, the YAML examples), each also with a few
prefixes and suffixes that switch cues on and off. Urgency, every score and the set of fired cues must agree.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from bot.triage.rules import Triage, default_rules
from knowledge.base import DATA_DIR
from tests.bot.triage import legacy_rules, test_rules

ROOT = Path(__file__).resolve().parents[3]
VARIANTS = ("{}", "help {}", "{} nu", "{} gisteren", "wat als {}", "mijn vriend zegt {}", "{} right now", "HELP!! {}")


def _messages() -> list[str]:
    texts: list[str] = []
    for path in sorted((DATA_DIR / "topics").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for lang in ("nl", "en"):
            texts += [*raw[lang]["questions"], raw[lang]["title"]]
    out_of_scope = yaml.safe_load((DATA_DIR / "out-of-scope.yaml").read_text(encoding="utf-8"))
    texts += out_of_scope["nl"] + out_of_scope["en"]
    for path in sorted([*ROOT.glob("tests/**/*.jsonl"), *(ROOT.parent / "shared/eval").glob("*.jsonl")]):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        texts += [str(row["text"]) for row in rows if "text" in row]
    texts += [t for t, _ in test_rules.URGENT] + test_rules.ORDINARY
    texts += [t for rows in test_rules.FAMILIES.values() for t, _ in rows]
    texts += [t for rows in test_rules.NEAR_MISSES.values() for t in rows]
    texts += [t for cue in default_rules().cues for t in (*cue.examples, *cue.look_alikes)]
    return [variant.format(t) for t in dict.fromkeys(texts) for variant in VARIANTS]


def test_yaml_rules_decide_exactly_as_the_python_rules() -> None:
    old, new = legacy_rules.Triage(), Triage()
    messages = _messages()
    assert len(messages) > 20_000
    differ = []
    for text in messages:
        a, b = old.assess(text), new.assess(text)
        if (a.urgency, a.scores, set(a.cues)) != (b.urgency, b.scores, set(b.cues)):
            differ.append((text, a.urgency, b.urgency, sorted(set(a.cues) ^ set(b.cues))))
    assert differ == []


def test_every_python_cue_is_in_the_yaml_with_the_same_class_and_weight() -> None:
    old = {c.name: (c.target.value if c.target else "all", c.weight) for c in legacy_rules._CUES}
    new = {c.id: (c.klass, c.weight) for c in default_rules().cues}
    assert new == old
