"""`veiligbot municipality email` (spec/cli.md) and what `municipality list` shows of it; the SMTP settings."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from bot.cli.main import main
from bot.outbox.email import email_targets
from bot.reports.filing import file_report
from bot.settings import Settings, SettingsError, load_settings
from bot.storage.db import Database
from tests.bot.outbox.conftest import draft

T = TypeVar("T")


def run(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def go() -> T:
        db = Database(settings.database)
        await db.open()
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(go())


def test_email_only_then_off(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    waiting = run(settings, lambda db: file_report(db, draft(), chat_id=1, language="nl"))
    assert main(["municipality", "email", "heerde", "Meldingen@Heerde.nl", "--only"]) == 0
    out, err = capsys.readouterr()
    assert (
        out == "Reports for heerde now go only by e-mail (no staff chat) to Meldingen@heerde.nl; 1 waiting "
        "report(s) included.\n"
    )
    assert "SMTP_HOST is not set" in err
    targets = run(settings, email_targets)
    assert targets["heerde"].address == "Meldingen@heerde.nl" and targets["heerde"].only

    assert main(["municipality", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[3] == "heerde\tnot linked\t-\t1 undelivered\te-mail Meldingen@heerde.nl (only), ok"
    assert lines[1] == "epe\tnot linked\t-\t0 undelivered"  # unchanged for a municipality without e-mail
    assert main(["reports", "list"]) == 0
    assert capsys.readouterr().out.rstrip("\n").endswith("\te-mail pending, attempts 0")

    assert main(["municipality", "email", "heerde", "--off"]) == 0
    assert "no longer go by e-mail" in capsys.readouterr().out
    assert "heerde" not in run(settings, email_targets)
    assert main(["reports", "list"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(waiting.reference)
    assert line.endswith("delivery pending, attempts 0, waiting: no staff chat linked")


def test_both_keeps_the_card(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_HOST", "smtp.example.nl")
    monkeypatch.setenv("SMTP_FROM", "bot@example.nl")
    run(settings, lambda db: file_report(db, draft(), chat_id=1, language="nl"))
    assert main(["municipality", "email", "heerde", "meldingen@heerde.nl"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Reports for heerde now go by e-mail too to meldingen@heerde.nl") and err == ""
    assert main(["reports", "list"]) == 0
    assert (
        capsys.readouterr()
        .out.rstrip("\n")
        .endswith("delivery pending, attempts 0, waiting: no staff chat linked; e-mail pending, attempts 0")
    )


@pytest.mark.parametrize(
    "args",
    [
        ["heerde"],  # neither ADDRESS nor --off
        ["heerde", "not-an-address"],
        ["heerde", "a@b.nl", "--off"],
        ["heerde", "--off", "--only"],
        ["amsterdam", "a@b.nl"],
    ],
)
def test_usage_errors(settings: Settings, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    assert main(["municipality", "email", *args]) == 2
    assert capsys.readouterr().err.startswith("veiligbot: ")


def test_off_when_not_set_changes_nothing(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["municipality", "email", "epe", "--off"]) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_smtp_settings(settings: Settings) -> None:
    loaded = load_settings(
        _env_file=None,
        smtp_host="smtp.example.nl",
        smtp_from="Veilig <bot@example.nl>",
        smtp_username="bot",
        smtp_password="pa55-w0rd-secret",
    )
    assert (loaded.smtp_port, loaded.smtp_starttls) == (587, True)
    assert loaded.smtp_secret == "pa55-w0rd-secret"
    for shown in (repr(loaded), str(loaded), loaded.describe()):
        assert "pa55-w0rd-secret" not in shown
    assert "smtp=set" in loaded.describe()
    with pytest.raises(SettingsError, match="SMTP_FROM must be set when SMTP_HOST is"):
        load_settings(_env_file=None, smtp_host="smtp.example.nl")
    with pytest.raises(SettingsError, match="SMTP_FROM must be an e-mail address"):
        load_settings(_env_file=None, smtp_host="smtp.example.nl", smtp_from="veiligbot")
    with pytest.raises(SettingsError, match="SMTP_PORT"):
        load_settings(_env_file=None, smtp_port=70000)
