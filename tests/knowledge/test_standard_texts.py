"""Standard texts (knowledge/data/standard-texts.yaml): the shipped file is complete, and ``kb check`` catches a
missing language, category or action, invalid Telegram HTML, unknown fields, numbers that are not helplines'
and a resident message longer than one Telegram message."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.i18n.catalogs import Catalogs
from bot.workflow.engine import resident_message
from bot.workflow.transitions import Action
from knowledge.base import DATA_DIR, ContentError, load_knowledge_base
from knowledge.check import check_knowledge_base, check_texts, report_categories
from knowledge.standard_texts import (
    FILE_NAME,
    TEXT_ACTIONS,
    StandardTexts,
    load_standard_texts,
    telegram_html_problems,
    visible_length,
)


def _phones() -> list[str]:
    return [h.phone for h in load_knowledge_base().helplines.values() if h.phone]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the content whose standard texts a test may change."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(data: Path, change: Any) -> list[str]:
    path = data / FILE_NAME
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return check_texts(data, _phones())


def _first_close(raw: dict[str, Any]) -> dict[str, str]:
    text: dict[str, str] = raw["categories"]["youth-nuisance"]["close"][0]
    return text


def test_every_category_has_every_action_in_both_languages() -> None:
    texts = load_standard_texts()
    assert set(texts.categories) == set(report_categories())
    for category in report_categories():
        for action in TEXT_ACTIONS:
            choices = texts.choices(category, action)
            assert choices and all(t.nl and t.en and t.nl != t.en for t in choices), (category, action)
    assert check_texts(DATA_DIR, _phones()) == []


def test_a_missing_language_is_an_error_naming_the_field(data: Path) -> None:
    errors = _edit(data, lambda raw: _first_close(raw).pop("en"))
    assert any("categories.youth-nuisance.close.0.en" in e and "required" in e for e in errors), errors
    with pytest.raises(ContentError):
        load_standard_texts(data)


def test_a_missing_action_or_category_is_an_error(data: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["categories"]["online-scam-signal"]["message"] = []
        del raw["categories"]["undermining-signal"]

    errors = _edit(data, change)
    assert any("categories.online-scam-signal.message: no text" in e for e in errors), errors
    assert any("categories.undermining-signal: missing" in e for e in errors), errors


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("Kijk <p>hier</p>.", "<p> is not a tag"),
        ("Dit is <b>belangrijk.", "<b> is never closed"),
        ("Dit is <b><i>fout</b></i>.", "does not match"),
        ("Jan & Piet", "bare &"),
        ("Regel<br/>twee", "self-closing"),
        ('<a title="x" href="https://politie.nl">politie</a>', "attribute 'title'"),
        ("3 < 4", "bare <"),
    ],
)
def test_invalid_telegram_html_is_an_error(data: Path, html: str, problem: str) -> None:
    errors = _edit(data, lambda raw: _first_close(raw).update(nl=html))
    assert any("youth-nuisance.close.0" in e and ".nl: invalid Telegram HTML" in e and problem in e for e in errors), (
        errors
    )


def test_the_html_telegram_accepts_passes() -> None:
    ok = '<b>Let op</b>: <i>bel</i> <a href="https://politie.nl">politie.nl</a> &amp; <code>HEE-7K3Q</code> &lt;3'
    assert telegram_html_problems(ok) == []


def test_a_text_too_long_for_one_message_after_rendering_is_an_error(data: Path) -> None:
    # 4,050 visible characters fit alone, but not with the bot's heading and the 👍/👎 question around them.
    long = "Bedankt voor je melding. " * 162
    assert len(long) == 4050
    errors = _edit(data, lambda raw: _first_close(raw).update(nl=long))
    assert any("youth-nuisance.close.0" in e and "more than one Telegram message (4096)" in e for e in errors), errors
    # The boundary, with the fields filled with the longest reference and municipality name.
    t = Catalogs().get("nl")
    frame, _ = resident_message(t, Action.CLOSE, municipality="Oldebroek", reference="HEE-WWWW", body="", report_id=1)
    room = 4096 - visible_length(frame) - len("HEE-WWWW Oldebroek")
    fits = "x" * room + "{reference} {municipality}"
    errors = _edit(data, lambda raw: _first_close(raw).update(nl=fits))
    assert not any("more than one Telegram message (4096)" in e for e in errors), errors
    errors = _edit(data, lambda raw: _first_close(raw).update(nl="x" + fits))
    assert any("is 4097 characters, more than one Telegram message" in e for e in errors), errors


def test_unknown_fields_and_phone_numbers_that_are_not_helplines_are_errors(data: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        _first_close(raw).update(nl="Beste {naam}, bedankt.", en="Call us on 0578-123456.")

    errors = _edit(data, change)
    assert any("close.0 (jongerenwerk).nl: unknown field {naam}" in e for e in errors), errors
    assert any(".en: phone number '0578-123456' is not in helplines.yaml" in e for e in errors), errors


def test_kb_check_includes_the_standard_texts(data: Path) -> None:
    _edit(data, lambda raw: _first_close(raw).update(en="<u>unclosed"))
    errors, _ = check_knowledge_base(data)
    assert any(FILE_NAME in e and "<u> is never closed" in e for e in errors), errors


def test_render_fills_the_fields_for_the_residents_language() -> None:
    texts = load_standard_texts()
    message = next(t for t in texts.choices("youth-nuisance", "message") if "{reference}" in t.nl)
    dutch = StandardTexts.render(message, "nl", reference="HEE-7K3Q", municipality="Heerde")
    english = StandardTexts.render(message, "en", reference="HEE-7K3Q", municipality="Heerde")
    assert "HEE-7K3Q" in dutch and "HEE-7K3Q" in english and dutch != english


def test_too_many_texts_to_choose_from_in_one_message_is_an_error(data: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        texts = raw["categories"]["youth-nuisance"]["question"]
        texts += [{"id": f"extra-{i}", "nl": "Een vraag? " * 90, "en": "A question? " * 80} for i in range(4)]

    errors = _edit(data, change)
    assert any("categories.youth-nuisance.question: the texts staff choose from are" in e for e in errors), errors
