"""Workflow.apply: the table enforced in one transaction -- compare-and-set, event, resident message, card redraw;
every refusal recorded and nothing else written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from bot.i18n.catalogs import Catalogs
from bot.reports.drafts import Draft
from bot.reports.filing import file_report
from bot.staff.auth import Actor
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, Report, ReportEvent
from bot.workflow.engine import Refused, Workflow
from bot.workflow.transitions import Action, Status
from knowledge.standard_texts import load_standard_texts

NAMES = {"epe": "Epe", "heerde": "Heerde", "hattem": "Hattem"}
RESIDENT_CHAT = 555
EVA = Actor(101, "staff", "Eva")


def draft(updates: str = "chat") -> Draft:
    return Draft(
        category="youth-nuisance",
        description="Bottles smashed at the playground.",
        place_text="Epe",
        municipality="epe",
        updates=updates,
        consent=True,
    )


async def filed(db: Database, *, updates: str = "chat", language: str = "en") -> int:
    return (await file_report(db, draft(updates), chat_id=RESIDENT_CHAT, language=language)).id


def workflow(db: Database) -> Workflow:
    return Workflow(db, Catalogs(), NAMES, load_standard_texts())


async def outbox(db: Database, kind: str | None = None) -> list[OutboxMessage]:
    async with db.session() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return list(await session.scalars(query))


async def report(db: Database, report_id: int) -> Report:
    async with db.session() as session:
        row = await session.get(Report, report_id)
    assert row is not None
    return row


async def events(db: Database, report_id: int) -> list[ReportEvent]:
    async with db.session() as session:
        return list(
            await session.scalars(
                select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.id)
            )
        )


async def test_take_sets_status_assignee_event_resident_message_and_card(db: Database) -> None:
    report_id = await filed(db)
    outcome = await workflow(db).apply(report_id, Action.TAKE, expected=Status.NEW, actor=EVA)
    assert (outcome.from_status, outcome.to_status, outcome.resident_told) == (Status.NEW, Status.IN_PROGRESS, True)
    row = await report(db, report_id)
    assert (row.status, row.assignee_id) == ("in_progress", EVA.user_id)
    event = (await events(db, report_id))[-1]
    assert (event.actor, event.action, event.from_status, event.to_status) == (
        "staff:101",
        "take",
        "new",
        "in_progress",
    )
    (message,) = await outbox(db, "resident")
    assert (
        message.chat_id == RESIDENT_CHAT and "Epe" in message.payload["text"] and "Eva" not in message.payload["text"]
    )
    assert [m.payload["municipality"] for m in await outbox(db, "card")] == ["epe"]


async def test_a_stale_expected_status_is_refused_and_recorded_without_changes(db: Database) -> None:
    report_id = await filed(db)
    wf = workflow(db)
    await wf.apply(report_id, Action.TAKE, expected=Status.NEW, actor=EVA)
    before = len(await outbox(db, "resident"))
    with pytest.raises(Refused) as refused:
        await wf.apply(report_id, Action.CLOSE, expected=Status.NEW, actor=EVA, resident_text="Done")
    # "close" is legal from "new", but the report is no longer "new": the card was out of date.
    assert refused.value.reason == "stale"
    assert (await report(db, report_id)).status == "in_progress"
    assert len(await outbox(db, "resident")) == before
    last = (await events(db, report_id))[-1]
    assert (last.action, last.actor, last.note) == ("refused", "staff:101", "close: stale")


@pytest.mark.parametrize(
    ("action", "expected", "actor", "kwargs", "reason"),
    [
        (Action.REOPEN, Status.NEW, EVA, {}, "illegal"),
        (Action.CANCEL, Status.NEW, EVA, {"note": "dubbel"}, "role"),
        (Action.ANSWER, Status.NEW, EVA, {}, "role"),
        (Action.ASK, Status.NEW, EVA, {}, "missing-text"),
        (Action.FORWARD, Status.NEW, EVA, {"partner": "mi5"}, "bad-target"),
        (Action.TRANSFER, Status.NEW, EVA, {"municipality": "epe"}, "bad-target"),
    ],
)
async def test_refusals(
    db: Database, action: Action, expected: Status, actor: Actor, kwargs: dict[str, str], reason: str
) -> None:
    report_id = await filed(db)
    with pytest.raises(Refused) as refused:
        await workflow(db).apply(report_id, action, expected=expected, actor=actor, **kwargs)  # type: ignore[arg-type]
    assert refused.value.reason == reason
    assert (await report(db, report_id)).status == "new"
    assert (await events(db, report_id))[-1].note == f"{action.value}: {reason}"
    assert not await outbox(db, "resident")


async def test_a_coordinator_may_cancel(db: Database) -> None:
    report_id = await filed(db)
    await workflow(db).apply(
        report_id, Action.CANCEL, expected=Status.NEW, actor=Actor(9, "coordinator"), note="dubbel"
    )
    assert (await report(db, report_id)).status == "cancelled"


async def test_no_contact_actions_for_a_resident_without_updates(db: Database) -> None:
    report_id = await filed(db, updates="none")
    with pytest.raises(Refused, match="unreachable"):
        await workflow(db).apply(report_id, Action.ASK, expected=Status.NEW, actor=EVA, resident_text="Wanneer?")
    # Closing is possible; its text is kept as the event's note, and nothing is queued for the resident.
    await workflow(db).apply(report_id, Action.CLOSE, expected=Status.NEW, actor=EVA, note="Opgelost.")
    assert not await outbox(db, "resident")
    assert (await events(db, report_id))[-1].note == "Opgelost."


async def test_question_answer_and_closing_template_in_the_residents_language(db: Database) -> None:
    report_id = await filed(db, language="en")
    wf = workflow(db)
    await wf.apply(report_id, Action.ASK, expected=Status.NEW, actor=EVA, resident_text="Hoe laat <ongeveer>?")
    question = (await outbox(db, "resident"))[-1]
    assert "Hoe laat &lt;ongeveer&gt;?" in question.payload["text"]  # staff text escaped, sent as typed
    assert question.payload["buttons"] == [
        [{"label": "✍️ Answer", "kind": "resident", "action": "answer", "report": report_id, "status": ""}]
    ]
    assert (await report(db, report_id)).question_asked_at is not None
    await wf.apply(
        report_id,
        Action.ANSWER,
        expected=Status.REACTION_REQUESTED,
        actor=Actor(0, "resident"),
        note="22:00",
        resident_text="22:00",
    )
    (thread,) = await outbox(db, "thread")
    assert "22:00" in thread.payload["text"] and "Melder" in thread.payload["text"]
    template = load_standard_texts().choices("youth-nuisance", "close")[0]
    await wf.apply(report_id, Action.CLOSE, expected=Status.REACTION_RECEIVED, actor=EVA, template=template.id)
    closing = (await outbox(db, "resident"))[-1]
    assert template.en in closing.payload["text"]  # English for an English-speaking resident
    assert [b["action"] for b in closing.payload["buttons"][0]] == ["up", "down"]
    assert (await events(db, report_id))[-1].note == template.nl  # staff read the history in Dutch
    assert (await report(db, report_id)).closed_at is not None


async def test_transfer_moves_the_report_and_tells_the_resident(db: Database) -> None:
    report_id = await filed(db)
    wf = workflow(db)
    await wf.apply(report_id, Action.TAKE, expected=Status.NEW, actor=EVA)
    await wf.apply(report_id, Action.TRANSFER, expected=Status.IN_PROGRESS, actor=EVA, municipality="heerde")
    row = await report(db, report_id)
    assert (row.municipality, row.status, row.assignee_id) == ("heerde", "new", None)
    assert "Heerde" in (await outbox(db, "resident"))[-1].payload["text"]
    assert [m.payload["municipality"] for m in await outbox(db, "card")][-1] == "epe"  # the old card is redrawn
    assert (await events(db, report_id))[-1].note == "epe → heerde"


async def test_the_status_column_refuses_unknown_values(db: Database) -> None:
    report_id = await filed(db)
    with pytest.raises(IntegrityError):
        async with db.session() as session:
            await session.execute(text("UPDATE reports SET status = 'lost' WHERE id = :id"), {"id": report_id})


async def test_events_count_exactly_once_per_applied_action(db: Database) -> None:
    report_id = await filed(db)
    await workflow(db).apply(
        report_id, Action.TAKE, expected=Status.NEW, actor=EVA, now=dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
    )
    async with db.session() as session:
        count = await session.scalar(select(func.count()).select_from(ReportEvent).where(ReportEvent.action == "take"))
    assert count == 1


async def test_question_deadline_reminder_on_working_day_3_and_back_to_the_queue_on_day_5(db: Database) -> None:
    from zoneinfo import ZoneInfo

    from bot.workflow.engine import question_deadlines

    tz = ZoneInfo("Europe/Amsterdam")
    report_id = await filed(db)
    wf = workflow(db)
    friday = dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC)
    await wf.apply(report_id, Action.ASK, expected=Status.NEW, actor=EVA, resident_text="Wanneer?", now=friday)
    asked = len(await outbox(db, "resident"))
    # Saturday to Tuesday is two working days: nothing yet.
    assert await question_deadlines(wf, db, tz, dt.datetime(2026, 12, 8, 18, tzinfo=dt.UTC)) == 0
    # Wednesday is working day 3: one reminder, with the Answer button, only once.
    wednesday = dt.datetime(2026, 12, 9, 8, tzinfo=dt.UTC)
    assert await question_deadlines(wf, db, tz, wednesday) == 1
    assert await question_deadlines(wf, db, tz, wednesday + dt.timedelta(hours=5)) == 0
    reminders = (await outbox(db, "resident"))[asked:]
    assert len(reminders) == 1 and reminders[0].payload["buttons"][0][0]["action"] == "answer"
    assert (await report(db, report_id)).status == "reaction_requested"
    # Friday is working day 5: back to the queue with "geen reactie ontvangen".
    assert await question_deadlines(wf, db, tz, dt.datetime(2026, 12, 11, 8, tzinfo=dt.UTC)) == 1
    row = await report(db, report_id)
    assert (row.status, row.question_asked_at) == ("in_progress", None)
    last = (await events(db, report_id))[-1]
    assert (last.action, last.actor, last.note) == ("no_reaction", "system", "geen reactie ontvangen")
