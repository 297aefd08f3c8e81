"""The outbox never strands a report silently: moved chats are followed, gone chats are blocked (and shown),
a relink unblocks, and an unexpected failure affects only its own delivery."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from bot.i18n.catalogs import Translator
from bot.outbox.delivery import (
    MAX_BACKOFF,
    Outbox,
    RetryLater,
    StaffChat,
    TargetGone,
    TargetMoved,
    link_municipality,
    staff_chat_links,
    staff_chats,
)
from bot.reports.filing import file_report
from bot.storage.db import Database
from bot.storage.models import Delivery
from tests.bot.outbox.conftest import RESIDENT, delivery, draft, later

OLD_GROUP, SUPERGROUP, EPE_CHAT, NEW_CHAT = -4000000001, -1001000000001, -1001000000002, -1001000000003
SECRET = "Youngsters deal from the shed behind Dorpsstraat 12"
KICKED = "Forbidden: bot was kicked from the group chat"


@dataclass
class ScriptedSender:
    """Sends unless ``failures[chat_id]`` holds exceptions (raised one per call, in order) or ``always``
    holds a function that makes one for every call to that chat."""

    failures: dict[int, list[Exception]] = field(default_factory=dict)
    always: dict[int, Callable[[], Exception]] = field(default_factory=dict)
    cards: list[tuple[int, str]] = field(default_factory=list)
    photos: list[tuple[int, list[str], int]] = field(default_factory=list)
    tried: list[int] = field(default_factory=list)

    def _fail(self, chat_id: int) -> None:
        self.tried.append(chat_id)
        if chat_id in self.always:
            raise self.always[chat_id]()
        if self.failures.get(chat_id):
            raise self.failures[chat_id].pop(0)

    async def send_card(self, chat_id: int, text: str) -> int:
        self._fail(chat_id)
        self.cards.append((chat_id, text))
        return 700 + len(self.cards)

    async def send_photos(self, chat_id: int, file_ids: list[str], reply_to: int) -> None:
        self._fail(chat_id)
        self.photos.append((chat_id, file_ids, reply_to))


async def link(db: Database, municipality: str) -> StaffChat:
    return (await staff_chat_links(db))[municipality]


def gone() -> Exception:
    return TargetGone(KICKED, "Forbidden")


# --- a group that became a supergroup --------------------------------------------------------------------


async def test_a_moved_chat_is_relinked_and_the_card_goes_there(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", OLD_GROUP)
    filed = await file_report(db, draft(photos=["p1"]), chat_id=RESIDENT, language="nl")
    sender = ScriptedSender(always={OLD_GROUP: lambda: TargetMoved(SUPERGROUP)})
    result = await Outbox(db, sender, en).run_once()
    assert (result.sent, result.retried) == (1, 0)
    assert sender.tried == [OLD_GROUP, SUPERGROUP, SUPERGROUP]  # card refused, card sent, photo sent
    assert [chat for chat, _ in sender.cards] == [SUPERGROUP]
    assert sender.photos == [(SUPERGROUP, ["p1"], 701)]
    assert await staff_chats(db) == {"heerde": SUPERGROUP}
    assert (await link(db, "heerde")).health == "ok"
    row = await delivery(db, filed.id)
    assert (row.state, row.attempts) == ("sent", 0)


async def test_a_chat_moving_after_the_card_sends_only_the_photos_there(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", OLD_GROUP)
    await file_report(db, draft(photos=["p1", "p2"]), chat_id=RESIDENT, language="nl")
    sender = ScriptedSender()

    async def photos_refused(chat_id: int, file_ids: list[str], reply_to: int) -> None:
        if chat_id == OLD_GROUP:
            raise TargetMoved(SUPERGROUP)
        sender.photos.append((chat_id, file_ids, reply_to))

    sender.send_photos = photos_refused  # type: ignore[method-assign]
    assert (await Outbox(db, sender, en).run_once()).sent == 1
    assert [chat for chat, _ in sender.cards] == [OLD_GROUP]
    assert sender.photos == [(SUPERGROUP, ["p1", "p2"], 701)]


async def test_every_municipality_sharing_the_moved_chat_is_relinked(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", OLD_GROUP)
    await link_municipality(db, "epe", OLD_GROUP)
    await link_municipality(db, "elburg", EPE_CHAT)
    await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    await file_report(db, draft(municipality="epe"), chat_id=RESIDENT, language="nl")
    sender = ScriptedSender(always={OLD_GROUP: lambda: TargetMoved(SUPERGROUP)})
    assert (await Outbox(db, sender, en).run_once()).sent == 2
    assert sender.tried == [OLD_GROUP, SUPERGROUP, SUPERGROUP]  # the second report went straight there
    assert await staff_chats(db) == {"heerde": SUPERGROUP, "epe": SUPERGROUP, "elburg": EPE_CHAT}


async def test_a_chat_that_keeps_moving_backs_off(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", OLD_GROUP)
    filed = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    moves = iter(range(SUPERGROUP, SUPERGROUP - 10, -1))
    sender = ScriptedSender()

    async def always_moved(chat_id: int, text: str) -> int:
        sender.tried.append(chat_id)
        raise TargetMoved(next(moves))

    sender.send_card = always_moved  # type: ignore[method-assign]
    assert (await Outbox(db, sender, en).run_once()).retried == 1
    assert len(sender.tried) == 3
    row = await delivery(db, filed.id)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "the staff chat kept moving")


# --- a chat that refuses the bot ---------------------------------------------------------------------------


async def test_a_gone_chat_is_blocked_logged_and_not_hammered(
    db: Database, en: Translator, caplog: pytest.LogCaptureFixture
) -> None:
    await link_municipality(db, "heerde", SUPERGROUP)
    await link_municipality(db, "epe", EPE_CHAT)
    first = await file_report(db, draft(description=SECRET), chat_id=RESIDENT, language="nl")
    second = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    epe = await file_report(db, draft(municipality="epe"), chat_id=RESIDENT, language="nl")
    sender = ScriptedSender(always={SUPERGROUP: gone})
    before = dt.datetime.now(dt.UTC)

    with caplog.at_level(logging.ERROR, logger="bot.outbox.delivery"):
        result = await Outbox(db, sender, en).run_once()
    assert (result.sent, result.retried, result.blocked) == (1, 0, 2)
    assert sender.tried == [SUPERGROUP, EPE_CHAT]  # one try; the second Heerde report was not attempted
    assert (await delivery(db, epe.id)).state == "sent"
    target = await link(db, "heerde")
    assert (target.chat_id, target.health, target.last_error) == (SUPERGROUP, "blocked", KICKED)
    assert target.last_error_at is not None and target.last_error_at >= before
    row = await delivery(db, first.id)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, KICKED)
    assert (await delivery(db, second.id)).attempts == 0
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "heerde" in record.getMessage() and "Forbidden" in record.getMessage()
    assert SECRET not in caplog.text and "kicked" not in caplog.text

    # Later runs, also after a restart (a new Outbox), leave the blocked chat alone.
    for hours in (1, 24):
        result = await Outbox(db, sender, en).run_once(now=later(hours * 3600))
        assert (result.sent, result.blocked) == (0, 2)
    assert sender.tried == [SUPERGROUP, EPE_CHAT]


async def test_relinking_clears_the_block_and_the_waiting_reports_go_out(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", SUPERGROUP)
    first = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    second = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    sender = ScriptedSender(always={SUPERGROUP: gone})
    outbox = Outbox(db, sender, en)
    assert (await outbox.run_once()).blocked == 2

    await link_municipality(db, "heerde", NEW_CHAT)
    target = await link(db, "heerde")
    assert (target.chat_id, target.health, target.last_error, target.last_error_at) == (NEW_CHAT, "ok", None, None)
    result = await outbox.run_once()  # now: nothing waits for a backoff
    assert (result.sent, result.blocked) == (2, 0)
    assert [chat for chat, _ in sender.cards] == [NEW_CHAT, NEW_CHAT]
    assert (await delivery(db, first.id)).state == (await delivery(db, second.id)).state == "sent"


async def test_relinking_the_same_chat_after_the_bot_is_back(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", SUPERGROUP)
    await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    sender = ScriptedSender(failures={SUPERGROUP: [gone()]})
    outbox = Outbox(db, sender, en)
    assert (await outbox.run_once()).blocked == 1
    assert (await outbox.run_once(now=later(60))).blocked == 1
    await link_municipality(db, "heerde", SUPERGROUP)
    assert (await outbox.run_once()).sent == 1
    assert sender.cards[0][0] == SUPERGROUP and sender.tried == [SUPERGROUP, SUPERGROUP]


async def test_a_relink_made_during_the_attempt_is_not_undone(db: Database, en: Translator) -> None:
    """`veiligbot municipality link` runs in another process: its new chat stays healthy even when the
    attempt on the old chat fails afterwards."""
    await link_municipality(db, "heerde", SUPERGROUP)
    await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    sender = ScriptedSender()

    async def relinked_meanwhile(chat_id: int, text: str) -> int:
        await link_municipality(db, "heerde", NEW_CHAT)
        raise TargetGone(KICKED, "Forbidden")

    sender.send_card = relinked_meanwhile  # type: ignore[method-assign]
    await Outbox(db, sender, en).run_once()
    target = await link(db, "heerde")
    assert (target.chat_id, target.health) == (NEW_CHAT, "ok")


# --- temporary failures and health --------------------------------------------------------------------------


async def test_retry_later_marks_the_chat_failing_until_a_card_goes_through(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", SUPERGROUP)
    await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    sender = ScriptedSender(failures={SUPERGROUP: [RetryLater("NetworkError: Bad Gateway")]})
    outbox = Outbox(db, sender, en)
    assert (await outbox.run_once()).retried == 1
    target = await link(db, "heerde")
    assert (target.health, target.last_error) == ("failing", "NetworkError: Bad Gateway")
    assert target.last_error_at is not None
    assert (await outbox.run_once(now=later(60))).sent == 1
    target = await link(db, "heerde")
    assert (target.health, target.last_error) == ("ok", "NetworkError: Bad Gateway")  # kept as history


async def test_relinking_makes_backed_off_reports_due_now(db: Database, en: Translator) -> None:
    await link_municipality(db, "heerde", SUPERGROUP)
    filed = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    async with db.session() as session:
        row = await session.scalar(select(Delivery).where(Delivery.report_id == filed.id))
        assert row is not None
        row.attempts, row.next_attempt_at = 12, later(MAX_BACKOFF.total_seconds())
    sender = ScriptedSender()
    outbox = Outbox(db, sender, en)
    assert (await outbox.run_once()).sent == 0
    await link_municipality(db, "heerde", NEW_CHAT)
    assert (await outbox.run_once()).sent == 1


# --- unexpected failures ---------------------------------------------------------------------------------------


async def test_an_unexpected_exception_affects_only_its_own_delivery(
    db: Database, en: Translator, caplog: pytest.LogCaptureFixture
) -> None:
    await link_municipality(db, "heerde", SUPERGROUP)
    await link_municipality(db, "epe", EPE_CHAT)
    broken = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    fine = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    epe = await file_report(db, draft(municipality="epe"), chat_id=RESIDENT, language="nl")
    sender = ScriptedSender(failures={SUPERGROUP: [KeyError(SECRET)]})
    before = dt.datetime.now(dt.UTC)

    with caplog.at_level(logging.WARNING, logger="bot.outbox.delivery"):
        result = await Outbox(db, sender, en).run_once()
    assert (result.sent, result.retried, result.blocked) == (2, 1, 0)
    row = await delivery(db, broken.id)
    assert (row.state, row.attempts, row.last_error) == (
        "pending",
        1,
        "maybe sent: unexpected KeyError",
    )  # unreadable: maybe sent
    assert row.next_attempt_at >= before + dt.timedelta(seconds=10)  # backoff, as for any failure
    assert (await delivery(db, fine.id)).state == (await delivery(db, epe.id)).state == "sent"
    assert (await link(db, "heerde")).health == "ok"  # not the chat's fault
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "KeyError" in errors[0].getMessage()
    assert SECRET not in caplog.text

    assert (await Outbox(db, sender, en).run_once(now=later(60))).sent == 1
    assert (await delivery(db, broken.id)).state == "sent"
    assert len(sender.cards) == 3


async def test_the_run_goes_on_when_a_failure_cannot_even_be_recorded(
    db: Database, en: Translator, monkeypatch: pytest.MonkeyPatch
) -> None:
    await link_municipality(db, "heerde", SUPERGROUP)
    first = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    second = await file_report(db, draft(), chat_id=RESIDENT, language="nl")
    sender = ScriptedSender(failures={SUPERGROUP: [RuntimeError("boom")]})
    outbox = Outbox(db, sender, en)

    async def database_down(*args: object, **kwargs: object) -> None:
        raise OSError("disk I/O error")

    monkeypatch.setattr(outbox, "_retry", database_down)
    result = await outbox.run_once()
    assert (result.sent, result.retried) == (1, 1)
    assert (await delivery(db, first.id)).state == "pending"
    assert (await delivery(db, second.id)).state == "sent"
