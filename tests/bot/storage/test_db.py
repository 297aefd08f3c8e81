"""Storage: migrations create exactly the models' schema; the database refuses an old schema when asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from bot.storage.db import Database
from bot.storage.models import Base


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
    assert version == "0002"


async def test_check_only_refuses_an_outdated_schema(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    with pytest.raises(RuntimeError, match="veiligbot db upgrade"):
        await Database(url).open(upgrade=False)


async def test_foreign_keys_cascade_on_sqlite(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'fk.db'}")
    await db.open()
    async with db.session() as session:
        assert await session.scalar(text("PRAGMA foreign_keys")) == 1
    await db.close()
