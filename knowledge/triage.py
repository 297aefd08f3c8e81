"""Crisis-triage rules as reviewable data: load and validate ``data/triage/*.yaml``.

The files (each explains its own format in its header):

- ``fragments.yaml``: named regular-expression building blocks (people, time, weapons, abuse acts ...).
- ``cues.yaml``: weighted cues per class (emergency, suicide, abuse), with a ``why`` and examples.
- ``guards.yaml``: cues with a negative weight (framings, idioms, past events, look-alikes) and the look-alike
  fragments that cues use in their ``unless``.
- ``typos.yaml``: the triage's own normalisation tables (contractions, misspellings, protected words).

:func:`load_triage_rules` returns the cues with every ``{FRAGMENT}`` reference expanded; the matcher that runs
them is :class:`bot.triage.rules.Triage`. ``veiligbot kb check`` also tries every example on that matcher.

Pitfalls:
- Patterns run on normalised text (lower-case ASCII words, single spaces, padded with a space at both ends), so
  an upper-case or accented letter in a pattern can never match; loading refuses it.
- ``{NAME}`` is a fragment reference only for upper-case names; ``{0,3}`` stays a regex quantifier.
- A fragment written as a plain ``pattern`` string is inserted as it is: a top-level ``|`` in it needs its own
  group. ``words:`` and ``any_of:`` are grouped by the loader.
- Weights are multiples of 0.5, so scores add up exactly and a class fires at exactly 1.0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.base import DATA_DIR, ContentError, read_yaml

__all__ = ["ALL_CLASSES", "CLASSES", "TRIAGE_DIR", "Cue", "TriageRules", "Typos", "load_triage_rules"]

TRIAGE_DIR = DATA_DIR / "triage"
CLASSES: tuple[str, ...] = ("emergency", "suicide", "abuse")
ALL_CLASSES = "all"
MAX_WEIGHT = 3.0
WEIGHT_STEP = 0.5

_REFERENCE = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_FRAGMENT_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_TOKEN = re.compile(r"[a-z0-9]+")
_TOKENS = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_ESCAPE = re.compile(r"\\.")
_M = TypeVar("_M", bound=BaseModel)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Words(_Model):
    words: list[str] = Field(min_length=1)


class _AnyOf(_Model):
    any_of: list[str | _Words] = Field(min_length=1)


_Spec = str | _Words | _AnyOf


class _Fragment(_Model):
    why: str = ""
    pattern: _Spec


class _Cue(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(min_length=1)
    klass: str = Field(alias="class")
    weight: float
    why: str = Field(min_length=1)
    match: _Spec | None = None
    all_of: list[_Spec] | None = Field(default=None, min_length=2)
    unless: _Spec | None = None
    examples: list[str] = Field(default_factory=list)
    look_alikes: list[str] = Field(default_factory=list)


class _FragmentsFile(_Model):
    fragments: dict[str, _Fragment]


class _CuesFile(_Model):
    cues: list[_Cue] = Field(min_length=1)


class _GuardsFile(_Model):
    fragments: dict[str, _Fragment] = Field(default_factory=dict)
    guards: list[_Cue] = Field(min_length=1)


class _Rewrite(_Model):
    pattern: str
    replace: str


class _TyposFile(_Model):
    contractions: list[_Rewrite]
    misspellings: dict[str, str]
    chat_spelling: dict[str, str]
    fuzzy_targets: list[str]
    squeeze_targets: list[str]
    protected: list[str]
    joins: list[_Rewrite]


@dataclass(frozen=True, slots=True)
class Cue:
    """One weighted rule: fires when every pattern matches and ``unless`` (if any) does not.

    ``klass`` is one of :data:`CLASSES`, or ``"all"`` (a guard that lowers every class). Patterns are fully
    expanded regular expressions. ``file`` is the file it came from, for messages.
    """

    id: str
    klass: str
    weight: float
    patterns: tuple[str, ...]
    unless: str | None
    why: str
    examples: tuple[str, ...]
    look_alikes: tuple[str, ...]
    file: Path

    @property
    def is_guard(self) -> bool:
        return self.weight < 0

    @property
    def classes(self) -> tuple[str, ...]:
        return CLASSES if self.klass == ALL_CLASSES else (self.klass,)


@dataclass(frozen=True, slots=True)
class Typos:
    """The triage's normalisation tables (see ``typos.yaml`` for the order they apply in)."""

    contractions: tuple[tuple[str, str], ...]
    misspellings: Mapping[str, str]
    chat_spelling: Mapping[str, str]
    fuzzy_targets: tuple[str, ...]
    squeeze_targets: tuple[str, ...]
    protected: frozenset[str]
    joins: tuple[tuple[str, str], ...]
    file: Path


@dataclass(frozen=True, slots=True)
class TriageRules:
    """Everything the matcher needs; ``warnings`` lists harmless problems (an unused fragment)."""

    cues: tuple[Cue, ...]
    typos: Typos
    warnings: tuple[str, ...] = ()


def load_triage_rules(directory: Path = TRIAGE_DIR) -> TriageRules:
    """Read, validate and expand the triage files; every problem found is in the :class:`ContentError`."""
    return _Loader(directory).load()


class _Loader:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.errors: list[str] = []
        self.fragments: dict[str, tuple[Path, _Fragment]] = {}
        self.expanded: dict[str, str] = {}
        self.used: set[str] = set()

    def load(self) -> TriageRules:
        fragments_path, cues_path, guards_path, typos_path = (
            self.dir / name for name in ("fragments.yaml", "cues.yaml", "guards.yaml", "typos.yaml")
        )
        fragments_file = self._read(fragments_path, _FragmentsFile)
        cues_file = self._read(cues_path, _CuesFile)
        guards_file = self._read(guards_path, _GuardsFile)
        typos_file = self._read(typos_path, _TyposFile)
        for path, found in ((fragments_path, fragments_file), (guards_path, guards_file)):
            for name, fragment in found.fragments.items() if found is not None else ():
                self._add_fragment(path, name, fragment)
        cues: list[Cue] = []
        seen: dict[str, Path] = {}
        for path, entries, guard in (
            (cues_path, cues_file.cues if cues_file else [], False),
            (guards_path, guards_file.guards if guards_file else [], True),
        ):
            for entry in entries:
                if entry.id in seen:
                    self.errors.append(f"{path}: {entry.id}: id also used in {seen[entry.id].name}")
                seen.setdefault(entry.id, path)
                cue = self._cue(path, entry, guard)
                if cue is not None:
                    cues.append(cue)
        warnings = tuple(
            f"{path}: {name}: fragment is not used by any cue"
            for name, (path, _) in self.fragments.items()
            if name not in self.used
        )
        # Unused fragments are expanded too, so that their broken references are reported now.
        for name, (path, _) in self.fragments.items():
            self._expand_fragment(name, path, name, ())
        typos = self._typos(typos_path, typos_file) if typos_file is not None else None
        if self.errors or typos is None:
            # A broken fragment is reported once, however many cues use it.
            raise ContentError("\n".join(dict.fromkeys(self.errors)))
        return TriageRules(cues=tuple(cues), typos=typos, warnings=warnings)

    def _read(self, path: Path, model: type[_M]) -> _M | None:
        try:
            raw = read_yaml(path)
        except ContentError as exc:
            self.errors.append(str(exc))
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                self.errors.append(f"{path}: {_where(raw, err['loc'])}: {err['msg']}")
            return None

    # ------------------------------------------------------------------ fragments and patterns

    def _add_fragment(self, path: Path, name: str, fragment: _Fragment) -> None:
        if not _FRAGMENT_NAME.fullmatch(name):
            self.errors.append(f"{path}: {name}: a fragment name is upper case (A-Z, 0-9, _)")
        elif name in self.fragments:
            self.errors.append(f"{path}: {name}: fragment also defined in {self.fragments[name][0].name}")
        else:
            self.fragments[name] = (path, fragment)
            self._literal_checks(path, name, fragment.pattern)

    def _expand_fragment(self, name: str, path: Path, owner: str, stack: tuple[str, ...]) -> str | None:
        if name in self.expanded:
            return self.expanded[name]
        if name not in self.fragments:
            self.errors.append(f"{path}: {owner}: unknown fragment {{{name}}}")
            return None
        if name in stack:
            cycle = " -> ".join((*stack[stack.index(name) :], name))
            self.errors.append(f"{self.fragments[name][0]}: {name}: fragments refer to each other in a circle: {cycle}")
            return None
        frag_path, fragment = self.fragments[name]
        text = self._expand(fragment.pattern, frag_path, name, (*stack, name))
        if text is not None:
            self.expanded[name] = text
        return text

    def _expand(self, spec: _Spec, path: Path, owner: str, stack: tuple[str, ...] = ()) -> str | None:
        """The regex of one pattern with every reference replaced; None (and an error) when one fails."""
        failed = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal failed
            self.used.add(match.group(1))
            text = self._expand_fragment(match.group(1), path, owner, stack)
            if text is None:
                failed = True
                return ""
            return text

        if isinstance(spec, str):
            text = _REFERENCE.sub(substitute, spec)
        elif isinstance(spec, _Words):
            text = r"\b(?:" + "|".join(_REFERENCE.sub(substitute, w) for w in spec.words) + r")\b"
        else:
            parts = [self._expand(item, path, owner, stack) for item in spec.any_of]
            if any(part is None for part in parts):
                return None
            text = "(?:" + "|".join(p for p in parts if p is not None) + ")"
        return None if failed else text

    def _literal_checks(self, path: Path, owner: str, spec: _Spec) -> None:
        """Problems visible in the written text itself: impossible letters and items listed twice."""
        items: list[str] = []
        if isinstance(spec, str):
            items = [spec]
        elif isinstance(spec, _Words):
            items = spec.words
        else:
            items = [i for i in spec.any_of if isinstance(i, str)]
            for words in (i for i in spec.any_of if isinstance(i, _Words)):
                self._literal_checks(path, owner, words)
        for dup in _duplicates(items):
            self.errors.append(f"{path}: {owner}: '{dup}' is listed twice")
        for item in items:
            plain = _ESCAPE.sub("", _REFERENCE.sub("", item))
            bad = sorted({c for c in plain if c.isupper() or not c.isascii()})
            if bad:
                self.errors.append(
                    f"{path}: {owner}: '{''.join(bad)}' in '{item}' can never match: patterns see lower-case "
                    "text without accents"
                )

    def _compiled(self, path: Path, owner: str, spec: _Spec) -> str | None:
        self._literal_checks(path, owner, spec)
        text = self._expand(spec, path, owner)
        if text is None:
            return None
        try:
            re.compile(text)
        except re.error as exc:
            self.errors.append(f"{path}: {owner}: pattern does not compile ({exc}): {text[:200]}")
            return None
        return text

    # ------------------------------------------------------------------ cues

    def _cue(self, path: Path, entry: _Cue, guard: bool) -> Cue | None:
        where = f"{path}: {entry.id}"
        count = len(self.errors)
        allowed = (*CLASSES, ALL_CLASSES) if guard else CLASSES
        if entry.klass not in allowed:
            self.errors.append(f"{where}: class '{entry.klass}' is not one of {', '.join(allowed)}")
        weight = entry.weight
        if guard and not -MAX_WEIGHT <= weight < 0:
            self.errors.append(f"{where}: weight {weight:g}: a guard weighs from -{MAX_WEIGHT:g} to below 0")
        elif not guard and not 0 < weight <= MAX_WEIGHT:
            self.errors.append(f"{where}: weight {weight:g}: a cue weighs above 0 up to {MAX_WEIGHT:g} (guards.yaml)")
        elif (weight / WEIGHT_STEP) != int(weight / WEIGHT_STEP):
            self.errors.append(f"{where}: weight {weight:g} is not a multiple of {WEIGHT_STEP:g}")
        if (entry.match is None) == (entry.all_of is None):
            self.errors.append(f"{where}: give either match or all_of")
        if entry.look_alikes and entry.unless is None:
            self.errors.append(f"{where}: look_alikes need an unless that switches the cue off")
        for field, texts in (("examples", entry.examples), ("look_alikes", entry.look_alikes)):
            if any(not t.strip() for t in texts):
                self.errors.append(f"{where}: {field}: an empty message")
            for dup in _duplicates(texts):
                self.errors.append(f"{where}: {field}: '{dup}' is listed twice")
        specs = [entry.match] if entry.match is not None else list(entry.all_of or [])
        patterns = [self._compiled(path, entry.id, spec) for spec in specs]
        unless = self._compiled(path, entry.id, entry.unless) if entry.unless is not None else None
        if len(self.errors) > count:
            return None
        return Cue(
            id=entry.id,
            klass=entry.klass,
            weight=weight,
            patterns=tuple(p for p in patterns if p is not None),
            unless=unless,
            why=entry.why,
            examples=tuple(entry.examples),
            look_alikes=tuple(entry.look_alikes),
            file=path,
        )

    # ------------------------------------------------------------------ typos

    def _typos(self, path: Path, raw: _TyposFile) -> Typos | None:
        count = len(self.errors)

        def tokens(field: str, words: Iterable[str], pattern: re.Pattern[str] = _TOKEN) -> None:
            for word in words:
                if not pattern.fullmatch(word):
                    self.errors.append(f"{path}: {field}: '{word}' is not a lower-case word (a-z, 0-9)")

        tokens("misspellings", raw.misspellings)
        tokens("misspellings", raw.misspellings.values())
        tokens("chat_spelling", raw.chat_spelling)
        tokens("chat_spelling", raw.chat_spelling.values(), _TOKENS)
        for field, words in (
            ("fuzzy_targets", raw.fuzzy_targets),
            ("squeeze_targets", raw.squeeze_targets),
            ("protected", raw.protected),
        ):
            tokens(field, words)
            for dup in _duplicates(words):
                self.errors.append(f"{path}: {field}: '{dup}' is listed twice")
        for word in sorted(set(raw.protected) & set(raw.misspellings)):
            self.errors.append(f"{path}: protected: '{word}' is also a misspelling to repair")
        for word in sorted(set(raw.protected) & set(raw.fuzzy_targets)):
            self.errors.append(f"{path}: protected: '{word}' is also a fuzzy target")
        for field, rewrites in (("contractions", raw.contractions), ("joins", raw.joins)):
            for rewrite in rewrites:
                problem = _rewrite_problem(rewrite.pattern, rewrite.replace)
                if problem:
                    self.errors.append(f"{path}: {field}: '{rewrite.pattern}' -> '{rewrite.replace}': {problem}")
        if len(self.errors) > count:
            return None
        return Typos(
            contractions=tuple((r.pattern, r.replace) for r in raw.contractions),
            misspellings=dict(raw.misspellings),
            chat_spelling=dict(raw.chat_spelling),
            fuzzy_targets=tuple(raw.fuzzy_targets),
            squeeze_targets=tuple(raw.squeeze_targets),
            protected=frozenset(raw.protected),
            joins=tuple((r.pattern, r.replace) for r in raw.joins),
            file=path,
        )


def _rewrite_problem(pattern: str, replace: str) -> str | None:
    """Why ``re.sub(pattern, replace, ...)`` would fail, or None (the template is tried on a stand-in)."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return f"does not compile ({exc})"
    names = {index: name for name, index in compiled.groupindex.items()}
    # Same groups (numbers and names), matching the empty string: sub() then checks every group reference.
    stand_in = "".join(f"(?P<{names[i]}>)" if i in names else "()" for i in range(1, compiled.groups + 1))
    try:
        re.compile(stand_in).sub(replace, "", count=1)
    except re.error as exc:
        return f"bad replacement ({exc})"
    return None


def _duplicates(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    twice: list[str] = []
    for item in items:
        if item in seen:
            twice.append(item)
        seen.add(item)
    return twice


def _where(raw: object, loc: tuple[int | str, ...]) -> str:
    """A pydantic location as an editor reads it: the cue id instead of its list index."""
    parts = [str(p) for p in loc]
    if len(loc) >= 2 and loc[0] in ("cues", "guards") and isinstance(loc[1], int) and isinstance(raw, dict):
        entries = raw.get(loc[0])
        entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            parts = [entry["id"], *parts[2:]]
    return ".".join(parts) if parts else "(file)"
