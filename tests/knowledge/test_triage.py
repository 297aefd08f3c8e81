"""Loading the crisis-triage rules from YAML: fragment expansion, validation, and the matcher on small rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.triage.rules import Triage, Urgency, example_problems
from knowledge.base import ContentError
from knowledge.triage import TRIAGE_DIR, load_triage_rules

FRAGMENTS = """\
fragments:
  PET:
    pattern:
      any_of: [hond, kat]
  HARM:
    pattern:
      words: [slaat, schopt]
  VICTIM:
    pattern: '(?:me|mij|{PET_WORD})'
  PET_WORD:
    pattern: '\\b{PET}\\b'
"""
CUES = """\
cues:
  - id: hits me
    class: abuse
    weight: 2
    why: Someone hits me.
    all_of:
      - '{HARM}'
      - any_of: ['\\bme\\b', words: [mij]]
    unless: '{PET_WORD}'
    examples: [hij slaat me]
    look_alikes: [de hond slaat me met zijn staart]
  - id: fire
    class: emergency
    weight: 1.5
    why: A fire.
    match:
      words: [brand, fire]
    examples: [brand!]
"""
GUARDS = """\
guards:
  - id: question
    class: all
    weight: -1
    why: A question.
    match:
      words: [wat is]
    examples: [wat is brand]
"""
TYPOS = """\
contractions:
  - {pattern: "'t\\\\b", replace: het}
misspellings: {brant: brand}
chat_spelling: {mn: mijn}
fuzzy_targets: [verschrikkelijk]
squeeze_targets: [help]
protected: [verschrikkelijke]
joins: []
"""


def _write(directory: Path, **files: str) -> Path:
    directory.mkdir(exist_ok=True)
    content = {"fragments": FRAGMENTS, "cues": CUES, "guards": GUARDS, "typos": TYPOS, **files}
    for name, text in content.items():
        (directory / f"{name}.yaml").write_text(text, encoding="utf-8")
    return directory


def _errors(directory: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_triage_rules(directory)
    return str(caught.value)


def test_fragments_expand_by_name_and_by_form(tmp_path: Path) -> None:
    rules = load_triage_rules(_write(tmp_path))
    hits, fire = rules.cues[0], rules.cues[1]
    assert hits.patterns == (r"\b(?:slaat|schopt)\b", r"(?:\bme\b|\b(?:mij)\b)")
    assert hits.unless == r"\b(?:hond|kat)\b"
    assert fire.patterns == (r"\b(?:brand|fire)\b",)
    assert (hits.klass, hits.weight, hits.examples) == ("abuse", 2.0, ("hij slaat me",))
    assert rules.cues[2].is_guard and rules.cues[2].classes == ("emergency", "suicide", "abuse")
    assert rules.warnings == (f"{tmp_path / 'fragments.yaml'}: VICTIM: fragment is not used by any cue",)


def test_the_matcher_runs_any_rules_it_is_given(tmp_path: Path) -> None:
    triage = Triage(load_triage_rules(_write(tmp_path)))
    assert triage.classify("hij slaat me") is Urgency.ABUSE
    assert triage.classify("de kat slaat me") is None  # unless
    assert triage.classify("de brant is uit") is Urgency.EMERGENCY  # the misspelling table of these rules
    assert triage.assess("wat is brand").scores == {
        Urgency.EMERGENCY: 0.5,
        Urgency.SUICIDE: -1.0,
        Urgency.ABUSE: -1.0,
    }
    assert triage.normalise("verschrikelijk 't mn") == " verschrikkelijk het mijn "
    assert triage.normalise("verschrikkelijke") == " verschrikkelijke "  # protected
    assert example_problems(triage) == []


def test_unknown_and_circular_references_name_file_and_owner(tmp_path: Path) -> None:
    cues = CUES.replace("'{HARM}'", "'{HARMS}'")
    fragments = FRAGMENTS + "  LOOP_A:\n    pattern: 'a{LOOP_B}'\n  LOOP_B:\n    pattern: 'b{LOOP_A}'\n"
    fragments = fragments.replace("'\\b{PET}\\b'", "'\\b{PET}\\b{LOOP_A}'")
    errors = _errors(_write(tmp_path, cues=cues, fragments=fragments))
    assert f"{tmp_path / 'cues.yaml'}: hits me: unknown fragment {{HARMS}}" in errors
    assert "fragments refer to each other in a circle: LOOP_A -> LOOP_B -> LOOP_A" in errors
    assert len(errors.splitlines()) == len(set(errors.splitlines()))


def test_a_broken_unused_fragment_is_reported_too(tmp_path: Path) -> None:
    errors = _errors(_write(tmp_path, fragments=FRAGMENTS.replace("{PET_WORD})'", "{NOPE})'")))
    assert errors == f"{tmp_path / 'fragments.yaml'}: VICTIM: unknown fragment {{NOPE}}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("class: abuse", "class: abus"), "hits me: class 'abus' is not one of emergency, suicide, abuse"),
        (("weight: 2", "weight: 1.2"), "hits me: weight 1.2 is not a multiple of 0.5"),
        (("weight: 2", "weight: -2"), "hits me: weight -2: a cue weighs above 0 up to 3 (guards.yaml)"),
        (("weight: 2", "weight: 4"), "hits me: weight 4: a cue weighs above 0 up to 3"),
        (("id: fire", "id: hits me"), "hits me: id also used in cues.yaml"),
        (("    why: A fire.\n", ""), "fire.why: Field required"),
        (("words: [brand, fire]", "words: [brand, '(?:fire']"), "fire: pattern does not compile"),
        (("words: [brand, fire]", "words: [Brand, fire]"), "fire: 'B' in 'Brand' can never match"),
        (("words: [brand, fire]", "words: [brand, brand]"), "fire: 'brand' is listed twice"),
        (("    match:\n      words", "    all_of:\n      - words"), "fire.all_of: List should have at least 2"),
        (("    unless: '{PET_WORD}'\n", ""), "hits me: look_alikes need an unless that switches the cue off"),
    ],
)
def test_cue_errors_name_the_file_and_the_cue(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    assert change[0] in CUES
    errors = _errors(_write(tmp_path, cues=CUES.replace(*change)))
    assert f"{tmp_path / 'cues.yaml'}: {message}" in errors, errors


def test_guard_weight_and_class(tmp_path: Path) -> None:
    errors = _errors(_write(tmp_path, guards=GUARDS.replace("weight: -1", "weight: 1")))
    assert f"{tmp_path / 'guards.yaml'}: question: weight 1: a guard weighs from -3 to below 0" in errors
    cues = CUES.replace("class: abuse", "class: all")
    assert "hits me: class 'all' is not one of emergency, suicide, abuse" in _errors(_write(tmp_path, cues=cues))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("misspellings: {brant: brand}", "misspellings: {Brant: brand}"), "misspellings: 'Brant' is not a lower"),
        (("protected: [verschrikkelijke]", "protected: [brant]"), "protected: 'brant' is also a misspelling"),
        (("joins: []", "joins: [{pattern: '(a', replace: b}]"), "joins: '(a' -> 'b': does not compile"),
        (("joins: []", "joins: [{pattern: 'a', replace: '\\1'}]"), "joins: 'a' -> '\\1': bad replacement"),
    ],
)
def test_typo_table_errors(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    assert change[0] in TYPOS
    errors = _errors(_write(tmp_path, typos=TYPOS.replace(*change)))
    assert f"{tmp_path / 'typos.yaml'}: {message}" in errors, errors


def test_examples_are_tried_on_the_matcher(tmp_path: Path) -> None:
    cues = CUES.replace("examples: [brand!]", "examples: [brandweer]").replace(
        "look_alikes: [de hond slaat me met zijn staart]", "look_alikes: [hij slaat me]"
    )
    guards = GUARDS.replace("examples: [wat is brand]", "examples: [wat is brand, brand brand wat is]")
    guards = guards.replace("weight: -1", "weight: -0.5")
    problems = example_problems(Triage(load_triage_rules(_write(tmp_path, cues=cues, guards=guards))))
    assert problems == [
        f"{tmp_path / 'cues.yaml'}: hits me: look-alike 'hij slaat me' is not switched off by unless",
        f"{tmp_path / 'cues.yaml'}: fire: example 'brandweer' does not trigger the cue",
        f"{tmp_path / 'guards.yaml'}: question: example 'wat is brand' is not protected: it is still emergency",
        f"{tmp_path / 'guards.yaml'}: question: example 'brand brand wat is' is not protected: it is still emergency",
    ]


def test_real_rules_have_a_why_and_an_example_for_every_cue() -> None:
    rules = load_triage_rules()
    assert len(rules.cues) > 100
    assert all(cue.why and cue.examples for cue in rules.cues)
    assert all(cue.look_alikes for cue in rules.cues if cue.unless is not None and not cue.is_guard)
    assert {path.name for path in TRIAGE_DIR.glob("*.yaml")} == {
        "fragments.yaml",
        "cues.yaml",
        "guards.yaml",
        "typos.yaml",
    }
    # No stray reference survives expansion.
    assert not any(re.search(r"\{[A-Z]", p) for cue in rules.cues for p in cue.patterns)
