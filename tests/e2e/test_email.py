"""E-mail delivery end to end: a municipality configured for e-mail only gets a report filed through the
emulator as exactly one e-mail on a loopback SMTP server, and no card -- also after a restart of the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.dev.emulator import BotApiEmulator
from bot.outbox.email import EmailOutbox, set_municipality_email
from bot.services import build_services
from bot.settings import Settings
from tests.bot.outbox.smtp_server import FaultyMailbox, SmtpServer
from tests.e2e.conftest import Harness
from tests.e2e.test_reports import DESCRIPTION, REFERENCE, walk

SENDER = "Veilig Noord-Veluwe <meldingen@veilig.test>"


@pytest.fixture
async def mail_bot(settings: Settings) -> AsyncIterator[tuple[Harness, SmtpServer]]:
    server = SmtpServer(FaultyMailbox())
    await server.start()
    configured = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_from": SENDER, "smtp_starttls": False}
    )
    try:
        with BotApiEmulator(accept_any_token=True) as emu:
            harness = Harness(emu=emu, settings=configured, services=build_services(configured))
            await harness.start()
            try:
                yield harness, server
            finally:
                await harness.stop()
    finally:
        await server.stop()


def email_outbox(bot: Harness) -> EmailOutbox:
    box: EmailOutbox | None = bot.app.bot_data.email  # type: ignore[attr-defined]
    assert box is not None
    return box


async def test_email_only_municipality_gets_one_email_and_no_card(mail_bot: tuple[Harness, SmtpServer]) -> None:
    bot, server = mail_bot
    group = await bot.staff_group("heerde", "Heerde staff")  # linked, yet e-mail only: no card may go there
    await set_municipality_email(bot.services.db, "heerde", "meldingen@heerde.nl", only=True)
    resident = bot.emu.add_user("Annabel", "en", last_name="Xylofoon", username="annabel_x", user_id=987654321)
    summary = await walk(bot, resident, contact="06 12345678")
    bot.emu.press(resident, summary, 0)  # Send
    # The resident is told, as always, that the report was received (with its reference).
    await bot.emu.wait_for(lambda: REFERENCE.search(bot.texts(resident)[-1]) is not None, timeout=15.0)
    found = REFERENCE.search(bot.texts(resident)[-1])
    assert found is not None
    reference = found.group()
    # Filing runs the delivery job at once; the e-mail arrives without waiting for the interval.
    await bot.emu.wait_for(lambda: len(server.mailbox.received) >= 1, timeout=15.0)
    await email_outbox(bot).run_once()
    await bot.quiet()

    (mail,) = server.mailbox.received
    assert mail.rcpt_tos == ["meldingen@heerde.nl"]
    assert reference in str(mail.message["Subject"]) and reference in str(mail.message["Message-ID"])
    plain = mail.message.get_body(("plain",))
    assert plain is not None
    text = str(plain.get_content())
    assert DESCRIPTION in text and "Wapenveld" in text and "+31612345678" in text
    for identity in ("Annabel", "Xylofoon", "annabel_x", "987654321"):
        assert identity not in str(mail.message)
    assert bot.emu.messages(group.id) == []  # no card
    assert "forwarding it to the municipality of Heerde." in bot.texts(resident)[-1]

    await bot.restart()
    await email_outbox(bot).run_once()
    await bot.quiet()
    assert len(server.mailbox.received) == 1
    assert bot.emu.messages(group.id) == []
