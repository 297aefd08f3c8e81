"""The database: engine and session factory, with the schema brought up to date on open.

Pitfalls:
- ``AsyncSession`` is not safe for concurrent tasks: use one session per handler call or job
  (``async with db.session() as s, s.begin(): ...``); keep only :class:`Database` in ``bot_data``.
- The engine is created by :meth:`Database.open`, never at import time; the composition root opens it in
  ``post_init`` (the report conversation's persistence may open it a moment earlier, during
  ``Application.initialize``) and closes it in ``post_shutdown``.
- SQLite needs ``PRAGMA foreign_keys=ON`` per connection for ``ON DELETE CASCADE``. The file is in WAL mode
  (``-wal`` and ``-shm`` files beside it, same host only): copy it with ``sqlite3 .backup``, never ``cp`` alone.
- SQLite takes one writer at a time, and a transaction that reads first and writes later fails at once with
  "database is locked" when another holds the write lock (the busy timeout does not cover that upgrade).
  Updates run concurrently, so on SQLite :meth:`Database.session` lets one session at a time in, in arrival
  order, urgent work (:mod:`bot.priority`) first; re-entrant within a task (a nested session in the same
  task does not wait for itself).
- Statement parameters are resident text and contact details: the engine hides them (``hide_parameters``),
  also in the text of database errors, which the error handler logs with their traceback.
- A closed :class:`Database` stays closed: :meth:`Database.session` raises instead of reopening, so work that
  outlives ``post_shutdown`` fails loudly rather than silently migrating and reopening the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.priority import PriorityLock

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class SchemaNotCurrent(RuntimeError):
    """The database is missing or its schema is behind the code; the message tells the operator what to run."""


def _alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection) -> None:
    from alembic import command

    command.upgrade(_alembic_config(connection), "head")


def _current_and_head(connection: Connection) -> tuple[str | None, str | None]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    return current, head


class Database:
    """Owns the async engine; :meth:`open` is idempotent and safe to call from several start-up hooks.

    Lifecycle: new → :meth:`open` → :meth:`close`, once. A closed Database is finished; build a new one.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._closed = False
        self._lock = asyncio.Lock()
        self._serial: PriorityLock | None = None  # SQLite only: one session at a time, urgent work first
        self._serial_owner: asyncio.Task[Any] | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError(self._not_open())
        return self._engine

    def _not_open(self) -> str:
        return "Database is closed" if self._closed else "Database is not open; call open() first"

    async def open(self, *, upgrade: bool = True) -> None:
        """Create the engine and bring the schema to the newest revision.

        ``upgrade=False`` only checks (read-only commands): it raises :class:`SchemaNotCurrent` for a missing
        database or an older schema instead of creating or migrating anything.
        """
        async with self._lock:
            if self._closed:
                raise RuntimeError("Database is closed; a closed Database is not reopened")
            if self._engine is not None:
                return
            _prepare_sqlite_file(self.url, create=upgrade)
            engine = create_async_engine(self.url, hide_parameters=True)
            if engine.dialect.name == "sqlite":
                event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
            current = head = None
            async with engine.begin() as conn:
                if upgrade:
                    await conn.run_sync(_upgrade)
                else:
                    current, head = await conn.run_sync(_current_and_head)
            if current != head:
                await engine.dispose()
                raise SchemaNotCurrent(
                    f"Database schema is at {current or 'nothing'}, expected {head}; run 'veiligbot db upgrade'."
                )
            self._engine = engine
            self._sessions = async_sessionmaker(engine, expire_on_commit=False)
            self._serial = PriorityLock() if engine.dialect.name == "sqlite" else None

    async def close(self) -> None:
        """Dispose of the engine; from now on :meth:`open` and :meth:`session` raise (idempotent)."""
        async with self._lock:
            if self._engine is not None:
                await self._engine.dispose()
            self._engine = None
            self._sessions = None
            self._closed = True

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error.

        Raises ``RuntimeError`` before :meth:`open` and after :meth:`close`: it never opens (or migrates) itself.
        """
        if self._sessions is None:
            raise RuntimeError(self._not_open())
        task = asyncio.current_task()
        if self._serial is None or self._serial_owner is task:
            async with self._sessions() as session, session.begin():
                yield session
            return
        async with self._serial.hold():
            self._serial_owner = task
            try:
                async with self._sessions() as session, session.begin():
                    yield session
            finally:
                self._serial_owner = None


def _prepare_sqlite_file(url: str, *, create: bool) -> None:
    """Create an SQLite file's directory; when only checking, refuse a missing file rather than create it."""
    if not url.startswith("sqlite"):
        return
    path = url.split(":///", 1)[-1].split("?", 1)[0]
    if not path or path == ":memory:":
        return
    if not create and not Path(path).exists():
        # Checking must not leave an empty database file (or directory) behind.
        raise SchemaNotCurrent(f"No database at {path}; run 'veiligbot db upgrade'.")
    Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Another process (the CLI beside a running bot) may hold the write lock for a moment: wait, don't fail.
    cursor.execute("PRAGMA busy_timeout=30000")
    # One writer (this process; the CLI now and then): with a write-ahead log readers never wait for it and a
    # commit is one append instead of a rollback journal's two fsyncs. NORMAL syncs at checkpoints: a power cut
    # may lose the last commits but never corrupts the file (an application crash loses nothing).
    # An in-memory database answers "memory" and stays as it is.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
