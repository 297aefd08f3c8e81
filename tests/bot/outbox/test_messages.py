"""The message outbox with a fake transport: each row sent once, retries, a blocked resident, card redraws."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from bot.i18n.catalogs import Catalogs
from bot.outbox.delivery import RetryLater, TargetGone, link_municipality
from bot.outbox.messages import MessageOutbox
from bot.outbox.views import Buttons, CardView
from bot.reports.filing import file_report
from bot.staff.auth import Actor
from bot.storage.db import Database
from bot.storage.models import Delivery, OutboxMessage, Report, ReportEvent
from bot.workflow.engine import Workflow
from bot.workflow.transitions import Action, Status
from tests.bot.outbox.conftest import RESIDENT, draft, later

EPE_CHAT = -1001
EVA = Actor(101, "staff", "Eva")


@dataclass
class FakeSender:
    sent: list[tuple[int, str, int | None]] = field(default_factory=list)
    edits: list[tuple[int, int, str]] = field(default_factory=list)
    fail: list[Exception] = field(default_factory=list)

    async def send_message(
        self, chat_id: int, text: str, buttons: Buttons, *, reply_to: int | None = None, thread_id: int | None = None
    ) -> int:
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append((chat_id, text, reply_to))
        return 900 + len(self.sent)

    async def edit_message(self, chat_id: int, message_id: int, text: str, buttons: Buttons) -> None:
        self.edits.append((chat_id, message_id, text))

    async def topic(self, chat_id: int, thread_id: int, op: str) -> None:
        raise AssertionError("no topics in plain mode")

    async def delete_message(self, chat_id: int, message_id: int) -> bool:
        raise AssertionError("nothing is deleted here")


async def cards(report: Report, municipality: str) -> CardView:
    return CardView(f"{report.reference} {report.status} {'unreachable' if report.resident_unreachable else ''}", [])


async def setup(db: Database) -> int:
    report_id = (await file_report(db, draft(municipality="epe", place_text="Epe"), chat_id=RESIDENT, language="nl")).id
    await link_municipality(db, "epe", EPE_CHAT)
    return report_id


async def card_sent(db: Database, report_id: int) -> None:
    async with db.session() as session:
        delivery = await session.scalar(select(Delivery).where(Delivery.report_id == report_id))
        assert delivery is not None
        delivery.state, delivery.message_id = "sent", 77


async def test_each_row_is_sent_once_and_card_edits_wait_for_the_card(db: Database) -> None:
    report_id = await setup(db)
    await Workflow(db, Catalogs(), {"epe": "Epe"}).apply(report_id, Action.TAKE, expected=Status.NEW, actor=EVA)
    sender = FakeSender()
    box = MessageOutbox(db, sender, cards)
    first = await box.run_once()
    assert (first.sent, first.waiting) == (1, 1)  # the resident's message; the card is not in the chat yet
    assert sender.sent[0][0] == RESIDENT
    await card_sent(db, report_id)
    second = await box.run_once()
    assert (second.sent, second.waiting) == (1, 0)
    assert sender.edits == [(EPE_CHAT, 77, sender.edits[0][2])] and "in_progress" in sender.edits[0][2]
    third = await box.run_once(now=later())
    assert third.sent == 0 and len(sender.sent) == 1 and len(sender.edits) == 1


async def test_a_failed_send_is_retried_later(db: Database) -> None:
    report_id = await setup(db)
    await card_sent(db, report_id)
    await Workflow(db, Catalogs(), {"epe": "Epe"}).apply(report_id, Action.TAKE, expected=Status.NEW, actor=EVA)
    sender = FakeSender(fail=[RetryLater("500 Internal Server Error")])
    box = MessageOutbox(db, sender, cards)
    assert (await box.run_once()).retried == 1
    assert (await box.run_once()).sent == 0  # backing off
    assert (await box.run_once(now=later())).sent == 1
    assert len(sender.sent) == 1


async def test_a_resident_who_blocked_the_bot_marks_the_report(db: Database) -> None:
    report_id = await setup(db)
    await card_sent(db, report_id)
    await Workflow(db, Catalogs(), {"epe": "Epe"}).apply(report_id, Action.TAKE, expected=Status.NEW, actor=EVA)
    sender = FakeSender(fail=[TargetGone("Forbidden: bot was blocked by the user", "Forbidden")])
    box = MessageOutbox(db, sender, cards)
    assert (await box.run_once()).failed == 1
    async with db.session() as session:
        report = await session.get(Report, report_id)
        assert report is not None and report.resident_unreachable
        actions = list(await session.scalars(select(ReportEvent.action).where(ReportEvent.report_id == report_id)))
        states = list(await session.scalars(select(OutboxMessage.state).where(OutboxMessage.kind == "resident")))
    assert "resident-unreachable" in actions and states == ["failed"]
    await box.run_once()
    assert "unreachable" in sender.edits[-1][2]  # staff see it on the card
    assert not [s for s in sender.sent if s[0] == RESIDENT]


async def test_a_message_queued_before_the_resident_unlinked_is_dropped(db: Database) -> None:
    from bot.reports.queries import forget_resident

    report_id = await setup(db)
    await Workflow(db, Catalogs(), {"epe": "Epe"}).apply(report_id, Action.TAKE, expected=Status.NEW, actor=EVA)
    await forget_resident(db, RESIDENT)
    sender = FakeSender()
    await MessageOutbox(db, sender, cards).run_once()
    assert sender.sent == []
    async with db.session() as session:
        states = list(await session.scalars(select(OutboxMessage.state).where(OutboxMessage.kind == "resident")))
    assert states == ["dropped"]
