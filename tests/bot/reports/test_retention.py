"""Retention with an injected clock: what a purge removes and keeps, when it runs, and the staff-chat clean-up
it queues (delete while Telegram allows it, otherwise a redraw without personal data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select, update

from bot.i18n.catalogs import Catalogs
from bot.outbox.delivery import link_municipality
from bot.outbox.messages import MessageOutbox
from bot.outbox.views import Buttons, CardView
from bot.reports.drafts import Draft
from bot.reports.filing import file_report
from bot.reports.retention import purge_expired
from bot.routing.router import Router
from bot.staff.auth import Actor
from bot.staff.card import render_staff_card
from bot.staff.queries import set_feedback
from bot.storage.db import Database
from bot.storage.models import Delivery, OutboxMessage, Report, ReportEvent, ResidentReply, StaffCompose
from bot.workflow.engine import Workflow
from bot.workflow.transitions import Action, Status
from knowledge.municipalities import load_municipalities

EPE_CHAT, RESIDENT = -1001, 555
EVA = Actor(101, "staff", "Eva")
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
DESCRIPTION = "Mijn buurjongen Kevin de Vries (15) wordt bedreigd door een man in een rode auto."


def router() -> Router:
    return Router.from_registry(load_municipalities())


def nl() -> Catalogs:
    return Catalogs()


async def filed_and_closed(db: Database, *, closed: dt.datetime, card_sent: dt.datetime | None = None) -> int:
    draft = Draft(
        category="worried-about-youth",
        description=DESCRIPTION,
        place_text="Dorpsstraat 12, Vaassen",
        latitude=52.287,
        longitude=5.9706,
        municipality="epe",
        photos=["AgACAgQAAx00000001"],
        updates="chat",
        phone="0612345678",
        email="anna@example.org",
        consent=True,
    )
    report_id = (await file_report(db, draft, chat_id=RESIDENT, language="nl")).id
    await link_municipality(db, "epe", EPE_CHAT)
    async with db.session() as session:
        delivery = await session.scalar(select(Delivery).where(Delivery.report_id == report_id))
        assert delivery is not None
        delivery.state, delivery.message_id, delivery.sent_at = "sent", 77, card_sent or T0
        # A thread post under the card (a resident's answer as staff saw it), sent with the card.
        session.add(
            OutboxMessage(
                report_id=report_id,
                kind="thread",
                payload={"municipality": "epe", "text": "Antwoord: het was Kevin"},
                state="sent",
                sent_at=card_sent or T0,
                message_id=78,
            )
        )
        session.add(
            StaffCompose(
                user_id=EVA.user_id,
                chat_id=EPE_CHAT,
                report_id=report_id,
                action="message",
                expected_status="in_progress",
                text="half af",
            )
        )
        session.add(ResidentReply(chat_id=RESIDENT, report_id=report_id, kind="reopen"))
    workflow = Workflow(db, nl(), {"epe": "Epe"})
    await workflow.apply(report_id, Action.TAKE, expected=Status.NEW, actor=EVA, now=closed - dt.timedelta(hours=2))
    await workflow.record(report_id, EVA.event_actor, "note", "Kevin is bekend bij de wijkagent")
    await workflow.apply(
        report_id, Action.CLOSE, expected=Status.IN_PROGRESS, actor=EVA, resident_text="Dank je, Anna", now=closed
    )
    await set_feedback(db, report_id, RESIDENT, "up")
    async with db.session() as session:  # the outbox has sent everything by now
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.state == "pending").values(state="sent", sent_at=closed)
        )
    return report_id


async def load(db: Database, report_id: int) -> tuple[Report, list[ReportEvent], list[OutboxMessage]]:
    async with db.session() as session:
        report = await session.get(Report, report_id)
        events = list(await session.scalars(select(ReportEvent).where(ReportEvent.report_id == report_id)))
        outbox = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.report_id == report_id).order_by(OutboxMessage.id)
            )
        )
    assert report is not None
    return report, events, outbox


async def test_nothing_is_purged_before_the_retention_period(db: Database) -> None:
    report_id = await filed_and_closed(db, closed=T0)
    run = await purge_expired(db, router(), nl().get("nl"), retention_days=90, now=T0 + dt.timedelta(days=89))
    assert run.reports == 0
    report, _, _ = await load(db, report_id)
    assert report.description == DESCRIPTION and report.purged_at is None


async def test_a_purge_removes_personal_data_and_keeps_the_statistics(db: Database) -> None:
    report_id = await filed_and_closed(db, closed=T0)
    before, _, _ = await load(db, report_id)
    now = T0 + dt.timedelta(days=90, minutes=1)
    run = await purge_expired(db, router(), nl().get("nl"), retention_days=90, now=now)
    assert run.reports == 1
    report, events, outbox = await load(db, report_id)
    # Personal data: gone.
    assert report.description == ""
    assert (report.latitude, report.longitude, report.photos) == (None, None, [])
    assert (report.resident_chat_id, report.contact_phone, report.contact_email) == (None, None, None)
    assert report.place_text == "Vaassen"  # the village stays, the street address does not
    texts = [e.note or "" for e in events] + [str(m.payload.get("text", "")) for m in outbox if m.kind != "redact"]
    for secret in ("Kevin", "Anna", "Dank je", "0612345678", "anna@example.org", "Dorpsstraat"):
        assert not any(secret in text for text in texts), secret
    async with db.session() as session:
        assert await session.scalar(select(StaffCompose).where(StaffCompose.report_id == report_id)) is None
        assert await session.scalar(select(ResidentReply).where(ResidentReply.report_id == report_id)) is None
    # Statistics: kept.
    assert (report.category, report.theme, report.municipality, report.status, report.feedback) == (
        before.category,
        before.theme,
        "epe",
        Status.CLOSED,
        "up",
    )
    assert (report.created_at, report.closed_at, report.reference) == (
        before.created_at,
        before.closed_at,
        before.reference,
    )
    assert [e.action for e in events][:4] == ["created", "take", "note", "close"]
    assert next(e for e in events if e.action == "feedback").note == "up"
    assert events[-1].action == "personal-data-purged" and report.purged_at == now
    # A second run finds nothing to do.
    again = await purge_expired(db, router(), nl().get("nl"), retention_days=90, now=now + dt.timedelta(days=1))
    assert again.reports == 0


async def test_old_copies_are_redrawn_and_young_ones_deleted(db: Database) -> None:
    old_id = await filed_and_closed(db, closed=T0)
    await purge_expired(db, router(), nl().get("nl"), retention_days=90, now=T0 + dt.timedelta(days=91))
    _, _, outbox = await load(db, old_id)
    queued = [(m.kind, m.payload.get("message_id"), m.payload.get("delete")) for m in outbox if m.state == "pending"]
    # Older than 48 hours: Telegram refuses deleteMessage, so the card is redrawn and the post replaced.
    assert queued == [("card", None, None), ("redact", 78, False)]


async def test_a_report_closed_within_two_days_of_its_card_is_deleted(db: Database) -> None:
    sent = T0
    report_id = await filed_and_closed(db, closed=sent + dt.timedelta(hours=1), card_sent=sent)
    await purge_expired(db, router(), nl().get("nl"), retention_days=1, now=sent + dt.timedelta(hours=26))
    _, _, outbox = await load(db, report_id)
    queued = [(m.kind, m.payload.get("message_id"), m.payload.get("delete")) for m in outbox if m.state == "pending"]
    assert ("redact", 77, True) in queued and ("redact", 78, True) in queued


async def test_cancelled_and_open_reports(db: Database) -> None:
    report_id = await filed_and_closed(db, closed=T0)
    workflow = Workflow(db, nl(), {"epe": "Epe"})
    await workflow.apply(report_id, Action.REOPEN, expected=Status.CLOSED, actor=EVA, now=T0 + dt.timedelta(days=1))
    run = await purge_expired(db, router(), nl().get("nl"), retention_days=90, now=T0 + dt.timedelta(days=200))
    assert run.reports == 0  # reopened: it is open work again, whatever its age


@dataclass
class Sender:
    deletable: bool
    deleted: list[int] = field(default_factory=list)
    edits: list[tuple[int, str]] = field(default_factory=list)

    async def send_message(
        self, chat_id: int, text: str, buttons: Buttons, *, reply_to: int | None = None, thread_id: int | None = None
    ) -> int:
        raise AssertionError("nothing is sent to anyone after a purge")

    async def edit_message(self, chat_id: int, message_id: int, text: str, buttons: Buttons) -> None:
        self.edits.append((message_id, text))

    async def topic(self, chat_id: int, thread_id: int, op: str) -> None:
        raise AssertionError("plain group")

    async def delete_message(self, chat_id: int, message_id: int) -> bool:
        if self.deletable:
            self.deleted.append(message_id)
        return self.deletable


async def cards(report: Report, municipality: str) -> CardView:
    t = nl().get("nl")
    return render_staff_card(report, municipality, "Epe", t, names={}, last=None)


async def test_the_outbox_deletes_or_falls_back_to_a_redraw(db: Database) -> None:
    for deletable in (True, False):
        report_id = await filed_and_closed(db, closed=T0 + dt.timedelta(hours=1))
        await purge_expired(db, router(), nl().get("nl"), retention_days=1, now=T0 + dt.timedelta(hours=26))
        sender = Sender(deletable)
        await MessageOutbox(db, sender, cards).run_once(now=T0 + dt.timedelta(days=400))
        if deletable:
            assert sender.deleted == [77, 78] and sender.edits == []
        else:
            assert [m for m, _ in sender.edits] == [77, 78]
            card, post = sender.edits[0][1], sender.edits[1][1]
            assert "bewaartermijn" in card and DESCRIPTION not in card and "Vaassen" in card
            assert "bewaartermijn" in post and "Kevin" not in post
        async with db.session() as session:
            states = set(await session.scalars(select(OutboxMessage.state).where(OutboxMessage.report_id == report_id)))
        assert states == {"sent"}
