"""Finding the topic a resident's message is about.

Built once at start-up from the knowledge base: every topic contributes documents (its sample questions,
title, summary and keywords in both languages), normalised by :class:`knowledge.normalize.Normalizer`.
A message is scored against all documents at once with :func:`rapidfuzz.process.cdist`, combining

- ``fuzzy``: the best ``token_set_ratio`` / ``token_sort_ratio`` blend over the topic's documents
  (whole-phrasing similarity, tolerant of typos and word order), and
- ``overlap``: the share of the message's information (IDF-weighted tokens) that the topic's vocabulary
  explains, with fuzzy token matching for misspellings (generalises to phrasings never seen before).

The decision (answer / clarify / fallback) uses thresholds chosen on the dev set by cross-validation
(:mod:`knowledge.evaluate`); they live in :class:`Thresholds` so they are visible and tunable.

Pitfall: scores are only comparable within one :class:`SearchIndex` (same vocabulary and IDF); rebuild
the index when content changes rather than patching it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.base import KnowledgeBase
from knowledge.normalize import Normalizer
from knowledge.schema import LANGUAGES

Action = Literal["answer", "clarify", "fallback"]


@dataclass(frozen=True)
class Thresholds:
    """Decision rule on the 0-100 score: answer when confident and clearly ahead, clarify when plausible."""

    answer: float = 55.0
    margin: float = 6.0
    clarify: float = 38.0


@dataclass(frozen=True)
class Candidate:
    topic: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    action: Action
    topic: str | None
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)


class SearchIndex:
    """The precomputed index; :meth:`search` is cheap and allocation-light."""

    def __init__(self, kb: KnowledgeBase, normalizer: Normalizer, thresholds: Thresholds | None = None) -> None:
        self.normalizer = normalizer
        self.thresholds = thresholds or Thresholds()
        self.topic_ids: list[str] = list(kb.topics)
        doc_texts: list[str] = []
        doc_topic: list[int] = []
        topic_tokens: list[Counter[str]] = []
        keyword_tokens: list[set[str]] = []
        df: Counter[str] = Counter()
        for t_index, topic in enumerate(kb.topics.values()):
            bag: Counter[str] = Counter()
            keys: set[str] = set()
            for lang in LANGUAGES:
                content = topic.lang(lang)
                for text in [*content.questions, content.title]:
                    toks = normalizer.tokens(text, lang)
                    if toks:
                        doc_texts.append(" ".join(toks))
                        doc_topic.append(t_index)
                        bag.update(toks)
                for keyword in content.keywords:
                    toks = normalizer.tokens(keyword, lang)
                    if toks:
                        doc_texts.append(" ".join(toks))
                        doc_topic.append(t_index)
                        bag.update(toks)
                        keys.update(toks)
                bag.update(normalizer.tokens(content.summary, lang))
            topic_tokens.append(bag)
            keyword_tokens.append(keys)
            df.update(set(bag))
        n_topics = max(len(self.topic_ids), 1)
        self._idf = {tok: math.log(1 + n_topics / count) for tok, count in df.items()}
        self._default_idf = math.log(1 + n_topics)
        self._docs = doc_texts
        self._doc_topic = np.asarray(doc_topic, dtype=np.int64)
        self._topic_tokens = [set(bag) for bag in topic_tokens]
        self._keyword_tokens = keyword_tokens
        # Token -> topics using it; lets overlap scoring touch only relevant topics.
        self._postings: dict[str, list[int]] = defaultdict(list)
        for t_index, toks in enumerate(self._topic_tokens):
            for tok in toks:
                self._postings[tok].append(t_index)
        self._vocab = list(self._postings)

    def _resolve(self, token: str) -> str | None:
        """The vocabulary token this query token stands for (exact, else a close misspelling)."""
        if token in self._postings:
            return token
        if len(token) < 5 or token.isdigit():
            return None
        match = process.extractOne(token, self._vocab, scorer=fuzz.ratio, score_cutoff=84)
        return match[0] if match else None

    def scores(self, text: str) -> np.ndarray:
        """Per-topic score on 0-100 (unsorted, aligned with :attr:`topic_ids`)."""
        n = len(self.topic_ids)
        tokens = self.normalizer.tokens(text)
        if not tokens or n == 0:
            return np.zeros(n)
        resolved = [r for r in (self._resolve(t) for t in tokens) if r is not None]
        query = " ".join(resolved) if resolved else " ".join(tokens)
        # Fuzzy similarity against every document at once, reduced to the best document per topic.
        matrix = process.cdist([query], self._docs, scorer=fuzz.token_set_ratio, dtype=np.float32, workers=1)[0]
        sort = process.cdist([query], self._docs, scorer=fuzz.token_sort_ratio, dtype=np.float32, workers=1)[0]
        doc_score = 0.5 * matrix + 0.5 * sort
        fuzzy = np.zeros(n, dtype=np.float64)
        np.maximum.at(fuzzy, self._doc_topic, doc_score)
        # IDF-weighted coverage of the message by each topic's vocabulary.
        weights = [self._idf.get(t, self._default_idf) for t in tokens]
        total = sum(weights) or 1.0
        overlap = np.zeros(n, dtype=np.float64)
        keyword_hit = np.zeros(n, dtype=np.float64)
        for tok, res, weight in zip(tokens, (self._resolve(t) for t in tokens), weights, strict=True):
            if res is None:
                continue
            for t_index in self._postings[res]:
                overlap[t_index] += weight
                if res in self._keyword_tokens[t_index]:
                    keyword_hit[t_index] += weight
            del tok
        overlap = 100.0 * overlap / total
        keyword_hit = 100.0 * keyword_hit / total
        return 0.45 * fuzzy + 0.40 * overlap + 0.15 * keyword_hit

    def search(self, text: str, limit: int = 5) -> SearchResult:
        scores = self.scores(text)
        if scores.size == 0:
            return SearchResult("fallback", None)
        order = np.argsort(-scores, kind="stable")[:limit]
        candidates = tuple(Candidate(self.topic_ids[i], round(float(scores[i]), 1)) for i in order)
        return self.decide(candidates)

    def decide(self, candidates: tuple[Candidate, ...]) -> SearchResult:
        th = self.thresholds
        if not candidates or candidates[0].score < th.clarify:
            return SearchResult("fallback", None, candidates)
        top = candidates[0]
        second = candidates[1].score if len(candidates) > 1 else 0.0
        if top.score >= th.answer and top.score - second >= th.margin:
            return SearchResult("answer", top.topic, candidates)
        return SearchResult("clarify", None, candidates)
