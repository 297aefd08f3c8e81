"""PTB persistence backed by the report drafts table: only conversation states are persisted.

The draft row (``report_drafts.step``) is the truth; PTB's periodic ``update_conversation`` merely
writes the same step again. So a restart -- even a hard kill -- resumes every resident at the step their
draft records, and an expired or discarded draft cannot be resurrected by a late flush.

Pitfall: ``get_conversations`` runs inside ``Application.initialize()``, before ``post_init``; it opens
the database itself (``Database.open`` is idempotent).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.reports.drafts import Drafts
from bot.storage.db import Database
from handlers.common import BotData

REPORT_CONVERSATION = "report"

# PTB's own aliases live in a private module (telegram.ext._utils.types); these are the same types, spelled
# out as its BasePersistence documents them.
ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]
CallbackDataCache = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


class DraftPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], BotData]):
    def __init__(self, db: Database) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=False, callback_data=False),
            update_interval=5,
        )
        self._db = db
        self._drafts = Drafts(db)

    async def get_conversations(self, name: str) -> ConversationDict:
        if name != REPORT_CONVERSATION:
            return {}
        await self._db.open()
        steps = await self._drafts.steps()
        return {key: step for key, step in steps.items()}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        if name != REPORT_CONVERSATION or new_state is None or not isinstance(new_state, str):
            return
        _chat_id, user_id = key[0], key[-1]
        await self._drafts.set_step(int(user_id), new_state)

    # Nothing else is persisted (store_data above); these satisfy the interface.
    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> BotData:
        return BotData()  # never called: bot_data is not persisted (it holds services, not data)

    async def get_callback_data(self) -> CallbackDataCache | None:
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: BotData) -> None:
        return None

    async def update_callback_data(self, data: CallbackDataCache) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: BotData) -> None:
        return None

    async def flush(self) -> None:
        return None
