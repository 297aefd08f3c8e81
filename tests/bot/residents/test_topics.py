"""The stored last topic and the language, and the process's copies of them: every change reaches the database,
a new process (a restart, a standby taking over) reads it back, and the copy follows every change made here."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import event, select, update

from bot.residents.preferences import LanguagePreferences
from bot.residents.topics import MAX_AGE, LastTopics, purge_topics
from bot.storage.db import Database
from bot.storage.models import ChatTopic

ANNA, BOB = 501, 502


async def stored(db: Database, chat_id: int) -> tuple[str, dt.datetime] | None:
    async with db.session() as session:
        row = (
            await session.execute(select(ChatTopic.topic_id, ChatTopic.updated_at).where(ChatTopic.chat_id == chat_id))
        ).one_or_none()
    return (row[0], row[1]) if row else None


async def test_a_topic_is_stored_changed_and_forgotten_and_a_new_process_reads_it(db: Database) -> None:
    topics = LastTopics(db)
    assert await topics.get(ANNA) is None
    await topics.set(ANNA, "phishing")
    assert await topics.get(ANNA) == "phishing"
    assert (await stored(db, ANNA) or ("",))[0] == "phishing"
    assert await LastTopics(db).get(ANNA) == "phishing"  # a restart, or the standby that takes over

    await topics.set(ANNA, "sextortion")
    assert await topics.get(ANNA) == "sextortion"
    assert await LastTopics(db).get(ANNA) == "sextortion"

    await topics.set(ANNA, None)
    assert await topics.get(ANNA) is None
    assert await stored(db, ANNA) is None
    assert await LastTopics(db).get(ANNA) is None

    await topics.set(BOB, "phishing")
    await topics.forget(BOB)
    assert await topics.get(BOB) is None
    assert await stored(db, BOB) is None


async def test_changes_arriving_together_are_stored_in_one_transaction(db: Database) -> None:
    topics = LastTopics(db)
    chats = range(1000, 1040)
    await asyncio.gather(*(topics.get(chat) for chat in chats))  # known (as "none") before the burst
    commits: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    await asyncio.gather(*(topics.set(chat, "phishing" if chat % 2 else "sextortion") for chat in chats))
    assert len(commits) == 1
    fresh = LastTopics(db)
    assert [await fresh.get(chat) for chat in chats] == ["phishing" if c % 2 else "sextortion" for c in chats]
    commits.clear()
    await asyncio.gather(*(topics.set(chat, None if chat % 2 else "phishing") for chat in chats))
    assert len(commits) == 1  # deletions and changes together
    fresh = LastTopics(db)
    assert [await fresh.get(chat) for chat in chats] == [None if c % 2 else "phishing" for c in chats]


async def test_the_same_topic_again_is_not_written_again(db: Database) -> None:
    topics = LastTopics(db)
    await topics.set(ANNA, "phishing")
    first = await stored(db, ANNA)
    await topics.set(ANNA, "phishing")
    assert await stored(db, ANNA) == first


async def test_a_day_old_topic_counts_as_none_and_is_renewed(db: Database) -> None:
    topics = LastTopics(db)
    await topics.set(ANNA, "phishing")
    old = dt.datetime.now(dt.UTC) - MAX_AGE - dt.timedelta(minutes=1)
    async with db.session() as session:
        await session.execute(update(ChatTopic).values(updated_at=old))
    fresh = LastTopics(db)
    assert await fresh.get(ANNA) is None
    await fresh.set(ANNA, "phishing")  # written again: the pointer is fresh
    row = await stored(db, ANNA)
    assert row is not None and row[1] > old + MAX_AGE
    assert await fresh.get(ANNA) == "phishing"


async def test_housekeeping_removes_only_day_old_topics(db: Database) -> None:
    topics = LastTopics(db)
    await topics.set(ANNA, "phishing")
    await topics.set(BOB, "sextortion")
    old = dt.datetime.now(dt.UTC) - MAX_AGE - dt.timedelta(minutes=1)
    async with db.session() as session:
        await session.execute(update(ChatTopic).where(ChatTopic.chat_id == ANNA).values(updated_at=old))
    await purge_topics(db)
    assert await stored(db, ANNA) is None
    assert await stored(db, BOB) is not None


async def test_the_language_read_brings_the_topic_and_a_known_chat_is_not_overwritten(db: Database) -> None:
    await LastTopics(db).set(ANNA, "phishing")
    topics = LastTopics(db)
    preferences = LanguagePreferences(db, topics)
    assert await preferences.get(ANNA) is None
    async with db.session() as session:  # the topic now comes from the copy: the row is not read again
        await session.execute(update(ChatTopic).values(topic_id="changed-elsewhere"))
    assert await topics.get(ANNA) == "phishing"

    await topics.set(BOB, "sextortion")
    other = LanguagePreferences(db, topics)
    async with db.session() as session:
        await session.execute(update(ChatTopic).where(ChatTopic.chat_id == BOB).values(topic_id="stale"))
    await other.get(BOB)  # primes only chats the copy does not know: this process's own write stands
    assert await topics.get(BOB) == "sextortion"


async def test_a_language_choice_and_its_deletion_reach_the_copy_and_a_new_process(db: Database) -> None:
    preferences = LanguagePreferences(db, LastTopics(db))
    assert await preferences.get(ANNA) is None  # cached as "no choice"
    await preferences.set(ANNA, "en")  # /taal
    assert await preferences.get(ANNA) == "en"
    assert await LanguagePreferences(db).get(ANNA) == "en"
    await preferences.set(ANNA, "nl")
    assert await preferences.get(ANNA) == "nl"
    await preferences.forget(ANNA)  # /verwijder
    assert await preferences.get(ANNA) is None
    assert await LanguagePreferences(db).get(ANNA) is None
