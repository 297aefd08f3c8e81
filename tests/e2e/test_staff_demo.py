"""The README's staff demo (tests/e2e/data/staff-demo.txt) through ``veiligbot chat --script``: one person files a
report as a resident in Epe, takes it on as the Epe staff member, asks a question, answers it as the resident,
closes it with a message and sees the resident receive it; the Hattem staff member's presses are refused. The
same with typed commands (tests/e2e/data/staff-commands-demo.txt)."""

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
    # Hattem's staff member presses the same buttons on Epe's card: each is refused.
    for button in ("🙋 Oppakken", "❓ Vraag aan melder", "✅ Afhandelen"):
        refused = after(f"[Epe staff] Hans: [pressed: {button}]", card)
        assert lines[refused + 1] == "bot → [Epe staff] (popup) Deze melding hoort bij een andere gemeente."
    taken = after("[Epe staff] Eva: [pressed: 🙋 Oppakken]", card)
    assert taken > refused
    told = after(f"bot → [Anna] Gemeente Epe is nu met je melding {reference} bezig.", taken)
    asked = after("bot → [Anna] ❓ Een vraag van gemeente Epe", told)
    assert "Om hoe laat ongeveer?" in "\n".join(lines[asked : asked + 4])
    answered = after("bot → [Epe staff] #5 💬 Antwoord van de melder", asked)
    assert "Rond tien uur" in lines[answered + 1]
    closed = after(f"bot → [Anna] ✅ Gemeente Epe heeft je melding {reference} afgehandeld", answered)
    assert "👍" in "\n".join(lines[closed : closed + 6])
    # /mijnmeldingen: the status and the municipality's last message, shortened.
    listed = after(f"{reference} – Overlast door jongeren", closed)
    assert lines[listed].endswith("afgesloten") and "↳ We hebben de jongerenwerkers" in lines[listed + 1]
    # Staff never see the resident's Telegram identity; the resident never sees a staff member's name.
    assert not [line for line in lines if line.startswith("bot → [Epe staff]") and "Anna" in line]
    assert not [line for line in lines if line.startswith("bot → [Anna]") and "Eva" in line]


def test_the_scripted_staff_demo_with_typed_commands(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    script = REPO / "tests" / "e2e" / "data" / "staff-commands-demo.txt"
    assert veiligbot(["chat", "--fresh", "--script", str(script)]) == 0
    transcript = capsys.readouterr().out
    found = REFERENCE.search(transcript)
    assert found, transcript
    reference = found.group()
    lines = transcript.splitlines()

    def after(marker: str, start: int = 0) -> int:
        return next(i for i in range(start, len(lines)) if marker in lines[i])

    card = after(f"bot → [Epe staff] #1 📝 {reference}")
    start = card
    for command in ("/oppakken", "/vraag Om hoe laat ongeveer?", "/afhandelen Opgelost."):
        start = after("[Epe staff] Hans: #", start)
        assert lines[start].endswith(command)
        assert "Deze melding hoort bij een andere gemeente." in lines[start + 1]
        start += 1
    taken = after("[Epe staff] Eva: #8 /oppakken", start)
    told = after(f"bot → [Anna] Gemeente Epe is nu met je melding {reference} bezig.", taken)
    preview = after("bot → [Epe staff] #", after("Eva: #", told))
    assert "Voorbeeld" in lines[preview] and "Om hoe laat ongeveer?" in "\n".join(lines[preview : preview + 4])
    asked = after("bot → [Anna] ❓ Een vraag van gemeente Epe", preview)
    answered = after("💬 Antwoord van de melder", asked)
    closing = after("Eva: #", answered)
    assert "/afhandelen De jongerenwerkers" in lines[closing]
    closed = after(f"bot → [Anna] ✅ Gemeente Epe heeft je melding {reference} afgehandeld", closing)
    assert "De jongerenwerkers komen er deze week langs." in "\n".join(lines[closed : closed + 4])
    assert "afgesloten" in "\n".join(lines[-4:])
