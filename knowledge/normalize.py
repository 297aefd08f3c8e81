"""Text normalisation shared by the search index and the queries it answers.

Steps: lower case → accents off → common misspellings and synonyms mapped to one canonical word (from
``data/synonyms.yaml``) → punctuation off → stopwords out → Snowball stem (Dutch or English, by a cheap
guess of the message's language).

Pitfalls:
- Index and query must go through *the same* :class:`Normalizer` instance, or stems will not meet.
- Synonym phrases are matched on word boundaries before stemming, longest first, so "valse mail" wins
  over "mail"; a synonym's target is a single canonical token and is never stemmed again.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import snowballstemmer

from knowledge.schema import LANGUAGES, Language

SYNONYMS_FILE = Path(__file__).parent / "data" / "synonyms.yaml"

_NON_WORD = re.compile(r"[^a-z0-9@#]+")
_REPEATS = re.compile(r"(.)\1{2,}")  # "hellooo" -> "helloo": keeps real double letters


def fold(text: str) -> str:
    """Lower case, accents removed, runs of 3+ identical letters shortened, apostrophes dropped."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("'", "").replace("’", "").replace("`", "")
    return _REPEATS.sub(r"\1\1", text)


def words(text: str) -> list[str]:
    return [w for w in _NON_WORD.split(fold(text)) if w]


@dataclass(frozen=True)
class Vocabulary:
    """Stopwords per language and the synonym map (phrase → canonical token)."""

    stopwords: Mapping[Language, frozenset[str]]
    synonyms: Mapping[str, str]

    @classmethod
    def load(cls, path: Path = SYNONYMS_FILE) -> Vocabulary:
        from knowledge.base import read_yaml

        raw: Any = read_yaml(path)
        stop: dict[Language, frozenset[str]] = {
            lang: frozenset(w for line in raw["stopwords"][lang] for w in words(line)) for lang in LANGUAGES
        }
        synonyms: dict[str, str] = {}
        for canonical, variants in raw["synonyms"].items():
            for variant in [canonical, *variants]:
                key = " ".join(words(str(variant)))
                if key and synonyms.setdefault(key, str(canonical)) != str(canonical):
                    raise ValueError(f"{path}: '{variant}' is a synonym of both '{synonyms[key]}' and '{canonical}'")
        return cls(stopwords=stop, synonyms=synonyms)

    def fingerprint(self) -> str:
        """A stable hash of the content (a cache key for models trained on normalised text)."""
        data = {"stop": {k: sorted(v) for k, v in self.stopwords.items()}, "syn": sorted(self.synonyms.items())}
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()


class Normalizer:
    """Turns text into a list of comparable tokens; built once, reused for index and queries."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._vocab = vocabulary
        self.vocabulary = vocabulary
        self._stemmers = {"nl": snowballstemmer.stemmer("dutch"), "en": snowballstemmer.stemmer("english")}
        phrases = sorted(vocabulary.synonyms, key=lambda p: (-len(p.split()), -len(p)))
        # One alternation, longest phrases first, so the regex engine prefers the longest synonym.
        self._phrase_re = re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(p) for p in phrases) + r")(?![a-z0-9])")
        self._all_stop = vocabulary.stopwords["nl"] | vocabulary.stopwords["en"]
        # Single-word synonyms also match by stem, so "teenagers" and "gehackte" find their canonical word.
        self._stem_synonyms: dict[str, str] = {}
        for variant, canonical in vocabulary.synonyms.items():
            if " " not in variant and len(variant) >= 4:
                for lang in ("nl", "en"):
                    self._stem_synonyms.setdefault(self._stem(variant, lang), canonical)

    def guess_language(self, tokens: Iterable[str]) -> Language:
        """Dutch unless the message has clearly more English than Dutch function words."""
        nl = en = 0
        for tok in tokens:
            nl += tok in self._vocab.stopwords["nl"]
            en += tok in self._vocab.stopwords["en"]
        return "en" if en > nl else "nl"

    def tokens(self, text: str, lang: Language | None = None) -> list[str]:
        raw = words(text)
        if lang is None:
            lang = self.guess_language(raw)
        joined = " ".join(raw)
        marked = self._phrase_re.sub(lambda m: " \x00" + self._vocab.synonyms[m.group(1)] + " ", joined)
        out: list[str] = []
        for tok in marked.split():
            if tok.startswith("\x00"):
                out.append(tok[1:])
            elif tok not in self._all_stop or tok.isdigit():
                stem = self._stem(tok, lang)
                out.append(self._stem_synonyms.get(stem, stem))
        return out

    def _stem(self, token: str, lang: str) -> str:
        return _stem_cached(self._stemmers[lang], token)


@lru_cache(maxsize=50_000)
def _stem_cached(stemmer: object, token: str) -> str:
    result: str = stemmer.stemWord(token)  # type: ignore[attr-defined]
    return result
