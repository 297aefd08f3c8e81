"""Shared test settings: PTB's timedelta opt-in, and an isolated Settings per test."""

from __future__ import annotations

import os

os.environ["PTB_TIMEDELTA"] = "1"

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
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


# PostgreSQL: a server for throwaway databases, e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres.
# `make test-pg` and .ci/run start one (bot/dev/pgcluster.py) and set it; unset, the PostgreSQL runs skip.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
NO_POSTGRES = "TEST_DATABASE_URL is not set: no PostgreSQL server for this run (`make test-pg` starts one)"

# The tests that run against both databases: storage, the report workflow and both outboxes, and the
# end-to-end flows that file, deliver and work reports. Everything else uses only SQLite (it does not touch
# what differs: SQL dialect, locking, types), which keeps CI well under its time budget.
BOTH_DATABASES = (
    "tests/bot/storage/",
    "tests/bot/workflow/",
    "tests/bot/outbox/",
    "tests/bot/reports/",
    "tests/bot/staff/",
    "tests/bot/residents/test_topics.py",
    "tests/e2e/test_reports.py",
    "tests/e2e/test_staff.py",
    "tests/e2e/test_delivery.py",
    "tests/e2e/test_delivery_failures.py",
    "tests/e2e/test_filing_once.py",
    "tests/bot/test_leader.py",
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test in BOTH_DATABASES that uses the database once on SQLite and once on PostgreSQL."""
    if "backend" not in metafunc.fixturenames:
        return
    path = Path(str(metafunc.definition.fspath)).resolve().relative_to(REPO).as_posix()
    if not path.startswith(BOTH_DATABASES):
        return
    postgres = pytest.param(
        "postgresql", marks=[pytest.mark.postgresql, pytest.mark.skipif(not TEST_DATABASE_URL, reason=NO_POSTGRES)]
    )
    metafunc.parametrize("backend", ["sqlite", postgres], indirect=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against the PostgreSQL server in TEST_DATABASE_URL")


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: the database the test's settings point at (see pytest_generate_tests)."""
    return str(getattr(request, "param", "sqlite"))


async def _admin(sql: str) -> None:
    import asyncpg  # only with a PostgreSQL server

    url = TEST_DATABASE_URL.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def postgres_url(backend: str) -> Iterator[str | None]:
    """A new, empty PostgreSQL database for this test (dropped afterwards), or None on SQLite.

    Pitfall: a sync fixture with its own event loop, so it works for sync and async tests alike.
    """
    if backend != "postgresql":
        yield None
        return
    if not TEST_DATABASE_URL:
        pytest.skip(NO_POSTGRES)
    name = f"t_{uuid.uuid4().hex[:16]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield TEST_DATABASE_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str | None) -> Settings:
    """Settings that ignore the developer's environment and .env, with a database in tmp_path (SQLite) or a
    fresh PostgreSQL database (the ``postgresql`` runs of the tests in BOTH_DATABASES)."""
    for key in list(os.environ):
        if key.startswith(("TELEGRAM_", "VEILIGBOT_", "DATABASE_URL", "DEFAULT_LANGUAGE", "LOG_LEVEL", "SMTP_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    if postgres_url is not None:  # the CLI, run inside a test, reads its settings from the environment
        monkeypatch.setenv("DATABASE_URL", postgres_url)
    return Settings(_env_file=None, veiligbot_data_dir=tmp_path / "data", database_url=postgres_url)  # type: ignore[call-arg]


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    """An open database (schema at head) in tmp_path."""
    database = Database(settings.database)
    await database.open()
    try:
        yield database
    finally:
        await database.close()
