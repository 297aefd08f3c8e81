"""What the bot does with one free-text message: crisis first, then the knowledge base.

This is the single decision used by the Telegram handler, ``veiligbot ask`` and ``veiligbot kb eval``.
Pitfalls:
- Triage always runs before search and wins; a crisis message is never answered with a topic alone,
  although the related topic is kept so the reply can offer it afterwards.
- :meth:`Answerer.assess` remembers its assessment in a context variable, and the update processor's
  batch (:mod:`bot.answering.batching`) also the topic model's probabilities, so the handler of the same
  update (same task) does not compute them again: one message, one triage (it was a quarter of the CPU
  time of an ordinary question). Only the same text reuses them; nothing is shared across updates.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from bot.triage.learned import CrisisTriage, TriageResult
from bot.triage.rules import Urgency
from knowledge.normalize import words
from knowledge.ranker import FloatArray, TopicMatcher
from knowledge.search import Candidate

Action = Literal["answer", "clarify", "fallback", "urgent"]
SmallTalk = Literal["greeting", "thanks"]

# A message made only of these words is small talk: the bot greets or says "you're welcome" instead of
# "I can't answer that" (for `veiligbot ask` it stays a fallback: there is no topic to answer with).
GREETING_WORDS = frozenset(
    (
        "hallo hoi hey hi hello hee hai goedemorgen goedemiddag goedenavond morgen middag avond good morning "
        "afternoon evening dag daar there beste bot start begin"
    ).split()
)
THANKS_WORDS = frozenset(
    (
        "dank danku dankje dankjewel dankuwel bedankt je wel u thanks thank you thx tnx merci top super fijn "
        "oke ok okay prima duidelijk helder great perfect cool nice"
    ).split()
)

# The topic that explains each crisis service, offered after the crisis guidance.
# The last assessment made in this task (one update's handling): (text, triage, topic model probabilities).
_ASSESSED: ContextVar[tuple[str, TriageResult, FloatArray | None] | None] = ContextVar("veilig_assessed", default=None)

URGENCY_TOPIC: dict[Urgency, str] = {
    Urgency.EMERGENCY: "emergency",
    Urgency.SUICIDE: "suicidal-thoughts",
    Urgency.ABUSE: "domestic-violence",
}


@dataclass(frozen=True)
class Decision:
    text: str
    action: Action
    topic: str | None
    candidates: tuple[Candidate, ...]
    urgency: Urgency | None
    small_talk: SmallTalk | None = None
    concern: Urgency | None = None  # a possible crisis: the reply opens with its crisis lines and a button

    def to_json(self) -> dict[str, Any]:
        """Exactly the keys of ``veiligbot ask`` (spec/cli.md)."""
        return {
            "text": self.text,
            "action": self.action,
            "topic": self.topic,
            "candidates": [{"topic": c.topic, "score": c.score} for c in self.candidates[:5]],
            "urgency": self.urgency.value if self.urgency else None,
            "concern": self.concern.value if self.concern else None,
        }


class Answerer:
    def __init__(self, triage: CrisisTriage, matcher: TopicMatcher) -> None:
        self.triage = triage
        self.matcher = matcher

    def assess(self, text: str) -> TriageResult:
        """The crisis triage of ``text``; reuses this task's last assessment of the same text."""
        known = _ASSESSED.get()
        if known is not None and known[0] == text:
            return known[1]
        result = self.triage.assess(text)
        self.remember(text, result)
        return result

    def prepare_many(self, texts: Sequence[str]) -> list[tuple[TriageResult, FloatArray]]:
        """The triage and the topic model's probabilities of many texts, each model called once."""
        return list(zip(self.triage.assess_many(texts), self.matcher.model.probabilities_many(texts), strict=True))

    @staticmethod
    def remember(text: str, result: TriageResult, probabilities: FloatArray | None = None) -> None:
        """Let this task's later :meth:`assess` and :meth:`decide` of ``text`` reuse ``result`` and the topic
        model's ``probabilities`` (see the module pitfalls)."""
        _ASSESSED.set((text, result, probabilities))

    @staticmethod
    def forget_assessment() -> None:
        """Drop this context's remembered assessment (the benchmark times every call from scratch)."""
        _ASSESSED.set(None)

    def is_crisis(self, text: str) -> bool:
        """Whether ``text`` gets crisis guidance first (the update processor puts its handling first)."""
        return self.assess(text).urgency is not None

    def decide(self, text: str) -> Decision:
        triage = self.assess(text)
        known = _ASSESSED.get()
        result = self.matcher.search(text, probabilities=known[2] if known and known[0] == text else None)
        if triage.urgency is not None:
            return Decision(text, "urgent", URGENCY_TOPIC[triage.urgency], result.candidates, triage.urgency)
        small_talk = small_talk_of(text)
        if small_talk is not None:  # "thanks" must not be fuzzily matched to a topic
            return Decision(text, "fallback", None, (), None, small_talk)
        candidates = result.candidates if result.action != "clarify" else result.candidates[:3]
        return Decision(text, result.action, result.topic, candidates, None, concern=triage.concern)


def small_talk_of(text: str) -> SmallTalk | None:
    tokens = words(text)
    if not tokens or len(tokens) > 6:
        return None
    if all(tok in GREETING_WORDS for tok in tokens):
        return "greeting"
    if all(tok in THANKS_WORDS or tok in GREETING_WORDS for tok in tokens):
        return "thanks"
    return None
