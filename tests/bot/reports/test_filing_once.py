"""Filing exactly once: the draft's idempotency key, and filing plus draft deletion as one transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

import bot.reports.filing as filing
from bot.reports.drafts import Draft, Drafts
from bot.reports.filing import file_report, filed_report
from bot.storage.db import Database
from bot.storage.models import Delivery, Report, ReportDraft, ReportEvent
from tests.bot.reports.test_reports import complete_draft

ANNA, BOB = 5001, 5002


async def counts(db: Database) -> tuple[int, int, int, int]:
    """Reports, events, deliveries, drafts."""
    async with db.session() as session:
        return tuple(  # type: ignore[return-value]
            [
                int(await session.scalar(select(func.count()).select_from(model)) or 0)
                for model in (Report, ReportEvent, Delivery, ReportDraft)
            ]
        )


async def saved(db: Database, user_id: int, draft: Draft) -> Draft:
    """The draft as the conversation stores it at the summary, loaded back (as the Send handler does)."""
    drafts = Drafts(db)
    await drafts.save(user_id, user_id, "summary", draft)
    loaded = await drafts.load(user_id)
    assert loaded is not None
    return loaded[1]


def test_every_draft_gets_its_own_key_and_keeps_it_through_json() -> None:
    first, second = Draft(), Draft()
    assert first.key != second.key
    assert len(first.key) == 16 and ":" not in first.key  # it travels in callback data
    assert Draft.from_json(first.to_json()).key == first.key


def test_a_draft_stored_without_a_key_gets_one() -> None:
    assert len(Draft.from_json({"category": "youth-nuisance"}).key) == 16


async def test_filing_deletes_the_draft_and_stores_the_key(db: Database) -> None:
    draft = await saved(db, ANNA, complete_draft())
    filed = await file_report(db, draft, chat_id=ANNA, language="nl", user_id=ANNA)
    assert filed.new and filed.updates == "chat"
    assert await counts(db) == (1, 1, 1, 0)
    async with db.session() as session:
        report = await session.get(Report, filed.id)
    assert report is not None and report.idempotency_key == draft.key


async def test_filing_the_same_draft_again_returns_the_first_report(db: Database) -> None:
    draft = await saved(db, ANNA, complete_draft(updates="none"))
    first = await file_report(db, draft, chat_id=ANNA, language="nl", user_id=ANNA)
    again = await file_report(db, draft, chat_id=ANNA, language="nl", user_id=ANNA)
    assert (again.id, again.reference, again.municipality, again.updates) == (
        first.id,
        first.reference,
        first.municipality,
        "none",
    )
    assert (first.new, again.new) == (True, False)
    assert await counts(db) == (1, 1, 1, 0)


async def test_a_leftover_draft_of_a_filed_report_is_deleted_without_filing(db: Database) -> None:
    """The contract: the resident's draft goes, whether its report is new or was filed before."""
    draft = complete_draft()
    await file_report(db, draft, chat_id=ANNA, language="nl")
    await saved(db, ANNA, draft)
    again = await file_report(db, draft, chat_id=ANNA, language="nl", user_id=ANNA)
    assert not again.new
    assert await counts(db) == (1, 1, 1, 0)


async def test_different_drafts_are_different_reports(db: Database) -> None:
    first = await file_report(db, await saved(db, ANNA, complete_draft()), chat_id=ANNA, language="nl", user_id=ANNA)
    second = await file_report(db, await saved(db, ANNA, complete_draft()), chat_id=ANNA, language="nl", user_id=ANNA)
    assert first.id != second.id and second.new
    assert await counts(db) == (2, 2, 2, 0)


async def test_filing_only_deletes_the_filing_residents_draft(db: Database) -> None:
    await saved(db, BOB, Draft(category="youth-nuisance"))
    await file_report(db, await saved(db, ANNA, complete_draft()), chat_id=ANNA, language="nl", user_id=ANNA)
    assert await Drafts(db).load(BOB) is not None and await Drafts(db).load(ANNA) is None


async def test_a_failed_filing_keeps_the_draft(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The draft deletion is part of the filing transaction: when filing fails, the draft is still there."""

    def broken_delivery(**kwargs: object) -> Delivery:
        raise RuntimeError("the outbox insert failed")

    draft = await saved(db, ANNA, complete_draft())
    monkeypatch.setattr(filing, "Delivery", broken_delivery)
    with pytest.raises(RuntimeError, match="outbox insert failed"):
        await file_report(db, draft, chat_id=ANNA, language="nl", user_id=ANNA)
    assert await counts(db) == (0, 0, 0, 1)
    assert await Drafts(db).load(ANNA) == ("summary", draft)
    monkeypatch.undo()
    filed = await file_report(db, draft, chat_id=ANNA, language="nl", user_id=ANNA)
    assert filed.new and await counts(db) == (1, 1, 1, 0)


async def test_the_same_key_filed_concurrently_ends_in_one_report(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another transaction commits the key between our lookup and our insert: the unique constraint refuses
    ours, and the next round returns theirs."""
    draft = complete_draft()
    theirs = await file_report(db, draft, chat_id=ANNA, language="nl")
    lookups: list[str] = []
    real_by_key = filing._by_key

    async def late_lookup(session: object, key: str) -> Report | None:
        lookups.append(key)
        return None if len(lookups) == 1 else await real_by_key(session, key)  # type: ignore[arg-type]

    monkeypatch.setattr(filing, "_by_key", late_lookup)
    ours = await file_report(db, draft, chat_id=ANNA, language="nl")
    assert lookups == [draft.key, draft.key]
    assert (ours.id, ours.new) == (theirs.id, False)
    assert await counts(db) == (1, 1, 1, 0)


async def test_the_key_is_unique_in_the_database(db: Database) -> None:
    first = await file_report(db, complete_draft(), chat_id=ANNA, language="nl")
    second = await file_report(db, complete_draft(), chat_id=BOB, language="nl")

    async def give_the_second_the_first_key() -> None:
        async with db.session() as session:
            rows = {r.id: r for r in await session.scalars(select(Report))}
            rows[second.id].idempotency_key = rows[first.id].idempotency_key

    with pytest.raises(IntegrityError):
        await give_the_second_the_first_key()


async def test_filed_report_looks_up_by_key(db: Database) -> None:
    draft = complete_draft()
    assert await filed_report(db, draft.key) is None
    filed = await file_report(db, draft, chat_id=ANNA, language="nl")
    found = await filed_report(db, draft.key)
    assert found is not None and (found.id, found.reference, found.new) == (filed.id, filed.reference, False)
    assert await filed_report(db, complete_draft().key) is None
