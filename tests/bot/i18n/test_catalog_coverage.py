"""Every literal passed to gettext in the code is in the catalogs.

Pitfall this guards: babel (on Python 3.11) does not extract calls inside f-strings, so such a string
silently stays English for Dutch residents.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n.catalogs import LOCALE_DIR

REPO = Path(__file__).resolve().parents[3]
SOURCES = sorted(p for pkg in ("bot", "handlers", "knowledge") for p in (REPO / pkg).rglob("*.py"))
GETTEXT_NAMES = {"gettext", "_", "N_", "ngettext"}


def _literals(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        first = node.args[0]
        if name in GETTEXT_NAMES and isinstance(first, ast.Constant) and isinstance(first.value, str):
            found.append(first.value)
    return found


@pytest.fixture(scope="module")
def msgids() -> set[str]:
    with (LOCALE_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="nl")
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_gettext_literals_are_extracted(path: Path, msgids: set[str]) -> None:
    missing = [text for text in _literals(path) if text not in msgids]
    assert missing == [], f"not in the catalog (inside an f-string?): {missing}"
