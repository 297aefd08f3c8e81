"""The outbox with a fake transport: backoff, exactly-once phases, waiting for a staff chat, the card."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

from bot.dev.emulator import parse_html
from bot.i18n.catalogs import Catalogs, Translator
from bot.outbox.delivery import MAX_BACKOFF, Outbox, RetryLater, backoff, link_municipality, render_card, staff_chats
from bot.reports.filing import file_report
from bot.storage.db import Database
from bot.storage.models import Report
from tests.bot.outbox.conftest import RESIDENT, delivery, draft, later

STAFF_HEERDE, STAFF_EPE = -1001000000001, -1001000000002


@dataclass
class FakeSender:
    """Records what was sent; ``fail_cards``/``fail_photos`` are raised first, one per call."""

    cards: list[tuple[int, str]] = field(default_factory=list)
    photos: list[tuple[int, list[str], int]] = field(default_factory=list)
    fail_cards: list[RetryLater] = field(default_factory=list)
    fail_photos: list[RetryLater] = field(default_factory=list)

    async def send_card(self, chat_id: int, text: str) -> int:
        if self.fail_cards:
            raise self.fail_cards.pop(0)
        self.cards.append((chat_id, text))
        return 700 + len(self.cards)

    async def send_photos(self, chat_id: int, file_ids: list[str], reply_to: int) -> None:
        if self.fail_photos:
            raise self.fail_photos.pop(0)
        self.photos.append((chat_id, file_ids, reply_to))


# --- backoff and retries --------------------------------------------------------------------------------


def test_backoff_doubles_up_to_thirty_minutes() -> None:
    assert [backoff(n).total_seconds() for n in range(1, 6)] == [10, 20, 40, 80, 160]
    assert backoff(0) == dt.timedelta(seconds=10)
    assert backoff(20) == MAX_BACKOFF == dt.timedelta(minutes=30)


async def test_retry_later_backs_off_and_counts_attempts(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", STAFF_HEERDE)
    filed = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    sender = FakeSender(fail_cards=[RetryLater("500 Internal Server Error"), RetryLater("502 Bad Gateway")])
    outbox = Outbox(db, sender, en)

    before = dt.datetime.now(dt.UTC)
    assert (await outbox.run_once()).retried == 1
    row = await delivery(db, filed.id)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "500 Internal Server Error")
    assert before + dt.timedelta(seconds=10) <= row.next_attempt_at <= later(10)

    assert (await outbox.run_once()).retried == 0  # not due yet
    assert (await delivery(db, filed.id)).attempts == 1

    before = dt.datetime.now(dt.UTC)
    assert (await outbox.run_once(now=later(11))).retried == 1
    row = await delivery(db, filed.id)
    assert (row.attempts, row.last_error) == (2, "502 Bad Gateway")
    assert before + dt.timedelta(seconds=20) <= row.next_attempt_at <= later(20)

    result = await outbox.run_once(now=later(21))
    row = await delivery(db, filed.id)
    assert (result.sent, row.state, row.attempts, row.last_error, row.message_id) == (1, "sent", 2, None, 701)
    assert row.sent_at is not None
    assert [chat for chat, _ in sender.cards] == [STAFF_HEERDE]


async def test_retry_after_seconds_from_telegram_win_over_backoff(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", STAFF_HEERDE)
    filed = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    outbox = Outbox(db, FakeSender(fail_cards=[RetryLater("429 Too Many Requests", 3)]), en)
    before = dt.datetime.now(dt.UTC)
    await outbox.run_once()
    row = await delivery(db, filed.id)
    assert before + dt.timedelta(seconds=3) <= row.next_attempt_at <= later(3)
    assert row.last_error == "429 Too Many Requests"


async def test_card_is_not_sent_twice_when_photos_fail(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", STAFF_HEERDE)
    filed = await file_report(db, draft(photos=["p1", "p2"]), chat_id=RESIDENT, language="nl")
    sender = FakeSender(fail_photos=[RetryLater("500"), RetryLater("500")])
    outbox = Outbox(db, sender, en)

    assert (await outbox.run_once()).retried == 1
    row = await delivery(db, filed.id)
    assert (row.state, row.message_id, row.attempts) == ("card_sent", 701, 1)
    assert len(sender.cards) == 1 and sender.photos == []

    # A new Outbox, as after a restart: the stored phase decides, not memory.
    outbox = Outbox(db, sender, en)
    assert (await outbox.run_once(now=later(60))).retried == 1
    assert (await outbox.run_once(now=later(120))).sent == 1
    assert len(sender.cards) == 1
    assert sender.photos == [(STAFF_HEERDE, ["p1", "p2"], 701)]
    assert (await delivery(db, filed.id)).state == "sent"
    assert (await outbox.run_once(now=later(3600))).sent == 0
    assert len(sender.cards) == 1 and len(sender.photos) == 1


async def test_report_without_photos_sends_no_photos(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", STAFF_HEERDE)
    await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    sender = FakeSender()
    assert (await Outbox(db, sender, en).run_once()).sent == 1
    assert len(sender.cards) == 1 and sender.photos == []


async def test_waits_when_no_staff_chat_then_goes_out(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", STAFF_HEERDE)
    heerde = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    epe = await file_report(db, draft(municipality="epe"), chat_id=RESIDENT, language="nl")
    sender = FakeSender()
    outbox = Outbox(db, sender, en)

    result = await outbox.run_once()
    assert (result.sent, result.retried, result.waiting) == (1, 0, 1)
    row = await delivery(db, epe.id)
    assert (row.state, row.attempts, row.last_error) == ("pending", 0, None)  # waiting is not failing
    assert (await outbox.run_once()).waiting == 1

    await link_municipality(db, "epe", STAFF_EPE)
    assert await staff_chats(db) == {"heerde": STAFF_HEERDE, "epe": STAFF_EPE}
    assert (await outbox.run_once()).sent == 1
    assert [chat for chat, _ in sender.cards] == [STAFF_HEERDE, STAFF_EPE]
    assert (await delivery(db, heerde.id)).state == (await delivery(db, epe.id)).state == "sent"


async def test_relinking_moves_later_deliveries(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", STAFF_HEERDE)
    await link_municipality(db, "heerde", STAFF_EPE)
    await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    sender = FakeSender()
    await Outbox(db, sender, en).run_once()
    assert [chat for chat, _ in sender.cards] == [STAFF_EPE]


async def test_one_failing_delivery_does_not_block_the_next(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", STAFF_HEERDE)
    first = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    second = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    sender = FakeSender(fail_cards=[RetryLater("500")])
    result = await Outbox(db, sender, en).run_once()
    assert (result.sent, result.retried) == (1, 1)
    assert (await delivery(db, first.id)).state == "pending"
    assert (await delivery(db, second.id)).state == "sent"


# --- the card -------------------------------------------------------------------------------------------


def report(**changes: object) -> Report:
    values: dict[str, object] = {
        "id": 1,
        "reference": "HEE-7K3Q",
        "category": "youth-nuisance",
        "theme": "youth",
        "municipality": "heerde",
        "description": "Youngsters smash bottles at the playground every evening.",
        "place_text": "Wapenveld",
        "latitude": None,
        "longitude": None,
        "photos": [],
        "updates": "chat",
        "resident_chat_id": RESIDENT,
        "contact_phone": None,
        "contact_email": None,
        "language": "nl",
        "status": "new",
        "created_at": dt.datetime(2026, 7, 1, 12, 5, tzinfo=dt.UTC),
    }
    values.update(changes)
    return Report(**values)


def test_card_contents(en: Translator) -> None:
    card = render_card(report(photos=["a", "b"], contact_phone="+31612345678"), en)
    plain, _ = parse_html(card)  # valid Telegram HTML
    assert "HEE-7K3Q" in plain
    assert "Nuisance by young people" in plain
    assert "1 Jul 2026 14:05" in plain  # Europe/Amsterdam (CEST), not UTC
    assert "Wapenveld" in plain
    assert "Youngsters smash bottles at the playground every evening." in plain
    assert "2 photos follow." in plain
    assert "The resident would like updates via the bot." in plain
    assert "+31612345678" in plain
    assert "E-mail" not in plain


def test_card_time_in_winter(en: Translator) -> None:
    card = render_card(report(created_at=dt.datetime(2026, 1, 15, 23, 30, tzinfo=dt.UTC)), en)
    assert "16 Jan 2026 00:30" in card  # CET: the next day already


def test_card_escapes_the_description(en: Translator) -> None:
    evil = '<script>alert("x")</script> & <b>bold</b>'
    card = render_card(report(description=evil, place_text="<i>Epe</i> & co"), en)
    assert "<script>" not in card and "<b>bold</b>" not in card
    assert "&lt;script&gt;" in card
    plain, entities = parse_html(card)
    assert evil in plain and "<i>Epe</i> & co" in plain
    # Only the card's own labels are bold; the description adds no formatting.
    description_at = plain.index(evil)
    assert all(e["offset"] + e["length"] <= description_at for e in entities)


def test_card_has_no_resident_identity(en: Translator) -> None:
    card = render_card(report(resident_chat_id=RESIDENT, updates="chat"), en)
    assert str(RESIDENT) not in card
    for field_name in ("chat_id", "user", "username", "first_name"):
        assert field_name not in card.lower()


def test_card_without_updates_or_place(en: Translator) -> None:
    card = render_card(report(updates="none", resident_chat_id=None, place_text=None), en)
    assert "The resident does not want updates; the report has no link to them." in card
    assert "online / no particular place" in card


def test_card_with_a_shared_location(en: Translator) -> None:
    card = render_card(report(place_text=None, latitude=52.347, longitude=5.983), en)
    assert "(52.34700, 5.98300)" in card


def test_card_in_dutch_for_staff() -> None:
    nl = Catalogs().get("nl")
    card = render_card(report(), nl)
    assert "1 jul 2026 14:05" in card
    assert nl.gettext("Category") in card


# --- graceful shutdown and a second instance -------------------------------------------------------------


@dataclass
class GatedSender(FakeSender):
    """Holds the first card until ``gate`` is set, so a test can act while a card is on its way."""

    gate: asyncio.Event = field(default_factory=asyncio.Event)
    sending: asyncio.Event = field(default_factory=asyncio.Event)

    async def send_card(self, chat_id: int, text: str) -> int:
        self.sending.set()
        await self.gate.wait()
        return await super().send_card(chat_id, text)


async def test_stop_lets_the_card_on_its_way_finish_and_starts_no_other(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", STAFF_HEERDE)
    first = await file_report(db, draft(), chat_id=RESIDENT, language="en")
    await file_report(db, draft(), chat_id=RESIDENT, language="en")
    sender = GatedSender()
    outbox = Outbox(db, sender, en)
    run = asyncio.create_task(outbox.run_once())
    await sender.sending.wait()
    outbox.stop()
    sender.gate.set()
    await outbox.wait_idle()
    assert (await run).sent == 1
    assert len(sender.cards) == 1
    assert (await delivery(db, first.id)).state == "sent"
    assert (await outbox.run_once()).sent == 0  # stopped for good


async def test_a_second_instance_skips_the_row_the_first_one_is_sending(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", STAFF_HEERDE)
    await file_report(db, draft(), chat_id=RESIDENT, language="en")
    held, other = GatedSender(), FakeSender()
    first = asyncio.create_task(Outbox(db, held, en).run_once())
    await held.sending.wait()
    assert (await Outbox(db, other, en).run_once()).sent == 0  # claimed by the first instance
    held.gate.set()
    assert (await first).sent == 1
    assert len(held.cards) == 1 and not other.cards
    assert (await Outbox(db, other, en).run_once()).sent == 0  # and once sent, never again
