"""Knowing when the bot is done with an input (the sandbox's transcript and the end-to-end tests' assertions).

The bot runs in the caller's event loop (``bot.app.embedded_bot``), so its state can be read directly instead of
guessed from a silence: it is idle when

1. the emulator holds no update the bot has not confirmed yet, and no Bot API request other than ``getUpdates``
   is in flight (:meth:`bot.dev.emulator.BotApiEmulator.busy`) -- PTB confirms a batch with the next
   ``getUpdates`` offset only after it put the batch into its update queue;
2. the Application's update queue has no update waiting or being handled (``update_queue.join()``: PTB calls
   ``task_done`` after the handlers, and the error handler, finished);
3. no job of its job queue is due now (such as the outbox run a handler asks for with ``run_once(..., 0)``)
   or running (counted from APScheduler's job events).

Jobs due later (the periodic outbox run, draft expiry) are not waited for.

Pitfalls:
- :meth:`Idleness.attach` must run before the first job can start: right after the bot's context was entered,
  with no ``await`` in between (the scheduler processes jobs only in the event loop), or the running-job count
  misses that job.
- No ``telegram`` import here: the Application is read through ``update_queue`` and ``job_queue.scheduler``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from apscheduler.events import (  # type: ignore[import-untyped]  # PTB's scheduler; it ships no type hints
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)

from bot.dev.emulator import BotApiEmulator

_POLL = 0.005  # seconds between looks; each look is a few attribute reads


class Idleness:
    """Whether the bot (a PTB ``Application`` against ``emu``) still has work for the last input."""

    def __init__(self, emu: BotApiEmulator) -> None:
        self._emu = emu
        self._queue: asyncio.Queue[Any] | None = None
        self._scheduler: Any = None
        self._running = 0

    def attach(self, app: object) -> None:
        """Watch ``app`` (call again after a restart: a new Application has a new queue and scheduler)."""
        self.detach()
        queue = getattr(app, "update_queue", None)
        self._queue = queue if isinstance(queue, asyncio.Queue) else None
        scheduler = getattr(getattr(app, "job_queue", None), "scheduler", None)
        if scheduler is not None:
            scheduler.add_listener(
                self._on_job_event, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED
            )
        self._scheduler = scheduler

    def detach(self) -> None:
        if self._scheduler is not None:
            self._scheduler.remove_listener(self._on_job_event)
        self._queue, self._scheduler, self._running = None, None, 0

    def _on_job_event(self, event: JobEvent) -> None:
        # One submission may cover several run times; the executor reports each run time once.
        if event.code == EVENT_JOB_SUBMITTED and isinstance(event, JobSubmissionEvent):
            self._running += len(event.scheduled_run_times)
        else:
            self._running = max(0, self._running - 1)

    def _jobs_busy(self) -> bool:
        if self._scheduler is None:
            return False
        if self._running:
            return True
        now = dt.datetime.now(dt.UTC)
        return any(job.next_run_time is not None and job.next_run_time <= now for job in self._scheduler.get_jobs())

    def busy(self) -> bool:
        """A snapshot: an unconfirmed update, a request in flight, an update in the queue, a job due or running."""
        return self._emu.busy() or self._updates_unfinished() or self._jobs_busy()

    def _updates_unfinished(self) -> bool:
        """An update waits in the queue or is being handled. asyncio.Queue counts both for ``join()`` but has no
        public reader of that count; ``_unfinished_tasks`` has held it since Python 3.4 (the fallback sees only
        waiting updates)."""
        if self._queue is None:
            return False
        unfinished = getattr(self._queue, "_unfinished_tasks", None)
        return unfinished > 0 if isinstance(unfinished, int) else not self._queue.empty()

    async def wait(self, timeout: float = 15.0) -> bool:  # noqa: ASYNC109
        """Wait until the bot is idle; ``False`` if it was still busy after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if not (self._emu.busy() or self._jobs_busy()):
                # Every update is in the queue now; join() returns once each was handled (at once if so).
                if self._queue is not None:
                    try:
                        async with asyncio.timeout(max(deadline - loop.time(), 0.0)):
                            await self._queue.join()
                    except TimeoutError:
                        return False
                if not self.busy():
                    return True
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(_POLL)
