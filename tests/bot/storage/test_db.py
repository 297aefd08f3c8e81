"""Storage: migrations create exactly the models' schema; the database refuses an old schema when asked, stays
closed once closed, and keeps statement parameters out of its error messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from bot.storage.db import Database, _alembic_config
from bot.storage.models import Base, MunicipalityLink


def _head() -> str:

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


HEAD_REVISION = _head()  # the newest migration: each test below must end there


async def test_migrations_match_models(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    await db.open()
    try:
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
    finally:
        await db.close()
    assert diff == []


async def test_open_is_idempotent_and_upgrades_an_empty_database(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'sub' / 'a.db'}")
    await db.open()
    await db.open()
    async with db.session() as session:
        version = await session.scalar(text("select version_num from alembic_version"))
    await db.close()
    assert version == HEAD_REVISION


async def test_check_only_refuses_an_outdated_schema(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    with pytest.raises(RuntimeError, match="veiligbot db upgrade"):
        await Database(url).open(upgrade=False)


async def test_sqlite_connections_cascade_and_use_a_write_ahead_log(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'fk.db'}")
    await db.open()
    async with db.session() as session:
        assert await session.scalar(text("PRAGMA foreign_keys")) == 1
        assert await session.scalar(text("PRAGMA journal_mode")) == "wal"
        assert await session.scalar(text("PRAGMA synchronous")) == 1  # NORMAL
    await db.close()


def test_filing_key_and_staff_chat_health_migrate_down_and_up(tmp_path: Path) -> None:
    """0003/0004 on a database with data: links made before 0004 start healthy; down and up again works."""
    engine = create_engine(f"sqlite:///{tmp_path / 'updown.db'}")
    try:
        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "0002")
            conn.execute(
                text("insert into municipality_links values ('heerde', -100123, '2026-12-01 10:00:00.000000')")
            )
            command.upgrade(_alembic_config(conn), "head")
        with engine.begin() as conn:
            assert conn.execute(text("select health, last_error from municipality_links")).one() == ("ok", None)
            columns = {c["name"] for c in inspect(conn).get_columns("reports")}
            assert "idempotency_key" in columns
            uniques = inspect(conn).get_unique_constraints("reports")
            assert {"name": "uq_reports_idempotency_key", "column_names": ["idempotency_key"]} in uniques
        with engine.begin() as conn:
            command.downgrade(_alembic_config(conn), "0002")
        with engine.begin() as conn:
            assert "idempotency_key" not in {c["name"] for c in inspect(conn).get_columns("reports")}
            assert {c["name"] for c in inspect(conn).get_columns("municipality_links")} == {
                "municipality",
                "staff_chat_id",
                "updated_at",
            }
            assert conn.execute(text("select staff_chat_id from municipality_links")).scalar() == -100123
            command.upgrade(_alembic_config(conn), "head")
            assert conn.execute(text("select version_num from alembic_version")).scalar() == HEAD_REVISION
    finally:
        engine.dispose()


async def test_check_only_leaves_no_file_behind(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "none.db"
    with pytest.raises(RuntimeError, match="veiligbot db upgrade"):
        await Database(f"sqlite+aiosqlite:///{path}").open(upgrade=False)
    assert not path.parent.exists()


async def test_check_only_opens_a_current_schema_without_migrating(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'current.db'}"
    first = Database(url)
    await first.open()
    await first.close()
    checked = Database(url)
    await checked.open(upgrade=False)
    async with checked.session() as session:
        assert await session.scalar(text("select version_num from alembic_version")) == HEAD_REVISION
    await checked.close()


async def test_a_closed_database_raises_instead_of_reopening(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'closed.db'}")
    with pytest.raises(RuntimeError, match="not open"):
        async with db.session():
            pass
    await db.open()
    await db.close()
    await db.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        async with db.session():
            pass
    with pytest.raises(RuntimeError, match="closed"):
        await db.open()
    with pytest.raises(RuntimeError, match="closed"):
        _ = db.engine


async def test_database_errors_do_not_quote_statement_parameters(db: Database) -> None:
    secret_chat = -100424242424242
    async with db.session() as session:
        session.add(MunicipalityLink(municipality="heerde", staff_chat_id=secret_chat))
    with pytest.raises(IntegrityError) as caught:
        async with db.session() as session:
            session.add(MunicipalityLink(municipality="heerde", staff_chat_id=secret_chat))
    assert "UNIQUE" in str(caught.value).upper()  # SQLite: "UNIQUE constraint failed", PostgreSQL: "unique constraint"
    assert str(secret_chat) not in str(caught.value)
    assert "hidden" in str(caught.value)
