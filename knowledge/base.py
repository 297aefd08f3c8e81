"""Loading the curated content into memory, once, at start-up.

Pitfall: loading validates each file with pydantic but does not enforce the cross-file rules (every topic
present, helplines exist ...); those are :mod:`knowledge.check`'s job, which ``make test`` runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.schema import Helpline, Language, Theme, Topic

DATA_DIR = Path(__file__).parent / "data"
THEMES: tuple[Theme, ...] = ("digital", "youth", "undermining", "general")


class ContentError(Exception):
    """A content file is missing or invalid; the message names the file and the field."""


class _HelplineFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    helplines: list[Helpline] = Field(min_length=1)


class _OutOfScopeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nl: list[str] = Field(min_length=1)
    en: list[str] = Field(min_length=1)


class UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys (plain YAML silently keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        for key in keys:
            if keys.count(key) > 1:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", node.start_mark)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot read: {exc}") from exc


def _explain(path: Path, exc: ValidationError) -> ContentError:
    lines = [f"{path}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
    return ContentError("\n".join(lines))


@dataclass(frozen=True)
class KnowledgeBase:
    """All topics (by id, in file-name order) and helplines (by id)."""

    topics: dict[str, Topic]
    helplines: dict[str, Helpline]
    # Off-topic questions (waste, permits, ...) per language: the search's "not for this bot" class.
    out_of_scope: dict[Language, list[str]] = field(default_factory=dict)
    # Extra training text for the topic model (``data/training/*.jsonl``): (text, topic id or None = out of
    # scope), resident phrasings written from each topic's scope; never copied from an evaluation set.
    training: tuple[tuple[str, str | None], ...] = ()

    def by_theme(self, theme: str) -> list[Topic]:
        return [t for t in self.topics.values() if t.theme == theme]


def load_knowledge_base(data_dir: Path = DATA_DIR) -> KnowledgeBase:
    """Read and validate every content file under ``data_dir``."""
    topics: dict[str, Topic] = {}
    for path in sorted((data_dir / "topics").glob("*.yaml")):
        raw = read_yaml(path)
        try:
            topic = Topic.model_validate(raw)
        except ValidationError as exc:
            raise _explain(path, exc) from None
        if topic.id != path.stem:
            raise ContentError(f"{path}: id: '{topic.id}' differs from the file name '{path.stem}'")
        topics[topic.id] = topic
    helpline_path = data_dir / "helplines.yaml"
    try:
        helplines = _HelplineFile.model_validate(read_yaml(helpline_path)).helplines
    except ValidationError as exc:
        raise _explain(helpline_path, exc) from None
    oos_path = data_dir / "out-of-scope.yaml"
    try:
        oos = _OutOfScopeFile.model_validate(read_yaml(oos_path))
    except ValidationError as exc:
        raise _explain(oos_path, exc) from None
    return KnowledgeBase(
        topics=topics,
        helplines={h.id: h for h in helplines},
        out_of_scope={"nl": oos.nl, "en": oos.en},
        training=read_training(data_dir / "training"),
    )


class _TrainingLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1)
    topic: str | None


def read_training(directory: Path) -> tuple[tuple[str, str | None], ...]:
    """Every ``*.jsonl`` line under ``directory`` as (text, topic); topic ids are checked by ``kb check``."""
    rows: list[tuple[str, str | None]] = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = _TrainingLine.model_validate_json(line)
                except ValidationError as exc:
                    raise ContentError(f"{path}:{number}: {exc.errors()[0]['msg']}") from None
                rows.append((row.text, row.topic))
    return tuple(rows)
