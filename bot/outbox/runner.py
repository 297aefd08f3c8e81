"""What the three outboxes (cards, messages, e-mail) share: one run at a time in a process (a second waits), a
graceful stop, the leader lease's fence, and claim → read again → send → release per row (bot.outbox.claims).
Each outbox subclasses :class:`Runner` and keeps its own query, phases, retries and error handling.

Pitfalls:
- :meth:`Runner.stop` is for good (graceful shutdown); the row being sent finishes, :meth:`Runner.wait_idle` waits.
- A database failure while claiming, reading again or releasing a row ends the run (the job runs again shortly);
  what ``send`` raises is the outbox's own to handle.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

from sqlalchemy import ColumnElement, select

from bot.outbox.claims import Claims, local_holder
from bot.storage.db import Database
from bot.storage.models import Delivery, OutboxMessage

M = TypeVar("M", Delivery, OutboxMessage)
T = TypeVar("T")
R = TypeVar("R")


class Runner:
    def __init__(self, db: Database, claims: Claims | None = None, active: Callable[[], bool] | None = None) -> None:
        """``claims``: who this instance is when claiming rows (default: this process); ``active``: the leader
        lease's fence (bot.leader.LeaderLease.held), checked before every row."""
        self._db = db
        self._claims = claims or Claims(db, local_holder())
        self._active = active or (lambda: True)
        self._lock = asyncio.Lock()
        self._stopping = False

    def stop(self) -> None:
        """Send nothing more (graceful shutdown); a row being sent finishes first."""
        self._stopping = True

    async def wait_idle(self) -> None:
        """Until no run is in progress (the current row finished)."""
        async with self._lock:
            return

    def running(self) -> asyncio.Lock:
        """``async with self.running():`` around a whole run, the query included (a second run waits)."""
        return self._lock

    def until_stopped(self, rows: Iterable[R]) -> Iterator[R]:
        """``rows`` in order, until the outbox is stopped or this instance is no longer the active one."""
        for row in rows:
            if self._stopping or not self._active():
                return
            yield row

    async def send_claimed(
        self, model: type[M], row_id: int, still_to_send: ColumnElement[bool], send: Callable[[M], Awaitable[T]]
    ) -> T | None:
        """``send`` the row as it is now, under this instance's claim; None (nothing sent) when another instance
        holds it or it is no longer to send. ``still_to_send`` is checked by the claim and by the read again."""
        if not await self._claims.claim(model, row_id, still_to_send):
            return None
        try:
            # Read again under the claim: another instance may have moved it on since the caller's query.
            async with self._db.session() as session:
                fresh = await session.scalar(select(model).where(model.id == row_id, still_to_send))
            return None if fresh is None else await send(fresh)
        finally:
            await self._claims.release(model, row_id)
