"""The shape of the curated content in ``knowledge/data``.

Content is reviewable YAML, validated by these models when it is loaded; ``veiligbot kb check`` adds the
cross-file rules (every topic present, helplines exist, answers fit in one Telegram message, ...).

Files:
- ``data/topics/<topic-id>.yaml`` -- one :class:`Topic` per file, the file name is the topic id.
- ``data/helplines.yaml`` -- ``helplines: [Helpline, ...]``.
- ``data/municipalities.yaml`` -- see :mod:`knowledge.municipalities`.

Pitfall: only *verified* facts belong here (``../shared/reference/kb-facts.md`` tables marked verified).
A fact that was true on a date (phone hours, say) keeps that date in ``as_of`` for editors: residents never
see it, and ``veiligbot kb check`` warns once it is more than 12 months old.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")
Theme = Literal["digital", "youth", "undermining", "general"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localised(_Strict):
    """The same text in Dutch and English."""

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Language) -> str:
        return self.nl if lang == "nl" else self.en


class Link(_Strict):
    """A "more information" link shown under an answer."""

    url: HttpUrl
    title: Localised
    source: HttpUrl  # the page where the fact that this link is right was read
    reviewed: dt.date


class Helpline(_Strict):
    """A national service residents can call, chat with or visit online."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: Localised
    purpose: Localised
    phone: str | None = None
    website: str | None = None  # host/path without scheme, as residents type it ("113.nl")
    email: str | None = None
    chat: Localised | None = None
    hours: Localised | None = None
    as_of: dt.date | None = None  # the date of the source for hours/cost; for editors, never shown
    sources: list[HttpUrl] = Field(min_length=1)
    reviewed: dt.date


class TopicLanguage(_Strict):
    """One language's content of a topic."""

    title: str = Field(min_length=3, max_length=80)
    # What to do first when the harm has already happened ("Already paid? Call your bank ..."); shown right
    # under the title. Optional, but a topic that has it in one language must have it in both (kb check).
    first: str | None = Field(default=None, min_length=10, max_length=200)
    summary: str = Field(min_length=10, max_length=400)  # one or two sentences: what this is
    steps: list[str] = Field(min_length=3, max_length=6)  # what to do now, concrete
    questions: list[str] = Field(min_length=5)  # sample questions as residents write them
    keywords: list[str] = Field(min_length=3)  # words and synonyms that point to this topic


class Topic(_Strict):
    """One knowledge-base entry; ``id`` is a stable contract (``spec/topics.yaml``)."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    theme: Theme
    report: str | None  # report category offered under the answer, or null
    helplines: list[str] = Field(default_factory=list)  # ids in helplines.yaml, most relevant first
    related: list[str] = Field(default_factory=list, max_length=4)  # other topic ids
    links: list[Link] = Field(default_factory=list)
    sources: list[HttpUrl] = Field(min_length=1)  # where the advice in the steps was read
    reviewed: dt.date
    nl: TopicLanguage
    en: TopicLanguage

    def lang(self, lang: Language) -> TopicLanguage:
        return self.nl if lang == "nl" else self.en
