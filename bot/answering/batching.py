"""The crisis triage (and topic model) of the messages that arrive together, in one model call each.

Under a burst, Telegram hands the bot up to 100 updates per ``getUpdates``, and the update processor starts
one task per update; each task's first step is the crisis triage. One model call per message costs about
1 ms of overhead on top of the actual work, and the triage of all arrivals ran before any of them could
move on, so a crisis in the middle of a burst waited for the triage of everything ahead of it. Here every
task of one event-loop turn adds its text, and the next turn triages them all at once; the topic model's
probabilities come with it (the handler's answer then only adds the search index), except for commands.

Pitfalls:
- :meth:`BatchedTriage.is_crisis` must be awaited in the task that will handle the update: it leaves the
  assessment for :meth:`bot.answering.decision.Answerer.decide` in that task's context.
- A failing model call fails every message of its batch (each task raises, PTB's error handler logs it).
"""

from __future__ import annotations

import asyncio

from bot.answering.decision import Answerer
from bot.triage.learned import TriageResult
from knowledge.ranker import FloatArray


class BatchedTriage:
    def __init__(self, answerer: Answerer) -> None:
        self._answerer = answerer
        self._pending: list[tuple[str, asyncio.Future[tuple[TriageResult, FloatArray | None]]]] = []
        self._scheduled = False

    async def is_crisis(self, text: str) -> bool:
        """Whether ``text`` gets crisis guidance first; triaged together with this loop turn's other texts."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[TriageResult, FloatArray | None]] = loop.create_future()
        self._pending.append((text, future))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._run)  # after every task that is ready in this turn has added its text
        result, probabilities = await future
        self._answerer.remember(text, result, probabilities)
        return result.urgency is not None

    def _run(self) -> None:
        pending, self._pending, self._scheduled = self._pending, [], False
        texts = [text for text, _ in pending]
        questions = [i for i, text in enumerate(texts) if not text.startswith("/")]  # commands need no topic
        try:
            triaged = self._answerer.triage.assess_many(texts)
            topics = dict(
                zip(
                    questions,
                    self._answerer.matcher.model.probabilities_many([texts[i] for i in questions]),
                    strict=True,
                )
            )
        except Exception as exc:  # handed to every waiting task, which raises it
            for _, future in pending:
                if not future.done():
                    future.set_exception(exc)
            return
        for i, ((_, future), result) in enumerate(zip(pending, triaged, strict=True)):
            if not future.done():  # a waiter cancelled meanwhile
                future.set_result((result, topics.get(i)))
