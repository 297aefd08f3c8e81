"""Search behaviour: normalisation, misspellings, compounds, the out-of-scope class, and the decision rule."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.base import load_knowledge_base
from knowledge.normalize import Normalizer, Vocabulary, fold, search_fold
from knowledge.search import OUT_OF_SCOPE, Features, SearchIndex, Thresholds, Weights


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer(Vocabulary.load())


@pytest.fixture(scope="module")
def index(normalizer: Normalizer) -> SearchIndex:
    return SearchIndex(load_knowledge_base(), normalizer)


def test_fold_removes_case_accents_apostrophes_and_long_repeats() -> None:
    assert search_fold("Suïcidale GEDACHTEN") == "suicidale gedachten"
    assert search_fold("'t Harde") == "t harde"
    assert search_fold("hellooooo") == "helloo"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ik wil d\u200bood", "ik wil dood"),  # zero-width space
        ("zelf\u00admoord", "zelfmoord"),  # soft hyphen
        ("\u202ehelp\u202c \ufeffnu\u2060", "help nu"),  # bidi override, BOM, word joiner
        ("ik wil d\u043e\u043ed", "ik wil dood"),  # Cyrillic o
        ("\u0391\u0392\u0421 \u0440\u0430\u0440\u0430 \u03bd\u03bf\u03c1", "abc papa vop"),  # Greek, Cyrillic
        ("\uff28\uff25\uff2c\uff30 \uff18\uff10\uff18\uff11", "help 8081"),  # full-width
        ("\u0668\u0660\u0668\u0661 \u06f8\u06f0", "8081 80"),  # Arabic-Indic and extended digits
        ("Suïcidale  GEDACHTEN\n\t\u00a0nu", "suicidale gedachten nu"),
        ("m\u2019n \u201cvriend\u201d can\u00b4t", "m'n \"vriend\" can't"),  # apostrophes and quotes unified
        ("\u0000a\u0007b", "ab"),  # other control characters
    ],
)
def test_fold_is_the_shared_first_stage(raw: str, expected: str) -> None:
    assert fold(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ik heb op een link in een sms geklikt",
        "mijn instagram account is gehackt",
        "someone took over my instagram account",
        "wietplantage in de schuur van de buren",
    ],
)
def test_disguised_questions_find_the_same_topic(index: SearchIndex, text: str) -> None:
    clean = index.search(text)
    assert clean.topic is not None
    zero_width = "\u200b".join(text[i : i + 3] for i in range(0, len(text), 3))  # split inside the words
    look_alike = text.replace("o", "\u043e").replace("a", "\u0430")  # Cyrillic o and a
    assert index.search(zero_width).topic == clean.topic
    assert index.search(look_alike).topic == clean.topic


@pytest.mark.parametrize("variant", ["whatsap", "watsapp", "WhatsApp", "whats app", "Whatsaap"])
def test_whatsapp_misspellings_become_one_token(normalizer: Normalizer, variant: str) -> None:
    assert normalizer.tokens(f"bericht via {variant}") == normalizer.tokens("bericht via whatsapp")


def test_synonyms_match_across_languages_and_by_stem(normalizer: Normalizer) -> None:
    assert "hack" in normalizer.tokens("mijn account is gehackt")
    assert "hack" in normalizer.tokens("my account was hacked")
    assert "kind" in normalizer.tokens("worried about teenagers")  # plural of a synonym, found by stem


def test_longest_synonym_phrase_wins(normalizer: Normalizer) -> None:
    assert normalizer.tokens("politie geen spoed") == ["politie", "geenspoed"]


def test_stopwords_are_dropped_but_numbers_kept(normalizer: Normalizer) -> None:
    tokens = normalizer.tokens("wat moet ik doen met de 8161")
    assert "wat" not in tokens
    assert "8161" in tokens


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("ik heb op een link geklikt in een sms van de bank", "phishing"),
        ("mijn dochter vraagt via een nieuw nummer om geld", "friend-in-need-fraud"),
        ("iemand van de bank belde en ik moest mijn geld naar een veilige rekening overmaken", "bank-helpdesk-fraud"),
        ("someone took over my instagram account", "account-hacked"),
        ("wietplantage in de schuur van de buren", "drug-lab-signals"),
        ("hangjongeren bij de speeltuin elke avond", "youth-nuisance"),
    ],
)
def test_typical_questions_are_answered_with_their_topic(index: SearchIndex, text: str, topic: str) -> None:
    result = index.search(text)
    assert result.action == "answer"
    assert result.topic == topic


def test_misspelt_and_compound_words_still_find_the_topic(index: SearchIndex) -> None:
    assert index.search("pishing mail van de rabo").candidates[0].topic == "phishing"
    assert "criminal-exploitation" in [c.topic for c in index.search("mijn zoon is drugskoerier").candidates[:3]]


@pytest.mark.parametrize(
    "text",
    ["wanneer wordt het grofvuil opgehaald", "paspoort verlengen", "wat is de hoofdstad van frankrijk", "qwerty"],
)
def test_off_topic_questions_fall_back(index: SearchIndex, text: str) -> None:
    result = index.search(text)
    assert result.action == "fallback"
    assert result.topic is None
    assert all(c.topic != OUT_OF_SCOPE for c in result.candidates)


def test_empty_or_stopword_only_message_falls_back(index: SearchIndex) -> None:
    assert index.search("").action == "fallback"
    assert index.search("de het een").action == "fallback"


def test_candidates_are_sorted_scored_and_limited(index: SearchIndex) -> None:
    result = index.search("oplichting")
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert len(result.candidates) <= 5
    assert all(0 <= s <= 100 for s in scores)


def _features(index: SearchIndex, scores: list[float]) -> Features:
    """Features whose combined score (coverage weight 1) equals ``scores`` for the first topics."""
    n = len(scores)
    zeros = np.zeros(n)
    return Features(np.arange(n), zeros, zeros, zeros, np.array(scores) / 100.0)


@pytest.mark.parametrize(
    ("scores", "action"),
    [
        ([60.0, 50.0], "answer"),
        ([60.0, 57.0], "clarify"),
        ([45.0, 34.0], "clarify"),
        ([45.0, 20.0], "answer"),  # below the answer score, but a clear lead
        ([15.0, 5.0], "fallback"),
    ],
)
def test_decision_rule(index: SearchIndex, scores: list[float], action: str) -> None:
    only_coverage = Weights(topic_cos=0, doc_cos=0, fuzzy=0, coverage=1)
    th = Thresholds(answer=50, margin=5, clarify=20, lead=20)
    result = index.decide(_features(index, scores), weights=only_coverage, thresholds=th)
    assert result.action == action
    assert result.candidates[0].topic == index.topic_ids[0]
    assert (result.topic == index.topic_ids[0]) == (action == "answer")


def test_out_of_scope_class_wins_means_fallback(index: SearchIndex) -> None:
    oos = index.topic_ids.index(OUT_OF_SCOPE)
    zeros = np.zeros(2)
    f = Features(np.array([oos, 0]), zeros, zeros, zeros, np.array([0.9, 0.6]))
    result = index.decide(f, weights=Weights(0, 0, 0, 1))
    assert result.action == "fallback"
    assert [c.topic for c in result.candidates] == [index.topic_ids[0]]


def test_presorted_documents_score_exactly_as_token_sort_ratio(index: SearchIndex) -> None:
    """The fuzzy feature compares token-sorted strings with ``fuzz.ratio`` (the documents sorted once); that
    must be ``fuzz.token_sort_ratio`` of the plain strings, for every document and all sample questions."""
    from rapidfuzz import fuzz, process

    from knowledge.search import _token_sorted

    kb = load_knowledge_base()
    questions = [q for topic in kb.topics.values() for q in topic.lang("nl").questions][:40]
    docs = index._doc_text
    for question in questions:
        query = " ".join(dict.fromkeys(index.normalizer.tokens(question)))
        plain = process.cdist([query], docs, scorer=fuzz.token_sort_ratio, dtype=np.float32, workers=1)[0]
        fast = process.cdist([_token_sorted(query)], index._doc_sorted, scorer=fuzz.ratio, dtype=np.float32, workers=1)[
            0
        ]
        assert np.array_equal(plain, fast)
