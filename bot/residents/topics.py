"""The topic of the bot's last answer in a chat: asked again, the bot points to that answer instead of repeating it.

Stored in ``chat_topics`` (one row per chat, only while a topic is remembered), so a restart or a standby that
takes over keeps it; the process keeps a copy to spare a read per message.

Pitfalls:
- The copy is right only while this process is the one that writes: the active instance. A standby handles no
  updates before it takes over, so it starts with an empty copy and reads the database; an instance that loses
  the lease stops (``veiligbot run`` exits, the service manager restarts it as a standby). Nothing else writes
  the table (the /privacy deletion goes through :meth:`LastTopics.forget`).
- A private chat's id is the user's id: :class:`bot.residents.preferences.LanguagePreferences` reads the topic
  with the language in one statement and hands it over (:meth:`LastTopics.prime`).
- :meth:`LastTopics.set` waits for a write done by another task (group commit): never call it inside a
  ``db.session()`` block, where on SQLite that task would wait for this one's turn forever.
- A remembered topic older than :data:`MAX_AGE` counts as none: a question asked again a day later gets the
  answer again, and the row is rewritten or removed then.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import OrderedDict

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage.db import Database
from bot.storage.models import ChatTopic, utcnow

MAX_AGE = dt.timedelta(days=1)
CACHED_CHATS = 50_000  # the copy forgets the least recently used chats beyond this (they are read again)

_Entry = tuple[str, dt.datetime] | None


class LastTopics:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: OrderedDict[int, _Entry] = OrderedDict()
        self._queued: dict[int, tuple[str | None, dt.datetime]] = {}
        self._next: asyncio.Future[None] | None = None  # done when the queued writes are stored
        self._writer: asyncio.Task[None] | None = None

    def _keep(self, chat_id: int, entry: _Entry) -> None:
        self._cache[chat_id] = entry
        self._cache.move_to_end(chat_id)
        while len(self._cache) > CACHED_CHATS:
            self._cache.popitem(last=False)

    @staticmethod
    def _current(entry: _Entry, now: dt.datetime | None = None) -> str | None:
        if entry is None or (now or utcnow()) - entry[1] > MAX_AGE:
            return None
        return entry[0]

    def prime(self, chat_id: int, topic_id: str | None, updated_at: dt.datetime | None) -> None:
        """What a combined read found in the database; ignored when this process already knows the chat."""
        if chat_id not in self._cache:
            self._keep(chat_id, (topic_id, updated_at) if topic_id is not None and updated_at is not None else None)

    async def get(self, chat_id: int) -> str | None:
        if chat_id not in self._cache:
            async with self._db.session() as session:
                row = (
                    await session.execute(
                        select(ChatTopic.topic_id, ChatTopic.updated_at).where(ChatTopic.chat_id == chat_id)
                    )
                ).one_or_none()
            self._keep(chat_id, (row[0], row[1]) if row is not None else None)
        return self._current(self._cache[chat_id])

    async def set(self, chat_id: int, topic_id: str | None) -> None:
        """Remember ``topic_id`` (``None``: forget it); stored when this returns. Writes only when it changes (or
        a kept one is a day old); the changes of every chat that arrive meanwhile share one transaction."""
        if chat_id not in self._cache:
            await self.get(chat_id)
        entry = self._cache[chat_id]
        if topic_id is None and entry is None:
            return
        if topic_id is not None and entry is not None and entry[0] == topic_id and self._current(entry) is not None:
            return
        now = utcnow()
        await self._write(chat_id, topic_id, now)
        self._keep(chat_id, (topic_id, now) if topic_id is not None else None)

    async def _write(self, chat_id: int, topic_id: str | None, now: dt.datetime) -> None:
        """Group commit: a write waits for the transaction in progress, then goes with all that queued behind it."""
        self._queued[chat_id] = (topic_id, now)  # a chat's updates run one at a time: one entry per chat
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            if self._writer is None or self._writer.done():
                self._writer = asyncio.create_task(self._drain(), name="last-topics")
        await asyncio.shield(self._next)  # a cancelled waiter must not cancel the others' write

    async def _drain(self) -> None:
        while self._next is not None:
            batch, done = self._queued, self._next
            self._queued, self._next = {}, None
            try:
                await self._store(batch)
            except Exception as exc:  # every waiter of this batch raises it
                done.set_exception(exc)
                done.exception()  # retrieved: a batch whose waiters were all cancelled must not log "never retrieved"
            else:
                done.set_result(None)

    async def _store(self, batch: dict[int, tuple[str | None, dt.datetime]]) -> None:
        gone = [chat_id for chat_id, (topic_id, _) in batch.items() if topic_id is None]
        rows = [
            {"chat_id": chat_id, "topic_id": topic_id, "updated_at": at}
            for chat_id, (topic_id, at) in batch.items()
            if topic_id is not None
        ]
        async with self._db.session() as session:
            if gone:
                await session.execute(delete(ChatTopic).where(ChatTopic.chat_id.in_(gone)))
            if rows:
                insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
                statement = insert(ChatTopic).values(rows)
                excluded = statement.excluded
                await session.execute(
                    statement.on_conflict_do_update(
                        index_elements=[ChatTopic.chat_id],
                        set_={"topic_id": excluded.topic_id, "updated_at": excluded.updated_at},
                    )
                )

    async def forget(self, chat_id: int) -> None:
        """Delete the chat's row (the resident's /privacy deletion)."""
        await self._delete(chat_id)
        self._cache.pop(chat_id, None)

    async def _delete(self, chat_id: int) -> None:
        async with self._db.session() as session:
            await session.execute(delete(ChatTopic).where(ChatTopic.chat_id == chat_id))


async def purge_topics(db: Database, now: dt.datetime | None = None) -> None:
    """Remove topics older than :data:`MAX_AGE` (housekeeping): they count as none anyway."""
    async with db.session() as session:
        await session.execute(delete(ChatTopic).where(ChatTopic.updated_at < (now or utcnow()) - MAX_AGE))
