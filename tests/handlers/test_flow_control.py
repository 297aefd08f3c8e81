"""Flow control: per-chat order with concurrency across chats; crisis requests first under the rate limit."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from telegram import Chat, Message, Update, User
from telegram.error import RetryAfter

from handlers.flow_control import ChatOrderedUpdateProcessor, PriorityRateLimiter, _group_key, urgent


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    user = User(chat_id, "Inwoner", is_bot=False)
    message = Message(update_id, dt.datetime.now(dt.UTC), chat, from_user=user, text="hallo")
    return Update(update_id, message=message)


async def test_one_chat_in_order_other_chats_meanwhile() -> None:
    processor = ChatOrderedUpdateProcessor()
    log: list[str] = []
    release_first = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        log.append(f"start {name}")
        if wait is not None:
            await wait.wait()
        log.append(f"end {name}")

    # PTB creates one task per update, in arrival order.
    first = asyncio.create_task(processor.process_update(_update(1, 10), handle("a1", release_first)))
    second = asyncio.create_task(processor.process_update(_update(2, 10), handle("a2")))
    other = asyncio.create_task(processor.process_update(_update(3, 20), handle("b1")))
    await other  # chat 20 is not held up by chat 10's slow first update
    assert log == ["start a1", "start b1", "end b1"]
    release_first.set()
    await asyncio.gather(first, second)
    assert log[3:] == ["end a1", "start a2", "end a2"]  # chat 10's second update waited for its first


async def test_a_crisis_update_skips_the_ordinary_updates_in_flight() -> None:
    async def is_crisis(text: str) -> bool:
        return text == "help"

    processor = ChatOrderedUpdateProcessor(is_crisis=is_crisis, ordinary_in_flight=2)
    release = asyncio.Event()
    started: list[int] = []

    async def handle(chat_id: int) -> None:
        started.append(chat_id)
        await release.wait()

    def update(update_id: int, chat_id: int, text: str) -> Update:
        message = Message(update_id, dt.datetime.now(dt.UTC), Chat(chat_id, Chat.PRIVATE), text=text)
        return Update(update_id, message=message)

    ordinary = [
        asyncio.create_task(processor.process_update(update(i, 100 + i, "hallo"), handle(100 + i))) for i in range(6)
    ]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    crisis = asyncio.create_task(processor.process_update(update(9, 9, "help"), handle(9)))
    for _ in range(50):  # a few loop turns: the crisis starts without anyone finishing
        await asyncio.sleep(0)
    assert started == [100, 101, 9]  # two ordinary updates in flight; the crisis did not wait for the other four
    release.set()
    await asyncio.gather(*ordinary, crisis)
    assert sorted(started) == [9, 100, 101, 102, 103, 104, 105]


async def test_updates_without_a_chat_run_at_once() -> None:
    processor = ChatOrderedUpdateProcessor()
    ran: list[object] = []

    async def handle() -> None:
        ran.append(True)

    await processor.process_update(object(), handle())
    assert ran == [True]


async def test_urgent_requests_overtake_the_queue() -> None:
    limiter = PriorityRateLimiter(overall_rate=50, max_retries=0)
    await limiter.initialize()
    order: list[str] = []

    async def send(name: str) -> dict[str, Any]:
        order.append(name)
        return {"ok": True}

    async def request(name: str, is_urgent: bool = False) -> None:
        if is_urgent:
            with urgent():
                await limiter.process_request(send, (name,), {}, "sendMessage", {"chat_id": 1}, None)
        else:
            await limiter.process_request(send, (name,), {}, "sendMessage", {"chat_id": 1}, None)

    ordinary = [asyncio.create_task(request(f"q{i}")) for i in range(100)]
    await asyncio.sleep(0.1)  # the burst allowance is spent; the rest waits in the queue
    waiting_before = limiter.queued()
    crisis = asyncio.create_task(request("crisis", is_urgent=True))
    await asyncio.gather(*ordinary, crisis)
    await limiter.shutdown()
    assert waiting_before > 20
    position = order.index("crisis")
    assert len(order) - position > 20, f"the crisis went out as number {position} of {len(order)}"


async def test_retry_after_pauses_then_retries() -> None:
    limiter = PriorityRateLimiter(overall_rate=30, max_retries=2)
    await limiter.initialize()
    attempts: list[int] = []

    async def flaky() -> bool:
        attempts.append(1)
        if len(attempts) == 1:
            raise RetryAfter(dt.timedelta(seconds=0))
        return True

    assert await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 5}, None) is True
    assert len(attempts) == 2

    async def always() -> bool:
        raise RetryAfter(dt.timedelta(seconds=0))

    with pytest.raises(RetryAfter):
        await limiter.process_request(always, (), {}, "sendMessage", {"chat_id": 5}, 1)
    await limiter.shutdown()


@pytest.mark.parametrize(
    ("chat_id", "key"), [(-100123, -100123), ("-100123", -100123), ("@kanaal", "@kanaal"), (42, None), (None, None)]
)
def test_only_groups_and_channels_have_a_per_chat_limit(chat_id: object, key: object) -> None:
    assert _group_key(chat_id) == key
