"""The README's related-reports demo (tests/e2e/data/related-demo.txt) through ``veiligbot chat --script``: two
residents report the same nuisance in Epe, the second card says "mogelijk gerelateerd aan", Eva links it with one
tap and closes the main report; the English-speaking resident of the related report hears it in English."""

from __future__ import annotations

import re

import pytest

from bot.cli.main import main as veiligbot
from bot.settings import Settings
from tests.conftest import REPO

REFERENCE = re.compile(r"\bEPE-[2-9A-HJKMNP-Z]{4}\b")


def test_the_scripted_related_reports_demo(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert veiligbot(["chat", "--fresh", "--script", str(REPO / "tests" / "e2e" / "data" / "related-demo.txt")]) == 0
    lines = capsys.readouterr().out.splitlines()

    def after(marker: str, start: int = 0) -> int:
        return next(i for i in range(start, len(lines)) if marker in lines[i])

    first = after("bot → [Epe staff] #1 📝 ")
    second = after("bot → [Epe staff] #2 📝 ", first)
    main, related = (REFERENCE.findall(lines[i])[0] for i in (first, second))
    hint = after(f"🔗 mogelijk gerelateerd aan {main}", second)
    linked = after(f"[Epe staff] Eva: [pressed: 🔗 Koppelen aan {main}]", hint)
    after(f"(popup) {related} is gekoppeld aan hoofdmelding {main}.", linked)
    to_anna = after(f"bot → [Anna] ✅ Gemeente Epe heeft je melding {main} afgehandeld", linked)
    to_ben = after(f"bot → [Ben] ✅ The municipality of Epe has closed your report {related}", linked)
    assert "youth workers" in lines[to_ben + 2] and "jongerenwerkers" in lines[to_anna + 2]
