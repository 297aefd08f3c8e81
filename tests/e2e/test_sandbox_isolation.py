"""``veiligbot chat`` never touches the bot's database: not the embedded default, not DATABASE_URL.

The sandbox links fake staff groups and files test reports; in the production database those would reach real
staff. It keeps its own database in VEILIGBOT_DATA_DIR/sandbox/ (surviving between runs), a throw-away one with
``--fresh``, or the one given with ``--database``.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from bot.cli.main import main as veiligbot
from bot.settings import Settings

REFERENCE = re.compile(r"\b(?:ELB|EPE|HAT|HEE|NUN|OLD)-[2-9A-HJKMNP-Z]{4}\b")
REAL_STAFF_CHAT = -1001234567890
REPORT_SCRIPT = "\n".join(
    [
        "/melding",
        "#press 2",  # nuisance by young people
        "Hangjongeren bij de speeltuin, elke avond",
        "Wapenveld",
        "#press 1",  # yes, that's right
        "#press 1",  # no photos
        "#press 1",  # updates via this chat
        "#press 1",  # skip contact details
        "#press 1",  # agree
        "#press 1",  # send
        "",
    ]
)


def _rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(query).fetchall()


@pytest.fixture
def production(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A production database set up as an operator would: DATABASE_URL, migrated, Heerde linked to real staff."""
    path = tmp_path / "production" / "bot.sqlite3"
    monkeypatch.setenv("VEILIGBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    assert veiligbot(["municipality", "link", "heerde", str(REAL_STAFF_CHAT)]) == 0
    return path


def test_sandbox_reports_stay_out_of_the_production_database(
    production: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = production.read_bytes()
    capsys.readouterr()
    Path("report.txt").write_text(REPORT_SCRIPT, encoding="utf-8")
    assert veiligbot(["chat", "--script", "report.txt"]) == 0
    transcript = capsys.readouterr().out
    match = REFERENCE.search(transcript)
    assert match is not None, transcript
    # The card went to the sandbox's own Heerde group, not to the real staff chat linked in production.
    assert any(line.startswith("bot → [Heerde staff]") and match.group() in line for line in transcript.splitlines())

    assert production.read_bytes() == before
    assert _rows(production, "SELECT count(*) FROM reports") == [(0,)]
    assert _rows(production, "SELECT municipality, staff_chat_id FROM municipality_links") == [
        ("heerde", REAL_STAFF_CHAT)
    ]
    sandbox = tmp_path / "data" / "sandbox" / "veiligbot.sqlite3"
    assert _rows(sandbox, "SELECT reference FROM reports") == [(match.group(),)]
    links = dict(_rows(sandbox, "SELECT municipality, staff_chat_id FROM municipality_links"))
    assert len(links) == 6
    assert REAL_STAFF_CHAT not in links.values()


def test_sandbox_survives_between_runs_unless_fresh(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VEILIGBOT_DATA_DIR", str(tmp_path / "data"))
    Path("report.txt").write_text(REPORT_SCRIPT, encoding="utf-8")
    assert veiligbot(["chat", "--script", "report.txt"]) == 0
    match = REFERENCE.search(capsys.readouterr().out)
    assert match is not None
    reference = match.group()
    Path("mine.txt").write_text("/mijnmeldingen\n", encoding="utf-8")

    assert veiligbot(["chat", "--script", "mine.txt"]) == 0
    assert reference in capsys.readouterr().out  # the same resident's report, from the previous run

    assert veiligbot(["chat", "--fresh", "--script", "mine.txt"]) == 0
    assert reference not in capsys.readouterr().out
    assert veiligbot(["chat", "--fresh", "--script", "report.txt"]) == 0
    assert REFERENCE.search(capsys.readouterr().out) is not None
    # Neither fresh run wrote to the kept sandbox database, and the embedded production default was never made.
    sandbox = tmp_path / "data" / "sandbox" / "veiligbot.sqlite3"
    assert _rows(sandbox, "SELECT reference FROM reports") == [(reference,)]
    assert not (tmp_path / "data" / "veiligbot.sqlite3").exists()


def test_sandbox_database_option(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chosen = tmp_path / "chosen.sqlite3"
    Path("report.txt").write_text(REPORT_SCRIPT, encoding="utf-8")
    assert veiligbot(["chat", "--database", f"sqlite+aiosqlite:///{chosen}", "--script", "report.txt"]) == 0
    match = REFERENCE.search(capsys.readouterr().out)
    assert match is not None
    assert _rows(chosen, "SELECT reference FROM reports") == [(match.group(),)]
    assert not (settings.veiligbot_data_dir / "sandbox").exists()
    with pytest.raises(SystemExit):
        veiligbot(["chat", "--fresh", "--database", f"sqlite+aiosqlite:///{chosen}"])
    assert "not allowed with argument" in capsys.readouterr().err
