"""Finding the topic a resident's message is about.

Built once at start-up from the knowledge base: every topic contributes documents (its sample questions,
title and keywords in both languages), normalised by :class:`knowledge.normalize.Normalizer`. A message
is scored in two stages:

1. **Retrieve** (scales to thousands of topics): an inverted index gives, per topic, the TF-IDF cosine of
   the message with the topic as a whole (``topic_cos``) and with its best single document (``doc_cos``),
   and the share of the message's information (IDF mass) the topic's vocabulary covers (``coverage``).
   Misspelt words are mapped to the nearest vocabulary word first (rapidfuzz).
2. **Re-rank** the best :data:`SHORTLIST` topics with rapidfuzz :func:`~rapidfuzz.process.cdist` against
   their documents (``fuzzy``: whole-phrasing similarity, order- and typo-tolerant).

The combined score (0-100) and the decision thresholds (answer / clarify / fallback) are in
:class:`Weights` and :class:`Thresholds`, chosen on the dev set by cross-validation (``veiligbot kb
tune``, :mod:`knowledge.tuning`).

Pitfall: scores are only comparable within one :class:`SearchIndex` (same vocabulary and IDF); rebuild
the index when content changes rather than patching it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.base import KnowledgeBase
from knowledge.normalize import Normalizer
from knowledge.schema import LANGUAGES, Topic

Action = Literal["answer", "clarify", "fallback"]
SHORTLIST = 12
OUT_OF_SCOPE = "_out_of_scope"  # the pseudo-topic of off-topic questions; never shown as a candidate
FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]


@dataclass(frozen=True)
class Weights:
    """How the features combine into one 0-100 score (weights sum to 1)."""

    topic_cos: float = 0.40
    doc_cos: float = 0.15
    fuzzy: float = 0.15
    coverage: float = 0.30


@dataclass(frozen=True)
class Thresholds:
    """Answer when the best score is high enough and ahead of the next; clarify when plausible.

    Chosen by cross-validation (``knowledge.tuning``) on the shared dev set plus two independently written
    sets (``tests/knowledge/data/extra-questions.jsonl`` and a third, uncommitted one), 2026-11-26: the most
    direct answers while keeping confidently wrong answers under 2.5 % on every set -- a "did you mean" costs a
    resident one tap, a wrong answer costs trust.
    """

    answer: float = 37.0
    margin: float = 2.0
    clarify: float = 35.0
    # A clear lead also counts: long stories score lower overall but still point at one topic.
    lead: float = 10.0


@dataclass(frozen=True)
class Candidate:
    topic: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    action: Action
    topic: str | None
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Features:
    """Per-topic features of one message (aligned arrays over the shortlisted topics)."""

    topics: np.ndarray[tuple[int], np.dtype[np.int64]]
    topic_cos: FloatArray
    doc_cos: FloatArray
    fuzzy: FloatArray
    coverage: FloatArray


def topic_documents(topic: Topic) -> Iterable[tuple[str, Literal["nl", "en"], bool]]:
    """(text, language, is_keyword) for everything a topic is searched by."""
    for lang in LANGUAGES:
        content = topic.lang(lang)
        for text in [*content.questions, content.title]:
            yield text, lang, False
        for keyword in content.keywords:
            yield keyword, lang, True


def _token_sorted(text: str) -> str:
    """``text``'s words sorted: ``fuzz.ratio`` of two such strings is their ``fuzz.token_sort_ratio``."""
    return " ".join(sorted(text.split()))


class SearchIndex:
    """The precomputed index; :meth:`search` touches only the postings of the message's words."""

    def __init__(
        self,
        kb: KnowledgeBase,
        normalizer: Normalizer,
        weights: Weights | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.normalizer = normalizer
        self.weights = weights or Weights()
        self.thresholds = thresholds or Thresholds()
        self.topic_ids: list[str] = list(kb.topics)
        docs: list[list[str]] = []
        doc_topic: list[int] = []
        for t_index, topic in enumerate(kb.topics.values()):
            for text, lang, _keyword in topic_documents(topic):
                toks = normalizer.tokens(text, lang)
                if toks:
                    docs.append(toks)
                    doc_topic.append(t_index)
        if kb.out_of_scope:
            self.topic_ids.append(OUT_OF_SCOPE)
            for lang, questions in kb.out_of_scope.items():
                for text in questions:
                    toks = normalizer.tokens(text, lang)
                    if toks:
                        docs.append(toks)
                        doc_topic.append(len(self.topic_ids) - 1)
        self._build(docs, doc_topic)

    def _build(self, docs: list[list[str]], doc_topic: list[int]) -> None:
        n_topics = len(self.topic_ids)
        vocab: dict[str, int] = {}
        topic_tf: list[dict[int, int]] = [defaultdict(int) for _ in range(n_topics)]
        doc_terms: list[list[int]] = []
        for toks, t_index in zip(docs, doc_topic, strict=True):
            ids = sorted({vocab.setdefault(tok, len(vocab)) for tok in toks})
            doc_terms.append(ids)
            for term in ids:
                topic_tf[t_index][term] += 1
        topic_df = np.zeros(len(vocab))
        for tf in topic_tf:
            for term in tf:
                topic_df[term] += 1
        # IDF over topics: a word used by every topic says nothing about which one is meant.
        self._idf = np.log1p(max(n_topics, 1) / np.maximum(topic_df, 1))
        self._unknown_idf = float(np.median(self._idf)) if len(self._idf) else 1.0
        self._vocab = vocab
        self._vocab_words = list(vocab)
        # Topic postings: term -> (topics, normalised tf-idf weight).
        topic_norm = np.zeros(n_topics)
        for t_index, tf in enumerate(topic_tf):
            topic_norm[t_index] = (
                math.sqrt(sum((1 + math.log(c)) ** 2 * self._idf[t] ** 2 for t, c in tf.items())) or 1.0
            )
        t_post: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for t_index, tf in enumerate(topic_tf):
            for term, count in tf.items():
                t_post[term].append((t_index, (1 + math.log(count)) * self._idf[term] / topic_norm[t_index]))
        d_post: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for d_index, terms in enumerate(doc_terms):
            norm = math.sqrt(sum(self._idf[t] ** 2 for t in terms)) or 1.0
            for term in terms:
                d_post[term].append((d_index, self._idf[term] / norm))
        self._topic_post = {t: (np.array([i for i, _ in p]), np.array([w for _, w in p])) for t, p in t_post.items()}
        self._doc_post = {t: (np.array([i for i, _ in p]), np.array([w for _, w in p])) for t, p in d_post.items()}
        self._doc_topic = np.asarray(doc_topic, dtype=np.int64)
        self._doc_text = [" ".join(toks) for toks in docs]
        # token_sort_ratio is ratio() of the token-sorted strings: sorting the documents once saves most of it.
        self._doc_sorted = [_token_sorted(text) for text in self._doc_text]
        self._topic_docs: list[list[int]] = [[] for _ in range(n_topics)]
        for d_index, t_index in enumerate(doc_topic):
            self._topic_docs[t_index].append(d_index)
        self._resolve_cached = lru_cache(maxsize=20_000)(self._resolve_uncached)

    def _resolve_uncached(self, token: str) -> tuple[int, ...]:
        """The vocabulary terms this token stands for: itself; a Dutch compound's two known parts
        ("drugskoerier" → drugs + koerier); else a close misspelling of a long word. Empty if unknown."""
        if token in self._vocab:
            return (self._vocab[token],)
        if len(token) < 5 or token.isdigit():
            return ()
        for cut in range(len(token) - 4, 3, -1):  # longest head first; Dutch links parts with -s-/-e-
            head, tail = token[:cut], token[cut:]
            for h in (head, head[:-1] if head.endswith(("s", "e")) else None):
                parts = [*self.normalizer.tokens(h or "", "nl"), *self.normalizer.tokens(tail, "nl")] if h else []
                if len(h or "") >= 4 and len(parts) == 2 and all(p in self._vocab for p in parts):
                    return tuple(self._vocab[p] for p in parts)
        match = process.extractOne(token, self._vocab_words, scorer=fuzz.ratio, score_cutoff=84)
        return (self._vocab[match[0]],) if match else ()

    def features(self, text: str) -> Features | None:
        tokens = list(dict.fromkeys(self.normalizer.tokens(text)))
        if not tokens or not self.topic_ids:
            return None
        resolved = [self._resolve_cached(tok) for tok in tokens]
        known = sorted({t for terms in resolved for t in terms})
        # An unknown word counts like an average word: it may be a plain verb rather than a new subject.
        weights = np.array([max(self._idf[t] for t in terms) if terms else self._unknown_idf for terms in resolved])
        total = float(weights.sum()) or 1.0
        n_topics = len(self.topic_ids)
        q_weight = {t: float(self._idf[t]) for t in known}
        q_norm = math.sqrt(sum(w * w for w in q_weight.values())) or 1.0
        topic_cos = np.zeros(n_topics)
        coverage = np.zeros(n_topics)
        doc_cos = np.zeros(len(self._doc_topic))
        for term in known:
            idx, w = self._topic_post[term]
            np.add.at(topic_cos, idx, w * q_weight[term] / q_norm)
            d_idx, d_w = self._doc_post[term]
            np.add.at(doc_cos, d_idx, d_w * q_weight[term] / q_norm)
        for terms, weight in zip(resolved, weights, strict=True):
            if terms:
                hit = np.zeros(n_topics, dtype=bool)
                for term in terms:
                    hit[self._topic_post[term][0]] = True
                coverage[hit] += weight / total
        best_doc = np.zeros(n_topics)
        np.maximum.at(best_doc, self._doc_topic, doc_cos)
        pre = 0.5 * topic_cos + 0.3 * best_doc + 0.2 * coverage
        k = min(SHORTLIST, n_topics)
        shortlist = np.argpartition(-pre, k - 1)[:k] if k < n_topics else np.arange(n_topics)
        fuzzy = self._fuzzy(" ".join(tokens), shortlist)
        return Features(shortlist, topic_cos[shortlist], best_doc[shortlist], fuzzy, coverage[shortlist])

    def _fuzzy(self, query: str, shortlist: Sequence[int] | np.ndarray[tuple[int], np.dtype[np.int64]]) -> FloatArray:
        doc_ids = [d for t in shortlist for d in self._topic_docs[int(t)]]
        if not doc_ids:
            return np.zeros(len(shortlist))
        choices = [self._doc_text[d] for d in doc_ids]
        presorted = [self._doc_sorted[d] for d in doc_ids]
        sort = process.cdist([_token_sorted(query)], presorted, scorer=fuzz.ratio, dtype=np.float32, workers=1)[0]
        tset = process.cdist([query], choices, scorer=fuzz.token_set_ratio, dtype=np.float32, workers=1)[0]
        per_doc = (0.6 * sort + 0.4 * tset) / 100.0
        owner = np.repeat(np.arange(len(shortlist)), [len(self._topic_docs[int(t)]) for t in shortlist])
        best = np.zeros(len(shortlist))
        np.maximum.at(best, owner, per_doc)
        return best

    def combine(self, f: Features, weights: Weights | None = None) -> FloatArray:
        w = weights or self.weights
        score: FloatArray = 100.0 * (
            w.topic_cos * f.topic_cos + w.doc_cos * f.doc_cos + w.fuzzy * f.fuzzy + w.coverage * f.coverage
        )
        return score

    def search(self, text: str, limit: int = 5) -> SearchResult:
        f = self.features(text)
        if f is None:
            return SearchResult("fallback", None)
        return self.decide(f, limit=limit)

    def decide(
        self,
        f: Features,
        *,
        limit: int = 5,
        weights: Weights | None = None,
        thresholds: Thresholds | None = None,
    ) -> SearchResult:
        th = thresholds or self.thresholds
        scores = self.combine(f, weights)
        order = np.argsort(-scores, kind="stable")
        off_topic = self.topic_ids[int(f.topics[order[0]])] == OUT_OF_SCOPE
        order = np.array([i for i in order if self.topic_ids[int(f.topics[i])] != OUT_OF_SCOPE][:limit])
        if order.size == 0:
            return SearchResult("fallback", None)
        candidates = tuple(Candidate(self.topic_ids[int(f.topics[i])], round(float(scores[i]), 1)) for i in order)
        top = candidates[0]
        second = candidates[1].score if len(candidates) > 1 else 0.0
        if off_topic or top.score < th.clarify:
            return SearchResult("fallback", None, candidates)
        lead = top.score - second
        if (top.score >= th.answer and lead >= th.margin) or lead >= th.lead:
            return SearchResult("answer", top.topic, candidates)
        return SearchResult("clarify", None, candidates)
