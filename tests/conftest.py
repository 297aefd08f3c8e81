"""Shared test settings: PTB's timedelta opt-in, and an isolated Settings per test."""

from __future__ import annotations

import os

os.environ["PTB_TIMEDELTA"] = "1"

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.storage.db import Database

REPO = Path(__file__).resolve().parents[1]
# The project's shared evaluation sets and spec, beside the repository in the development setup; a clone has no
# such directory, so tests that read it skip (each has an in-repo counterpart that always runs).
SHARED = REPO.parent / "shared"


def needs_shared(relative: str) -> pytest.MarkDecorator:
    """Skip unless ``../shared/<relative>`` exists (it is not part of the repository)."""
    return pytest.mark.skipif(
        not (SHARED / relative).exists(),
        reason=f"../shared/{relative} is not beside this clone (it is not part of the repository)",
    )


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings that ignore the developer's environment and .env, with a database in tmp_path."""
    for key in list(os.environ):
        if key.startswith(("TELEGRAM_", "VEILIGBOT_", "DATABASE_URL", "DEFAULT_LANGUAGE", "LOG_LEVEL", "SMTP_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    return Settings(_env_file=None, veiligbot_data_dir=tmp_path / "data")  # type: ignore[call-arg]


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    """An open database (schema at head) in tmp_path."""
    database = Database(settings.database)
    await database.open()
    try:
        yield database
    finally:
        await database.close()
