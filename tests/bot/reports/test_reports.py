"""Report domain: drafts, validation, references, filing in one transaction, ownership and forgetting."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import func, select, update

import bot.reports.filing as filing
from bot.reports.drafts import (
    CATEGORIES,
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    REFERENCE_PREFIX,
    Draft,
    Drafts,
    ExpiredDraft,
    check_description,
    new_reference,
    normalise_reference,
    parse_email,
    parse_phone,
)
from bot.reports.filing import file_report
from bot.reports.queries import forget_resident, own_report, reports_of
from bot.storage.db import Database
from bot.storage.models import Delivery, Report, ReportDraft, ReportEvent

REFERENCE = re.compile(r"^(ELB|EPE|HAT|HEE|NUN|OLD)-[2-9A-HJKMNP-Z]{4}$")
ANNA, BOB = 5001, 5002


def complete_draft(**changes: object) -> Draft:
    draft = Draft(
        category="youth-nuisance",
        description="  Youngsters smash bottles at the playground every evening.  ",
        place_text="Wapenveld",
        municipality="heerde",
        photos=["photo-1", "photo-2"],
        updates="chat",
        phone="+31612345678",
        email="anna@example.nl",
        consent=True,
    )
    for key, value in changes.items():
        setattr(draft, key, value)
    return draft


async def rows(db: Database, model: type[object]) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


# --- the draft ------------------------------------------------------------------------------------------


def test_draft_json_round_trip() -> None:
    draft = complete_draft(latitude=52.347, longitude=5.983, editing=True)
    stored = json.loads(json.dumps(draft.to_json()))  # as the JSON column keeps it
    assert Draft.from_json(stored) == draft


def test_draft_from_json_ignores_unknown_keys_and_fills_defaults() -> None:
    draft = Draft.from_json({"category": "youth-nuisance", "from_an_older_version": 1})
    assert draft == Draft(category="youth-nuisance")
    assert draft.photos == [] and draft.consent is False


def test_draft_complete_needs_every_required_answer() -> None:
    assert complete_draft().complete()
    assert complete_draft(phone=None, email=None, photos=[], place_text=None).complete()
    for missing in ("category", "description", "municipality", "updates"):
        assert not complete_draft(**{missing: None}).complete(), missing
    assert not complete_draft(consent=False).complete()


# --- validation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("x" * (DESCRIPTION_MIN - 1), False),
        ("x" * DESCRIPTION_MIN, True),
        ("   " + "x" * (DESCRIPTION_MIN - 1) + "   ", False),  # spaces do not count
        ("x" * DESCRIPTION_MAX, True),
        ("x" * (DESCRIPTION_MAX + 1), False),
        ("", False),
    ],
)
def test_check_description_bounds(text: str, ok: bool) -> None:
    assert (DESCRIPTION_MIN, DESCRIPTION_MAX) == (10, 2000)
    assert (check_description(text) is None) is ok


def test_check_description_says_which_bound() -> None:
    assert "at least 10" in (check_description("short") or "")
    assert "2000" in (check_description("x" * 2001) or "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06 12345678", "+31612345678"),
        ("0612345678", "+31612345678"),
        ("06-12 34 56 78", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("038 123 4567", "+31381234567"),
        ("+32 470 12 34 56", "+32470123456"),
        ("hello", None),
        ("12345", None),
        ("06 1234", None),
        ("", None),
    ],
)
def test_parse_phone(text: str, expected: str | None) -> None:
    assert parse_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("anna@example.nl", "anna@example.nl"),
        ("  Anna@Example.NL ", "Anna@example.nl"),
        ("not an e-mail", None),
        ("anna@@example.nl", None),
        ("anna@example", None),
        ("@example.nl", None),
        ("", None),
    ],
)
def test_parse_email(text: str, expected: str | None) -> None:
    assert parse_email(text) == expected


# --- references -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("municipality", sorted(REFERENCE_PREFIX))
def test_reference_format(municipality: str) -> None:
    drawn = {new_reference(municipality) for _ in range(300)}
    assert all(REFERENCE.match(r) for r in drawn), drawn
    assert {r[:3] for r in drawn} == {REFERENCE_PREFIX[municipality]}
    assert len(drawn) > 250  # random, not a counter
    assert not set("".join(r[4:] for r in drawn)) & set("01OIL")


def test_every_municipality_has_a_prefix() -> None:
    assert set(REFERENCE_PREFIX) == {"elburg", "epe", "hattem", "heerde", "nunspeet", "oldebroek"}


def test_normalise_reference() -> None:
    assert normalise_reference(" hee-7k3q ") == "HEE-7K3Q"
    assert normalise_reference("hee_7k3q") == "HEE-7K3Q"
    assert normalise_reference("HEE - 7K3Q") == "HEE-7K3Q"


@pytest.fixture
def scripted_references(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """new_reference() returns these, in order (tests append before filing)."""
    queue: list[str] = []
    monkeypatch.setattr(filing, "new_reference", lambda municipality: queue.pop(0))
    return queue


async def test_reference_collision_draws_again(db: Database, scripted_references: list[str]) -> None:
    scripted_references += ["HEE-2222", "HEE-2222", "HEE-3333"]
    first = await file_report(db, complete_draft(), chat_id=ANNA, language="nl")
    second = await file_report(db, complete_draft(), chat_id=BOB, language="nl")
    assert (first.reference, second.reference) == ("HEE-2222", "HEE-3333")
    assert scripted_references == []
    # The failed attempt left nothing behind.
    assert (await rows(db, Report), await rows(db, ReportEvent), await rows(db, Delivery)) == (2, 2, 2)


async def test_reference_collisions_give_up(db: Database, scripted_references: list[str]) -> None:
    scripted_references += ["HEE-2222"] * 6
    await file_report(db, complete_draft(), chat_id=ANNA, language="nl")
    with pytest.raises(RuntimeError, match="unique reference"):
        await file_report(db, complete_draft(), chat_id=BOB, language="nl")
    assert await rows(db, Report) == 1


# --- filing ---------------------------------------------------------------------------------------------


async def test_file_report_writes_report_event_and_delivery(db: Database) -> None:
    filed = await file_report(db, complete_draft(), chat_id=ANNA, language="en")
    assert REFERENCE.match(filed.reference) and filed.reference.startswith("HEE-")
    assert filed.municipality == "heerde"
    async with db.session() as session:
        report = await session.get(Report, filed.id)
        events = list(await session.scalars(select(ReportEvent).where(ReportEvent.report_id == filed.id)))
        deliveries = list(await session.scalars(select(Delivery).where(Delivery.report_id == filed.id)))
    assert report is not None
    assert (report.reference, report.category, report.theme, report.municipality) == (
        filed.reference,
        "youth-nuisance",
        CATEGORIES["youth-nuisance"].theme,
        "heerde",
    )
    assert report.description == "Youngsters smash bottles at the playground every evening."  # stripped
    assert (report.photos, report.updates, report.resident_chat_id, report.language, report.status) == (
        ["photo-1", "photo-2"],
        "chat",
        ANNA,
        "en",
        "new",
    )
    assert (report.contact_phone, report.contact_email) == ("+31612345678", "anna@example.nl")
    assert [(e.actor, e.action, e.from_status, e.to_status) for e in events] == [("resident", "created", None, "new")]
    assert [(d.target, d.state, d.attempts, d.message_id) for d in deliveries] == [("staff:heerde", "pending", 0, None)]


async def test_file_report_without_updates_keeps_no_chat_id(db: Database) -> None:
    filed = await file_report(db, complete_draft(updates="none"), chat_id=ANNA, language="nl")
    async with db.session() as session:
        report = await session.get(Report, filed.id)
        events = list(await session.scalars(select(ReportEvent)))
    assert report is not None
    assert (report.updates, report.resident_chat_id) == ("none", None)
    assert all(str(ANNA) not in (e.note or "") and str(ANNA) not in e.actor for e in events)
    assert await reports_of(db, ANNA) == []
    assert await own_report(db, ANNA, filed.reference) is None


async def test_file_report_is_one_transaction(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_delivery(**kwargs: object) -> Delivery:
        raise RuntimeError("the outbox insert failed")

    monkeypatch.setattr(filing, "Delivery", broken_delivery)
    with pytest.raises(RuntimeError, match="outbox insert failed"):
        await file_report(db, complete_draft(), chat_id=ANNA, language="nl")
    assert (await rows(db, Report), await rows(db, ReportEvent)) == (0, 0)


async def test_file_report_refuses_an_incomplete_draft(db: Database) -> None:
    with pytest.raises(ValueError, match="not complete"):
        await file_report(db, complete_draft(consent=False), chat_id=ANNA, language="nl")
    assert await rows(db, Report) == 0


# --- lookup and forgetting ------------------------------------------------------------------------------


async def test_own_report_refuses_other_chats(db: Database) -> None:
    filed = await file_report(db, complete_draft(), chat_id=ANNA, language="nl")
    mine = await own_report(db, ANNA, filed.reference.lower())
    assert mine is not None and mine.id == filed.id
    assert await own_report(db, BOB, filed.reference) is None
    assert await own_report(db, ANNA, "HEE-ZZZZ") is None


async def test_reports_of_lists_only_this_chat_newest_first(db: Database) -> None:
    first = await file_report(db, complete_draft(), chat_id=ANNA, language="nl")
    await file_report(db, complete_draft(), chat_id=BOB, language="nl")
    second = await file_report(db, complete_draft(municipality="epe"), chat_id=ANNA, language="nl")
    async with db.session() as session:  # make the order independent of clock resolution
        await session.execute(
            update(Report)
            .where(Report.id == first.id)
            .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        )
    assert [r.reference for r in await reports_of(db, ANNA)] == [second.reference, first.reference]


async def test_forget_resident_unlinks(db: Database) -> None:
    mine = await file_report(db, complete_draft(), chat_id=ANNA, language="nl")
    theirs = await file_report(db, complete_draft(), chat_id=BOB, language="nl")
    drafts = Drafts(db)
    await drafts.save(ANNA, ANNA, "description", Draft(category="youth-nuisance"))
    await drafts.save(BOB, BOB, "description", Draft(category="youth-nuisance"))
    assert await forget_resident(db, ANNA) == 1
    async with db.session() as session:
        report = await session.get(Report, mine.id)
        other = await session.get(Report, theirs.id)
        actions = list(await session.scalars(select(ReportEvent.action).where(ReportEvent.report_id == mine.id)))
    assert report is not None and other is not None
    assert (report.resident_chat_id, report.contact_phone, report.contact_email, report.updates) == (
        None,
        None,
        None,
        "none",
    )
    assert report.description and report.municipality == "heerde"  # the concern stays
    assert actions == ["created", "personal-data-removed"]
    assert (other.resident_chat_id, other.contact_email) == (BOB, "anna@example.nl")
    assert await drafts.load(ANNA) is None and await drafts.load(BOB) is not None
    assert await reports_of(db, ANNA) == []
    assert await forget_resident(db, ANNA) == 0


# --- drafts ---------------------------------------------------------------------------------------------


async def test_drafts_save_load_and_steps(db: Database) -> None:
    drafts = Drafts(db)
    assert await drafts.load(ANNA) is None
    await drafts.save(ANNA, ANNA, "category", Draft())
    await drafts.save(ANNA, ANNA, "place", complete_draft())
    await drafts.save(BOB, -100, "photos", Draft(category="other-safety-concern"))
    assert await drafts.load(ANNA) == ("place", complete_draft())
    await drafts.set_step(ANNA, "summary")
    assert await drafts.steps() == {(ANNA, ANNA): "summary", (-100, BOB): "photos"}
    await drafts.discard(ANNA)
    assert await drafts.load(ANNA) is None
    assert await rows(db, ReportDraft) == 1


async def test_drafts_expire(db: Database) -> None:
    drafts = Drafts(db)
    await drafts.save(ANNA, ANNA, "description", Draft(category="youth-nuisance", language="en"))
    await drafts.save(BOB, BOB, "place", Draft(category="youth-nuisance"))
    now = dt.datetime.now(dt.UTC)
    async with db.session() as session:
        await session.execute(
            update(ReportDraft).where(ReportDraft.user_id == ANNA).values(updated_at=now - dt.timedelta(minutes=20))
        )
    timeout = dt.timedelta(minutes=30)
    assert await drafts.expire(timeout, now=now) == []
    assert await drafts.expire(timeout, now=now + dt.timedelta(minutes=11)) == [ExpiredDraft(ANNA, ANNA, "en")]
    assert await drafts.load(ANNA) is None and await drafts.load(BOB) is not None
    assert await drafts.expire(timeout, now=now + dt.timedelta(minutes=31)) == [ExpiredDraft(BOB, BOB, None)]
    assert await rows(db, ReportDraft) == 0


async def test_saving_a_draft_keeps_it_alive(db: Database) -> None:
    drafts = Drafts(db)
    await drafts.save(ANNA, ANNA, "description", Draft())
    async with db.session() as session:
        old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        await session.execute(update(ReportDraft).values(updated_at=old))
    await drafts.save(ANNA, ANNA, "place", Draft(description="Something is going on here."))
    assert await drafts.expire(dt.timedelta(minutes=30)) == []
