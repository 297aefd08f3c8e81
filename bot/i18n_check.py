"""``python -m bot.i18n_check LOCALE_DIR``: fail when a Dutch translation is missing or fuzzy.

English msgids are the source text, so an empty English ``msgstr`` is fine (it falls back to the msgid).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po

REQUIRED = ("nl",)


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
    locale_dir = Path(argv[1] if len(argv) > 1 else "bot/locales")
    failed = False
    for lang in REQUIRED:
        for msgid in missing_translations(locale_dir, lang):
            failed = True
            print(f"{locale_dir}/{lang}/LC_MESSAGES/messages.po: no translation for: {msgid[:80]!r}")
    if failed:
        print("Translate these (make i18n keeps the catalogs in step with the code).")
        return 1
    print("Catalogs complete.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
