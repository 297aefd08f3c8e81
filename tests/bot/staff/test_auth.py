"""Authorization and the staff registry: roles, municipalities, chats, link codes."""

from __future__ import annotations

import datetime as dt

from bot.staff.auth import authorize
from bot.staff.registry import add_staff, list_staff, new_link_code, redeem_link_code, registrations, remove_staff
from bot.storage.db import Database

EPE_CHAT, HATTEM_CHAT = -1001, -1002
EVA, HUGO, CORA, ADA, NOBODY = 11, 12, 13, 14, 15


async def registry(db: Database) -> None:
    await add_staff(db, EVA, "epe", "staff", "Eva")
    await add_staff(db, HUGO, "hattem", "staff", "Hugo")
    await add_staff(db, CORA, "hattem", "coordinator", None)


async def decide(db: Database, user: int, chat: int, municipality: str = "epe") -> str:
    linked = {"epe": EPE_CHAT, "hattem": HATTEM_CHAT}.get(municipality)
    decision = await authorize(
        db, frozenset({ADA}), user_id=user, chat_id=chat, municipality=municipality, linked_chat_id=linked
    )
    return decision.actor.role if decision.actor else f"refused:{decision.refusal}"


async def test_who_may_act_where(db: Database) -> None:
    await registry(db)
    assert await decide(db, EVA, EPE_CHAT) == "staff"
    assert await decide(db, EVA, EVA) == "staff"  # a private chat with the bot
    assert await decide(db, EVA, HATTEM_CHAT) == "refused:wrong-chat"
    assert await decide(db, HUGO, EPE_CHAT) == "refused:other-municipality"
    assert await decide(db, HUGO, HUGO) == "refused:other-municipality"
    assert await decide(db, NOBODY, EPE_CHAT) == "refused:not-staff"
    assert await decide(db, CORA, EPE_CHAT) == "coordinator"  # coordinators act for all six ...
    assert await decide(db, CORA, HATTEM_CHAT) == "refused:wrong-chat"  # ... in the right chat
    assert await decide(db, ADA, EPE_CHAT) == "admin"
    assert await decide(db, EVA, EPE_CHAT, "heerde") == "refused:other-municipality"
    assert await decide(db, CORA, -999, "heerde") == "refused:wrong-chat"  # heerde not linked: private only
    assert await decide(db, CORA, CORA, "heerde") == "coordinator"


async def test_registry_add_update_list_remove(db: Database) -> None:
    assert await add_staff(db, EVA, "epe", "staff", "Eva")
    assert not await add_staff(db, EVA, "epe", "coordinator", None)  # an update keeps the name
    await add_staff(db, EVA, "heerde", "staff", None)
    assert [(s.municipality, s.role, s.name) for s in await registrations(db, EVA)] == [
        ("epe", "coordinator", "Eva"),
        ("heerde", "staff", None),
    ]
    assert [s.user_id for s in await list_staff(db, "heerde")] == [EVA]
    assert await remove_staff(db, EVA, "heerde") == 1
    assert await remove_staff(db, EVA, "heerde") == 0
    assert await remove_staff(db, EVA) == 1
    assert await list_staff(db) == []


async def test_link_codes_are_used_once_and_expire_after_24_hours(db: Database) -> None:
    now = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
    code = await new_link_code(db, "epe", now)
    assert await redeem_link_code(db, code.lower(), now + dt.timedelta(hours=23)) == "epe"
    assert await redeem_link_code(db, code, now + dt.timedelta(hours=23)) is None  # once
    late = await new_link_code(db, "epe", now)
    assert await redeem_link_code(db, late, now + dt.timedelta(hours=25)) is None
    assert await redeem_link_code(db, "NOPE1234", now) is None
