"""The crisis triage of an update: once per message, and the texts that arrive together in one model call."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np

from bot.answering.batching import BatchedTriage
from bot.answering.decision import Answerer
from bot.triage.learned import CrisisTriage, TriageResult
from bot.triage.rules import Triage, Urgency
from knowledge.search import SearchResult


class _CountingTriage(CrisisTriage):
    """Urgent when the text says "help"; counts the calls."""

    def __init__(self) -> None:
        super().__init__(Triage(), None)
        self.batches: list[list[str]] = []
        self.single: list[str] = []

    def assess(self, text: str, levels: object = None) -> TriageResult:
        self.single.append(text)
        return self.assess_many([text])[0]

    def assess_many(self, texts: Sequence[str], levels: object = None) -> list[TriageResult]:
        self.batches.append(list(texts))
        return [TriageResult(Urgency.SUICIDE if "help" in t else None, None, 0.0) for t in texts]


class _Model:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def probabilities_many(self, texts: Sequence[str]) -> list[np.ndarray]:
        self.batches.append(list(texts))
        return [np.array([float(len(t))]) for t in texts]


class _Matcher:
    """Records the topic probabilities each search was given (None: it would run the model itself)."""

    def __init__(self) -> None:
        self.model = _Model()
        self.given: list[float | None] = []

    def search(self, text: str, limit: int = 5, probabilities: np.ndarray | None = None) -> SearchResult:
        self.given.append(None if probabilities is None else float(probabilities[0]))
        return SearchResult("fallback", None)


def _answerer() -> tuple[Answerer, _CountingTriage]:
    triage = _CountingTriage()
    return Answerer(triage, _Matcher()), triage  # type: ignore[arg-type]


def _matcher(answerer: Answerer) -> _Matcher:
    assert isinstance(answerer.matcher, _Matcher)
    return answerer.matcher


async def test_texts_of_one_loop_turn_are_triaged_in_one_call() -> None:
    answerer, triage = _answerer()
    batched = BatchedTriage(answerer)
    texts = [f"vraag {i}" for i in range(20)] + ["help me"]
    verdicts = await asyncio.gather(*(batched.is_crisis(t) for t in texts))
    assert verdicts == [False] * 20 + [True]
    assert triage.batches == [texts]
    assert _matcher(answerer).model.batches == [texts]


async def test_commands_get_no_topic_probabilities() -> None:
    answerer, triage = _answerer()
    batched = BatchedTriage(answerer)
    await asyncio.gather(batched.is_crisis("/melding"), batched.is_crisis("hoe herken ik phishing"))
    assert triage.batches == [["/melding", "hoe herken ik phishing"]]
    assert _matcher(answerer).model.batches == [["hoe herken ik phishing"]]


async def test_the_handler_of_the_same_update_does_not_triage_again() -> None:
    answerer, triage = _answerer()
    batched = BatchedTriage(answerer)

    async def one_update(text: str) -> str:
        await batched.is_crisis(text)  # the update processor, in the update's task
        return answerer.decide(text).action  # the handler, later in the same task

    actions = await asyncio.gather(asyncio.create_task(one_update("help me")), asyncio.create_task(one_update("hoi")))
    assert actions == ["urgent", "fallback"]
    assert triage.single == [] and len(triage.batches) == 1
    assert _matcher(answerer).given == [7.0, 3.0]  # each handler used its own text's batch probabilities
    # Another text in the same task is triaged afresh, not answered from the remembered one.
    assert answerer.decide("something else").action == "fallback" and triage.single == ["something else"]
    assert _matcher(answerer).given[-1] is None


async def test_a_failing_model_fails_every_waiting_update() -> None:
    answerer, triage = _answerer()

    def broken(texts: Sequence[str], levels: object = None) -> list[TriageResult]:
        raise RuntimeError("model")

    triage.assess_many = broken  # type: ignore[method-assign]
    batched = BatchedTriage(answerer)
    results = await asyncio.gather(batched.is_crisis("a"), batched.is_crisis("b"), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
