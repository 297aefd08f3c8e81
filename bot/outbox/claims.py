"""Claims on outbox rows (``deliveries`` and ``outbox``): the instance that sends a row claims it first.

A claim is a compare-and-set ``UPDATE ... SET claimed_by = me, claimed_until = now + CLAIM_TTL WHERE id = :id
AND <still to send> AND <unclaimed>``: atomic on PostgreSQL (row lock, condition re-checked) and on SQLite
(one writer), so of two processes that race for a row exactly one gets it. The runner's in-process lock
(bot.outbox.runner) only keeps one run per process; this keeps one sender per row across processes.

A row counts as unclaimed when it has no claim, the claim is ours, it ran out (``claimed_until`` passed), or
another instance than the claimant holds a live leader lease (bot.leader): after a fail-over the new active
instance need not wait for the dead one's claims to run out. Without any lease (sandbox, tests) only the
expiry frees a claim.

Pitfall: a claim cannot tell whether a killed sender's last request reached Telegram (the Bot API has no
idempotency key); the row is then sent again by the next holder. The claim prevents two live senders, not that
one window.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, update

from bot.storage.db import Database
from bot.storage.models import Delivery, LeaderLease, OutboxMessage, utcnow

# Longer than any single send (PTB's rate limiter may wait out a 429 inside the call).
CLAIM_TTL = dt.timedelta(minutes=2)

Row = type[Delivery] | type[OutboxMessage]


def local_holder() -> str:
    """A unique id for this process (host, pid, random): the claimant name when there is no leader lease."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Claims:
    def __init__(self, db: Database, holder: str) -> None:
        self._db = db
        self.holder = holder

    def _free(self, model: Row, now: dt.datetime) -> ColumnElement[bool]:
        # Another instance holds a live leader lease: the claimant is not the active instance (any more).
        superseded = exists().where(LeaderLease.expires_at > now, LeaderLease.holder != model.claimed_by)
        return or_(
            model.claimed_by.is_(None),
            model.claimed_by == self.holder,
            model.claimed_until.is_(None),
            model.claimed_until <= now,
            superseded,
        )

    async def claim(self, model: Row, row_id: int, still_to_send: ColumnElement[bool]) -> bool:
        """True when this instance may send the row now (and nobody else may until it releases it)."""
        now = utcnow()
        async with self._db.session() as session:
            result = await session.execute(
                update(model)
                .where(and_(model.id == row_id, still_to_send, self._free(model, now)))
                .values(claimed_by=self.holder, claimed_until=now + CLAIM_TTL)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def release(self, model: Row, row_id: int) -> None:
        async with self._db.session() as session:
            values: dict[str, Any] = {"claimed_by": None, "claimed_until": None}
            await session.execute(
                update(model)
                .where(model.id == row_id, model.claimed_by == self.holder)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
