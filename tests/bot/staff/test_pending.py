"""anything_pending: the one read every private text message makes before the resident handlers see it."""

from __future__ import annotations

from sqlalchemy import event

from bot.reports.drafts import Draft
from bot.reports.filing import file_report
from bot.residents.preferences import LanguagePreferences
from bot.residents.topics import LastTopics
from bot.staff.queries import (
    anything_pending,
    end_compose,
    expect_resident_reply,
    start_compose,
    take_resident_reply,
)
from bot.storage.db import Database

RESIDENT, EVA = 555, 101


async def test_pending_is_a_composition_of_this_person_here_or_an_expected_resident_answer(db: Database) -> None:
    draft = Draft(
        category="youth-nuisance",
        description="Bottles.",
        place_text="Epe",
        municipality="epe",
        updates="chat",
        consent=True,
    )
    report = await file_report(db, draft, chat_id=RESIDENT, language="nl")
    assert not await anything_pending(db, RESIDENT, RESIDENT)
    assert not await anything_pending(db, EVA, EVA)

    await start_compose(db, EVA, EVA, report.id, "message", "in_progress")
    assert await anything_pending(db, EVA, EVA)
    assert not await anything_pending(db, EVA, -100)  # her composition is for her private chat only
    assert not await anything_pending(db, RESIDENT, RESIDENT)
    await end_compose(db, EVA, EVA)
    assert not await anything_pending(db, EVA, EVA)

    await expect_resident_reply(db, RESIDENT, report.id, "answer")
    assert await anything_pending(db, RESIDENT, RESIDENT)
    assert await take_resident_reply(db, RESIDENT) == (report.id, "answer")
    assert not await anything_pending(db, RESIDENT, RESIDENT)


async def test_a_new_residents_language_and_topic_come_with_the_pending_read(db: Database) -> None:
    await LanguagePreferences(db).set(RESIDENT, "en")
    await LastTopics(db).set(RESIDENT, "phishing")
    topics = LastTopics(db)
    preferences = LanguagePreferences(db, topics)
    commits: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    assert not await anything_pending(db, RESIDENT, RESIDENT, preferences)
    assert preferences.knows(RESIDENT)
    assert await preferences.get(RESIDENT) == "en"
    assert await topics.get(RESIDENT) == "phishing"
    assert len(commits) == 1  # one read for all three

    # A group chat's id is not the user's: nothing is read along there.
    other = LanguagePreferences(db, LastTopics(db))
    assert not await anything_pending(db, RESIDENT, -100, other)
    assert not other.knows(RESIDENT)
