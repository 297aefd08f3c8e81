"""``python -m bot.i18n.check LOCALE_DIR``: fail when a catalog is out of step with the code (compared with
a freshly extracted ``messages.pot``) or a Dutch translation is missing or fuzzy.

English msgids are the source text, so an empty English ``msgstr`` is fine (it falls back to the msgid).
Pitfall: ``pybabel update --check`` also compares the POT creation date, so it fails whenever the minute
changes between extract and check; this compares the messages only.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po

REQUIRED = ("nl",)
LANGUAGES = ("nl", "en")


def _ids(path: Path) -> set[str]:
    with path.open("rb") as fh:
        catalog = read_po(fh)
    return {str(m.id[0] if isinstance(m.id, (tuple, list)) else m.id) for m in catalog if m.id}


def out_of_step(locale_dir: Path, lang: str) -> tuple[set[str], set[str]]:
    """(msgids in the code but not in the catalog, msgids in the catalog no longer in the code)."""
    template = _ids(locale_dir / "messages.pot")
    catalog = _ids(locale_dir / lang / "LC_MESSAGES" / "messages.po")
    return template - catalog, catalog - template


def missing_translations(locale_dir: Path, lang: str) -> list[str]:
    with (locale_dir / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        raw = message.string
        strings = list(raw) if isinstance(raw, (tuple, list)) else [raw or ""]
        if message.fuzzy or not all(str(s).strip() for s in strings):
            msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
            problems.append(str(msgid))
    return problems


def main(argv: list[str]) -> int:
    locale_dir = Path(argv[1] if len(argv) > 1 else "bot/i18n/locales")
    failed = False
    if (locale_dir / "messages.pot").exists():
        for lang in LANGUAGES:
            missing, obsolete = out_of_step(locale_dir, lang)
            for msgid in sorted(missing | obsolete):
                failed = True
                state = "not in the catalog" if msgid in missing else "no longer in the code"
                print(f"{locale_dir}/{lang}/LC_MESSAGES/messages.po: {state}: {msgid[:80]!r}")
    for lang in REQUIRED:
        for msgid in missing_translations(locale_dir, lang):
            failed = True
            print(f"{locale_dir}/{lang}/LC_MESSAGES/messages.po: no translation for: {msgid[:80]!r}")
    if failed:
        print("Run 'make i18n' and translate the Dutch entries.")
        return 1
    print("Catalogs complete.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
