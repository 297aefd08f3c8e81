"""The command-line contract (README, "Command-line contract") and the operator commands."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.cli.main import main
from bot.settings import Settings


def _json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("place", "status", "municipality"),
    [
        ("8084", "ok", "elburg"),
        ("Hattemerbroek", "ok", "oldebroek"),
        ("Wapenveld", "ok", "heerde"),
        ("Dorpsstraat 12, 't Harde", "ok", "elburg"),
        ("52.3471,5.9833", "ok", "epe"),
        ("Zwolle", "outside", None),
    ],
)
def test_route_json(capsys: pytest.CaptureFixture[str], place: str, status: str, municipality: str | None) -> None:
    assert main(["route", place]) == 0
    (row,) = _json_lines(capsys.readouterr().out)
    assert set(row) == {"text", "status", "municipality", "candidates"}
    assert (row["text"], row["status"], row["municipality"]) == (place, status, municipality)


def test_route_jsonl(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Wezep\n8161 AB\n\nOosterwolde\n"))
    assert main(["route", "--jsonl"]) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert [r["status"] for r in rows] == ["ok", "ok", "ambiguous"]
    assert rows[2]["candidates"] == ["oldebroek"]


def test_ask_needs_text(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ask"])


def test_municipality_link_and_reports_list(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["municipality", "link", "heerde", "-100123"]) == 0
    assert main(["municipality", "link", "nowhere", "-1"]) == 2
    assert main(["reports", "list"]) == 0
    out = capsys.readouterr().out
    assert "Reports for heerde now go to chat -100123." in out
    assert "No reports." in out


def test_db_upgrade(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert (settings.veiligbot_data_dir / "veiligbot.sqlite3").exists()


def test_run_without_token_explains(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


def test_kb_links_are_valid_deep_links(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "links", "--bot", "VeiligNVBot"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 35
    assert lines[0].startswith("https://t.me/VeiligNVBot?start=")


def test_kb_missed_lists_without_identity(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    from bot.answering.feedback import count_feedback, record_missed
    from bot.storage.db import Database

    async def seed() -> None:
        db = Database(settings.database)
        await db.open()
        await record_missed(db, "wanneer komt de vuilnisman", "nl", "fallback")
        await count_feedback(db, "phishing", helpful=False)
        await db.close()

    asyncio.run(seed())
    assert main(["kb", "missed"]) == 0
    out = capsys.readouterr().out
    assert "wanneer komt de vuilnisman" in out
    assert "phishing: 👎 1" in out


@pytest.mark.parametrize("command", [["reports", "list"], ["kb", "missed"]])
def test_read_only_commands_do_not_create_a_database(
    settings: Settings, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(command)
    assert exit_.value.code == 1
    assert "run 'veiligbot db upgrade'" in capsys.readouterr().err
    assert not settings.veiligbot_data_dir.exists()


@pytest.mark.parametrize("command", [["reports", "list"], ["kb", "missed"]])
def test_read_only_commands_never_migrate_an_old_schema(
    settings: Settings, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    import sqlite3

    from alembic import command as alembic
    from sqlalchemy import create_engine

    from bot.storage.db import _alembic_config

    # A database left at the first revision, as a bot installed before the reports feature would have it.
    path = settings.veiligbot_data_dir / "veiligbot.sqlite3"
    path.parent.mkdir(parents=True)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        alembic.upgrade(_alembic_config(connection), "0001")
    engine.dispose()
    with pytest.raises(SystemExit) as exit_:
        main(command)
    assert exit_.value.code == 1
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    expected = f"Database schema is at 0001, expected {head}; run 'veiligbot db upgrade'."
    assert expected in capsys.readouterr().err
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
    assert main(["db", "upgrade"]) == 0
    assert main(command) == 0


def test_ask_and_route_never_touch_the_database(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "hoe herken ik phishing"]) == 0
    assert main(["route", "Wapenveld"]) == 0
    assert len(_json_lines(capsys.readouterr().out)) == 2
    assert not settings.veiligbot_data_dir.exists()


def test_staff_add_list_remove_and_link_code(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff", "add", "111", "epe", "--name", "Eva"]) == 0
    assert main(["staff", "add", "222", "hattem", "--role", "coordinator"]) == 0
    assert main(["staff", "add", "333", "nowhere"]) == 2
    assert main(["staff", "list", "--municipality", "epe"]) == 0
    out = capsys.readouterr().out
    assert "Added 111 as staff for epe." in out and out.endswith("111\tepe\tstaff\tEva\n")
    assert main(["staff", "remove", "111", "hattem"]) == 1
    assert main(["staff", "remove", "111"]) == 0
    assert main(["staff", "list"]) == 0
    out = capsys.readouterr().out
    assert "Removed 1 registration(s) of 111." in out and "222\thattem\tcoordinator\t-" in out
    assert main(["municipality", "link-code", "epe"]) == 0
    assert re.search(
        r"/koppel [2-9A-Z]{8}' in the staff group of epe \(valid for 24 hours, once\)", capsys.readouterr().out
    )


def test_municipality_digest_on_and_off(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    from bot.staff.digest import digest_enabled
    from bot.storage.db import Database

    async def enabled() -> bool:
        db = Database(settings.database)
        await db.open()
        try:
            return await digest_enabled(db, "epe")
        finally:
            await db.close()

    assert main(["municipality", "digest", "epe", "off"]) == 0
    assert asyncio.run(enabled()) is False
    assert main(["municipality", "digest", "epe", "on"]) == 0
    assert asyncio.run(enabled()) is True
    assert main(["municipality", "digest", "zwolle", "off"]) == 2
    out = capsys.readouterr().out
    assert "The staff chat of epe gets no morning digest." in out and "gets the morning digest" in out


def test_kb_tune_reports_held_out_crisis_levels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crises = [
        "ik wil niet meer leven, de pillen liggen klaar",
        "er ligt iemand bewusteloos op straat en hij bloedt",
        "mijn vader slaat me elke avond en ik durf niet naar huis",
        "someone is breaking into our house right now",
        "my friend took too many pills and won't wake up",
    ]
    ordinary = [
        "waar kan ik mijn oud papier kwijt",
        "hoe laat gaat het zwembad open",
        "where can I buy a bus ticket",
        "wat kost een parkeervergunning",
        "is the library open on sunday",
    ]
    (tmp_path / "crisis.jsonl").write_text(
        "".join(json.dumps({"text": t, "expect_urgency": "emergency"}) + "\n" for t in crises), encoding="utf-8"
    )
    (tmp_path / "out-of-scope.jsonl").write_text(
        "".join(json.dumps({"text": t, "expect": None}) + "\n" for t in ordinary), encoding="utf-8"
    )
    assert main(["kb", "tune", "--set", str(tmp_path)]) == 0
    crisis_part = capsys.readouterr().out.split("Crisis levels\n", 1)[1]
    held_out, best, current = crisis_part.splitlines()[:3]
    assert held_out.startswith("held-out (5-fold): urgent recall ")
    assert best.startswith("best: Levels(")
    # The shipped levels (bot/triage/learned.py), chosen by this command; re-choose them here only when the
    # held-out line improves.
    assert current.startswith("current: Levels(urgent=0.6, concern=0.35, veto=0.1): ")
