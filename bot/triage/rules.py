"""Crisis triage: decide whether a free-text resident message signals a crisis, before any search.

Three classes (see ``spec/cli.md``):

- ``emergency``: danger *now* — violence, a weapon, a threat, fire, an intruder, someone missing, and also
  domestic violence that is happening right now ("hij slaat me nu"). Guidance: 112.
- ``suicide``: a wish to die, plans or means, or worry about a *specific* person who wants to die.
  Guidance: 113 / 0800-0113 (112 when life is in acute danger).
- ``abuse``: domestic violence or child abuse that is not (said to be) happening now. Guidance: Veilig Thuis.

The rules are data, not code: ``knowledge/data/triage/`` (loaded by :mod:`knowledge.triage`, checked by
``veiligbot kb check``). This module is the generic matcher:

1. :func:`normalise`: the shared :func:`knowledge.normalize.fold` (Unicode, invisible characters, look-alike
   letters, case, accents), then ``typos.yaml``: contractions ("can't", "m'n"), punctuation off, letter runs
   squeezed ("heeeelp"), misspellings repaired ("hellup", "zelfmoort", "suicde") with the table plus a cautious
   edit-distance match against a few long, distinctive crisis words, chat spelling, joins ("veiligthuis").
2. Each cue whose patterns all match the normalised text (and whose ``unless`` does not) adds its weight to
   its class; guards (negative weights) subtract. A class fires at :data:`THRESHOLD`; when several fire,
   emergency beats suicide beats abuse.

Pitfalls:
- Edit-distance repair only touches long words and never protected look-alikes ("gestolen" is not "gestoken",
  "verkocht" is not "verkracht"): a wrong repair would be a false alarm.
- Speed: patterns shared by several cues are searched once per text, ``unless`` only when a cue would fire,
  and a ``\\b`` that opens an alternative is compiled as a space (see :func:`_space_for_leading_boundary`).
- A learned layer may be stacked on top later: keep :meth:`Triage.assess` (urgency, scores, cue ids) stable.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz.distance import OSA

from knowledge.normalize import fold
from knowledge.triage import Cue, TriageRules, Typos, load_triage_rules

__all__ = [
    "THRESHOLD",
    "Assessment",
    "Triage",
    "Urgency",
    "classify",
    "default_rules",
    "default_triage",
    "example_problems",
    "normalise",
]


class Urgency(StrEnum):
    """Crisis classes, values as in ``spec/cli.md`` (and the ``class`` of a cue in the YAML)."""

    EMERGENCY = "emergency"
    SUICIDE = "suicide"
    ABUSE = "abuse"


#: A class fires when its summed cue weights reach this value.
THRESHOLD = 1.0

# Priority when several classes fire: danger now first.
_PRIORITY: tuple[Urgency, ...] = (Urgency.EMERGENCY, Urgency.SUICIDE, Urgency.ABUSE)

# Typo repair: tokens shorter than this are never fuzzily repaired; targets shorter than _MIN_FUZZY_TARGET are
# only used when they end in "self"; long targets (_LONG_TARGET letters) allow two edits.
_MIN_FUZZY_TOKEN = 6
_MIN_FUZZY_TARGET = 7
_LONG_TARGET = 11

# Plain pattern strings: the re module caches their compiled form on first use, not at import.
_RUNS = r"([a-z])\1{2,}"
_DOUBLES = r"([a-z])\1"
_NON_ALNUM = r"[^a-z0-9]+"


@functools.cache
def default_rules() -> TriageRules:
    """The rules in ``knowledge/data/triage``, read on first use (never at import) and shared."""
    return load_triage_rules()


def _squeeze(token: str) -> str:
    return re.sub(_DOUBLES, r"\1", token)


class _Normaliser:
    """:func:`normalise` for one set of typo tables (precomputes the squeezed spellings)."""

    def __init__(self, typos: Typos) -> None:
        self._typos = typos
        words = {*typos.fuzzy_targets, *typos.squeeze_targets}
        self._squeezed = {_squeeze(w): w for w in words}
        self._fuzzy_set = frozenset(typos.fuzzy_targets)
        self._fuzzy = tuple(
            (w, 2 if len(w) >= _LONG_TARGET else 1)
            for w in typos.fuzzy_targets
            if len(w) >= _MIN_FUZZY_TARGET or w.endswith("self")
        )

    def fix_token(self, token: str) -> str:
        """Repair one token; pitfall: only distinctive words, never protected look-alikes."""
        typos = self._typos
        if token.isdigit() or token in typos.protected:
            return token
        token = re.sub(_RUNS, r"\1\1", token)
        if token in typos.misspellings:
            return typos.misspellings[token]
        if token in self._fuzzy_set:
            return token
        squeezed = _squeeze(token)
        if squeezed != token:
            if squeezed in typos.misspellings:
                return typos.misspellings[squeezed]
            hit = self._squeezed.get(squeezed)
            if hit is not None:
                return hit
        if len(token) < _MIN_FUZZY_TOKEN:
            return token
        best: str | None = None
        best_distance = 99
        for keyword, allowed in self._fuzzy:
            if abs(len(keyword) - len(token)) > allowed:
                continue
            distance = OSA.distance(token, keyword, score_cutoff=allowed)
            if distance <= allowed and distance < best_distance:
                best, best_distance = keyword, distance
        return best if best is not None else token

    def __call__(self, text: str) -> str:
        typos = self._typos
        plain = fold(text)
        # Contractions that lose meaning once the apostrophe is gone.
        for pattern, replace in typos.contractions:
            plain = re.sub(pattern, replace, plain)
        plain = plain.replace("'", "")
        fixed: list[str] = []
        for token in re.sub(_NON_ALNUM, " ", plain).split():
            token = self.fix_token(token)
            fixed.append(typos.chat_spelling.get(token, token))
        joined = " ".join(fixed)
        for pattern, replace in typos.joins:
            joined = re.sub(pattern, replace, joined)
        return f" {joined} "


@functools.cache
def _default_normaliser() -> _Normaliser:
    return _Normaliser(default_rules().typos)


def normalise(text: str) -> str:
    """Folded, no punctuation, single spaces, contractions expanded, typos repaired (default ``typos.yaml``).

    "Veilig Thuis" becomes the single token ``veiligthuis`` so that its "thuis" never reads as "at home".
    The result is padded with one space on each side, so patterns can rely on word boundaries.
    """
    return _default_normaliser()(text)


@dataclass(frozen=True, slots=True)
class _CompiledCue:
    """A cue with its patterns as indices into :attr:`Triage._patterns` (shared fragments are searched once)."""

    cue: Cue
    targets: tuple[Urgency, ...]
    patterns: tuple[int, ...]
    unless: int | None


@dataclass(frozen=True, slots=True)
class Assessment:
    """Why a message was (not) flagged: scores per class and the ids of the cues that fired."""

    urgency: Urgency | None
    scores: dict[Urgency, float]
    cues: tuple[str, ...]

    @property
    def score(self) -> float:
        """The score of the class that fired, or the highest score when none did."""
        return self.scores[self.urgency] if self.urgency is not None else max(self.scores.values())


def _space_for_leading_boundary(source: str) -> str:
    """Replace a ``\\b`` that opens an alternative (nothing matched before it) by a literal space.

    Equivalent on :func:`normalise` output (single spaces, padded on both sides: every word starts after a
    space) and several times faster: Python's regex engine can only skip ahead to a literal first character,
    and a leading ``\\b`` hides it. Pitfalls: never after a lookaround (its position would shift) and never
    inside a repeated group (each repetition would need a space of its own).
    """
    out: list[str] = []
    # Per open group: does it start where nothing has been matched yet, and where were spaces put in it?
    groups: list[tuple[bool, list[int]]] = [(True, [])]
    in_class = False
    at_start = True
    i = 0
    while i < len(source):
        char = source[i]
        i += 1
        if char == "\\":
            pair = char + source[i : i + 1]
            boundary = pair == "\\b" and (source[i + 1 : i + 2] == "(" or source[i + 1 : i + 2].isalnum())
            if at_start and not in_class and boundary:
                groups[-1][1].append(len(out))
                out.append(" ")
            else:
                out.append(pair)
            at_start = False
            i += 1
        elif in_class:
            out.append(char)
            in_class = char != "]"
        elif char == "[":
            out.append(char)
            in_class = True
            at_start = False
        elif char == "(":
            plain = not source.startswith("?", i) or source.startswith("?:", i)
            at_start = at_start and plain
            groups.append((at_start, []))
            out.append("(?:" if source.startswith("?:", i) else char)
            i += 2 if source.startswith("?:", i) else 0
        elif char == ")":
            out.append(char)
            _, spaces = groups.pop()
            if source[i : i + 1] in ("*", "+", "{"):
                for position in spaces:
                    out[position] = "\\b"
            else:
                groups[-1][1].extend(spaces)
            at_start = False
        elif char == "|":
            out.append(char)
            at_start = groups[-1][0]
        else:
            out.append(char)
            at_start = False
    return "".join(out)


class Triage:
    """Rule-based crisis classifier; build once and reuse (compiling the patterns takes milliseconds).

    Pure and thread-safe after construction; it never logs or stores the text it is given. Without ``rules``
    it uses :func:`default_rules`.
    """

    def __init__(self, rules: TriageRules | None = None, threshold: float = THRESHOLD) -> None:
        self.rules = rules if rules is not None else default_rules()
        self._threshold = threshold
        self._normalise = _default_normaliser() if rules is None else _Normaliser(self.rules.typos)
        # One Pattern object per distinct string, so a fragment shared by several cues (ABUSE_ACT, NOW, ...)
        # is searched once per text (see assess).
        index: dict[str, int] = {}

        def pattern(source: str) -> int:
            return index.setdefault(source, len(index))

        self._cues = tuple(
            _CompiledCue(
                cue,
                tuple(Urgency(c) for c in cue.classes),
                tuple(pattern(p) for p in cue.patterns),
                pattern(cue.unless) if cue.unless is not None else None,
            )
            for cue in self.rules.cues
        )
        self._by_id = {compiled.cue.id: compiled for compiled in self._cues}
        self._patterns = tuple(re.compile(_space_for_leading_boundary(source)) for source in index)

    def normalise(self, text: str) -> str:
        """:func:`normalise` with this instance's typo tables."""
        return self._normalise(text)

    def assess(self, text: str) -> Assessment:
        """Score ``text``; the decision plus the evidence, for tests and ``kb`` tooling."""
        norm = self._normalise(text)
        scores = dict.fromkeys(_PRIORITY, 0.0)
        fired: list[str] = []
        patterns = self._patterns
        # Per text: pattern index -> matched. Keyed by index because hashing a Pattern hashes its whole code.
        hits: list[bool | None] = [None] * len(patterns)

        def hit(index: int) -> bool:
            known = hits[index]
            if known is None:
                known = hits[index] = patterns[index].search(norm) is not None
            return known

        for compiled in self._cues:
            # The (often long) unless pattern is only tried once the cue would fire; most cues never do.
            if not all(hit(i) for i in compiled.patterns) or (compiled.unless is not None and hit(compiled.unless)):
                continue
            fired.append(compiled.cue.id)
            for target in compiled.targets:
                scores[target] += compiled.cue.weight
        urgency = next((u for u in _PRIORITY if scores[u] >= self._threshold), None)
        return Assessment(urgency, scores, tuple(fired))

    def classify(self, text: str) -> Urgency | None:
        """The crisis class of a resident message, or None when the knowledge base should answer."""
        return self.assess(text).urgency

    def switched_off(self, cue_id: str, text: str) -> bool:
        """Whether every pattern of the cue matches ``text`` but its ``unless`` does too (a look-alike)."""
        compiled = self._by_id[cue_id]
        norm = self._normalise(text)
        matched = all(self._patterns[i].search(norm) for i in compiled.patterns)
        return matched and compiled.unless is not None and self._patterns[compiled.unless].search(norm) is not None


@functools.cache
def default_triage() -> Triage:
    """A shared instance, built on first use (never at import)."""
    return Triage()


def classify(text: str) -> Urgency | None:
    """Convenience for :meth:`Triage.classify` on the shared instance."""
    return default_triage().classify(text)


def example_problems(triage: Triage) -> list[str]:
    """What ``kb check`` reports about the examples in the YAML, tried on the real matcher.

    A cue's example must fire the cue; a look-alike must match the cue's patterns and be switched off by its
    ``unless``; a guard's example must fire the guard and stay out of the guard's class (for "all": no crisis).
    Every misspelling must normalise to its correction and every protected word to itself.
    """
    problems: list[str] = []
    for cue in triage.rules.cues:
        where = f"{cue.file}: {cue.id}"
        for example in cue.examples:
            result = triage.assess(example)
            if cue.id not in result.cues:
                problems.append(f"{where}: example '{example}' does not trigger the cue")
            elif cue.is_guard and result.urgency is not None and result.urgency.value in cue.classes:
                problems.append(f"{where}: example '{example}' is not protected: it is still {result.urgency}")
        for look_alike in cue.look_alikes:
            if not triage.switched_off(cue.id, look_alike):
                problems.append(f"{where}: look-alike '{look_alike}' is not switched off by unless")
    typos = triage.rules.typos
    for wrong, right in typos.misspellings.items():
        got = triage.normalise(wrong).strip()
        if got != typos.chat_spelling.get(right, right):
            problems.append(f"{typos.file}: misspellings: '{wrong}' normalises to '{got}', not '{right}'")
    for word in sorted(typos.protected):
        got = triage.normalise(word).strip()
        if got != word:
            problems.append(f"{typos.file}: protected: '{word}' normalises to '{got}'")
    return problems
