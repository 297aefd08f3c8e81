"""A resident's stored language choice (with the last answer's topic, all that is kept about people who merely
ask questions).

Pitfalls:
- The cache is per process and right only while this process is the one that writes: the active instance (a
  standby handles no updates before it takes over, so it starts empty; see bot.residents.topics). With several
  bot processes serving at once (webhook workers) it must go, or be invalidated on change.
- The read of a resident not yet cached also fetches the topic of their private chat (its id is the user id)
  for :class:`~bot.residents.topics.LastTopics`: one statement instead of two for a new resident's message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ScalarSelect, delete, select

from bot.i18n.catalogs import Lang, as_lang
from bot.residents.topics import LastTopics
from bot.storage.db import Database
from bot.storage.models import ChatTopic, Resident


class LanguagePreferences:
    def __init__(self, db: Database, topics: LastTopics | None = None) -> None:
        self._db = db
        self._topics = topics
        self._cache: dict[int, Lang | None] = {}

    def knows(self, user_id: int) -> bool:
        """Whether :meth:`get` answers from the cache (no read)."""
        return user_id in self._cache

    def columns(self, user_id: int) -> tuple[ScalarSelect[Any], ...]:
        """What :meth:`get` reads, as scalar subqueries, for a caller to add to its own statement and hand the
        values to :meth:`prime` (a new resident's first message then costs one read, not two)."""
        language = select(Resident.language).where(Resident.user_id == user_id).scalar_subquery()
        if self._topics is None:
            return (language,)
        topic = select(ChatTopic.topic_id).where(ChatTopic.chat_id == user_id).scalar_subquery()
        since = select(ChatTopic.updated_at).where(ChatTopic.chat_id == user_id).scalar_subquery()
        return language, topic, since

    def prime(self, user_id: int, values: Sequence[Any]) -> None:
        """The values of :meth:`columns`, read by the caller; ignored for a resident already cached."""
        if user_id in self._cache:
            return
        if self._topics is not None:
            self._topics.prime(user_id, values[1], values[2])
        self._cache[user_id] = as_lang(values[0])

    async def get(self, user_id: int) -> Lang | None:
        if user_id not in self._cache:
            async with self._db.session() as session:
                row = (await session.execute(select(*self.columns(user_id)))).one()
            self.prime(user_id, tuple(row))
        return self._cache[user_id]

    async def set(self, user_id: int, lang: Lang) -> None:
        async with self._db.session() as session:
            resident = await session.get(Resident, user_id)
            if resident is None:
                session.add(Resident(user_id=user_id, language=lang))
            else:
                resident.language = lang
        self._cache[user_id] = lang

    async def forget(self, user_id: int) -> None:
        async with self._db.session() as session:
            await session.execute(delete(Resident).where(Resident.user_id == user_id))
        self._cache.pop(user_id, None)
