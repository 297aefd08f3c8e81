"""Standard texts for staff: per report category and action (question, message, close), in Dutch and English.

Data: ``knowledge/data/standard-texts.yaml`` (its header explains the format). :func:`load_standard_texts`
validates the shape when the bot starts; ``veiligbot kb check`` (:func:`check_standard_texts`) adds the rules
that need more than one file: every category of the spec with every action, Telegram HTML, the fill-in fields,
phone numbers only from ``helplines.yaml``, the length of the whole message the resident receives, and of the
list staff choose from.

Pitfalls:
- A text is HTML (Telegram's subset) written by editors; the values filled into ``{reference}`` and
  ``{municipality}`` must be escaped by the caller (:meth:`StandardTexts.render` takes them as given).
- A text's ``id`` is stored in picker buttons and in a pending composition: renaming it makes an open picker
  answer "a text is required".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from string import Formatter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.base import DATA_DIR, ContentError, read_yaml
from knowledge.schema import Language

TextAction = Literal["question", "message", "close"]
TEXT_ACTIONS: tuple[TextAction, ...] = ("question", "message", "close")
SLOTS = frozenset({"reference", "municipality"})
PICKER_HEADING = 300  # room for the picker's heading above the numbered texts (handlers/staff/actions.py)
FILE_NAME = "standard-texts.yaml"
Wrap = Callable[[str, str, str], str]
"""``(body_html, reference, municipality) -> html``: the whole message the resident receives around a text."""


class StandardText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,13}$")
    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Language) -> str:
        return self.nl if lang == "nl" else self.en


class _PerAction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    question: list[StandardText] = Field(default_factory=list)
    message: list[StandardText] = Field(default_factory=list)
    close: list[StandardText] = Field(default_factory=list)

    def of(self, action: TextAction) -> list[StandardText]:
        texts: list[StandardText] = getattr(self, action)
        return texts


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    categories: dict[str, _PerAction]
    general: _PerAction = Field(default_factory=_PerAction)


@dataclass(frozen=True)
class StandardTexts:
    """The loaded texts; :meth:`choices` is what staff see in a picker, in order."""

    categories: dict[str, _PerAction]
    general: _PerAction

    def choices(self, category: str, action: TextAction) -> list[StandardText]:
        """The category's own texts first, then the general ones."""
        own = self.categories[category].of(action) if category in self.categories else []
        return [*own, *self.general.of(action)]

    def get(self, category: str, action: TextAction, text_id: str) -> StandardText | None:
        return next((t for t in self.choices(category, action) if t.id == text_id), None)

    @staticmethod
    def render(text: StandardText, lang: Language, *, reference: str, municipality: str) -> str:
        """The text in ``lang`` with its fields filled (the values are inserted as given: escape them first)."""
        return text.get(lang).format_map({"reference": reference, "municipality": municipality})


def load_standard_texts(data_dir: Path = DATA_DIR) -> StandardTexts:
    """Read and validate the shape of the standard texts (the other rules are :func:`check_standard_texts`')."""
    path = data_dir / FILE_NAME
    try:
        raw = _File.model_validate(read_yaml(path))
    except ValidationError as exc:
        lines = [f"{path}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise ContentError("\n".join(lines)) from None
    return StandardTexts(categories=raw.categories, general=raw.general)


# Telegram's HTML subset (core.telegram.org/bots/api#html-style): tag → allowed attributes.
TELEGRAM_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "span": frozenset({"class"}),  # only class="tg-spoiler"
    "tg-spoiler": frozenset(),
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
}
TELEGRAM_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})


class _TelegramHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.problems.append(f"<{tag}> is not a tag Telegram allows")
            return
        for name, value in attrs:
            if name not in TELEGRAM_TAGS[tag]:
                self.problems.append(f"<{tag}> may not have the attribute {name!r}")
            elif tag == "span" and value != "tg-spoiler":
                self.problems.append('<span> needs class="tg-spoiler"')
        if tag == "a" and not dict(attrs).get("href"):
            self.problems.append("<a> needs an href")
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"<{tag}/>: Telegram has no self-closing tags")

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            expected = f"</{self.open[-1]}>" if self.open else "no closing tag"
            self.problems.append(f"</{tag}> does not match (expected {expected})")
            if tag in self.open:
                del self.open[self.open.index(tag) :]
            return
        self.open.pop()

    def handle_entityref(self, name: str) -> None:
        if name not in TELEGRAM_ENTITIES:
            self.problems.append(f"&{name}; is not an entity Telegram knows (write &amp; for &)")

    def handle_data(self, data: str) -> None:
        if "<" in data:
            self.problems.append("a bare < (write &lt;)")
        if re.search(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", data):
            self.problems.append("a bare & (write &amp;)")


def telegram_html_problems(html: str) -> list[str]:
    """What Telegram would refuse in ``html`` as ``parse_mode=HTML`` (unknown tags or attributes, unbalanced
    tags, bare ``<`` or ``&``); an empty list when it is fine."""
    parser = _TelegramHTML()
    parser.feed(html)
    parser.close()
    if parser.rawdata:  # an unfinished tag such as "<b" at the end
        parser.problems.append(f"unfinished markup {parser.rawdata[:20]!r}")
    parser.problems += [f"<{tag}> is never closed" for tag in parser.open]
    return parser.problems


def visible_length(html: str) -> int:
    """Length as Telegram counts it: after tags are parsed and entities decoded."""
    import html as html_lib

    return len(html_lib.unescape(re.sub(r"<[^>]+>", "", html)))


_PHONE = re.compile(r"(?<![\w])\d[\d -]{1,14}\d(?![\w])")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def check_standard_texts(
    data_dir: Path,
    categories: list[str],
    known_phones: list[str],
    compose: dict[Language, dict[TextAction, Wrap]] | None = None,
    *,
    reference: str = "HEE-WWWW",
    municipality: str = "Oldebroek",
    limit: int = 4096,
) -> list[str]:
    """Errors of the standard texts, each naming the file and the field.

    ``categories``: the report categories of the spec, each of which needs every action. ``known_phones``:
    the helplines' phone numbers, the only ones a text may name. ``compose[lang][action]`` wraps a rendered
    text into the whole message the resident receives (the bot's heading and footer, :data:`Wrap`); its
    visible length may not exceed ``limit`` when filled
    with the longest ``reference`` and ``municipality``.
    """
    path = data_dir / FILE_NAME
    try:
        texts = load_standard_texts(data_dir)
    except ContentError as exc:
        return str(exc).splitlines()
    errors: list[str] = []
    allowed_numbers = {_digits(part) for phone in known_phones for part in phone.split("/")}
    for category in sorted(set(texts.categories) - set(categories)):
        errors.append(f"{path}: categories.{category}: not a report category of the spec")
    for category in categories:
        if category not in texts.categories:
            errors.append(f"{path}: categories.{category}: missing (every report category needs its texts)")
            continue
        for action in TEXT_ACTIONS:
            if not texts.categories[category].of(action):
                errors.append(f"{path}: categories.{category}.{action}: no text (give at least one, in nl and en)")
    groups = [(f"categories.{c}", per) for c, per in texts.categories.items()] + [("general", texts.general)]
    for where, per in groups:
        for action in TEXT_ACTIONS:
            for i, text in enumerate(per.of(action)):
                field = f"{path}: {where}.{action}.{i} ({text.id})"
                errors += _check_text(field, text, action, allowed_numbers, compose, reference, municipality, limit)
    for category in texts.categories:
        for action in TEXT_ACTIONS:
            ids = [t.id for t in texts.choices(category, action)]
            for dup in sorted({i for i in ids if ids.count(i) > 1}):
                errors.append(f"{path}: categories.{category}.{action}: id '{dup}' used twice (with general)")
            # Staff see all choices (in Dutch, numbered) in one message under a short heading.
            shown = sum(len(t.nl) + 5 for t in texts.choices(category, action))
            if shown > limit - PICKER_HEADING:
                errors.append(
                    f"{path}: categories.{category}.{action}: the texts staff choose from are {shown} characters "
                    f"together (with general), more than one Telegram message allows; use fewer or shorter texts"
                )
    return errors


def _check_text(
    field: str,
    text: StandardText,
    action: TextAction,
    allowed_numbers: set[str],
    compose: dict[Language, dict[TextAction, Wrap]] | None,
    reference: str,
    municipality: str,
    limit: int,
) -> list[str]:
    errors: list[str] = []
    langs: tuple[Language, ...] = ("nl", "en")
    for lang in langs:
        raw = text.get(lang)
        try:
            fields = {name for _, name, _, _ in Formatter().parse(raw) if name is not None}
        except ValueError as exc:
            errors.append(f"{field}.{lang}: {exc} (write fields as {{reference}} or {{municipality}})")
            continue
        for unknown in sorted(fields - SLOTS):
            errors.append(f"{field}.{lang}: unknown field {{{unknown}}}; only {{reference}} and {{municipality}}")
        if fields - SLOTS:
            continue
        body = StandardTexts.render(text, lang, reference=reference, municipality=municipality)
        errors += [f"{field}.{lang}: invalid Telegram HTML: {p}" for p in telegram_html_problems(body)]
        for number in _PHONE.findall(re.sub(r"<[^>]+>", "", body)):
            if len(_digits(number)) >= 3 and _digits(number) not in allowed_numbers:
                errors.append(f"{field}.{lang}: phone number {number!r} is not in helplines.yaml")
        wrap = (compose or {}).get(lang, {}).get(action)
        whole = wrap(body, reference, municipality) if wrap is not None else body
        if visible_length(whole) > limit:
            errors.append(
                f"{field}.{lang}: the message the resident receives is {visible_length(whole)} characters, "
                f"more than one Telegram message ({limit})"
            )
    return errors
