"""The README's staff demo (tests/e2e/data/staff-demo.txt) through ``veiligbot chat --script``: one person files a
report as a resident in Epe, takes it on as the Epe staff member, asks a question, answers it as the resident,
closes it with a message and sees the resident receive it; the Hattem staff member's press is refused."""

from __future__ import annotations

import re

import pytest

from bot.cli.main import main as veiligbot
from bot.settings import Settings
from tests.conftest import REPO

REFERENCE = re.compile(r"\bEPE-[2-9A-HJKMNP-Z]{4}\b")


def test_the_scripted_staff_demo(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert veiligbot(["chat", "--fresh", "--script", str(REPO / "tests" / "e2e" / "data" / "staff-demo.txt")]) == 0
    transcript = capsys.readouterr().out
    found = REFERENCE.search(transcript)
    assert found, transcript
    reference = found.group()
    lines = transcript.splitlines()

    def after(marker: str, start: int = 0) -> int:
        return next(i for i in range(start, len(lines)) if marker in lines[i])

    card = after(f"bot → [Epe staff] #1 📝 {reference}")
    taken = after("[Epe staff] Eva: [pressed: 🙋 Oppakken]", card)
    told = after(f"bot → [Anna] Gemeente Epe is nu met je melding {reference} bezig.", taken)
    asked = after("bot → [Anna] ❓ Een vraag van gemeente Epe", told)
    assert "Om hoe laat ongeveer?" in "\n".join(lines[asked : asked + 4])
    answered = after("bot → [Epe staff] #5 💬 Antwoord van de melder", asked)
    assert "Rond tien uur" in lines[answered + 1]
    refused = after("[Epe staff] Hans: [pressed:", answered)
    assert "andere gemeente" in lines[refused + 1]
    closed = after(f"bot → [Anna] ✅ Gemeente Epe heeft je melding {reference} afgehandeld", refused)
    assert "👍" in "\n".join(lines[closed : closed + 6])
    assert f"{reference} – Overlast door jongeren" in transcript and "afgesloten" in lines[-3]
    # Staff never see the resident's Telegram identity; the resident never sees a staff member's name.
    assert not [line for line in lines if line.startswith("bot → [Epe staff]") and "Anna" in line]
    assert not [line for line in lines if line.startswith("bot → [Anna]") and "Eva" in line]
