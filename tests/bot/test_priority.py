"""Urgent work first: the priority lock, and SQLite sessions that queue instead of failing."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from bot.priority import PriorityLock, is_urgent, urgent
from bot.storage.db import Database


async def test_urgent_waiters_are_served_before_earlier_ordinary_ones() -> None:
    lock = PriorityLock()
    order: list[str] = []

    async def work(name: str) -> None:
        async with lock.hold():
            order.append(name)
            await asyncio.sleep(0)

    async def crisis() -> None:
        with urgent():
            assert is_urgent()
            await work("crisis")

    await lock.acquire()  # held: everyone queues
    tasks = [asyncio.create_task(work(f"q{i}")) for i in range(5)]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(crisis()))
    await asyncio.sleep(0)
    lock.release()
    await asyncio.gather(*tasks)
    assert order == ["crisis", "q0", "q1", "q2", "q3", "q4"]
    assert not lock.locked() and not is_urgent()


async def test_a_cancelled_waiter_does_not_keep_the_lock() -> None:
    lock = PriorityLock()
    await lock.acquire()
    waiter = asyncio.create_task(lock.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    await asyncio.sleep(0)
    lock.release()
    assert not lock.locked()


async def test_concurrent_sqlite_writers_queue_and_nested_sessions_do_not_deadlock(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    await db.open()
    async with db.session() as s:
        await s.execute(text("CREATE TABLE t (n INTEGER)"))

    async def writer(n: int) -> None:
        async with db.session() as s:
            await s.execute(text("SELECT count(*) FROM t"))  # read first, write later: the case that fails
            await asyncio.sleep(0)
            await s.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
            async with db.session() as inner:  # same task: re-entrant
                await inner.execute(text("SELECT 1"))

    await asyncio.wait_for(asyncio.gather(*(writer(n) for n in range(50))), 60)
    async with db.session() as s:
        assert (await s.execute(text("SELECT count(*) FROM t"))).scalar_one() == 50
    await db.close()
