"""The learned topic model and the answer / clarify / fallback decision (knowledge/ranker.py)."""

from __future__ import annotations

import pytest

from bot.services import build_answerer
from knowledge.base import KnowledgeBase, load_knowledge_base
from knowledge.normalize import Normalizer, Vocabulary
from knowledge.ranker import Decision, Scored, TopicMatcher, train_topic_model, training_examples
from knowledge.search import OUT_OF_SCOPE, SearchIndex


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="module")
def matcher(kb: KnowledgeBase) -> TopicMatcher:
    return build_answerer(kb).matcher


def test_training_examples_are_our_own_content(kb: KnowledgeBase) -> None:
    texts, labels = training_examples(kb)
    assert set(labels) == {*kb.topics, OUT_OF_SCOPE}
    phishing = kb.topics["phishing"]
    assert set(phishing.nl.questions) <= {t for t, label in zip(texts, labels, strict=True) if label == "phishing"}
    assert phishing.en.summary in texts
    extra_oos = sum(topic is None for _, topic in kb.training)
    assert extra_oos > 0
    assert sum(label == OUT_OF_SCOPE for label in labels) == sum(len(q) for q in kb.out_of_scope.values()) + extra_oos


def test_written_training_text_reaches_its_topic(kb: KnowledgeBase) -> None:
    texts, labels = training_examples(kb)
    pairs = set(zip(texts, labels, strict=True))
    assert kb.training, "knowledge/data/training holds the extra resident phrasings"
    for text, topic in kb.training:
        assert (text, topic or OUT_OF_SCOPE) in pairs


def test_the_model_is_trained_once_per_content(kb: KnowledgeBase) -> None:
    normalizer = Normalizer(Vocabulary.load())
    assert train_topic_model(kb, normalizer) is train_topic_model(kb, Normalizer(Vocabulary.load()))


def test_probabilities_cover_every_class(matcher: TopicMatcher) -> None:
    scored = matcher.score("ik heb op een link geklikt in een sms van de bank")
    assert scored.topics[0] == "phishing"
    assert OUT_OF_SCOPE not in scored.topics
    assert sum(scored.probabilities) + scored.out_of_scope == pytest.approx(1.0)
    assert list(scored.probabilities) == sorted(scored.probabilities, reverse=True)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("mijn whatsapp is overgenomen, iedereen krijgt rare berichten van mij", "account-hacked"),
        ("my son (15) got caught shoplifting and now has to go to Halt, what happens?", "youth-offence-halt"),
        ("er staat een schuur vol met jerrycans en er hangt een anijslucht", "drug-lab-signals"),
    ],
)
def test_clear_questions_are_answered(matcher: TopicMatcher, text: str, topic: str) -> None:
    result = matcher.search(text)
    assert (result.action, result.topic) == ("answer", topic)


def test_a_long_story_still_finds_its_point(matcher: TopicMatcher) -> None:
    story = (
        "Gisteren zat ik met mijn kleinzoon op de bank en we keken naar het nieuws over de oogst. Toen kreeg ik "
        "een appje van een onbekend nummer: 'Hoi mam, dit is mijn nieuwe nummer, mijn telefoon is kapot'. Ze "
        "vroeg of ik snel 950 euro kon overmaken voor een rekening. Mijn kleinzoon zei dat het nep was. Klopt dat?"
    )
    result = matcher.search(story)
    assert result.action in ("answer", "clarify")
    assert "friend-in-need-fraud" in [c.topic for c in result.candidates[:3]]


@pytest.mark.parametrize(
    ("story", "topic"),
    [
        (
            "We have lived in Hattem for thirty years and our son is 16, plays football twice a week and usually does "
            "fine at school. Last weekend we had a birthday party for my mother and he was very quiet the whole "
            "evening. Tonight he finally told us that a girl he met on Instagram asked for a naked picture, he sent "
            "one, and now she says she will post it online unless he pays 300 euros.",
            "sextortion",
        ),
        (
            "Mijn man en ik wonen sinds kort in Oldebroek, we hebben een hond en werken allebei in de zorg. Vorige "
            "week hadden we het druk met de verhuizing en de kinderen moesten naar een nieuwe school. Vanochtend "
            "belde er iemand die zei dat hij van de bank was, hij zei dat onze rekening gehackt was en dat we ons "
            "geld naar een veilige rekening moesten overmaken.",
            "bank-helpdesk-fraud",
        ),
    ],
)
def test_the_point_buried_at_the_end_of_a_story_leads(matcher: TopicMatcher, story: str, topic: str) -> None:
    result = matcher.search(story)
    assert result.action in ("answer", "clarify")
    assert result.candidates[0].topic == topic


def test_out_of_scope_falls_back(matcher: TopicMatcher) -> None:
    assert matcher.search("wanneer wordt het grofvuil opgehaald in nunspeet").action == "fallback"
    assert matcher.search("?? !!").action == "fallback"  # nothing searchable


def _scored(*probabilities: float, oos: float = 0.0) -> Scored:
    return Scored(tuple(f"t{i}" for i in range(len(probabilities))), probabilities, oos)


def test_decision_rules(kb: KnowledgeBase) -> None:
    normalizer = Normalizer(Vocabulary.load())
    m = TopicMatcher(train_topic_model(kb, normalizer), SearchIndex(kb, normalizer))
    d = Decision(answer=0.3, ratio=2.0, clarify=0.4, out_of_scope=0.3)
    assert m.decide(_scored(0.5, 0.2, 0.1), d).action == "answer"  # likely enough and twice the next
    assert m.decide(_scored(0.5, 0.3, 0.1), d).action == "clarify"  # too close to the second
    assert m.decide(_scored(0.15, 0.1, 0.1), d).action == "fallback"  # top three together not plausible
    assert m.decide(_scored(0.2, 0.15, 0.1, oos=0.5), d).action == "fallback"
    assert m.decide(_scored(0.35, 0.1, 0.05, oos=0.4), d).action == "fallback"  # out of scope wins
    answered = m.decide(_scored(0.6, 0.1, 0.05), d)
    assert answered.topic == "t0"
    assert [c.score for c in answered.candidates] == [60.0, 10.0, 5.0]
