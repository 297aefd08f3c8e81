"""Answers for a phone: a first screen of about 700 characters, the rest behind "More", crisis helplines never
behind it, and what to do first right under the title; ``kb check`` guards the ``first`` field and the first
screen."""

from __future__ import annotations

import shutil
from html import escape
from pathlib import Path

import pytest
import yaml

from knowledge.base import DATA_DIR, KnowledgeBase, load_knowledge_base
from knowledge.check import check_knowledge_base
from knowledge.render import CRISIS_HELPLINES, FIRST_SCREEN, render_answer, render_topic, visible_length
from knowledge.schema import LANGUAGES, Language


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def _identity(message: str) -> str:
    return message


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_first_screen_fits_and_nothing_is_lost(kb: KnowledgeBase, lang: Language) -> None:
    for topic in kb.topics.values():
        answer = render_answer(topic, kb, lang, _identity)
        content = topic.lang(lang)
        assert visible_length(answer.first) <= FIRST_SCREEN, topic.id
        assert answer.first.startswith(f"<b>{escape(content.title)}</b>"), topic.id
        both = answer.first + "\n" + (answer.rest or "")
        for i, step in enumerate(content.steps, start=1):
            assert f"{i}. {escape(step)}" in both, (topic.id, i)
        assert "1. " in answer.first, topic.id  # at least the first step is on the first screen
        for helpline in topic.helplines:
            name = escape(kb.helplines[helpline].name.get(lang))
            assert both.count(f"<b>{name}</b>") == 1, (topic.id, helpline)
        for link in topic.links:
            assert escape(str(link.url), quote=True) in (answer.rest or answer.first), topic.id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_crisis_helplines_are_always_on_the_first_screen(kb: KnowledgeBase, lang: Language) -> None:
    checked = 0
    for topic in kb.topics.values():
        answer = render_answer(topic, kb, lang, _identity)
        for helpline in set(topic.helplines) & CRISIS_HELPLINES:
            name = escape(kb.helplines[helpline].name.get(lang))
            assert f"<b>{name}</b>" in answer.first, (topic.id, helpline)
            assert f"<b>{name}</b>" not in (answer.rest or ""), (topic.id, helpline)
            checked += 1
    assert checked >= 5  # suicidal thoughts, domestic violence, emergency, sextortion, bank-helpdesk fraud ...
    assert set(kb.helplines) >= CRISIS_HELPLINES


def test_a_short_answer_is_not_split(kb: KnowledgeBase) -> None:
    topic = kb.topics["phishing"]
    answer = render_answer(topic, kb, "nl", _identity, limit=10_000)
    assert answer.rest is None
    assert answer.first == render_topic(topic, kb, "nl", _identity)


def test_the_rest_continues_the_numbering(kb: KnowledgeBase) -> None:
    topic = kb.topics["phishing"]
    answer = render_answer(topic, kb, "en", _identity)
    assert answer.rest is not None
    shown = sum(1 for i in range(1, 7) if f"\n{i}. " in answer.first)
    assert 1 <= shown < len(topic.en.steps)
    assert f"\n{shown + 1}. {escape(topic.en.steps[shown])}" in answer.rest
    assert "\n1. " not in answer.rest


@pytest.mark.parametrize("lang", LANGUAGES)
def test_what_to_do_first_comes_right_after_the_title(kb: KnowledgeBase, lang: Language) -> None:
    topic = kb.topics["friend-in-need-fraud"]
    content = topic.lang(lang)
    assert content.first
    lines = render_answer(topic, kb, lang, _identity).first.splitlines()
    assert lines[0] == f"<b>{escape(content.title)}</b>"
    assert escape(content.first) in lines[1]
    assert lines[2] == escape(content.summary)


# ---- kb check ------------------------------------------------------------------------------------------


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit_phishing(data: Path, lang: str, field: str, value: str | None) -> None:
    path = data / "topics/phishing.yaml"
    raw = yaml.safe_load(path.read_text())
    if value is None:
        del raw[lang][field]
    else:
        raw[lang][field] = value
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))


def test_first_in_one_language_only_is_an_error(data: Path) -> None:
    _edit_phishing(data, "en", "first", None)
    errors, _ = check_knowledge_base(data)
    assert any("phishing.yaml: first: given in one language only" in e for e in errors)


def test_first_too_short_is_a_schema_error(data: Path) -> None:
    _edit_phishing(data, "nl", "first", "Bel!")
    errors, _ = check_knowledge_base(data)
    assert any("phishing.yaml: nl.first" in e for e in errors)


def test_first_screen_too_long_is_an_error(data: Path) -> None:
    _edit_phishing(data, "nl", "summary", "Een lange uitleg. " * 22)  # within its own limit, no room for step 1
    errors, _ = check_knowledge_base(data)
    assert any("phishing.yaml: nl: the first screen" in e for e in errors)


def test_harm_done_topics_say_what_to_do_first_in_both_languages(kb: KnowledgeBase) -> None:
    for topic_id in (
        "phishing",
        "friend-in-need-fraud",
        "bank-helpdesk-fraud",
        "online-shopping-fraud",
        "account-hacked",
        "identity-fraud",
        "sextortion",
    ):
        topic = kb.topics[topic_id]
        assert topic.nl.first and topic.en.first, topic_id
