"""Callback data codecs: every button the handlers build fits Telegram's 64 bytes and decodes to itself;
anything else (other kinds, disallowed values, forged or too long data) decodes to ``None``."""

from __future__ import annotations

import pytest

from bot.i18n.catalogs import SUPPORTED_LANGUAGES
from bot.reports.drafts import CATEGORIES
from bot.triage.rules import Urgency
from handlers.callbacks import (
    KINDS,
    MAX_BYTES,
    REPORT_STEP_VALUES,
    RESIDENT_ACTIONS,
    STAFF_ACTIONS,
    STATUS_CODES,
    THEMES,
    CallbackData,
    CrisisHelpPress,
    DeletePress,
    FeedbackPress,
    LanguagePress,
    MenuPress,
    MorePress,
    NoneOfThesePress,
    ReportPress,
    ReportStepPress,
    ResidentPress,
    StaffPress,
    ThemePress,
    TopicPress,
    decode_any,
    is_report_kind,
    report_step,
)
from handlers.resident.menus import THEME_LABELS
from knowledge.base import load_knowledge_base
from knowledge.municipalities import load_municipalities


def all_presses() -> list[CallbackData]:
    """One of every kind and value the handlers build, topics and reports with every real id."""
    kb = load_knowledge_base()
    return [
        *(LanguagePress(lang) for lang in SUPPORTED_LANGUAGES),
        *(ThemePress(theme) for theme in THEMES),
        *(TopicPress(topic) for topic in kb.topics),
        *(FeedbackPress(topic, helpful=helpful) for topic in kb.topics for helpful in (True, False)),
        *(MorePress(topic) for topic in kb.topics),
        *(CrisisHelpPress(urgency) for urgency in Urgency),
        *(ReportPress(t.report) for t in kb.topics.values() if t.report),
        ReportPress(),
        MenuPress(),
        NoneOfThesePress(),
        DeletePress(confirmed=True),
        DeletePress(confirmed=False),
        *(ReportStepPress(step, value) for step, values in REPORT_STEP_VALUES.items() for value in sorted(values)),
        # Report ids up to 12 digits, every status, the longest argument (a partner or municipality id).
        *(StaffPress(a, 999_999_999_999, s, "veilig-thuis") for a in STAFF_ACTIONS for s in STATUS_CODES),
        *(StaffPress(a, 1, s) for a in STAFF_ACTIONS for s in STATUS_CODES),
        *(ResidentPress(a, 999_999_999_999) for a in RESIDENT_ACTIONS),
    ]


@pytest.mark.parametrize(
    "data",
    [
        "s1:take:0:n",
        "s1:take:12:z",
        "s1:fly:12:n",
        "s1:take:-3:n",
        "s1:take:12",
        "s2:take:12:n",
        "s1:to:12:n:A B",
        "m1:answer:x",
        "m1:steal:4",
        "m1:up:4:5",
    ],
)
def test_forged_staff_and_resident_data_decodes_to_nothing(data: str) -> None:
    assert decode_any(data) is None


def test_every_button_fits_and_decodes_to_itself() -> None:
    presses = all_presses()
    assert {type(p) for p in presses} == set(KINDS)
    for press in presses:
        data = press.encode()
        assert len(data.encode()) <= MAX_BYTES, data
        assert type(press).decode(data) == press, data
        assert decode_any(data) == press, data
        assert type(press).matches(data)


def test_wire_formats_are_unchanged() -> None:
    """Buttons already sent to residents keep working after an upgrade."""
    assert LanguagePress("en").encode() == "lang:en"
    assert ThemePress("digital").encode() == "theme:digital"
    assert TopicPress("phishing").encode() == "topic:phishing"
    assert FeedbackPress("phishing", helpful=False).encode() == "fb:phishing:0"
    assert ReportPress("youth-nuisance").encode() == "rep:youth-nuisance"
    assert ReportPress().encode() == "rep:-"
    assert (MenuPress().encode(), NoneOfThesePress().encode()) == ("menu", "none")
    assert DeletePress(confirmed=True).encode() == "del:yes"
    assert ReportStepPress("sum", "send").encode() == "r:sum:send"


def test_new_kinds_wire_formats() -> None:
    assert MorePress("phishing").encode() == "more:phishing"
    assert CrisisHelpPress(Urgency.SUICIDE).encode() == "help:suicide"
    assert CrisisHelpPress.decode("help:abuse") == CrisisHelpPress(Urgency.ABUSE)
    assert ReportStepPress("crisis", "yes").encode() == "r:crisis:yes"
    assert report_step("crisis")("r:crisis:no")


def test_theme_codec_knows_every_theme_of_the_menu() -> None:
    assert set(THEMES) == set(THEME_LABELS)


def test_municipality_and_category_values_are_the_real_ones() -> None:
    ids = {m.id for m in load_municipalities().municipalities}
    assert REPORT_STEP_VALUES["mun"] == {*ids, "all"}
    assert REPORT_STEP_VALUES["cat"] == set(CATEGORIES)


@pytest.mark.parametrize(
    "data",
    [
        None,
        42,
        "",
        "garbage",
        "x" * 70,
        "menu:",
        "menu:x",
        "none:1",
        "lang:de",
        "lang:",
        "lang:en:x",
        "theme:sports",
        "topic:",
        "topic:Phishing",
        "topic:a b",
        "fb:phishing",
        "fb:phishing:2",
        "rep:bogus",
        "rep:",
        "del:maybe",
        "r:sum",
        "r:sum:sendnow",
        "r:cat:bogus",
        "r:mun:amsterdam",
        "r:bogus:send",
        "r:sum:send:x",
        "r::send",
        "more:",
        "more:Phishing",
        "more:phishing:1",
        "help:",
        "help:fire",
        "help:SUICIDE",
        "help:suicide:now",
        "r:crisis:maybe",
    ],
)
def test_invalid_data_decodes_to_none(data: object) -> None:
    assert decode_any(data) is None
    for kind in KINDS:
        assert kind.decode(data) is None
        assert not kind.matches(data)


def test_decode_refuses_more_than_64_bytes_even_of_a_valid_shape() -> None:
    assert TopicPress.decode("topic:" + "x" * 58) == TopicPress("x" * 58)  # exactly 64 bytes
    assert TopicPress.decode("topic:" + "x" * 59) is None


def test_building_an_invalid_button_raises() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        TopicPress("x" * 59)
    with pytest.raises(ValueError, match="invalid callback data"):
        ReportStepPress("sum", "bogus")
    with pytest.raises(ValueError, match="invalid callback data"):
        ReportPress("bogus")
    with pytest.raises(ValueError, match="invalid callback data"):
        TopicPress("has:colon")
    with pytest.raises(ValueError, match="invalid callback data"):
        LanguagePress("de")  # type: ignore[arg-type]


def test_report_step_matches_only_valid_presses_of_that_step() -> None:
    at_summary = report_step("sum")
    assert at_summary("r:sum:send")
    assert not at_summary("r:cat:youth-nuisance")
    assert not at_summary("r:sum:bogus")
    assert not at_summary("garbage")


def test_report_kinds_are_recognised_valid_or_not() -> None:
    """The report conversation's fallback answers these; everything else goes to the app's catch-all."""
    for data in ("rep:bogus", "rep:-", "r:sum:send", "r:whatever", "r"):
        assert is_report_kind(data), data
    for data in ("garbage", "report", "topic:phishing", "x" * 70, None):
        assert not is_report_kind(data), data
