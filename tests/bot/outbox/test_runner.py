"""The frame all three outboxes share (bot.outbox.runner): a graceful stop, one run at a time, the leader fence,
and a claimed row that no second runner sends."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from bot.outbox.claims import Claims
from bot.outbox.runner import Runner
from bot.storage.db import Database
from bot.storage.models import OutboxMessage


async def queued(db: Database) -> int:
    async with db.session() as session:
        row = OutboxMessage(kind="resident", chat_id=1, payload={})
        session.add(row)
        await session.flush()
        return row.id


async def stored(db: Database, row_id: int) -> OutboxMessage:
    async with db.session() as session:
        row = await session.get(OutboxMessage, row_id)
    assert row is not None
    return row


async def test_stop_while_idle_starts_no_row(db: Database) -> None:
    runner = Runner(db)
    runner.stop()
    await runner.wait_idle()  # nothing in progress: returns at once
    assert list(runner.until_stopped([1, 2])) == []


async def test_stop_lets_the_row_in_progress_finish_and_wait_idle_waits_for_it(db: Database) -> None:
    runner = Runner(db)
    inside, gate = asyncio.Event(), asyncio.Event()
    done: list[int] = []

    async def run() -> None:
        async with runner.running():
            for n in runner.until_stopped([1, 2, 3]):
                inside.set()
                await gate.wait()
                done.append(n)

    task = asyncio.create_task(run())
    await inside.wait()
    runner.stop()
    idle = asyncio.create_task(runner.wait_idle())
    await asyncio.sleep(0)  # let it reach the lock
    assert not idle.done()
    gate.set()
    await idle
    await task
    assert done == [1]


async def test_a_second_run_waits_for_the_first(db: Database) -> None:
    runner = Runner(db)
    gate = asyncio.Event()
    log: list[str] = []

    async def run(name: str) -> None:
        async with runner.running():
            log.append(f"{name} in")
            if name == "first":
                await gate.wait()
            log.append(f"{name} out")

    first = asyncio.create_task(run("first"))
    second = asyncio.create_task(run("second"))
    await asyncio.sleep(0)
    assert log == ["first in"]
    gate.set()
    await asyncio.gather(first, second)
    assert log == ["first in", "first out", "second in", "second out"]


async def test_a_lost_leader_lease_ends_the_run_before_the_next_row(db: Database) -> None:
    held = [True]
    runner = Runner(db, active=lambda: held[0])
    seen = []
    for n in runner.until_stopped([1, 2, 3]):
        seen.append(n)
        held[0] = False
    assert seen == [1]


async def test_a_claimed_row_is_read_again_and_not_sent_by_a_second_runner(db: Database) -> None:
    row_id = await queued(db)
    a, b = Runner(db, Claims(db, "a")), Runner(db, Claims(db, "b"))
    sent_by_b: list[int] = []

    async def b_sends(row: OutboxMessage) -> str:
        sent_by_b.append(row.id)
        return "b"

    async def a_sends(row: OutboxMessage) -> str:
        assert row.attempts == 3  # as stored now, not as the caller's query saw it
        assert (
            await b.send_claimed(OutboxMessage, row_id, OutboxMessage.state == "pending", b_sends) is None
        )  # a holds the claim
        async with db.session() as session:
            await session.execute(update(OutboxMessage).values(state="sent"))
        return "a"

    async with db.session() as session:
        await session.execute(update(OutboxMessage).values(attempts=3))
    assert await a.send_claimed(OutboxMessage, row_id, OutboxMessage.state == "pending", a_sends) == "a"
    assert (await stored(db, row_id)).claimed_by is None  # released
    assert (
        await b.send_claimed(OutboxMessage, row_id, OutboxMessage.state == "pending", b_sends) is None
    )  # sent: never again
    assert sent_by_b == []


async def test_a_failing_send_still_releases_the_claim(db: Database) -> None:
    row_id = await queued(db)
    a, b = Runner(db, Claims(db, "a")), Runner(db, Claims(db, "b"))

    async def boom(row: OutboxMessage) -> None:
        raise RuntimeError("transport down")

    async def fine(row: OutboxMessage) -> int:
        return row.id

    with pytest.raises(RuntimeError):
        await a.send_claimed(OutboxMessage, row_id, OutboxMessage.state == "pending", boom)
    assert await b.send_claimed(OutboxMessage, row_id, OutboxMessage.state == "pending", fine) == row_id
