"""Flow control: updates concurrently across chats and in order within a chat; crisis replies first.

Telegram takes about 30 messages per second per bot. Under a burst, replies wait in the rate limiter's
queue; a crisis reply must not wait behind a thousand ordinary answers. Two pieces:

- :class:`ChatOrderedUpdateProcessor` runs updates of different chats concurrently, and updates of one chat
  one after another in arrival order (a resident's second message must not overtake the first; the report
  conversation relies on it).
- :class:`PriorityRateLimiter` spaces all requests at the overall rate (and group chats at Telegram's
  per-group rate) and serves requests sent inside :func:`urgent` before every waiting ordinary one.

Pitfalls:
- The processor's concurrency bound is taken *before* the per-chat wait (PTB's ``process_update`` is
  final). It is set high so that a crisis update is admitted at once during a burst. The bound that
  matters is :data:`ORDINARY_IN_FLIGHT`, taken after the triage and the per-chat wait: asyncio serves
  ready tasks first-come first-served, so with a thousand ordinary updates in progress a crisis update
  would wait a whole round of them at every ``await``; urgent updates skip that bound.
- :func:`urgent` marks requests through a context variable, so it only covers requests awaited inside the
  ``with`` block in the same task.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor

from bot.priority import is_urgent, urgent

__all__ = ["ChatOrderedUpdateProcessor", "PriorityRateLimiter", "urgent"]

log = logging.getLogger(__name__)

OVERALL_RATE = 30.0  # messages per second for one bot (Bot API FAQ)
GROUP_RATE = 20 / 60  # messages per second in one group
MAX_CONCURRENT_UPDATES = 4096
ORDINARY_IN_FLIGHT = 32  # ordinary updates past triage at once: enough to keep the CPU and the limiter busy


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential (in arrival order) within one chat.

    ``is_crisis(text)`` (the crisis triage) marks a message's whole handling urgent (:mod:`bot.priority`):
    it skips the bound on ordinary updates in flight, and its database sessions and replies go before
    ordinary work that waits.
    """

    __slots__ = ("_is_crisis", "_locks", "_ordinary", "_users")

    def __init__(
        self,
        is_crisis: Callable[[str], Awaitable[bool]] | None = None,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        ordinary_in_flight: int = ORDINARY_IN_FLIGHT,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._is_crisis = is_crisis
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self._ordinary = asyncio.Semaphore(ordinary_in_flight)  # FIFO: arrival order among ordinary updates

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self._is_crisis is not None and isinstance(update, Update):
            message = update.message or update.edited_message
            text = message and (message.text or message.caption)
            if text and await self._is_crisis(text):
                with urgent():
                    await self._in_order(update, coroutine)
                return
        await self._in_order(update, coroutine)

    async def _admitted(self, coroutine: Awaitable[Any]) -> None:
        if is_urgent():
            await coroutine
            return
        async with self._ordinary:
            await coroutine

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await self._admitted(coroutine)
            return
        # asyncio.Lock wakes waiters first-come first-served: tasks reach it in the order PTB created them.
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock:
                await self._admitted(coroutine)
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:  # forget idle chats: the map stays as small as the work in flight
                del self._users[chat.id]
                del self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB waits for running updates before it shuts the processor down."""


class _Gate:
    """Lets requests through at ``rate`` per second (bursts up to ``burst``); urgent waiters go first."""

    def __init__(self, rate: float, burst: float) -> None:
        self._interval = 1 / rate
        self._burst = burst
        self._tokens = burst
        self._stamp = time.monotonic()
        self._paused_until = 0.0
        self._queues: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (deque(), deque())
        self._pump: asyncio.Task[None] | None = None

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) / self._interval)
        self._stamp = now

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody passes for ``seconds``."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        self._tokens = 0

    def waiting(self) -> int:
        return sum(len(q) for q in self._queues)

    async def acquire(self, is_urgent: bool) -> None:
        self._refill()
        if self._tokens >= 1 and not self.waiting() and time.monotonic() >= self._paused_until:
            self._tokens -= 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queues[0 if is_urgent else 1].append(future)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._run(), name="rate-limit-pump")
        await future

    async def _run(self) -> None:
        while self.waiting():
            delay = self._paused_until - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            self._refill()
            if self._tokens < 1:
                await asyncio.sleep((1 - self._tokens) * self._interval)
                continue
            queue = self._queues[0] or self._queues[1]
            future = queue.popleft()
            if not future.done():  # a cancelled waiter (its request was abandoned) takes no token
                self._tokens -= 1
                future.set_result(None)

    async def close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        for queue in self._queues:
            while queue:
                queue.popleft().cancel()


def _retry_seconds(exc: RetryAfter) -> float:
    value: object = exc.retry_after  # an int, or a timedelta with PTB_TIMEDELTA
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)  # type: ignore[arg-type]


class PriorityRateLimiter(BaseRateLimiter[int]):
    """Telegram's limits, crisis first. ``rate_limit_args`` is the number of retries after a 429."""

    def __init__(self, overall_rate: float = OVERALL_RATE, group_rate: float = GROUP_RATE, max_retries: int = 3):
        self._overall_rate = overall_rate
        self._group_rate = group_rate
        self._max_retries = max_retries
        self._overall: _Gate | None = None
        self._groups: dict[int | str, _Gate] = {}

    async def initialize(self) -> None:
        self._overall = _Gate(self._overall_rate, burst=self._overall_rate)

    async def shutdown(self) -> None:
        for gate in [self._overall, *self._groups.values()]:
            if gate is not None:
                await gate.close()
        self._groups.clear()

    def queued(self) -> int:
        """Requests waiting for their turn (for the load benchmark)."""
        return self._overall.waiting() if self._overall else 0

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if self._overall is None:
            await self.initialize()
        assert self._overall is not None
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        jump = is_urgent()
        group = _group_key(data.get("chat_id"))
        for attempt in range(retries + 1):
            if group is not None and not jump:
                gate = self._groups.setdefault(group, _Gate(self._group_rate, burst=3))
                await gate.acquire(jump)
            await self._overall.acquire(jump)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                wait = _retry_seconds(exc) + 0.1
                log.info("Rate limit hit on %s; pausing %.1f s", endpoint, wait)
                self._overall.pause(wait)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _group_key(chat_id: object) -> int | str | None:
    """Groups and channels have negative ids (or an @name); private chats are not limited per chat."""
    if isinstance(chat_id, str):
        with contextlib.suppress(ValueError):
            chat_id = int(chat_id)
    if isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0):
        return chat_id
    return None
