"""Languages: gettext catalogs (nl, en) and the choice of a resident's language.

Pitfalls:
- The catalogs are read from the ``.po`` files at start-up (tens of milliseconds), so an installed wheel or a
  fresh clone needs no compile step and can never run on a stale ``.mo``. Fuzzy and empty entries are left out,
  as ``pybabel compile`` would (an empty English ``msgstr`` shows the English msgid).
- A missing Dutch catalog would show English msgids to Dutch residents: :class:`Catalogs` refuses to start.
- Never translate at import time (module-level constants): the language is known per update only. Mark
  strings that must be defined early with :func:`N_` and translate them where they are shown.
- msgids are English; ``nl`` must be complete (``make test`` fails on an empty Dutch ``msgstr``).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

Lang = Literal["nl", "en"]
SUPPORTED_LANGUAGES: Final[tuple[Lang, ...]] = ("nl", "en")
LOCALE_DIR: Final = Path(__file__).parent / "locales"
DOMAIN: Final = "messages"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def as_lang(code: str | None) -> Lang | None:
    """Map a stored choice or a Telegram ``language_code`` ("nl-BE", "en_GB", ...) to a language."""
    if not code:
        return None
    base = code.replace("_", "-").split("-", 1)[0].lower()
    if base == "nl":
        return "nl"
    if base == "en":
        return "en"
    return None


def pick_language(stored: str | None, telegram_code: str | None, default: str = "nl") -> Lang:
    """The resident's language: their stored choice, else Telegram's, else the default (Dutch)."""
    return as_lang(stored) or as_lang(telegram_code) or as_lang(default) or "nl"


@dataclass(frozen=True, slots=True)
class Translator:
    """Gettext for one language, plus locale-aware formatting."""

    lang: Lang
    translations: NullTranslations
    tz: ZoneInfo

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return str(self.translations.pgettext(context, message))

    def datetime(self, when: dt.datetime) -> str:
        """Format an aware UTC datetime in local time, e.g. "26 nov 2026 14:05"."""
        return format_datetime(when, "d MMM yyyy HH:mm", tzinfo=self.tz, locale=self.lang)


def load_translations(locale_dir: Path, lang: Lang) -> NullTranslations:
    """The ``lang`` catalog from its ``.po`` file, compiled in memory; ``NullTranslations`` if there is none."""
    path = locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


class Catalogs:
    """The catalogs, loaded once at start-up from the ``.po`` files."""

    def __init__(self, locale_dir: Path = LOCALE_DIR, timezone: str = "Europe/Amsterdam") -> None:
        tz = ZoneInfo(timezone)
        self._translators: dict[Lang, Translator] = {}
        for lang in SUPPORTED_LANGUAGES:
            translations = load_translations(locale_dir, lang)
            if lang != "en" and not isinstance(translations, Translations):
                raise RuntimeError(f"No '{lang}' catalog (messages.po) under {locale_dir}; run 'make i18n'.")
            self._translators[lang] = Translator(lang, translations, tz)

    def get(self, lang: Lang) -> Translator:
        return self._translators[lang]
