"""Active/standby: a leader lease in the database, so that exactly one instance talks to Telegram.

Telegram allows one consumer of a bot's updates, and its rate limit is per bot, so more instances add
availability, not throughput. Every instance runs :meth:`LeaderLease.wait` before it starts: the first one
takes the lease and becomes active; the others are standbys that try again every ``poll`` seconds. The active
one renews the lease every ``heartbeat`` seconds; once it stops doing so (killed, machine gone, database
unreachable), the lease expires after ``ttl`` seconds and a standby takes over within ``ttl + poll``.

Why a lease row and not an advisory lock: it works the same on SQLite and PostgreSQL (one code path, tested on
both), and it expires by the clock, also when a machine vanishes without closing its connection (an advisory
lock would then be held until TCP keepalives notice).

Pitfalls:
- The lease is compared with each instance's own clock; keep the machines on NTP (a skew of a second or two
  against a 15-second lease is harmless).
- :meth:`held` is the fence: an active instance that could not renew for ``ttl`` (a long pause, a database
  outage) must stop sending at once, since a standby may already have taken over. The outboxes check it
  before every row, and the runner stops the process when a renewal finds the lease taken.
- Holder ids are unique per process start (host, pid, random), so a restarted process is a new holder.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time

from sqlalchemy import insert, or_, update
from sqlalchemy.exc import IntegrityError

from bot.outbox.claims import local_holder
from bot.storage.db import Database
from bot.storage.models import LeaderLease as LeaseRow
from bot.storage.models import utcnow

log = logging.getLogger(__name__)

LEASE_NAME = "bot"


class LeaderLease:
    def __init__(
        self,
        db: Database,
        *,
        holder: str | None = None,
        ttl: float = 15.0,
        heartbeat: float | None = None,
        poll: float | None = None,
        name: str = LEASE_NAME,
    ) -> None:
        self.db = db
        self.holder = holder or local_holder()
        self.name = name
        self.ttl = ttl
        self.heartbeat = heartbeat if heartbeat is not None else ttl / 3
        self.poll = poll if poll is not None else ttl / 3
        self._held_until = 0.0  # monotonic; the lease is ours until then at the latest

    def held(self) -> bool:
        """Whether this instance may act as the active one right now (see the module's pitfalls)."""
        return time.monotonic() < self._held_until

    async def try_acquire(self) -> bool:
        """Take the lease if it is free, expired or already ours; renew it if ours. True when we hold it."""
        started = time.monotonic()
        now = utcnow()
        expires = now + dt.timedelta(seconds=self.ttl)
        async with self.db.session() as session:
            result = await session.execute(
                update(LeaseRow)
                .where(LeaseRow.name == self.name, or_(LeaseRow.holder == self.holder, LeaseRow.expires_at <= now))
                .values(holder=self.holder, expires_at=expires)
                .execution_options(synchronize_session=False)
            )
            taken = bool(result.rowcount == 1)  # type: ignore[attr-defined]
        if not taken:
            try:
                async with self.db.session() as session:
                    await session.execute(
                        insert(LeaseRow).values(name=self.name, holder=self.holder, acquired_at=now, expires_at=expires)
                    )
                taken = True
            except IntegrityError:  # the row exists and somebody else holds it
                taken = False
        if taken:
            self._held_until = started + self.ttl
        return taken

    async def renew(self) -> bool:
        """Extend our lease; False when it is not ours any more (a standby took over): stop at once."""
        started = time.monotonic()
        async with self.db.session() as session:
            result = await session.execute(
                update(LeaseRow)
                .where(LeaseRow.name == self.name, LeaseRow.holder == self.holder)
                .values(expires_at=utcnow() + dt.timedelta(seconds=self.ttl))
                .execution_options(synchronize_session=False)
            )
            ours = bool(result.rowcount == 1)  # type: ignore[attr-defined]
        self._held_until = started + self.ttl if ours else 0.0
        return ours

    async def wait(self) -> None:
        """Return once this instance is the active one (a standby loops here)."""
        announced = False
        while True:
            try:
                if await self.try_acquire():
                    log.info("Active: holding the leader lease as %s", self.holder)
                    return
            except Exception as exc:  # the database is down: a standby keeps waiting
                log.warning("Could not check the leader lease (%s)", type(exc).__name__)
            if not announced:
                log.info("Standby: another instance is active; checking every %.0f s", self.poll)
                announced = True
            await asyncio.sleep(self.poll)

    async def keep(self) -> None:
        """Renew every ``heartbeat`` seconds; return when the lease is lost (taken, or not renewable in time)."""
        while True:
            await asyncio.sleep(self.heartbeat)
            try:
                if not await self.renew():
                    log.error("Lost the leader lease to another instance; stopping")
                    return
            except Exception as exc:
                log.warning("Could not renew the leader lease (%s)", type(exc).__name__)
                if not self.held():
                    log.error("The leader lease expired before it could be renewed; stopping")
                    return

    async def release(self) -> None:
        """Give the lease up (graceful shutdown), so a standby takes over at its next poll."""
        self._held_until = 0.0
        async with self.db.session() as session:
            await session.execute(
                update(LeaseRow)
                .where(LeaseRow.name == self.name, LeaseRow.holder == self.holder)
                .values(expires_at=utcnow() - dt.timedelta(seconds=1))
                .execution_options(synchronize_session=False)
            )
