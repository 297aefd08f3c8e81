"""Urgent work first: a context flag for work done on behalf of a crisis, and a lock that serves it first.

The update processor marks a crisis message's handling urgent before the handler runs; everything awaited
inside (database sessions, sends through the rate limiter) then goes ahead of ordinary work that waits.

Pitfall: the flag is a context variable: it follows ``await`` within a task and is copied into tasks created
inside, but work queued elsewhere (a job, the outbox) is ordinary.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections import deque
from collections.abc import AsyncIterator, Iterator

_URGENT: contextvars.ContextVar[bool] = contextvars.ContextVar("veilig_urgent", default=False)


@contextlib.contextmanager
def urgent() -> Iterator[None]:
    """Work awaited inside this block goes before waiting ordinary work."""
    token = _URGENT.set(True)
    try:
        yield
    finally:
        _URGENT.reset(token)


def is_urgent() -> bool:
    return _URGENT.get()


class PriorityLock:
    """A mutex that hands over to urgent waiters first, then to the others in arrival order."""

    def __init__(self) -> None:
        self._locked = False
        self._waiters: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (deque(), deque())

    def locked(self) -> bool:
        return self._locked

    async def acquire(self) -> None:
        if not self._locked and not any(self._waiters):
            self._locked = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._waiters[0 if is_urgent() else 1]
        queue.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # handed over just as we were cancelled: pass it on
                self.release()
            else:
                queue.remove(future)
            raise

    def release(self) -> None:
        for queue in self._waiters:
            while queue:
                future = queue.popleft()
                if not future.done():
                    future.set_result(None)  # ownership passes directly: _locked stays True
                    return
        self._locked = False

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            self.release()
