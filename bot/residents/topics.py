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
- A remembered topic older than :data:`MAX_AGE` counts as none: a question asked again a day later gets the
  answer again, and the row is rewritten or removed then.
"""

from __future__ import annotations

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
        """Remember ``topic_id`` (``None``: forget it). Writes only when it changes (or a kept one is a day old)."""
        if chat_id not in self._cache:
            await self.get(chat_id)
        entry = self._cache[chat_id]
        if topic_id is None:
            if entry is not None:
                await self._delete(chat_id)
            self._keep(chat_id, None)
            return
        if entry is not None and entry[0] == topic_id and self._current(entry) is not None:
            return
        now = utcnow()
        async with self._db.session() as session:
            dialect = session.get_bind().dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            statement = insert(ChatTopic).values(chat_id=chat_id, topic_id=topic_id, updated_at=now)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[ChatTopic.chat_id], set_={"topic_id": topic_id, "updated_at": now}
                )
            )
        self._keep(chat_id, (topic_id, now))

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
