"""Callback data of inline buttons: one typed codec per kind, validated both ways.

Every kind is a frozen dataclass whose fields are checked when it is built (``__post_init__``), so a button
can only be made from allowed values, and :meth:`CallbackData.decode` gives back the same object or ``None``.
Wire formats (``:``-separated; ids never contain ``:``), unchanged so old buttons in chats keep working:

========  ==================================  ==================================================
kind      data                                 values
========  ==================================  ==================================================
lang      ``lang:<nl|en>``                     a supported language
theme     ``theme:<theme>``                    a theme of the knowledge base schema
topic     ``topic:<topic-id>``                 an id's syntax (whether it exists is the handler's)
fb        ``fb:<topic-id>:<1|0>``              helpful or not
more      ``more:<topic-id>``                  the rest of an answer
help      ``help:<urgency>``                   the full crisis guidance of a class (``Urgency``)
rep       ``rep:<category|->``                 a report category, ``-`` for none
menu      ``menu``                             –
none      ``none``                             –
del       ``del:<yes|no>``                     –
r         ``r:<step>:<value>[:<key>]``         per step, see :data:`REPORT_STEP_VALUES`; Send has the key
s1        ``s1:<action>:<report>:<st>[:<arg>]`` a staff action on a report drawn in status ``st``
m1        ``m1:<action>:<report>``              a resident's answer, 👍/👎 or reopen request
========  ==================================  ==================================================

The staff and resident kinds carry a version in their prefix (``s1``, ``m1``): a later format gets a new
prefix, and presses on cards drawn by an older version are answered as stale, never misread.

Pitfalls:
- The limit is 64 *bytes* (UTF-8), checked when a button is built; keep values ASCII ids, never resident text.
- Data Telegram delivers is untrusted: a stale button of an old bot version, or forged by a modified
  client. ``decode`` never raises; handlers route on :meth:`CallbackData.matches` so only valid data reaches
  them, and a catch-all answers the rest (``handlers.common.unknown_press``).
- Validity here is about form; whether a topic still exists or a press fits the report's current step is
  for the handler to decide (and to answer as stale).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal, Self, TypeVar, get_args

from bot.i18n.catalogs import SUPPORTED_LANGUAGES, Lang
from bot.reports.drafts import CATEGORIES
from bot.triage.rules import Urgency
from knowledge.municipalities import MUNICIPALITY_IDS
from knowledge.schema import Theme

MAX_BYTES = 64
SEPARATOR = ":"
_ID = re.compile(r"[a-z0-9-]+")  # topic ids, as knowledge/schema.py allows them
_KEY = re.compile(r"[A-Za-z0-9_-]{8,32}")  # a draft's idempotency key (bot.reports.drafts)
THEMES: tuple[Theme, ...] = get_args(Theme)
_T = TypeVar("_T", bound=str)

ReportStep = Literal["cat", "crisis", "place", "mun", "photos", "upd", "contact", "consent", "sum", "edit"]
REPORT_STEP_VALUES: dict[ReportStep, frozenset[str]] = {
    "cat": frozenset(CATEGORIES),
    "crisis": frozenset({"yes", "no"}),  # after a crisis in the description: file it anyway?
    "place": frozenset({"yes", "other"}),
    "mun": frozenset({*MUNICIPALITY_IDS, "all"}),
    "photos": frozenset({"done"}),
    "upd": frozenset({"chat", "none"}),
    "contact": frozenset({"skip"}),
    "consent": frozenset({"yes", "no"}),
    "sum": frozenset({"send", "edit", "cancel"}),
    "edit": frozenset({"category", "description", "place", "photos", "updates"}),
}
"""The values each report-flow button may carry (the conversation state that takes it is in report_flow)."""


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(f"invalid callback data: {what}")


def _one_of(value: str, allowed: Iterable[_T], what: str) -> _T:
    """``value`` as the allowed value it equals (typed as the allowed values are), or ``ValueError``."""
    for candidate in allowed:
        if candidate == value:
            return candidate
    raise ValueError(f"invalid callback data: {what} {value!r}")


@dataclass(frozen=True)
class CallbackData:
    """Base of every kind: ``KIND`` is the prefix, :meth:`parts` the fields after it."""

    KIND: ClassVar[str]

    def parts(self) -> tuple[str, ...]:
        return ()

    @classmethod
    def from_parts(cls, parts: list[str]) -> Self:
        """Build from the fields after the prefix; raise ``ValueError`` when they are not allowed."""
        _require(not parts, f"{cls.KIND} takes no fields")
        return cls()

    def __post_init__(self) -> None:
        for part in self.parts():
            _require(bool(part) and SEPARATOR not in part, f"{self.KIND} field {part!r}")
        size = len(self.encode().encode())
        if size > MAX_BYTES:
            raise ValueError(f"callback data longer than {MAX_BYTES} bytes: {self.encode()!r}")

    def encode(self) -> str:
        return SEPARATOR.join((self.KIND, *self.parts()))

    @classmethod
    def decode(cls, data: object) -> Self | None:
        """The press as this kind, or ``None`` for anything else (other kinds, forged, too long, not a str)."""
        if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
            return None
        kind, *parts = data.split(SEPARATOR)
        if kind != cls.KIND:
            return None
        try:
            return cls.from_parts(parts)
        except ValueError:
            return None

    @classmethod
    def matches(cls, data: object) -> bool:
        """For ``CallbackQueryHandler(pattern=Kind.matches)``: only valid data of this kind."""
        return cls.decode(data) is not None


@dataclass(frozen=True)
class LanguagePress(CallbackData):
    KIND: ClassVar[str] = "lang"
    lang: Lang

    def __post_init__(self) -> None:
        _require(self.lang in SUPPORTED_LANGUAGES, "language")
        super().__post_init__()

    def parts(self) -> tuple[str, ...]:
        return (self.lang,)

    @classmethod
    def from_parts(cls, parts: list[str]) -> Self:
        _require(len(parts) == 1, "lang:<lang>")
        return cls(_one_of(parts[0], SUPPORTED_LANGUAGES, "language"))


@dataclass(frozen=True)
class ThemePress(CallbackData):
    KIND: ClassVar[str] = "theme"
    theme: Theme

    def __post_init__(self) -> None:
        _require(self.theme in THEMES, "theme")
        super().__post_init__()

    def parts(self) -> tuple[str, ...]:
        return (self.theme,)

    @classmethod
    def from_parts(cls, parts: list[str]) -> Self:
        _require(len(parts) == 1, "theme:<theme>")
        return cls(_one_of(parts[0], THEMES, "theme"))


@dataclass(frozen=True)
class TopicPress(CallbackData):
    KIND: ClassVar[str] = "topic"
    topic: str

    def __post_init__(self) -> None:
        _require(_ID.fullmatch(self.topic) is not None, "topic id")
        super().__post_init__()

    def parts(self) -> tuple[str, ...]:
        return (self.topic,)

    @classmethod
    def from_parts(cls, parts: list[str]) -> Self:
        _require(len(parts) == 1, "topic:<id>")
        return cls(parts[0])


@dataclass(frozen=True)
class FeedbackPress(CallbackData):
    KIND: ClassVar[str] = "fb"
    topic: str
    helpful: bool

    def __post_init__(self) -> None:
        _require(_ID.fullmatch(self.topic) is not None, "topic id")
        super().__post_init__()

    def parts(self) -> tuple[str, ...]:
        return (self.topic, "1" if self.helpful else "0")

    @classmethod
    def from_parts(cls, parts: list[str]) -> Self:
        _require(len(parts) == 2 and parts[1] in ("1", "0"), "fb:<id>:<1|0>")
        return cls(parts[0], parts[1] == "1")


@dataclass(frozen=True)
class MorePress(CallbackData):
    """ "More" under the first screen of an answer: the rest of that topic."""

    KIND: ClassVar[str] = "more"
    topic: str

    def __post_init__(self) -> None:
        _require(_ID.fullmatch(self.topic) is not None, "topic id")
        super().__post_init__()

    def parts(self) -> tuple[str, ...]:
        return (self.topic,)

    @classmethod
    def from_parts(cls, parts: list[str]) -> Self:
        _require(len(parts) == 1, "more:<id>")
        return cls(parts[0])


@dataclass(frozen=True)
class CrisisHelpPress(CallbackData):
    """ "I need help now" under a reply to a possible crisis: the full crisis guidance of that class."""

    KIND: ClassVar[str] = "help"
    urgency: Urgency

    def __post_init__(self) -> None:
        _require(isinstance(self.urgency, Urgency), "urgency")
        super().__post_init__()

    def parts(self) -> tuple[str, ...]:
        return (self.urgency.value,)

    @classmethod
    def from_parts(cls, parts: list[str]) -> Self:
        _require(len(parts) == 1, "help:<urgency>")
        return cls(_one_of(parts[0], list(Urgency), "urgency"))


@dataclass(frozen=True)
class ReportPress(CallbackData):
    """ "Report a concern": start the report flow, with the category preset when there is one."""

    KIND: ClassVar[str] = "rep"
    category: str | None = None

    def __post_init__(self) -> None:
        _require(self.category is None or self.category in CATEGORIES, "category")
        super().__post_init__()

    def parts(self) -> tuple[str, ...]:
        return (self.category or "-",)

    @classmethod
    def from_parts(cls, parts: list[str]) -> Self:
        _require(len(parts) == 1, "rep:<category|->")
        return cls(None if parts[0] == "-" else parts[0])


@dataclass(frozen=True)
class MenuPress(CallbackData):
    """ "All themes": the theme menu."""

    KIND: ClassVar[str] = "menu"


@dataclass(frozen=True)
class NoneOfThesePress(CallbackData):
    """ "None of these" under a did-you-mean."""

    KIND: ClassVar[str] = "none"


@dataclass(frozen=True)
class DeletePress(CallbackData):
    """The answer to /verwijder's "are you sure?"."""

    KIND: ClassVar[str] = "del"
    confirmed: bool

    def parts(self) -> tuple[str, ...]:
        return ("yes" if self.confirmed else "no",)

    @classmethod
    def from_parts(cls, parts: list[str]) -> Self:
        _require(len(parts) == 1 and parts[0] in ("yes", "no"), "del:<yes|no>")
        return cls(parts[0] == "yes")


@dataclass(frozen=True)
class ReportStepPress(CallbackData):
    """A button of the report flow: ``step`` names the question it answers, ``value`` the choice.

    Send on the summary also carries the draft's idempotency ``key`` (``r:sum:send:<key>``), so a repeated
    press finds the report it filed (bot.reports.filing); summaries from before the key existed lack it.
    """

    KIND: ClassVar[str] = "r"
    step: ReportStep
    value: str
    key: str | None = None

    def __post_init__(self) -> None:
        _require(self.value in REPORT_STEP_VALUES.get(self.step, frozenset()), f"report step {self.step}")
        if self.key is not None:
            _require((self.step, self.value) == ("sum", "send"), "only Send carries a key")
            _require(_KEY.fullmatch(self.key) is not None, "draft key")
        super().__post_init__()

    def parts(self) -> tuple[str, ...]:
        return (self.step, self.value) if self.key is None else (self.step, self.value, self.key)

    @classmethod
    def from_parts(cls, parts: list[str]) -> Self:
        _require(len(parts) in (2, 3), "r:<step>:<value>[:<key>]")
        key = parts[2] if len(parts) == 3 else None
        return cls(_one_of(parts[0], REPORT_STEP_VALUES, "report step"), parts[1], key)


def is_send(data: object) -> bool:
    """Send on the summary, with or without the draft's key."""
    press = ReportStepPress.decode(data)
    return press is not None and (press.step, press.value) == ("sum", "send")


def is_keyed_send(data: object) -> bool:
    """Send with the draft's key: an entry point of the report conversation (a repeated press)."""
    press = ReportStepPress.decode(data)
    return press is not None and press.key is not None


def report_step(step: ReportStep) -> Callable[[object], bool]:
    """For ``CallbackQueryHandler(pattern=report_step(...))``: valid presses of that step only."""

    def matches(data: object) -> bool:
        press = ReportStepPress.decode(data)
        return press is not None and press.step == step

    return matches


STATUS_CODES: dict[str, str] = {
    "new": "n",
    "in_progress": "p",
    "reaction_requested": "q",
    "reaction_received": "a",
    "forwarded": "f",
    "closed": "c",
    "cancelled": "x",
    "reopened": "r",
}
_STATUS_BY_CODE = {code: status for status, code in STATUS_CODES.items()}
StaffAction = Literal[
    "take",
    "ask",
    "message",
    "transfer",
    "close",
    "reopen",
    "contact",
    "send",
    "drop",
    "tpl",
    "own",
    "to",
    "pt",
    "link",
    "unlink",
]
STAFF_ACTIONS: tuple[StaffAction, ...] = get_args(StaffAction)
_ARG = re.compile(r"[a-z0-9-]{1,16}")


@dataclass(frozen=True)
class StaffPress(CallbackData):
    """A staff button on a report: the action, the report id and the status the card was drawn with.

    ``arg`` is the choice in a follow-up (a closing text's number, a municipality, a partner). Whether the
    presser may do this, here and now, is decided on the server (bot.staff.auth, bot.workflow.engine).
    """

    KIND: ClassVar[str] = "s1"
    action: StaffAction
    report_id: int
    status: str
    arg: str | None = None

    def __post_init__(self) -> None:
        _require(self.action in STAFF_ACTIONS, "staff action")
        _require(self.report_id > 0, "report id")
        _require(self.status in STATUS_CODES, "status")
        _require(self.arg is None or _ARG.fullmatch(self.arg) is not None, "argument")
        super().__post_init__()

    def parts(self) -> tuple[str, ...]:
        base = (self.action, str(self.report_id), STATUS_CODES[self.status])
        return base if self.arg is None else (*base, self.arg)

    @classmethod
    def from_parts(cls, parts: list[str]) -> Self:
        _require(len(parts) in (3, 4), "s1:<action>:<report>:<status>[:<arg>]")
        _require(parts[1].isdigit() and len(parts[1]) <= 12, "report id")
        status = _STATUS_BY_CODE.get(parts[2])
        _require(status is not None, "status")
        assert status is not None
        return cls(
            _one_of(parts[0], STAFF_ACTIONS, "staff action"),
            int(parts[1]),
            status,
            parts[3] if len(parts) == 4 else None,
        )


ResidentAction = Literal["answer", "up", "down", "reopen"]
RESIDENT_ACTIONS: tuple[ResidentAction, ...] = get_args(ResidentAction)


@dataclass(frozen=True)
class ResidentPress(CallbackData):
    """A resident's button under a message about their report (checked against their chat on the server)."""

    KIND: ClassVar[str] = "m1"
    action: ResidentAction
    report_id: int

    def __post_init__(self) -> None:
        _require(self.action in RESIDENT_ACTIONS, "resident action")
        _require(self.report_id > 0, "report id")
        super().__post_init__()

    def parts(self) -> tuple[str, ...]:
        return (self.action, str(self.report_id))

    @classmethod
    def from_parts(cls, parts: list[str]) -> Self:
        _require(len(parts) == 2 and parts[1].isdigit() and len(parts[1]) <= 12, "m1:<action>:<report>")
        return cls(_one_of(parts[0], RESIDENT_ACTIONS, "resident action"), int(parts[1]))


KINDS: tuple[type[CallbackData], ...] = (
    LanguagePress,
    ThemePress,
    TopicPress,
    FeedbackPress,
    MorePress,
    CrisisHelpPress,
    ReportPress,
    MenuPress,
    NoneOfThesePress,
    DeletePress,
    ReportStepPress,
    StaffPress,
    ResidentPress,
)


def decode_any(data: object) -> CallbackData | None:
    """The press as whichever kind it is, or ``None`` when it is no valid kind."""
    for kind in KINDS:
        press = kind.decode(data)
        if press is not None:
            return press
    return None


def is_report_kind(data: object) -> bool:
    """Data that looks like the report flow's (valid or not): the report conversation answers these itself."""
    return isinstance(data, str) and data.split(SEPARATOR, 1)[0] in (ReportPress.KIND, ReportStepPress.KIND)
