"""Languages: choosing a resident's language, loading catalogs, the Dutch completeness gate, local times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from babel.support import Translations

from bot.i18n.catalogs import LOCALE_DIR, Catalogs, as_lang, pick_language
from bot.i18n.check import missing_translations


@pytest.mark.parametrize(
    ("stored", "telegram", "expected"),
    [
        ("en", "nl", "en"),  # the stored choice beats Telegram's language
        ("nl", "en-GB", "nl"),
        (None, "nl-BE", "nl"),
        (None, "NL", "nl"),
        (None, "en_GB", "en"),
        (None, "en-US", "en"),
        (None, "de", "nl"),
        (None, None, "nl"),
        (None, "", "nl"),
        ("xx", "en", "en"),  # an unusable stored value does not block Telegram's
    ],
)
def test_pick_language(stored: str | None, telegram: str | None, expected: str) -> None:
    assert pick_language(stored, telegram) == expected


def test_pick_language_falls_back_to_the_configured_default() -> None:
    assert pick_language(None, "de", "en") == "en"
    assert pick_language(None, None, "en") == "en"
    assert pick_language(None, "nl", "en") == "nl"


def test_as_lang_only_knows_supported_languages() -> None:
    assert as_lang("fr") is None
    assert as_lang("england") is None  # not a language code with base "en"
    assert as_lang(None) is None


def test_catalogs_load_the_real_dutch_catalog() -> None:
    catalogs = Catalogs()
    nl = catalogs.get("nl")
    assert nl.lang == "nl"
    assert isinstance(nl.translations, Translations)
    assert nl.gettext("Choose your language:") != "Choose your language:"
    assert catalogs.get("en").gettext("Choose your language:") == "Choose your language:"


def test_catalogs_refuse_a_directory_without_catalogs(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"No 'nl' catalog \(messages.po\) under .*make i18n"):
        Catalogs(tmp_path)


def test_catalogs_are_read_from_the_po_files_without_fuzzy_or_empty_entries(tmp_path: Path) -> None:
    """No compile step: an installed wheel has only the .po files. Fuzzy entries are left out, as pybabel
    compile does, and an empty msgstr falls back to the English msgid."""
    for lang, body in {
        "nl": 'msgid "Yes"\nmsgstr "Ja"\n\n#, fuzzy\nmsgid "Maybe"\nmsgstr "Misschien"\n\n'
        'msgid "No"\nmsgstr ""\n\nmsgid "one report"\nmsgid_plural "{n} reports"\n'
        'msgstr[0] "één melding"\nmsgstr[1] "{n} meldingen"\n',
        "en": 'msgid "Yes"\nmsgstr ""\n',
    }.items():
        po = tmp_path / lang / "LC_MESSAGES" / "messages.po"
        po.parent.mkdir(parents=True)
        po.write_text(
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n' + body,
            encoding="utf-8",
        )
    assert not list(tmp_path.rglob("*.mo"))
    catalogs = Catalogs(tmp_path)
    nl = catalogs.get("nl")
    assert (nl.gettext("Yes"), nl.gettext("Maybe"), nl.gettext("No")) == ("Ja", "Maybe", "No")
    assert nl.ngettext("one report", "{n} reports", 1) == "één melding"
    assert nl.ngettext("one report", "{n} reports", 3) == "{n} meldingen"
    assert catalogs.get("en").gettext("Yes") == "Yes"


def test_no_untranslated_dutch() -> None:
    """The gate: every msgid has a non-fuzzy Dutch translation."""
    assert missing_translations(LOCALE_DIR, "nl") == []


def test_missing_translations_finds_empty_and_fuzzy_entries(tmp_path: Path) -> None:
    po = tmp_path / "nl" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Yes"\nmsgstr "Ja"\n\n'
        'msgid "No"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Maybe"\nmsgstr "Misschien"\n\n'
        'msgid "one report"\nmsgid_plural "{n} reports"\nmsgstr[0] "één melding"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    assert missing_translations(tmp_path, "nl") == ["No", "Maybe", "one report"]


def test_datetime_is_shown_in_amsterdam_time() -> None:
    catalogs = Catalogs()
    summer = dt.datetime(2026, 7, 1, 12, 5, tzinfo=dt.UTC)  # CEST, UTC+2
    winter = dt.datetime(2026, 1, 15, 23, 30, tzinfo=dt.UTC)  # CET, UTC+1: already the next day
    assert catalogs.get("en").datetime(summer) == "1 Jul 2026 14:05"
    assert catalogs.get("nl").datetime(summer) == "1 jul 2026 14:05"
    assert catalogs.get("nl").datetime(winter) == "16 jan 2026 00:30"
