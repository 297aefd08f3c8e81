"""The one decision used by handlers, `ask` and `kb eval`: crisis first, then search; small talk."""

from __future__ import annotations

import pytest

from bot.answering.decision import Answerer, small_talk_of
from bot.services import build_answerer
from knowledge.base import load_knowledge_base


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    return build_answerer(load_knowledge_base())


def test_crisis_wins_over_a_topic_match(answerer: Answerer) -> None:
    decision = answerer.decide("ik wil dood, mijn account is gehackt")
    assert decision.action == "urgent"
    assert decision.urgency is not None and decision.urgency.value == "suicide"
    assert decision.topic == "suicidal-thoughts"


def test_json_contract(answerer: Answerer) -> None:
    data = answerer.decide("nepmail van de rabobank").to_json()
    assert set(data) == {"text", "action", "topic", "candidates", "urgency", "concern"}
    assert data["action"] == "answer"
    assert data["topic"] == "phishing"
    assert data["urgency"] is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [("hallo", "greeting"), ("Goedemorgen!", "greeting"), ("bedankt", "thanks"), ("thank you!", "thanks"),
     ("hoi wanneer komt de vuilnisman", None), ("ok", "thanks")],
)  # fmt: skip
def test_small_talk(text: str, kind: str | None) -> None:
    assert small_talk_of(text) == kind


def test_small_talk_is_still_a_fallback_for_ask(answerer: Answerer) -> None:
    decision = answerer.decide("hallo")
    assert decision.action == "fallback"
    assert decision.small_talk == "greeting"
    assert "small_talk" not in decision.to_json()
