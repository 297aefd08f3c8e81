"""A resident's stored language choice (the only thing kept about people who merely ask questions).

Pitfall: the cache is per process; with several bot processes (webhook workers) it must go, or be
invalidated on change -- today there is one polling process.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from bot.i18n.catalogs import Lang, as_lang
from bot.storage.db import Database
from bot.storage.models import Resident


class LanguagePreferences:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: dict[int, Lang | None] = {}

    async def get(self, user_id: int) -> Lang | None:
        if user_id not in self._cache:
            async with self._db.session() as session:
                stored = await session.scalar(select(Resident.language).where(Resident.user_id == user_id))
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
