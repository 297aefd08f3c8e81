"""The learned crisis layer and the graded decision urgent / concern (bot/triage/learned.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.services import build_answerer
from bot.triage.learned import (
    CRISIS_TOPICS,
    EXAMPLES_DIR,
    LABELS,
    CrisisModel,
    CrisisTriage,
    Levels,
    read_examples,
    training_set,
)
from bot.triage.rules import Triage, Urgency
from bot.triage.tuning import Message, choose_levels, cross_validate, measure
from knowledge.base import load_knowledge_base


@pytest.fixture(scope="module")
def triage() -> CrisisTriage:
    return build_answerer(load_knowledge_base()).triage


def test_examples_are_valid_and_balanced() -> None:
    texts, labels = read_examples()
    assert set(labels) == set(LABELS)
    assert len(texts) == len(set(texts)) > 1000
    for label in ("emergency", "suicide", "abuse"):
        assert labels.count(label) >= 200
    for path in EXAMPLES_DIR.glob("examples-*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert set(row) == {"text", "label", "lang"} and row["lang"] in ("nl", "en")


def test_crisis_topics_sample_questions_are_no_training_negatives() -> None:
    kb = load_knowledge_base()
    texts, labels = training_set(kb)
    negatives = {t for t, label in zip(texts, labels, strict=True) if label == "none"}
    for topic_id in CRISIS_TOPICS:
        assert not negatives & set(kb.topics[topic_id].nl.questions)
    assert set(kb.topics["phishing"].nl.questions) <= negatives


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # Indirect: no crisis word in any of them (the families the rules missed).
        ("ik heb alle pillen van mijn moeder gespaard en vanavond is het klaar", Urgency.SUICIDE),
        ("i dont see the point anymore, everyone would be better off without me", Urgency.SUICIDE),
        ("mijn opa ligt op de grond en reageert niet meer, hij ademt raar", Urgency.EMERGENCY),
        ("papa slaat me als hij gedronken heeft en ik durf niet naar huis", Urgency.ABUSE),
    ],
)
def test_indirect_crises_are_urgent(triage: CrisisTriage, text: str, urgency: Urgency) -> None:
    assert triage.assess(text).urgency == urgency


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # The families the issue names, in phrasings that are not among the training examples.
        ("mijn oma wordt door haar zoon geslagen als ze geen geld geeft", Urgency.ABUSE),  # elder abuse
        ("hij kneep mijn keel dicht", Urgency.ABUSE),  # strangling
        ("mijn vriend heeft te veel pillen genomen en reageert niet meer", Urgency.EMERGENCY),  # overdose
        ("ik ben 11 en ik durf niet naar huis", Urgency.ABUSE),  # a child: home is unsafe
        ("i have the pills ready and wrote a letter to my parents", Urgency.SUICIDE),  # means and a goodbye
        ("er loopt iemand met een mes rond op het station", Urgency.EMERGENCY),  # danger in public
    ],
)
def test_issue_families_are_urgent(triage: CrisisTriage, text: str, urgency: Urgency) -> None:
    assert triage.assess(text).urgency == urgency


@pytest.mark.parametrize(
    "text",
    [
        "ik wil niet meer leven, iemand heeft mijn facebook overgenomen",
        "i want to end it all, someone took over my instagram",
        "ik wil dood, mijn pinpas is gestolen",
    ],
)
def test_a_death_wish_next_to_an_ordinary_problem_stays_urgent(triage: CrisisTriage, text: str) -> None:
    """The many upset-but-ordinary negatives must not pull such a message under the veto."""
    assert triage.assess(text).urgency == Urgency.SUICIDE


@pytest.mark.parametrize(
    "text",
    [
        "ik heb op een link geklikt in een sms van de bank",
        "wanneer moet je eigenlijk 112 bellen en wanneer 0900-8844?",
        "ik ga dood van de stress met die belastingaangifte haha",
        "wanneer wordt het grofvuil opgehaald",
        # Upset fraud victims (examples-none-varied.jsonl), in phrasings that are not among the examples.
        "ik ben opgelicht voor 2000 euro, ik ben er kapot van, kan ik nog aangifte doen?",
        "I'm so upset, a scammer took 500 euros from me, can I get it back?",
    ],
)
def test_ordinary_messages_are_not_flagged(triage: CrisisTriage, text: str) -> None:
    result = triage.assess(text)
    assert result.urgency is None
    assert result.concern is None


@pytest.mark.parametrize("text", ["yes please", "stop", "ik weet het niet", "ok", "Wapenveld", "annuleren"])
def test_short_replies_are_never_urgent(triage: CrisisTriage, text: str) -> None:
    """Answers to the report flow's questions must not stop it with crisis guidance."""
    assert triage.assess(text).urgency is None


def test_a_short_cry_for_help_is_a_concern_not_silence(triage: CrisisTriage) -> None:
    result = triage.assess("help me")
    assert result.urgency is None
    assert result.concern == Urgency.EMERGENCY


class _Rules(Triage):
    def __init__(self, verdict: Urgency | None) -> None:
        self.verdict = verdict

    def classify(self, text: str) -> Urgency | None:
        return self.verdict


class _Model(CrisisModel):
    def __init__(self, p: dict[str, float]) -> None:
        self.p = p

    def probabilities(self, text: str) -> dict[str, float]:
        return self.p


def _p(crisis: float, label: str = "suicide") -> dict[str, float]:
    rest = {k: 0.0 for k in ("emergency", "suicide", "abuse")}
    return {**rest, label: crisis, "none": 1.0 - crisis}


LONG = "a message of several words"


def test_levels_decide_urgent_concern_or_nothing() -> None:
    levels = Levels(urgent=0.6, concern=0.3, veto=0.1)
    assert CrisisTriage(_Rules(None), _Model(_p(0.7)), levels).assess(LONG).urgency == Urgency.SUICIDE
    concern = CrisisTriage(_Rules(None), _Model(_p(0.4, "abuse")), levels).assess(LONG)
    assert (concern.urgency, concern.concern) == (None, Urgency.ABUSE)
    assert not CrisisTriage(_Rules(None), _Model(_p(0.2)), levels).assess(LONG).flagged
    short = CrisisTriage(_Rules(None), _Model(_p(0.9)), levels).assess("help nu")
    assert (short.urgency, short.concern) == (None, Urgency.SUICIDE)  # too short for the model alone


def test_rules_win_unless_the_model_is_sure_it_is_no_crisis() -> None:
    levels = Levels(urgent=0.6, concern=0.3, veto=0.1)
    ruled = CrisisTriage(_Rules(Urgency.EMERGENCY), _Model(_p(0.15)), levels).assess("x")
    assert ruled.urgency == Urgency.EMERGENCY  # the rules' class, even though the model is unsure
    vetoed = CrisisTriage(_Rules(Urgency.EMERGENCY), _Model(_p(0.05)), levels).assess("x")
    assert (vetoed.urgency, vetoed.concern) == (None, Urgency.EMERGENCY)  # still shown as a concern
    assert CrisisTriage(_Rules(Urgency.ABUSE), None).assess("x").urgency == Urgency.ABUSE


def test_measure_and_choose_levels() -> None:
    crisis, ordinary = Message("c", True), Message("o", False)
    assessed = [(crisis, False, 0.9), (crisis, False, 0.4), (crisis, True, 0.0), (ordinary, False, 0.35)]
    score = measure(assessed, Levels(urgent=0.6, concern=0.3, veto=0.1))
    assert score.recall == pytest.approx(1 / 3)  # 0.9 only: the ruled one is vetoed to a concern
    assert score.urgent_or_concern == 1.0
    assert score.false_urgent == 0.0
    assert score.concern == 1.0


def test_choose_levels_on_the_real_model(triage: CrisisTriage) -> None:
    messages = [
        Message("ik wil niet meer leven, ik heb de pillen al klaarliggen", True),
        Message("er ligt iemand bewusteloos op straat en hij bloedt", True),
        Message("mijn instagram is gehackt, wat moet ik doen", False),
        Message("waar kan ik mijn oud papier kwijt", False),
    ]
    levels, score = choose_levels(triage, messages)
    assert score.recall == 1.0
    assert score.false_urgent == 0.0
    assert 0.0 < levels.concern < levels.urgent


def test_cross_validation_measures_levels_chosen_without_the_held_out_fold() -> None:
    crisis, ordinary = Message("c", True), Message("o", False)
    # Crises at 0.65 and ordinary questions at 0.1: every fold's choice separates them.
    clean = [(crisis, False, 0.65)] * 20 + [(ordinary, False, 0.1)] * 80
    held_out = cross_validate(clean)
    assert (held_out.recall, held_out.false_urgent, held_out.concern) == (1.0, 0.0, 0.0)
    # One ordinary question above every crisis: no level catches the crises without it, so the fold that
    # holds it out shows the false alarm; the other folds do not.
    noisy = cross_validate([*clean[:-1], (ordinary, False, 0.9)])
    assert noisy.recall == 1.0
    assert 0.0 < noisy.false_urgent < 0.1


def test_examples_dir_is_packaged() -> None:
    assert Path(EXAMPLES_DIR).is_dir()
    assert any(EXAMPLES_DIR.glob("examples-*.jsonl"))
