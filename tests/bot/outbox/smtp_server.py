"""A real SMTP server on loopback for the e-mail tests (aiosmtpd), in the test's own event loop, with faults.

``faults`` is a queue: each entry applies to the next message's DATA (or RCPT), then is used up:

- ``"4xx-rcpt"``: ``451`` to RCPT TO (temporary);
- ``"4xx"`` / ``"5xx"``: ``451`` / ``550`` after the message was sent (not stored);
- ``"drop"``: the connection is cut after the message arrived, before storing it or replying;
- ``"drop-after-store"``: the message is stored, then the connection is cut before the ``250`` reply (the one
  case a client cannot tell from ``drop``).

With ``credentials`` the server offers AUTH (without TLS: loopback only) and refuses MAIL without a login.

``stop()`` and ``start()`` again on the same port simulate a server that is down for a while.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP as SmtpProtocol
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class FaultyMailbox:
    """The aiosmtpd handler: stores accepted messages; applies queued faults."""

    received: list[Received] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    data_commands: int = 0  # messages that reached the end of DATA, stored or not
    credentials: tuple[str, str] | None = None
    logins: list[str] = field(default_factory=list)

    def authenticate(
        self, server: SmtpProtocol, session: Session, envelope: Envelope, mechanism: str, auth_data: object
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and self.credentials == (
            auth_data.login.decode(),
            auth_data.password.decode(),
        )
        if ok and isinstance(auth_data, LoginPassword):
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    async def handle_MAIL(
        self, server: SmtpProtocol, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.credentials is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SmtpProtocol, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.faults and self.faults[0] == "4xx-rcpt":
            self.faults.pop(0)
            return "451 4.3.0 Mailbox temporarily unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SmtpProtocol, session: Session, envelope: Envelope) -> str:
        self.data_commands += 1
        fault = self.faults.pop(0) if self.faults else None
        if fault == "4xx":
            return "451 4.3.0 Temporary local problem, try again later"
        if fault == "5xx":
            return "550 5.7.1 Message refused"
        if fault != "drop":
            content = envelope.original_content or b""
            parsed = email.message_from_bytes(content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), parsed, content))
        if fault in ("drop", "drop-after-store"):
            assert server.transport is not None
            server.transport.abort()
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [str(r.message["Message-ID"]) for r in self.received]


@dataclass
class SmtpServer:
    mailbox: FaultyMailbox
    port: int = 0
    _server: asyncio.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()

        def protocol() -> Any:
            if self.mailbox.credentials is None:
                return SmtpProtocol(self.mailbox, hostname="smtp.test", loop=loop)
            return SmtpProtocol(
                self.mailbox,
                hostname="smtp.test",
                loop=loop,
                auth_require_tls=False,
                authenticator=self.mailbox.authenticate,
            )

        self._server = await loop.create_server(protocol, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    """A running server on a random free loopback port."""
    server = SmtpServer(FaultyMailbox())
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
