"""The e-mail outbox against a real SMTP server on loopback (aiosmtpd): the message, faults, restarts, and
exactly one e-mail per report.

Retries are driven by calling ``run_once`` with a ``now`` past the backoff instead of waiting.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from bot.i18n.catalogs import Catalogs
from bot.outbox.delivery import Outbox, link_municipality
from bot.outbox.email import (
    EmailOutbox,
    SmtpConfig,
    SmtpTransport,
    email_targets,
    remove_municipality_email,
    set_municipality_email,
    village_of,
)
from bot.reports.filing import FiledReport, file_report
from bot.routing.router import Router
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Delivery
from knowledge.municipalities import load_municipalities
from tests.bot.outbox.conftest import RESIDENT, draft, later
from tests.bot.outbox.smtp_server import SmtpServer, smtp
from tests.bot.outbox.test_delivery import FakeSender

__all__ = ["smtp"]  # the fixture

SENDER = "Veilig Noord-Veluwe <meldingen@veilig.test>"
HEERDE_MAIL = "meldingen@heerde.test"
HTML_DESCRIPTION = "<b>Dealer</b> & co at the shed: <script>alert(1)</script> every evening"


def outbox(db: Database, server: SmtpServer, *, login: tuple[str, str] | None = None) -> EmailOutbox:
    """A new outbox, as a freshly started bot would build it (jobs.email_outbox)."""
    registry = load_municipalities()
    router = Router.from_registry(registry)
    username, password = login or (None, None)
    config = SmtpConfig(
        host="127.0.0.1",
        port=server.port,
        sender=SENDER,
        username=username,
        password=password,
        starttls=False,
        timeout=5,
    )
    return EmailOutbox(
        db,
        SmtpTransport(config),
        Catalogs().get("nl"),
        sender=SENDER,
        municipality_names={m.id: m.name for m in registry.municipalities},
        village=lambda report: village_of(router, report),
    )


async def file(db: Database, **changes: object) -> FiledReport:
    return await file_report(db, draft(**changes), chat_id=RESIDENT, language="nl")


async def email_delivery(db: Database, report_id: int) -> Delivery:
    async with db.session() as session:
        row = await session.scalar(
            select(Delivery).where(Delivery.report_id == report_id, Delivery.target.startswith("email:"))
        )
    assert row is not None
    return row


async def targets(db: Database, report_id: int) -> list[str]:
    async with db.session() as session:
        return list(
            await session.scalars(select(Delivery.target).where(Delivery.report_id == report_id).order_by(Delivery.id))
        )


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body((subtype,))
    assert part is not None
    return str(part.get_content())


# --- the message ---------------------------------------------------------------------------------------------


async def test_one_email_per_report_carries_what_the_card_carries(db: Database, smtp: SmtpServer) -> None:
    await set_municipality_email(db, "heerde", HEERDE_MAIL, only=False)
    first = await file(db, description=HTML_DESCRIPTION, place_text="Dorpsstraat 12, Wapenveld", phone="+31612345678")
    second = await file(db, photos=["file-a", "file-b"], place_text=None)
    box = outbox(db, smtp)
    result = await box.run_once()
    assert (result.sent, result.retried, result.failed) == (2, 0, 0)
    assert len(smtp.mailbox.received) == 2
    # Nothing is sent twice: not on the next run, nor a later one.
    assert (await box.run_once(later())).sent == 0
    assert len(smtp.mailbox.received) == 2

    mail = smtp.mailbox.received[0]
    message = mail.message
    assert mail.rcpt_tos == [HEERDE_MAIL] and mail.mail_from == "meldingen@veilig.test"
    assert message["Message-ID"] == f"<{first.reference}.{first.id}.heerde@veilig.test>"
    assert message["Subject"] == f"Nieuwe melding {first.reference} · Overlast door jongeren"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    plain, html = body(message, "plain"), body(message, "html")
    for text in (plain, html):
        assert f"Melder {first.reference}" in text
        assert "Heerde" in text and "Overlast door jongeren" in text
        assert "Wapenveld" in text
        assert "Dorpsstraat" not in text  # the place at village level only
        assert "+31612345678" in text  # the resident left it, and agreed to be contacted
        assert str(RESIDENT) not in text  # no Telegram identity
    assert HTML_DESCRIPTION in plain
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Dealer&lt;/b&gt; &amp; co" in html

    other = smtp.mailbox.received[1].message
    assert other["Message-ID"] == f"<{second.reference}.{second.id}.heerde@veilig.test>"
    plain = body(other, "plain")
    assert "2 foto's" in plain and "niet per e-mail" in plain
    assert "online / geen bepaalde plaats" in plain
    assert "geen contactgegevens" in plain
    assert "Telefoon" not in plain


async def test_email_only_files_no_card_delivery_and_the_card_outbox_sends_none(db: Database) -> None:
    await set_municipality_email(db, "heerde", HEERDE_MAIL, only=True)
    filed = await file(db)
    assert await targets(db, filed.id) == ["email:heerde"]
    both = await file(db, municipality="epe")
    assert await targets(db, both.id) == ["staff:epe"]
    await set_municipality_email(db, "epe", "meldingen@epe.test", only=False)
    again = await file(db, municipality="epe")
    assert await targets(db, again.id) == ["staff:epe", "email:epe"]
    # The card outbox leaves e-mail deliveries alone: cards for Epe's two reports, none for e-mail-only Heerde.
    await link_municipality(db, "heerde", -100111)
    await link_municipality(db, "epe", -100222)
    sender = FakeSender()
    result = await Outbox(db, sender, Catalogs().get("nl")).run_once()  # type: ignore[arg-type]
    assert result.sent == 2
    assert [chat for chat, _ in sender.cards] == [-100222, -100222]
    assert (await email_delivery(db, filed.id)).state == "pending"
    assert (await email_delivery(db, again.id)).state == "pending"


# --- configuration -------------------------------------------------------------------------------------------


async def test_switching_to_email_takes_waiting_reports_along_and_off_gives_them_back(db: Database) -> None:
    waiting = await file(db)  # Heerde has no staff chat: the card waits
    assert await targets(db, waiting.id) == ["staff:heerde"]
    assert await set_municipality_email(db, "heerde", HEERDE_MAIL, only=True) == 1
    assert await targets(db, waiting.id) == ["email:heerde"]
    assert (await email_targets(db))["heerde"].only
    assert await remove_municipality_email(db, "heerde")
    assert await targets(db, waiting.id) == ["staff:heerde"]
    assert "heerde" not in await email_targets(db)
    assert not await remove_municipality_email(db, "heerde")


async def test_a_delivered_report_is_not_emailed_afterwards(db: Database) -> None:
    delivered = await file(db)
    async with db.session() as session:
        row = await session.scalar(select(Delivery).where(Delivery.report_id == delivered.id))
        assert row is not None
        row.state, row.message_id = "sent", 701
    assert await set_municipality_email(db, "heerde", HEERDE_MAIL, only=False) == 0
    assert await targets(db, delivered.id) == ["staff:heerde"]


# --- faults: each ends with exactly one message per report on the server ---------------------------------------


async def test_connection_refused_then_the_server_comes_up(db: Database, smtp: SmtpServer) -> None:
    await set_municipality_email(db, "heerde", HEERDE_MAIL, only=True)
    filed = await file(db)
    await smtp.stop()  # nothing listens on the port now
    box = outbox(db, smtp)
    result = await box.run_once()
    assert (result.sent, result.retried) == (0, 1)
    row = await email_delivery(db, filed.id)
    assert (row.state, row.attempts) == ("pending", 1)  # refused before DATA: certainly not sent
    assert row.last_error and "SMTPConnectError" in row.last_error
    assert (await email_targets(db))["heerde"].health == "failing"
    assert (await box.run_once()).sent == 0  # backing off, not hammering
    await smtp.start()
    assert (await box.run_once(later())).sent == 1
    assert len(smtp.mailbox.received) == 1
    assert (await email_delivery(db, filed.id)).state == "sent"
    assert (await email_targets(db))["heerde"].health == "ok"


@pytest.mark.parametrize("fault", ["4xx", "4xx-rcpt"])
async def test_a_temporary_refusal_is_retried_later(db: Database, smtp: SmtpServer, fault: str) -> None:
    await set_municipality_email(db, "heerde", HEERDE_MAIL, only=True)
    filed = await file(db)
    smtp.mailbox.faults.append(fault)
    box = outbox(db, smtp)
    assert (await box.run_once()).retried == 1
    row = await email_delivery(db, filed.id)
    # The server answered 451: it did not take the message, so this is no "maybe sent".
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error is not None and "451" in row.last_error
    assert smtp.mailbox.received == []
    assert (await box.run_once(later())).sent == 1
    assert len(smtp.mailbox.received) == 1


async def test_a_permanent_refusal_fails_visibly_and_is_not_retried(
    db: Database, smtp: SmtpServer, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    await set_municipality_email(db, "heerde", HEERDE_MAIL, only=True)
    filed = await file(db)
    smtp.mailbox.faults.append("5xx")
    box = outbox(db, smtp)
    assert (await box.run_once()).failed == 1
    row = await email_delivery(db, filed.id)
    assert row.state == "failed" and row.last_error is not None and row.last_error.startswith("550")
    for _ in range(3):
        assert (await box.run_once(later(36000))).sent == 0
    assert smtp.mailbox.data_commands == 1 and smtp.mailbox.received == []

    from bot.cli.operations import list_municipalities, list_reports

    (line,) = await list_reports(settings.database)
    assert line.startswith(filed.reference)
    assert line.endswith("e-mail failed, attempts 1, last error: 550 5.7.1 Message refused")
    heerde = next(m for m in await list_municipalities(settings.database, ["heerde"]) if m.startswith("heerde"))
    assert f"e-mail {HEERDE_MAIL} (only), failed" in heerde and "1 undelivered" in heerde

    # The operator fixes the address: the failed e-mail is due again and goes out once.
    assert await set_municipality_email(db, "heerde", "team@heerde.test", only=True) == 1
    assert (await box.run_once()).sent == 1
    (mail,) = smtp.mailbox.received
    assert mail.rcpt_tos == ["team@heerde.test"]


async def test_dropped_during_data_before_the_server_took_it(
    db: Database, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    await set_municipality_email(db, "heerde", HEERDE_MAIL, only=True)
    filed = await file(db)
    smtp.mailbox.faults.append("drop")
    box = outbox(db, smtp)
    assert (await box.run_once()).retried == 1
    row = await email_delivery(db, filed.id)
    # No answer after DATA: the client cannot know whether the server took it; recorded as such.
    assert row.state == "sending" and row.email_message_id is not None
    with caplog.at_level(logging.WARNING, logger="bot.outbox.email"):
        assert (await box.run_once(later())).sent == 1
    assert "same Message-ID" in caplog.text
    assert smtp.mailbox.data_commands == 2
    assert smtp.mailbox.message_ids() == [row.email_message_id]  # exactly one received


async def test_dropped_after_the_server_took_it_is_resent_with_the_same_message_id(
    db: Database, smtp: SmtpServer, settings: Settings
) -> None:
    """The documented limit: the server stored the message but the reply never came. A retry sends it again;
    both copies carry the same Message-ID, so the receiving side keeps one (exactly one per Message-ID)."""
    await set_municipality_email(db, "heerde", HEERDE_MAIL, only=True)
    filed = await file(db)
    smtp.mailbox.faults.append("drop-after-store")
    box = outbox(db, smtp)
    assert (await box.run_once()).retried == 1
    assert (await email_delivery(db, filed.id)).state == "sending"
    from bot.cli.operations import list_reports

    (line,) = await list_reports(settings.database)
    assert "e-mail sending, attempts 1 (may have reached the server; resent with the same Message-ID)" in line
    assert (await box.run_once(later())).sent == 1
    ids = smtp.mailbox.message_ids()
    assert len(ids) == 2 and len(set(ids)) == 1
    first, second = smtp.mailbox.received
    assert first.raw == second.raw  # the very same message, byte for byte
    assert (await box.run_once(later(36000))).sent == 0
    assert len(smtp.mailbox.received) == 2


async def test_a_restart_between_attempts_sends_the_same_message_once(settings: Settings, smtp: SmtpServer) -> None:
    db = Database(settings.database)
    await db.open()
    await set_municipality_email(db, "heerde", HEERDE_MAIL, only=True)
    reports = [await file(db) for _ in range(3)]
    smtp.mailbox.faults += ["4xx", "drop"]  # the first two fail, differently
    assert (await outbox(db, smtp).run_once()).sent == 1
    message_ids = {r.id: (await email_delivery(db, r.id)).email_message_id for r in reports}
    await db.close()

    # A new process: new database engine, new outbox, nothing kept in memory.
    db = Database(settings.database)
    await db.open()
    try:
        result = await outbox(db, smtp).run_once(later())
        assert (result.sent, result.retried) == (2, 0)
        assert (await outbox(db, smtp).run_once(later(36000))).sent == 0
        for report in reports:
            assert (await email_delivery(db, report.id)).state == "sent"
    finally:
        await db.close()
    received = smtp.mailbox.message_ids()
    assert sorted(received) == sorted(str(m) for m in message_ids.values())  # one each, the recorded Message-IDs


async def test_a_refused_login_is_retried_and_the_password_stays_out_of_logs_and_rows(
    db: Database, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A wrong password is the server's configuration, not this report's fault: retried, never "failed"."""
    smtp.mailbox.credentials = ("veiligbot", "right-s3cret")
    await set_municipality_email(db, "heerde", HEERDE_MAIL, only=True)
    filed = await file(db)
    with caplog.at_level(logging.DEBUG):
        anonymous = outbox(db, smtp)  # no SMTP_USERNAME: the server answers MAIL with 530
        assert (await anonymous.run_once()).retried == 1
        assert (await email_delivery(db, filed.id)).state == "pending"
        wrong = outbox(db, smtp, login=("veiligbot", "wrong-s3cret"))
        assert (await wrong.run_once(later())).retried == 1
        row = await email_delivery(db, filed.id)
        assert (row.state, row.attempts) == ("pending", 2)
        assert row.last_error is not None and "535" in row.last_error
        assert "s3cret" not in row.last_error and "s3cret" not in repr(SmtpConfig("h", 1, SENDER, "u", "right-s3cret"))
        right = outbox(db, smtp, login=("veiligbot", "right-s3cret"))
        assert (await right.run_once(later(36000))).sent == 1
    assert "s3cret" not in caplog.text
    assert smtp.mailbox.logins == ["veiligbot"] and len(smtp.mailbox.received) == 1


async def test_the_place_is_never_finer_than_the_village(db: Database, smtp: SmtpServer) -> None:
    await set_municipality_email(db, "heerde", HEERDE_MAIL, only=True)
    await file(db, place_text="achter de sporthal bij de kerk")  # no village the router can name
    await file(db, place_text=None, latitude=52.41234, longitude=6.04321)  # a shared location
    assert (await outbox(db, smtp).run_once()).sent == 2
    first, second = (body(r.message, "plain") for r in smtp.mailbox.received)
    assert "Plaats: Heerde\r\n" in first and "sporthal" not in first
    assert "52.41" not in second and "6.04" not in second
    assert "Plaats: online" not in second


async def test_setting_the_address_again_retries_a_refused_email_also_when_the_card_went_out(
    db: Database, smtp: SmtpServer
) -> None:
    await set_municipality_email(db, "heerde", HEERDE_MAIL, only=False)
    filed = await file(db)
    async with db.session() as session:  # the card reached the staff chat
        card = await session.scalar(
            select(Delivery).where(Delivery.report_id == filed.id, Delivery.target == "staff:heerde")
        )
        assert card is not None
        card.state, card.message_id = "sent", 701
    smtp.mailbox.faults.append("5xx")
    box = outbox(db, smtp)
    assert (await box.run_once()).failed == 1
    assert await set_municipality_email(db, "heerde", "team@heerde.test", only=False) == 1
    assert (await box.run_once()).sent == 1
    assert [r.rcpt_tos for r in smtp.mailbox.received] == [["team@heerde.test"]]
    assert await targets(db, filed.id) == ["staff:heerde", "email:heerde"]


async def test_a_report_forwarded_to_an_email_only_municipality_is_emailed_there(
    db: Database, smtp: SmtpServer
) -> None:
    from bot.staff.auth import Actor
    from bot.workflow.engine import Workflow
    from bot.workflow.transitions import Action, Status

    await set_municipality_email(db, "heerde", HEERDE_MAIL, only=True)
    filed = await file(db, municipality="epe", place_text="Epe")
    assert await targets(db, filed.id) == ["staff:epe"]
    workflow = Workflow(db, Catalogs(), {"epe": "Epe", "heerde": "Heerde"})
    eva = Actor(101, "staff", "Eva")
    await workflow.apply(filed.id, Action.TRANSFER, expected=Status.NEW, actor=eva, municipality="heerde")
    assert await targets(db, filed.id) == ["staff:epe", "email:heerde"]  # no card for Heerde
    box = outbox(db, smtp)
    assert (await box.run_once()).sent == 1
    (mail,) = smtp.mailbox.received
    assert mail.rcpt_tos == [HEERDE_MAIL] and filed.reference in str(mail.message["Subject"])
    # Forwarded away and back again: the e-mail that went out is not sent a second time.
    await workflow.apply(filed.id, Action.TRANSFER, expected=Status.NEW, actor=eva, municipality="epe")
    await workflow.apply(filed.id, Action.TRANSFER, expected=Status.NEW, actor=eva, municipality="heerde")
    assert (await box.run_once(later())).sent == 0
    assert len(smtp.mailbox.received) == 1
