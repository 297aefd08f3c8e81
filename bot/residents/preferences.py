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

from sqlalchemy import delete, select

from bot.i18n.catalogs import Lang, as_lang
from bot.residents.topics import LastTopics
from bot.storage.db import Database
from bot.storage.models import ChatTopic, Resident


class LanguagePreferences:
    def __init__(self, db: Database, topics: LastTopics | None = None) -> None:
        self._db = db
        self._topics = topics
        self._cache: dict[int, Lang | None] = {}

    async def get(self, user_id: int) -> Lang | None:
        if user_id not in self._cache:
            language = select(Resident.language).where(Resident.user_id == user_id).scalar_subquery()
            if self._topics is None:
                async with self._db.session() as session:
                    stored = await session.scalar(select(language))
            else:
                topic = select(ChatTopic.topic_id).where(ChatTopic.chat_id == user_id).scalar_subquery()
                since = select(ChatTopic.updated_at).where(ChatTopic.chat_id == user_id).scalar_subquery()
                async with self._db.session() as session:
                    row = (await session.execute(select(language, topic, since))).one()
                stored = row[0]
                self._topics.prime(user_id, row[1], row[2])
            self._cache[user_id] = as_lang(stored)
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
