"""``veiligbot kb check``: the real content is clean, and each rule catches what it should."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from knowledge.base import DATA_DIR, load_knowledge_base
from knowledge.check import check_knowledge_base
from tests.conftest import SHARED, needs_shared


def test_real_content_is_clean() -> None:
    errors, warnings = check_knowledge_base()
    assert errors == []
    # Dated sources past 12 months are editors' to-dos (README, "For content editors"), never shown to residents.
    assert [w for w in warnings if ".as_of:" not in w] == []


def test_all_35_topics_and_every_language_present() -> None:
    kb = load_knowledge_base()
    assert len(kb.topics) == 35
    for topic in kb.topics.values():
        assert len(topic.nl.questions) >= 10
        assert len(topic.en.questions) >= 5


@needs_shared("spec/topics.yaml")
def test_bundled_spec_equals_the_shared_contract() -> None:
    assert (DATA_DIR / "spec-topics.yaml").read_text() == (SHARED / "spec/topics.yaml").read_text()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, change: dict[str, object]) -> None:
    raw = yaml.safe_load(path.read_text())
    raw.update(change)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))


def test_missing_topic_is_an_error(data: Path) -> None:
    (data / "topics/phishing.yaml").unlink()
    errors, _ = check_knowledge_base(data)
    assert any("phishing.yaml: missing" in e for e in errors)


def test_unknown_helpline_and_wrong_report_category(data: Path) -> None:
    _edit(data / "topics/sextortion.yaml", {"helplines": ["no-such-line"], "report": "youth-nuisance"})
    errors, _ = check_knowledge_base(data)
    assert any("sextortion.yaml: helplines: unknown helpline 'no-such-line'" in e for e in errors)
    assert any("sextortion.yaml: report:" in e for e in errors)


def test_question_under_two_topics(data: Path) -> None:
    phishing = yaml.safe_load((data / "topics/phishing.yaml").read_text())
    raw = yaml.safe_load((data / "topics/sextortion.yaml").read_text())
    raw["nl"]["questions"].append(phishing["nl"]["questions"][0])
    (data / "topics/sextortion.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    errors, _ = check_knowledge_base(data)
    assert any("also appears under" in e for e in errors)


def test_answer_too_long_for_one_message(data: Path) -> None:
    raw = yaml.safe_load((data / "topics/phishing.yaml").read_text())
    raw["en"]["steps"] = ["x" * 900] * 5
    (data / "topics/phishing.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    errors, _ = check_knowledge_base(data)
    assert any("phishing.yaml: en: rendered answer is" in e for e in errors)


def test_schema_error_names_file_and_field(data: Path) -> None:
    raw = yaml.safe_load((data / "topics/phishing.yaml").read_text())
    del raw["nl"]["title"]
    (data / "topics/phishing.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    errors, _ = check_knowledge_base(data)
    assert any("phishing.yaml: nl.title" in e for e in errors)


def test_old_reviews_warn(data: Path) -> None:
    _, warnings = check_knowledge_base(data, today=dt.date(2028, 1, 1))
    assert any("more than 12 months ago" in w for w in warnings)


def test_synonym_in_two_groups_is_an_error(data: Path) -> None:
    path = data / "synonyms.yaml"
    path.write_text(path.read_text() + "  dubbel: [nepmail]\n")
    errors, _ = check_knowledge_base(data)
    assert any("synonyms.yaml" in e and "nepmail" in e for e in errors)


def test_duplicate_yaml_key_is_an_error(data: Path) -> None:
    path = data / "topics/phishing.yaml"
    path.write_text(path.read_text() + "theme: youth\n")
    errors, _ = check_knowledge_base(data)
    assert any("phishing.yaml" in e and "duplicate key 'theme'" in e for e in errors)


def test_triage_rules_that_do_not_load_are_errors(data: Path) -> None:
    path = data / "triage/cues.yaml"
    text = path.read_text()
    assert "'\\b{WEAPON}\\b'" in text
    path.write_text(text.replace("'\\b{WEAPON}\\b'", "'\\b{WAEPON}\\b'", 1))
    errors, _ = check_knowledge_base(data)
    assert f"{path}: weapon+threat: unknown fragment {{WAEPON}}" in errors


def test_triage_example_that_does_not_fire_is_an_error(data: Path) -> None:
    path = data / "triage/cues.yaml"
    text = path.read_text()
    assert "examples: [ik wil dood, i want to die]" in text
    path.write_text(text.replace("examples: [ik wil dood, i want to die]", "examples: [ik wil slapen]"))
    guards = data / "triage/guards.yaml"
    guards.write_text(guards.read_text().replace("examples: [mijn zoon is vaak weg]", "examples: [mijn zoon is weg]"))
    errors, _ = check_knowledge_base(data)
    assert f"{path}: wants to die: example 'ik wil slapen' does not trigger the cue" in errors
    assert f"{guards}: often away: example 'mijn zoon is weg' does not trigger the cue" in errors


def test_unused_triage_fragment_warns(data: Path) -> None:
    path = data / "triage/fragments.yaml"
    path.write_text(path.read_text() + "  SPARE:\n    pattern:\n      words: [reserve]\n")
    errors, warnings = check_knowledge_base(data)
    assert errors == []
    assert [w for w in warnings if ".as_of:" not in w] == [f"{path}: SPARE: fragment is not used by any cue"]


def test_training_text_with_an_unknown_topic_is_an_error(data: Path) -> None:
    with (data / "training/questions-digital.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"text": "iets over een onbekend onderwerp", "topic": "no-such-topic"}\n')
    errors, _ = check_knowledge_base(data)
    assert any("training" in e and "unknown topic 'no-such-topic'" in e for e in errors)


def test_malformed_training_line_names_file_and_line(data: Path) -> None:
    (data / "training/broken.jsonl").write_text('{"text": "zonder onderwerp"}\n', encoding="utf-8")
    errors, _ = check_knowledge_base(data)
    assert any("broken.jsonl:1" in e for e in errors)


def test_bad_crisis_examples_are_errors(data: Path) -> None:
    (data / "triage/examples-broken.jsonl").write_text(
        '{"text": "mijn fiets is gestolen", "label": "theft", "lang": "nl"}\n'
        '{"text": "mijn buurman maakt herrie", "label": "none"}\n'
        '{"text": "Ik Wil  niet meer leven", "label": "suicide", "lang": "nl"}\n'
        "not json\n",
        encoding="utf-8",
    )
    (data / "triage/examples-other.jsonl").write_text(
        '{"text": "ik wil niet meer leven", "label": "none", "lang": "nl"}\n', encoding="utf-8"
    )
    errors, _ = check_knowledge_base(data)
    assert any("examples-broken.jsonl:1" in e and "label 'theft'" in e for e in errors)
    assert any("examples-broken.jsonl:2" in e and "fields" in e for e in errors)
    assert any("examples-broken.jsonl:4" in e and "not JSON" in e for e in errors)
    assert any("examples-other.jsonl:1" in e and "examples-broken.jsonl:3" in e for e in errors)


def test_deadlines_without_a_category_are_an_error(data: Path) -> None:
    path = data / "deadlines.yaml"
    raw = yaml.safe_load(path.read_text())
    del raw["categories"]["youth-nuisance"]
    path.write_text(yaml.safe_dump(raw))
    errors, _ = check_knowledge_base(data)
    assert any("deadlines.yaml" in e and "youth-nuisance" in e for e in errors)
