"""Text normalisation: one shared first stage (:func:`fold`), then the search's own steps.

:func:`fold` is the first step of every text comparison in the bot: triage (``bot.triage.rules.normalise``),
search (:func:`words`, :class:`Normalizer`) and routing (``bot.routing.router.normalize``) each call it and then
add their own steps (typo repair; synonyms and stemming; street suffixes and "ij").

Search steps: :func:`fold` → apostrophes dropped, runs of 3+ equal characters shortened → common misspellings
and synonyms mapped to one canonical word (from ``data/synonyms.yaml``) → punctuation off → stopwords out →
Snowball stem (Dutch or English, by a cheap guess of the message's language).

Pitfalls:
- Index and query must go through *the same* :class:`Normalizer` instance, or stems will not meet.
- Synonym phrases are matched on word boundaries before stemming, longest first, so "valse mail" wins
  over "mail"; a synonym's target is a single canonical token and is never stemmed again.
- :func:`fold` keeps punctuation and apostrophes (unified to ``'``): triage needs "can't" and "m'n".
"""

from __future__ import annotations

import functools
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

# Typed apostrophes and quotes, unified before NFKC (which would turn the acute accent into a space).
_APOSTROPHES = "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4\u02bc\uff07"
_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\uff02"
# Cyrillic and Greek letters that look like a Latin letter (a Unicode confusables subset), mapped before case
# folding because the shapes differ per case (capital В looks like B, small в does not).
_LOOK_ALIKES = (
    "аa еe оo рp сc уy хx іi јj ѕs һh ԁd ԛq ԝw ѵv үy "
    "АA ВB ЕE КK МM НH ОO РP СC ТT УY ХX ІI ЈJ ЅS ԌG ԜW ѴV ҮY "
    "αa γy ιi νv οo ρp υu κk τt χx ϲc ϳj "
    "ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX ϹC"
)
# Characters that are neither removed nor changed: printable ASCII and the space (the fast path).
_PLAIN = re.compile(r"[^\x20-\x7e]")


@functools.cache
def _quote_table() -> dict[int, str]:
    table = dict.fromkeys(map(ord, _APOSTROPHES), "'")
    table.update(dict.fromkeys(map(ord, _QUOTES), '"'))
    return table


@functools.cache
def _look_alikes() -> dict[str, str]:
    return {pair[0]: pair[1] for pair in _LOOK_ALIKES.split()}


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """One character outside printable ASCII: a space, nothing, a Latin look-alike, an ASCII digit, or itself."""
    if char.isspace():
        return " "
    category = unicodedata.category(char)
    # Controls and format characters (zero-width, bidi marks, soft hyphen, BOM) and marks left after NFKD
    # (variation selectors, the grapheme joiner).
    if category in ("Cc", "Cf", "Mn", "Me"):
        return ""
    if category == "Nd":
        return str(unicodedata.decimal(char))
    return _look_alikes().get(char, char)


def fold(text: str) -> str:
    """The shared first stage: the same text however it was typed, with punctuation kept.

    Apostrophes and quotes unified (``'`` and ``"``); Unicode NFKC (full-width forms, ligatures, no-break
    spaces); accents off; zero-width, bidirectional and other control characters removed; Cyrillic and Greek
    look-alike letters made Latin; every decimal digit ASCII; case folded; whitespace collapsed to single spaces.

    Pitfall: a removed zero-width character joins its neighbours ("d\u200bood" is "dood"), on purpose: it is
    how filters are dodged, not how words are separated.
    """
    text = text.translate(_quote_table())
    if not text.isascii():
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _PLAIN.sub(lambda m: _fold_char(m.group()), text)
    return " ".join(text.casefold().split())


def search_fold(text: str) -> str:
    """:func:`fold`, then apostrophes dropped and runs of 3+ identical characters shortened (search only)."""
    return _REPEATS.sub(r"\1\1", fold(text).replace("'", ""))


def words(text: str) -> list[str]:
    return [w for w in _NON_WORD.split(search_fold(text)) if w]


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
