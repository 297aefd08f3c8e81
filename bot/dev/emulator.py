"""A local Telegram Bot API emulator for offline tests and the ``veiligbot chat`` sandbox.

The real python-telegram-bot stack (``HTTPXRequest``, the ``Updater`` long poll, (de)serialisation) talks to
this server over loopback exactly as it would talk to ``api.telegram.org``::

    with BotApiEmulator() as emu:
        anna = emu.add_user("Anna")
        app = ApplicationBuilder().token(emu.token).base_url(emu.base_url) \\
            .base_file_url(emu.base_file_url).build()
        ...  # start polling, then
        emu.send_text(anna, "/start")
        await emu.wait_for_messages(anna.id, 1)

Staff groups (the bot's side is whatever PTB calls; these are the test's hands and eyes)::

        forum = emu.add_group("Heerde staff", forum=True, members=(henk,))   # plain: supergroup=False
        emu.set_bot_rights(forum, BotRights(can_manage_topics=False))       # or BotRights.member()
        emu.send_text(henk, "note", forum, thread_id=topic_id)              # a member posts in a topic
        emu.reply(henk, card, "I take it")                                  # ... replies (in the card's topic)
        emu.press(henk, card, 0)                                            # ... presses a card's button
        emu.topic_messages(forum.id, topic_id), emu.topics(forum.id), emu.pinned_message(forum.id)
        emu.advance_clock(48 * 3600)                                        # deleteMessage's 48-hour limit
        emu.block_bot(anna)                                                 # 403 "bot was blocked by the user"

Everything is plain JSON dicts; ``telegram`` is never imported here.

Pitfalls worth knowing:

- PTB form-encodes every parameter: ``str`` values raw, everything else JSON-encoded. On the wire the string
  ``"42"`` and the int ``42`` look the same, so only the keys in :data:`JSON_KEYS` are JSON-decoded and
  every other value is recorded as ``str`` (``calls()[i].params["chat_id"] == "42"``).
- An update is *confirmed* (dropped for good) once ``getUpdates`` is called with a higher ``offset``; a
  restarted bot therefore does not see old updates again, just like on Telegram.
- Limits and HTML parsing follow Telegram (tdlib's ``parse_html``) including the error descriptions, with
  one deliberate exception: a bare ``&`` that starts no entity is rejected (Telegram keeps it literally),
  because the Bot API documentation demands ``&amp;`` and a lenient server would hide escaping bugs. Pass
  ``strict_ampersand=False`` to get Telegram's lenient behaviour.
- Markdown parse modes are accepted but not validated: the bot uses HTML.
- Group chats behave as if the bot were an admin (privacy mode off): every message is delivered. The bot's
  rights per group (:class:`BotRights`, default: administrator with every right the staff side needs) decide
  which methods succeed; a missing right gives Telegram's 400 "not enough rights ..." (see
  :meth:`BotApiEmulator.set_bot_rights`).
- Forum topics follow Telegram: a topic's ``message_thread_id`` is the id of its ``forum_topic_created``
  service message; every message in a topic carries ``message_thread_id`` and ``is_topic_message``, and one
  that replies to nothing carries that service message as ``reply_to_message`` (so "has reply_to_message"
  does not mean "a reply to the card"). In a non-forum supergroup a reply carries the ``message_thread_id``
  of its reply chain *without* ``is_topic_message``; sending with such an id fails ("message thread not
  found"), as on Telegram. A closed topic refuses messages ("TOPIC_CLOSED") except from administrators with
  ``can_manage_topics`` — the bot that manages topics can still post there, as on Telegram.
- Service messages (topic created/edited/closed/reopened) use message ids but are left out of
  :meth:`BotApiEmulator.messages` and the other listings, and are never delivered as updates (bots do not
  receive their own messages).
- :meth:`BotApiEmulator.advance_clock` moves the emulator's clock (message dates, the 48-hour limit of
  ``deleteMessage``); nothing sleeps.
- :meth:`BotApiEmulator.migrate_group` and :meth:`BotApiEmulator.remove_bot` change a group the way Telegram
  does for sending (400 with ``parameters.migrate_to_chat_id``; 403 "bot was kicked"), but deliver none of
  the service messages (``migrate_to_chat_id``, ``left_chat_member``) Telegram would send as updates.
- Returned objects (messages, calls, events) are snapshots; they do not change when the server does.
- Webhooks: after ``setWebhook`` a thread POSTs each update, in order, to the URL (with
  ``X-Telegram-Bot-Api-Secret-Token`` when a secret was set) and confirms it on a 2xx answer; any other answer
  or a failed connection is retried after a short pause, as Telegram does. ``getUpdates`` then answers 409;
  ``deleteWebhook`` stops the pushing. :meth:`BotApiEmulator.webhook_statuses` lists the answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import html
import itertools
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "JSON_KEYS",
    "MEDIA_KINDS",
    "BotApiEmulator",
    "BotRights",
    "Call",
    "CallbackQuery",
    "ChatEvent",
    "EntityParseError",
    "FaultKind",
    "ForumTopic",
    "Message",
    "MessageVersion",
    "SimChat",
    "SimUser",
    "StoredFile",
    "iter_buttons",
    "parse_html",
]

JSON_KEYS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "media",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
    }
)
"""Parameters PTB sends as JSON-encoded objects; every other form value stays a ``str``."""

FaultKind = Literal["429", "500", "slow", "drop", "lost", "malformed", "hang"]
EventKind = Literal["received", "pressed", "sent", "edited", "deleted", "answered", "pinned", "unpinned", "topic"]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 512
MAX_SHORT_DESCRIPTION_LENGTH = 120
MAX_TOPIC_NAME_LENGTH = 128
DELETE_WINDOW_SECONDS = 48 * 3600  # Bot API deleteMessage: "sent less than 48 hours ago"
TOPIC_ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)  # the Bot API's allowed colours
# Without allowed_updates Telegram delivers everything except these (Bot API, getUpdates).
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_INLINE_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


# --------------------------------------------------------------------------------------------------------
# HTML parse mode
# --------------------------------------------------------------------------------------------------------


class EntityParseError(ValueError):
    """Invalid Telegram HTML; ``str(err)`` is Telegram's wording after "can't parse entities:"."""


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into plain text plus message entities (UTF-16 offsets), like tdlib does.

    Leading and trailing whitespace is trimmed as Telegram trims it. Raises :class:`EntityParseError`
    with Telegram's description (byte offsets are UTF-8 byte offsets into ``text``).
    """

    def byte_offset(index: int) -> int:
        return len(text[:index].encode())

    out: list[str] = []
    out_len = 0  # UTF-16 code units emitted so far
    stack: list[tuple[str, dict[str, str], int]] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)

    def emit(chunk: str) -> None:
        nonlocal out_len
        out.append(chunk)
        out_len += _utf16_len(chunk)

    while i < n:
        char = text[i]
        if char == "&":
            match = _ENTITY_RE.match(text, i)
            if match:
                named, dec, hexa = match.groups()
                code = _NAMED_ENTITIES[named] if named else chr(min(int(dec or hexa, 10 if dec else 16), 0x10FFFF))
                emit(code)
                i = match.end()
                continue
            if strict_ampersand:
                raise EntityParseError(f"Character entity expected at byte offset {byte_offset(i)}")
            emit(char)
            i += 1
            continue
        if char != "<":
            emit(char)
            i += 1
            continue
        begin = i
        if i + 1 < n and text[i + 1] == "/":
            end = text.find(">", i)
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            if end == -1:
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            name = text[i + 2 : end].strip().lower()
            tag, attrs, start = stack[-1]
            if name and name != tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {byte_offset(begin)}, expected "</{tag}>", found "</{name}>"'
                )
            stack.pop()
            entity = _make_entity(tag, attrs, start, out_len - start)
            if entity is not None:
                entities.append(entity)
            i = end + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        tag = text[i + 1 : j].lower()
        if tag not in _SIMPLE_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}')
        attrs = {}
        i = j
        while True:
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[i] == ">":
                i += 1
                break
            k = i
            while k < n and not text[k].isspace() and text[k] not in "=>":
                k += 1
            attr_name = text[i:k].lower()
            i = k
            while i < n and text[i].isspace():
                i += 1
            if i >= n or text[i] != "=":
                if tag == "blockquote" and attr_name == "expandable":
                    attrs[attr_name] = "1"
                    continue
                raise EntityParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {byte_offset(begin)}"
                )
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i < n and text[i] in "\"'":
                close = text.find(text[i], i + 1)
                if close == -1:
                    raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                value, i = text[i + 1 : close], close + 1
            else:
                k = i
                while k < n and not text[k].isspace() and text[k] != ">":
                    k += 1
                value, i = text[i:k], k
            attrs[attr_name] = html.unescape(value)
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}')
        stack.append((tag, attrs, out_len))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return _trim("".join(out), entities)


def _make_entity(tag: str, attrs: dict[str, str], offset: int, length: int) -> dict[str, Any] | None:
    if length <= 0:
        return None
    kind = _SIMPLE_TAGS[tag]
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    if tag == "a":
        if not attrs.get("href"):
            return None
        entity["url"] = attrs["href"]
    elif tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif tag == "pre" and attrs.get("language"):
        entity["language"] = attrs["language"]
    return entity


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    stripped = text.strip()
    if not stripped:
        return "", []
    lead = _utf16_len(text[: len(text) - len(text.lstrip())])
    total = _utf16_len(stripped)
    kept: list[dict[str, Any]] = []
    for entity in sorted(entities, key=lambda e: (e["offset"], -e["length"])):
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def _plain_text(text: str, parse_mode: str | None, *, strict_ampersand: bool) -> tuple[str, list[dict[str, Any]]]:
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            return parse_html(text, strict_ampersand=strict_ampersand)
        except EntityParseError as err:
            raise ApiError(400, f"Bad Request: can't parse entities: {err}") from None
    if mode in ("", "markdown", "markdownv2"):
        return text.strip(), []
    raise ApiError(400, "Bad Request: unsupported parse_mode")


# --------------------------------------------------------------------------------------------------------
# Public data objects
# --------------------------------------------------------------------------------------------------------


def iter_buttons(markup: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    """Buttons of any keyboard markup in reading order (helper for renderers)."""
    rows = (markup or {}).get("inline_keyboard") or (markup or {}).get("keyboard") or []
    for row in rows:
        for button in row:
            yield button if isinstance(button, dict) else {"text": str(button)}


class _Server(ThreadingHTTPServer):
    # socketserver's default listen backlog is 5: a burst of concurrent requests (load, throughput) would see
    # connections reset, which a real Bot API server never does.
    request_queue_size = 1024


@dataclass(frozen=True)
class SimUser:
    """A simulated resident. Their private chat with the bot has ``chat id == user id``."""

    id: int
    first_name: str
    language_code: str | None = "nl"
    last_name: str | None = None
    username: str | None = None

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


@dataclass(frozen=True)
class SimChat:
    """A chat the bot can write to: a resident's private chat or a (super)group."""

    id: int
    type: Literal["private", "group", "supergroup", "channel"]
    title: str | None = None
    user: SimUser | None = None
    is_forum: bool = False

    def to_api(self) -> dict[str, Any]:
        if self.user is not None:
            data = self.user.to_api()
            data.pop("is_bot")
            data.pop("language_code", None)
            return {**data, "id": self.id, "type": self.type}
        data = {"id": self.id, "type": self.type, "title": self.title}
        if self.is_forum:
            data["is_forum"] = True
        return data

    @property
    def display_name(self) -> str:
        return self.user.first_name if self.user is not None else self.title or str(self.id)


@dataclass(frozen=True)
class BotRights:
    """The bot's membership in a group: ``administrator`` (with the rights below) or a plain ``member``.

    Only the rights the bot's staff side needs are modelled; a plain member has none of them.
    """

    status: Literal["administrator", "member"] = "administrator"
    can_manage_topics: bool = True
    can_delete_messages: bool = True
    can_pin_messages: bool = True

    @classmethod
    def member(cls) -> BotRights:
        return cls("member", can_manage_topics=False, can_delete_messages=False, can_pin_messages=False)

    @property
    def is_admin(self) -> bool:
        return self.status == "administrator"

    def has(self, right: str) -> bool:
        return self.is_admin and bool(getattr(self, right))


@dataclass(frozen=True)
class ForumTopic:
    """A forum topic (snapshot). ``message_thread_id`` is the id of its ``forum_topic_created`` message."""

    chat_id: int
    message_thread_id: int
    name: str
    icon_color: int
    creator_id: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_thread_id": self.message_thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            data["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return data


@dataclass(frozen=True)
class MessageVersion:
    """One earlier state of an edited message."""

    text: str | None
    caption: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None


@dataclass
class Message:
    """A message in a chat, sent by the bot (``from_bot``) or injected for a resident or group member.

    ``text``/``caption`` are as sent (HTML included); ``plain_text`` is the text after entity parsing,
    which is what a resident sees. ``edits`` holds the *earlier* versions, oldest first. In a forum,
    ``message_thread_id`` is the topic (``None``: the General topic) and ``is_topic_message`` is set; in a
    non-forum supergroup a reply has the ``message_thread_id`` of its reply chain only. ``service`` holds a
    service message's payload (e.g. ``{"forum_topic_created": {...}}``); listings leave those out.
    """

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    sender_id: int | None = None
    text: str | None = None
    caption: str | None = None
    plain_text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    photo: list[dict[str, Any]] | None = None
    location: dict[str, float] | None = None
    contact: dict[str, Any] | None = None
    media_group_id: str | None = None
    reply_to_message_id: int | None = None
    edits: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False
    message_thread_id: int | None = None
    is_topic_message: bool = False
    service: dict[str, Any] | None = None
    media: dict[str, Any] | None = None  # other content (sticker, voice, poll ...), sent as is

    @property
    def edited(self) -> bool:
        return bool(self.edits)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline or reply-keyboard buttons in reading order (strings normalised to ``{"text": ...}``)."""
        return list(iter_buttons(self.reply_markup))


@dataclass(frozen=True)
class Call:
    """One Bot API request: ``status`` is the HTTP status, ``None`` while in flight, ``0`` if dropped."""

    seq: int
    method: str
    params: dict[str, Any]
    files: tuple[str, ...] = ()
    status: int | None = None
    description: str | None = None
    at: float = 0.0  # time.monotonic() when the request arrived (the load driver's reply latency)


@dataclass
class CallbackQuery:
    """A button press sent to the bot and how (whether) the bot answered it."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False


@dataclass(frozen=True)
class ChatEvent:
    """Chronological chat activity, for transcripts.

    ``kind``: ``received`` (a resident or group member message; ``note`` is ``"edited"`` when they edited it),
    ``pressed`` (someone pressed an inline button; ``note`` is the button text), ``sent``, ``edited``,
    ``deleted`` (bot side; ``message`` is a snapshot after the change), ``answered`` (the bot answered a
    button press with a popup text in ``note``), ``pinned``/``unpinned`` (``message`` is the pinned message),
    ``topic`` (``note`` is ``created``, ``edited``, ``closed``, ``reopened`` or ``deleted``; ``topic`` is a
    snapshot after the change). ``thread_id`` is the forum topic the event happened in, if any.
    """

    seq: int
    kind: EventKind
    chat_id: int
    message: Message | None = None
    user_id: int | None = None
    note: str | None = None
    thread_id: int | None = None
    topic: ForumTopic | None = None


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes


class ApiError(Exception):
    """Raised inside method implementations; becomes Telegram's error JSON."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass
class _Fault:
    kind: FaultKind
    retry_after: int
    delay: float


@dataclass
class _Upload:
    filename: str
    content: bytes


@dataclass
class _ChatState:
    chat: SimChat
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: dict[str, Any] | None = None
    bot_rights: BotRights = field(default_factory=BotRights)
    members: dict[int, str] = field(default_factory=dict)  # user id -> "member" | "administrator"
    topics: dict[int, ForumTopic] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)  # oldest pin first


MEDIA_KINDS = ("sticker", "voice", "video", "video_note", "audio", "document", "animation", "poll", "dice")


def _fake_media(kind: str, n: int) -> dict[str, Any]:
    """A minimal, valid Bot API object of each kind :meth:`BotApiEmulator.send_media` can inject."""
    file = {"file_id": f"BQACAgQAAx{n:08d}", "file_unique_id": f"AgAD{n:06d}", "file_size": 1234}
    return {
        "sticker": {**file, "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False},
        "voice": {**file, "duration": 3, "mime_type": "audio/ogg"},
        "video": {**file, "width": 640, "height": 480, "duration": 5},
        "video_note": {**file, "length": 240, "duration": 5},
        "audio": {**file, "duration": 60, "title": "song"},
        "document": {**file, "file_name": "file.pdf", "mime_type": "application/pdf"},
        "animation": {**file, "width": 320, "height": 240, "duration": 2},
        "poll": {
            "id": str(n),
            "question": "?",
            "options": [
                {"persistent_id": "0", "text": "a", "voter_count": 0},
                {"persistent_id": "1", "text": "b", "voter_count": 0},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,  # required since Bot API 9.6 (as the options' persistent_id) ...
            "members_only": False,  # ... and 10.0
        },
        "dice": {"emoji": "🎲", "value": 1 + n % 6},
    }[kind]


_FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00fake-photo\xff\xd9"


# --------------------------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------------------------


class BotApiEmulator:
    """Telegram Bot API on ``127.0.0.1`` for one bot. Thread-safe: the HTTP server runs in threads while
    tests and the sandbox call the injection/inspection methods from asyncio code.

    Args:
        token: the bot token PTB must use (others get 401 Unauthorized).
        bot_username: the bot's username (``/cmd@bot_username`` addresses it).
        port: 0 picks a free port.
        accept_any_token: serve every token (the sandbox does not know which one the bot was configured with).
        strict_ampersand: reject a bare ``&`` in HTML (see the module docstring).
    """

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",  # noqa: S107 - a fake token for a fake server
        bot_username: str = "veilig_test_bot",
        bot_first_name: str = "Veilig Noord-Veluwe",
        bot_id: int = 123456,
        port: int = 0,
        strict_ampersand: bool = True,
        accept_any_token: bool = False,
    ) -> None:
        self.token = token
        self.accept_any_token = accept_any_token
        self.strict_ampersand = strict_ampersand
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self._port = port
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._closing = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._users: dict[int, SimUser] = {}
        self._chats: dict[int, _ChatState] = {}
        self._blocked: set[int] = set()
        self._kicked: set[int] = set()  # groups the bot was removed from
        self._migrated: dict[int, int] = {}  # old group id -> its supergroup's id
        self._next_user_id = 1001
        self._next_group_id = 1
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._delivered: set[int] = set()
        self._allowed_updates: frozenset[str] | None = None
        self._calls: list[Call] = []
        self._events: list[ChatEvent] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._media_group_counter = itertools.count(1)
        self._callback_queries: dict[str, CallbackQuery] = {}
        self._callback_counter = itertools.count(1)
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._clock_offset = 0.0
        self._webhook: tuple[str, str | None] | None = None  # (url, secret token)
        self._webhook_thread: threading.Thread | None = None
        self._webhook_statuses: list[int] = []

    # ---- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> BotApiEmulator:
        """Bind and serve in a daemon thread. Returns ``self``."""
        if self._server is not None:
            raise RuntimeError("emulator already started")
        self._closing.clear()
        server = _Server(("127.0.0.1", self._port), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="bot-api-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; pending long polls return at once. Safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        self._closing.set()
        with self._cond:
            self._cond.notify_all()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> BotApiEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``; PTB appends ``<token>/<method>``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``; downloads are served under it."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ---- the clock ------------------------------------------------------------------------------------

    def now(self) -> float:
        """The emulator's time (unix seconds): the wall clock plus what :meth:`advance_clock` added."""
        with self._lock:
            return time.time() + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock forward (e.g. ``48 * 3600`` to make messages too old to delete)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._clock_offset += seconds

    # ---- simulated people and chats -------------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        language_code: str | None = "nl",
        last_name: str | None = None,
        username: str | None = None,
        *,
        user_id: int | None = None,
    ) -> SimUser:
        """Create a resident (and their private chat). ``user_id`` defaults to the next free id."""
        with self._lock:
            if user_id is None:
                while self._next_user_id in self._users:
                    self._next_user_id += 1
                user_id = self._next_user_id
                self._next_user_id += 1
            if user_id <= 0 or user_id in self._users:
                raise ValueError(f"user id {user_id} is not free")
            user = SimUser(user_id, first_name, language_code, last_name, username)
            self._users[user_id] = user
            self._chats[user_id] = _ChatState(SimChat(user_id, "private", user=user))
            return user

    def add_group(
        self,
        title: str,
        *,
        supergroup: bool = True,
        chat_id: int | None = None,
        forum: bool = False,
        bot_rights: BotRights | None = None,
        members: tuple[SimUser, ...] = (),
    ) -> SimChat:
        """Create a group chat the bot is in (e.g. a municipality's staff chat).

        Args:
            forum: a supergroup with topics enabled (``is_forum``).
            bot_rights: the bot's membership; default administrator with every modelled right.
            members: users in the group (anyone who sends there joins anyway; see :meth:`add_member`).
        """
        if forum and not supergroup:
            raise ValueError("only a supergroup can be a forum")
        with self._lock:
            if chat_id is None:
                n = self._next_group_id
                self._next_group_id += 1
                chat_id = -1001000000000 - n if supergroup else -4000000000 - n
            if chat_id >= 0 or chat_id in self._chats:
                raise ValueError(f"chat id {chat_id} is not a free group id")
            chat = SimChat(chat_id, "supergroup" if supergroup else "group", title=title, is_forum=forum)
            self._chats[chat_id] = _ChatState(chat, bot_rights=bot_rights or BotRights())
            for user in members:
                self.add_member(chat, user)
            return chat

    def set_bot_rights(self, chat: SimChat, rights: BotRights) -> None:
        """Change the bot's membership in a group, e.g. ``BotRights.member()`` or
        ``BotRights(can_manage_topics=False)``; ``getChatMember`` reports it and methods check it."""
        with self._lock:
            if self._chats[chat.id].chat.type == "private":
                raise ValueError("the bot has no rights in a private chat")
            self._chats[chat.id].bot_rights = rights

    def bot_rights(self, chat_id: int) -> BotRights:
        with self._lock:
            return self._chats[chat_id].bot_rights

    def add_member(self, chat: SimChat, user: SimUser, status: Literal["member", "administrator"] = "member") -> None:
        """``user`` joins the group (``getChatMember`` reports ``status``)."""
        with self._lock:
            state = self._chats[chat.id]
            if state.chat.type == "private":
                raise ValueError("a private chat has no members to add")
            state.members[user.id] = status

    def members(self, chat_id: int) -> dict[int, str]:
        """The group's (simulated) members: user id → status."""
        with self._lock:
            return dict(self._chats[chat_id].members)

    def user(self, user_id: int) -> SimUser:
        with self._lock:
            return self._users[user_id]

    def chat(self, chat_id: int) -> SimChat:
        with self._lock:
            return self._chats[chat_id].chat

    def block_bot(self, user: SimUser) -> None:
        """From now on, sending to this user fails with 403 "Forbidden: bot was blocked by the user"."""
        with self._lock:
            self._blocked.add(user.id)

    def unblock_bot(self, user: SimUser) -> None:
        """The user unblocked the bot (after :meth:`block_bot`): sending works again."""
        with self._lock:
            self._blocked.discard(user.id)

    def migrate_group(self, chat: SimChat) -> SimChat:
        """The group became a supergroup, which on Telegram gets a new chat id; returns that supergroup.

        From now on sending to the old id answers 400 "group chat was upgraded to a supergroup chat" with
        ``parameters.migrate_to_chat_id`` (PTB raises ``ChatMigrated``), as the real Bot API does. The bot stays
        a member of the supergroup; the old group's messages stay where they were.
        """
        with self._lock:
            state = self._chats[chat.id]
            if state.chat.type != "group" or chat.id in self._migrated:
                raise ValueError("only a basic group can become a supergroup, once")
            supergroup = self.add_group(state.chat.title or str(chat.id), supergroup=True)
            self._migrated[chat.id] = supergroup.id
            if chat.id in self._kicked:
                self._kicked.add(supergroup.id)
            return supergroup

    def remove_bot(self, chat: SimChat) -> None:
        """The bot was removed from this group: sending there answers 403 "Forbidden: bot was kicked from the
        (super)group chat" until :meth:`add_bot` adds it again."""
        with self._lock:
            if self._chats[chat.id].chat.type == "private":
                raise ValueError("a resident blocks the bot instead: use block_bot()")
            self._kicked.add(chat.id)

    def add_bot(self, chat: SimChat) -> None:
        """Add the bot to this group again (after :meth:`remove_bot`)."""
        with self._lock:
            self._kicked.discard(chat.id)

    # ---- resident actions (updates) -------------------------------------------------------------------

    def send_text(
        self,
        user: SimUser,
        text: str,
        chat: SimChat | None = None,
        *,
        reply_to: Message | None = None,
        thread_id: int | None = None,
    ) -> int:
        """Inject a text message; a leading ``/command`` (also ``/cmd@botname``) gets its entity.

        In a group, ``user`` speaks as a member (joining if needed); ``reply_to`` makes it a reply (in a forum,
        inside the replied message's topic); ``thread_id`` posts inside that forum topic. Raises ``ValueError``
        for what a Telegram client cannot do: post in a closed (TOPIC_CLOSED) or deleted topic, or in a topic
        of a chat that is not a forum.
        """
        extra: dict[str, Any] = {"text": text}
        entities = _command_entities(text)
        if entities:
            extra["entities"] = entities
        return self._inject_message(user, chat, extra, reply_to=reply_to, thread_id=thread_id)

    def reply(self, user: SimUser, message: Message, text: str) -> int:
        """``user`` replies to ``message`` in its chat (in a forum: in its topic)."""
        return self.send_text(user, text, self.chat(message.chat_id), reply_to=message)

    def edit_text(self, user: SimUser, message_id: int, text: str, chat: SimChat | None = None) -> int:
        """The resident edits one of their own text messages: an ``edited_message`` update, as Telegram sends.

        The message (see :meth:`received`) gets the new text, its earlier version goes to ``edits`` and the
        update carries ``edit_date``; a leading ``/command`` gets its entity, as in :meth:`send_text`. Raises
        ``ValueError`` for a message that is not the user's own text message, or an unchanged text.
        """
        with self._lock:
            state = self._chats[chat.id if chat else user.id]
            msg = state.messages.get(message_id)
            if msg is None or msg.deleted or msg.from_bot or msg.sender_id != user.id:
                raise ValueError("a resident can only edit their own (not deleted) messages")
            if msg.text is None:
                raise ValueError("only text messages can be edited here")
            if msg.text == text:
                raise ValueError("message is not modified")
            msg.edits.append(MessageVersion(msg.text, msg.caption, msg.parse_mode, msg.reply_markup))
            msg.text = msg.plain_text = text
            msg.entities = _command_entities(text)
            self._event("received", state.chat.id, msg, user_id=user.id, note="edited")
            return self._push_update({"edited_message": self._message_to_api(msg)})

    def send_location(
        self,
        user: SimUser,
        latitude: float,
        longitude: float,
        chat: SimChat | None = None,
        *,
        thread_id: int | None = None,
    ) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        return self._inject_message(user, chat, {"location": location}, thread_id=thread_id)

    def send_photo(
        self,
        user: SimUser,
        caption: str | None = None,
        chat: SimChat | None = None,
        *,
        data: bytes = _FAKE_JPEG,
        reply_to: Message | None = None,
        thread_id: int | None = None,
        file_size: int | None = None,
    ) -> int:
        """Inject a photo; the bot can ``getFile`` and download it (``data``). ``reply_to``/``thread_id`` as in
        :meth:`send_text`; ``file_size`` is what the largest size claims to weigh (a big photo without the bytes)."""
        with self._lock:
            sizes = self._store_photo(data)
            if file_size is not None:
                sizes[-1]["file_size"] = file_size
        extra: dict[str, Any] = {"photo": sizes}
        if caption:
            extra["caption"] = caption
        return self._inject_message(user, chat, extra, reply_to=reply_to, thread_id=thread_id)

    def send_contact(self, user: SimUser, phone_number: str, chat: SimChat | None = None) -> int:
        contact = {"phone_number": phone_number, "first_name": user.first_name, "user_id": user.id}
        return self._inject_message(user, chat, {"contact": contact})

    def send_media(self, user: SimUser, kind: str, chat: SimChat | None = None, *, caption: str | None = None) -> int:
        """Inject content the bot may not read: ``kind`` is one of :data:`MEDIA_KINDS` (sticker, voice, video,
        video_note, audio, document, animation, poll, dice). ``caption`` where Telegram allows one."""
        with self._lock:
            n = next(self._file_counter)
        if kind not in MEDIA_KINDS:
            raise ValueError(f"unknown media kind {kind!r}; one of {', '.join(MEDIA_KINDS)}")
        media: dict[str, Any] = {kind: _fake_media(kind, n)}
        if kind == "animation":
            media["document"] = _fake_media("document", n)  # Telegram sends both, for old clients
        extra: dict[str, Any] = {"media": media}
        if caption and kind in ("voice", "video", "audio", "document", "animation"):
            extra["caption"] = caption
        return self._inject_message(user, chat, extra)

    def add_channel(self, title: str) -> SimChat:
        """A channel the bot was added to (as an administrator, so it receives the channel's posts)."""
        with self._lock:
            n = self._next_group_id
            self._next_group_id += 1
            chat = SimChat(-1002000000000 - n, "channel", title=title)
            self._chats[chat.id] = _ChatState(chat)
            return chat

    def post_in_channel(self, channel: SimChat, text: str) -> int:
        """A ``channel_post`` update: a post has no ``from``, only ``sender_chat`` (the channel)."""
        with self._lock:
            state = self._chats[channel.id]
            if state.chat.type != "channel":
                raise ValueError("not a channel; create one with add_channel()")
            msg = Message(
                message_id=self._next_message_id(state),
                chat_id=channel.id,
                from_bot=False,
                date=int(self.now()),
                text=text,
                plain_text=text,
                entities=_command_entities(text),
            )
            state.messages[msg.message_id] = msg
            self._event("received", channel.id, msg)
            body: dict[str, Any] = {
                "message_id": msg.message_id,
                "date": msg.date,
                "chat": state.chat.to_api(),
                "sender_chat": state.chat.to_api(),
                "text": text,
            }
            if msg.entities:
                body["entities"] = msg.entities
            return self._push_update({"channel_post": body})

    def press(self, user: SimUser, message: Message, index: int) -> int:
        """Press button ``index`` (0-based, reading order) of ``message``'s *current* keyboard.

        Inline button → a ``callback_query`` update with its ``callback_data``. Reply-keyboard button → its
        text is sent as a message. Raises ``ValueError`` for buttons a script cannot press (URL buttons,
        ``request_location``/``request_contact`` — send a location or contact instead) or a bad index.
        """
        with self._lock:
            current = self._get_message(message.chat_id, message.message_id)
            if current is None or current.deleted:
                raise ValueError("that message no longer exists")
            markup = current.reply_markup or {}
            if "keyboard" in markup:
                text = self._reply_button_text(self._chats[current.chat_id], markup, index)
            else:
                button = _button_at(markup, index)
                if "callback_data" not in button:
                    raise ValueError(f"button {button['text']!r} is not a callback button")
                return self._push_callback_query(user, current, str(button["callback_data"]), str(button["text"]))
        return self.send_text(user, text, self.chat(message.chat_id))

    def press_data(self, user: SimUser, message: Message, data: str) -> int:
        """A ``callback_query`` with arbitrary ``data`` on ``message``, whatever its buttons say.

        For tests of what a modified client, or a button of an older bot version, can send: no button needs
        to carry ``data`` and Telegram's 64-byte limit is deliberately not applied. The answer (or its absence)
        shows in :meth:`callback_queries`.
        """
        with self._lock:
            current = self._get_message(message.chat_id, message.message_id)
            if current is None or current.deleted:
                raise ValueError("that message no longer exists")
            return self._push_callback_query(user, current, data, f"data {data!r}")

    def _push_callback_query(self, user: SimUser, message: Message, data: str, label: str) -> int:
        with self._lock:
            query = CallbackQuery(
                id=str(next(self._callback_counter)),
                user_id=user.id,
                chat_id=message.chat_id,
                message_id=message.message_id,
                data=data,
            )
            self._callback_queries[query.id] = query
            update = {
                "callback_query": {
                    "id": query.id,
                    "from": self._users[user.id].to_api(),
                    "message": self._message_to_api(message),
                    "chat_instance": str(zlib.crc32(f"{message.chat_id}".encode())),
                    "data": query.data,
                }
            }
            if self._chats[message.chat_id].chat.type != "private":
                self._chats[message.chat_id].members.setdefault(user.id, "member")
            thread_id = message.message_thread_id if message.is_topic_message else None
            self._event("pressed", message.chat_id, user_id=user.id, note=label, thread_id=thread_id)
            return self._push_update(update)

    def press_reply_keyboard(self, user: SimUser, index: int, chat: SimChat | None = None) -> int:
        """Press button ``index`` (0-based) of the reply keyboard currently shown in the chat."""
        with self._lock:
            state = self._chats[chat.id if chat else user.id]
            if state.reply_keyboard is None:
                raise ValueError("no reply keyboard is shown in this chat")
            text = self._reply_button_text(state, state.reply_keyboard, index)
        return self.send_text(user, text, state.chat)

    def _reply_button_text(self, state: _ChatState, markup: dict[str, Any], index: int) -> str:
        button = _button_at(markup, index)
        if button.get("request_location") or button.get("request_contact"):
            raise ValueError(f"button {button['text']!r} shares a location/contact; send one instead")
        if markup.get("one_time_keyboard") and state.reply_keyboard is markup:
            state.reply_keyboard = None
        return str(button["text"])

    def set_language(self, user: SimUser, language_code: str | None) -> SimUser:
        """The resident changed their Telegram language; later updates carry the new code."""
        with self._lock:
            updated = SimUser(user.id, user.first_name, language_code, user.last_name, user.username)
            self._users[user.id] = updated
            self._chats[user.id].chat = SimChat(user.id, "private", user=updated)
            return updated

    def find_user(self, first_name: str) -> SimUser | None:
        """The first resident with this first name (case-insensitive), if any."""
        with self._lock:
            return next((u for u in self._users.values() if u.first_name.casefold() == first_name.casefold()), None)

    def active_reply_keyboard(self, chat_id: int) -> dict[str, Any] | None:
        """The reply keyboard a resident currently sees in ``chat_id`` (Telegram keeps it until removed)."""
        with self._lock:
            return copy.deepcopy(self._chats[chat_id].reply_keyboard)

    def _inject_message(
        self,
        user: SimUser,
        chat: SimChat | None,
        extra: dict[str, Any],
        *,
        reply_to: Message | None = None,
        thread_id: int | None = None,
    ) -> int:
        with self._lock:
            if user.id not in self._users:
                raise ValueError("unknown user; create it with add_user()")
            state = self._chats[chat.id if chat else user.id]
            if reply_to is not None:
                original = state.messages.get(reply_to.message_id)
                if reply_to.chat_id != state.chat.id or original is None or original.deleted:
                    raise ValueError("the message to reply to is not (or no longer) in this chat")
                if state.chat.is_forum:
                    if thread_id is not None and thread_id != original.message_thread_id:
                        raise ValueError("a reply goes into the topic of the message it replies to")
                    thread_id = original.message_thread_id
            if state.chat.type != "private":
                state.members.setdefault(user.id, "member")
            thread, is_topic = self._member_thread(state, user.id, thread_id, reply_to)
            msg = Message(
                message_id=self._next_message_id(state),
                chat_id=state.chat.id,
                from_bot=False,
                date=int(self.now()),
                sender_id=user.id,
                text=extra.get("text"),
                plain_text=extra.get("text") or extra.get("caption"),
                caption=extra.get("caption"),
                entities=list(extra.get("entities", [])),
                photo=extra.get("photo"),
                location=extra.get("location"),
                contact=extra.get("contact"),
                media=extra.get("media"),
                reply_to_message_id=reply_to.message_id if reply_to else None,
                message_thread_id=thread,
                is_topic_message=is_topic,
            )
            state.messages[msg.message_id] = msg
            self._event("received", state.chat.id, msg, user_id=user.id)
            return self._push_update({"message": self._message_to_api(msg)})

    def _member_thread(
        self, state: _ChatState, user_id: int, thread_id: int | None, reply_to: Message | None
    ) -> tuple[int | None, bool]:
        """(message_thread_id, is_topic_message) of a member's new message, as a Telegram client sends it."""
        if state.chat.is_forum:
            if thread_id is None:
                return None, False  # the General topic
            topic = state.topics.get(thread_id)
            if topic is None or topic.deleted:
                raise ValueError(f"topic {thread_id} does not exist in this chat")
            if topic.closed and state.members.get(user_id) != "administrator":
                raise ValueError("TOPIC_CLOSED: only administrators can post in a closed topic")
            return thread_id, True
        if thread_id is not None:
            raise ValueError("this chat is not a forum: it has no topics")
        if state.chat.type == "supergroup" and reply_to is not None:
            root = state.messages[reply_to.message_id]
            return (root.message_thread_id or root.message_id), False  # a reply chain, not a topic
        return None, False

    def _push_update(self, body: dict[str, Any]) -> int:
        with self._cond:
            update_id = self._next_update_id
            self._next_update_id += 1
            self._updates.append({"update_id": update_id, **body})
            self._last_activity = time.monotonic()
            self._cond.notify_all()
            return update_id

    # ---- inspection -----------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def calls_since(self, seq: int) -> list[Call]:
        """Requests from number ``seq`` on (cheap: for a poller that keeps its place)."""
        with self._lock:
            return self._calls[seq:]

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[Message]:
        """The bot's messages in ``chat_id``, oldest first (snapshots)."""
        with self._lock:
            state = self._chats.get(chat_id)
            if state is None:
                return []
            return [
                copy.deepcopy(m)
                for m in state.messages.values()
                if m.from_bot and m.service is None and (include_deleted or not m.deleted)
            ]

    def received(self, chat_id: int) -> list[Message]:
        """The residents' messages in ``chat_id``, oldest first (snapshots; ``edits`` holds earlier texts)."""
        with self._lock:
            state = self._chats.get(chat_id)
            if state is None:
                return []
            return [copy.deepcopy(m) for m in state.messages.values() if not m.from_bot and m.service is None]

    def last_message(self, chat_id: int) -> Message | None:
        found = self.messages(chat_id)
        return found[-1] if found else None

    def chat_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[Message]:
        """Everything a group shows, oldest first: the bot's and the members' messages (no service messages)."""
        with self._lock:
            state = self._chats.get(chat_id)
            if state is None:
                return []
            return [
                copy.deepcopy(m)
                for m in state.messages.values()
                if m.service is None and (include_deleted or not m.deleted)
            ]

    def topic_messages(self, chat_id: int, thread_id: int | None) -> list[Message]:
        """The messages shown in one forum topic (``None``: the General topic), oldest first."""
        with self._lock:
            if not self._chats[chat_id].chat.is_forum:
                raise ValueError("this chat is not a forum")
            return [m for m in self.chat_messages(chat_id) if m.message_thread_id == thread_id]

    def topics(self, chat_id: int, *, include_deleted: bool = False) -> list[ForumTopic]:
        """The forum's topics in creation order (snapshots: name, icon colour, closed, deleted)."""
        with self._lock:
            return [t for t in self._chats[chat_id].topics.values() if include_deleted or not t.deleted]

    def topic(self, chat_id: int, thread_id: int) -> ForumTopic:
        """One topic (also a deleted one); ``KeyError`` if it never existed."""
        with self._lock:
            return self._chats[chat_id].topics[thread_id]

    def pinned_message(self, chat_id: int) -> Message | None:
        """The most recently pinned message still pinned (what the chat header shows), if any."""
        pinned = self.pinned_messages(chat_id)
        return pinned[-1] if pinned else None

    def pinned_messages(self, chat_id: int) -> list[Message]:
        """Every pinned message, oldest pin first."""
        with self._lock:
            state = self._chats[chat_id]
            return [copy.deepcopy(state.messages[i]) for i in state.pinned if not state.messages[i].deleted]

    def events(self, since: int = 0) -> list[ChatEvent]:
        """Chat events with ``seq >= since`` (``seq`` starts at 0 and increases by one)."""
        with self._lock:
            return self._events[since:]

    def callback_queries(self) -> list[CallbackQuery]:
        with self._lock:
            return [copy.copy(q) for q in self._callback_queries.values()]

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        """Commands set with ``setMyCommands`` for this scope (default scope) and language."""
        with self._lock:
            return copy.deepcopy(self._commands.get((_scope_key(scope), language_code), []))

    def description(self, language_code: str = "", *, short: bool = False) -> str | None:
        with self._lock:
            return self._descriptions.get(("short" if short else "long", language_code))

    def is_delivered(self, update_id: int) -> bool:
        """Whether ``getUpdates`` has handed this update to the bot."""
        with self._lock:
            return update_id in self._delivered

    def busy(self) -> bool:
        """Whether the bot has work here the emulator can see: an update it has not confirmed yet (fetched or
        not; PTB confirms a batch with the next ``getUpdates`` offset, after queueing it) or a request other
        than ``getUpdates`` in flight. See bot.dev.idle for the bot's side."""
        with self._lock:
            return self._in_flight > 0 or any(self._is_allowed(u) for u in self._updates)

    def webhook_statuses(self) -> list[int]:
        """The HTTP status of every webhook POST so far (0: no connection)."""
        with self._lock:
            return list(self._webhook_statuses)

    def _push_webhook(self) -> None:
        """The webhook thread: POST the oldest allowed update until answered 2xx, then the next."""
        while not self._closing.is_set():
            with self._cond:
                hook = self._webhook
                pending = [u for u in self._updates if self._is_allowed(u)] if hook else []
                if hook is None or not pending:
                    self._cond.wait(0.2)
                    continue
                update = copy.deepcopy(pending[0])
                self._in_flight += 1
            url, secret = hook
            request = urllib.request.Request(url, data=json.dumps(update).encode(), method="POST")  # noqa: S310
            request.add_header("Content-Type", "application/json")
            if secret:
                request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a local test URL
                    status = int(response.status)
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                status = 0
            with self._cond:
                self._in_flight -= 1
                self._last_activity = time.monotonic()
                self._webhook_statuses.append(status)
                if 200 <= status < 300:
                    self._updates = [u for u in self._updates if u["update_id"] != update["update_id"]]
                    self._delivered.add(update["update_id"])
            if not 200 <= status < 300:
                self._closing.wait(0.2)

    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot (delivered or not)."""
        with self._lock:
            return len(self._updates)

    def file_content(self, file_id: str) -> bytes:
        with self._lock:
            return self._files[file_id].content

    # ---- waiting (asyncio side) -----------------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Poll ``predicate`` until it is true; ``TimeoutError`` after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() >= deadline:
                raise TimeoutError(f"condition not met within {timeout} s")
            await asyncio.sleep(0.01)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Message]:
        """Wait until the bot has at least ``count`` (not deleted) messages in ``chat_id``; return them."""
        await self.wait_for(lambda: len(self.messages(chat_id)) >= count, timeout)
        return self.messages(chat_id)

    async def wait_quiet(self, quiet: float = 0.3, timeout: float = 10.0) -> bool:  # noqa: ASYNC109
        """Wait until no request other than ``getUpdates`` is in flight or has arrived for ``quiet`` seconds.

        Returns ``False`` if that did not happen within ``timeout``. A heuristic: a handler that computes for
        longer than ``quiet`` without calling the API looks quiet too.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            with self._lock:
                idle = 0.0 if self._in_flight else time.monotonic() - self._last_activity
            if idle >= quiet:
                return True
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(min(0.05, quiet - idle + 0.005))

    # ---- faults ---------------------------------------------------------------------------------------

    def inject_fault(
        self, method: str, kind: FaultKind | int, count: int = 1, retry_after: int = 1, delay: float = 2.0
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail; faults are consumed in the order injected.

        ``429``: Too Many Requests with ``parameters.retry_after``; ``500``: Internal Server Error; ``slow``:
        wait ``delay`` seconds, then answer normally; ``drop``: close the connection without a response;
        ``malformed``: answer 200 ``{"ok": true, "result": {}}``, which no client can turn into the method's
        result (PTB raises a plain ``KeyError``, not a ``TelegramError``: an unexpected failure); ``hang``: wait
        ``delay`` seconds (or until the emulator stops), then drop the connection without carrying the call out
        (a request that never reached Telegram; the fail-over test kills the bot while it waits).
        Failed (429/500/drop/malformed/hang) calls have no effect on the emulator state; ``lost`` is carried out
        and then the connection drops without an answer (Telegram took the message, the reply was lost).
        """
        kinds: dict[str, FaultKind] = {
            "429": "429",
            "500": "500",
            "slow": "slow",
            "drop": "drop",
            "lost": "lost",
            "malformed": "malformed",
            "hang": "hang",
        }
        if str(kind) not in kinds:
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            queue = self._faults.setdefault(method.lower(), deque())
            queue.extend(_Fault(kinds[str(kind)], retry_after, delay) for _ in range(count))

    # ---- request handling (server threads) ------------------------------------------------------------

    def _begin_call(self, method: str, params: dict[str, Any], files: dict[str, _Upload]) -> tuple[int, _Fault | None]:
        with self._lock:
            seq = len(self._calls)
            self._calls.append(Call(seq, method, params, tuple(files), at=time.monotonic()))
            if method != "getUpdates":
                self._in_flight += 1
                self._last_activity = time.monotonic()
            queue = self._faults.get(method.lower())
            return seq, (queue.popleft() if queue else None)

    def _end_call(self, seq: int, status: int, description: str | None) -> None:
        with self._lock:
            call = self._calls[seq]
            self._calls[seq] = Call(call.seq, call.method, call.params, call.files, status, description, call.at)
            if call.method != "getUpdates":
                self._in_flight -= 1
                self._last_activity = time.monotonic()

    def _handle(
        self, method: str, params: dict[str, Any], files: dict[str, _Upload]
    ) -> tuple[int, dict[str, Any] | None]:
        """Returns (status, JSON payload); payload ``None`` means: drop the connection."""
        seq, fault = self._begin_call(method, params, files)
        status: int = 200
        payload: dict[str, Any] | None = None
        try:
            if fault is not None and fault.kind == "hang":
                self._closing.wait(fault.delay)
            if fault is not None and fault.kind in ("drop", "hang"):
                status = 0
                return status, None
            if fault is not None and fault.kind == "slow":
                self._closing.wait(fault.delay)
            if fault is not None and fault.kind == "429":
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    {"retry_after": fault.retry_after},
                )
            if fault is not None and fault.kind == "500":
                raise ApiError(500, "Internal Server Error")
            if fault is not None and fault.kind == "malformed":
                payload = {"ok": True, "result": {}}  # the method is not carried out
                return status, payload
            impl = _METHODS.get(method.lower())
            if impl is None:
                raise ApiError(404, "Not Found")
            payload = {"ok": True, "result": impl(self, _Params(params, files))}
            if fault is not None and fault.kind == "lost":  # carried out, but the answer never arrives
                status, payload = 0, None
        except ApiError as err:
            status = err.status
            payload = {"ok": False, "error_code": err.status, "description": err.description}
            if err.parameters:
                payload["parameters"] = err.parameters
        except Exception as exc:  # an emulator bug must surface as an error response, not a hang
            status = 500
            payload = _error(500, f"Internal Server Error: emulator failed: {type(exc).__name__}: {exc}")
        finally:
            self._end_call(seq, status, payload.get("description") if payload else None)
        return status, payload

    def _token_ok(self, token: str) -> bool:
        return token == self.token or (self.accept_any_token and bool(token) and "/" not in token)

    def _serve_file(self, path: str) -> bytes | None:
        with self._lock:
            stored = self._files_by_path.get(path)
            return stored.content if stored else None

    # ---- helpers for method implementations -----------------------------------------------------------

    def _event(
        self,
        kind: EventKind,
        chat_id: int,
        message: Message | None = None,
        *,
        user_id: int | None = None,
        note: str | None = None,
        topic: ForumTopic | None = None,
        thread_id: int | None = None,
    ) -> None:
        snapshot = copy.deepcopy(message) if message is not None else None
        if topic is not None:
            thread_id = topic.message_thread_id
        if snapshot is not None and snapshot.is_topic_message:
            thread_id = snapshot.message_thread_id
        self._events.append(ChatEvent(len(self._events), kind, chat_id, snapshot, user_id, note, thread_id, topic))

    def _next_message_id(self, state: _ChatState) -> int:
        message_id = state.next_message_id
        state.next_message_id += 1
        return message_id

    def _get_message(self, chat_id: int, message_id: int) -> Message | None:
        state = self._chats.get(chat_id)
        return state.messages.get(message_id) if state else None

    def _chat_for_send(self, p: _Params) -> _ChatState:
        chat_id = p.chat_id()
        state = self._chats.get(chat_id)
        if state is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        if chat_id in self._kicked:
            raise ApiError(403, f"Forbidden: bot was kicked from the {state.chat.type} chat")
        return state

    def _chat_for_admin(self, p: _Params) -> _ChatState:
        """The chat of a method that changes a chat (pins, topics, deletions): it must exist and have the bot."""
        chat_id = p.chat_id()
        state = self._chats.get(chat_id)
        if state is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self._kicked:
            raise ApiError(403, f"Forbidden: bot was kicked from the {state.chat.type} chat")
        return state

    def _thread_for_send(self, state: _ChatState, p: _Params) -> tuple[int | None, bool, int | None]:
        """(message_thread_id, is_topic_message, reply_to_message_id) of a message the bot sends."""
        thread_id = p.get_int("message_thread_id", 0) or None
        reply_to = (p.get("reply_parameters") or {}).get("message_id")
        if reply_to is None and p.get_str("reply_to_message_id"):
            reply_to = p.get_int("reply_to_message_id")
        if not state.chat.is_forum:
            if thread_id is not None:
                raise ApiError(400, "Bad Request: message thread not found")
            return None, False, reply_to
        if thread_id is None and reply_to is not None:
            original = state.messages.get(int(reply_to))
            if original is not None:
                thread_id = original.message_thread_id
        if thread_id is None:
            return None, False, reply_to  # the General topic
        topic = state.topics.get(thread_id)
        if topic is None or topic.deleted:
            raise ApiError(400, "Bad Request: message thread not found")
        if topic.closed and not state.bot_rights.has("can_manage_topics"):
            raise ApiError(400, "Bad Request: TOPIC_CLOSED")
        return thread_id, True, reply_to

    def _topic_for_change(self, state: _ChatState, p: _Params, right: str) -> ForumTopic:
        """The topic an edit/close/reopen/delete names, after the rights check Telegram makes."""
        if not state.chat.is_forum:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        topic = state.topics.get(p.get_int("message_thread_id"))
        if topic is None or topic.deleted:
            raise ApiError(400, "Bad Request: TOPIC_ID_INVALID")
        creator = topic.creator_id == int(self.bot_user["id"])
        # Managing a topic needs can_manage_topics "unless it is the creator of the topic" (Bot API).
        if not state.bot_rights.has(right) and not (right == "can_manage_topics" and creator):
            raise ApiError(400, "Bad Request: not enough rights to manage chat topics")
        return topic

    def _service_message(self, state: _ChatState, topic: ForumTopic, service: dict[str, Any]) -> Message:
        msg = Message(
            message_id=self._next_message_id(state),
            chat_id=state.chat.id,
            from_bot=True,
            date=int(self.now()),
            sender_id=int(self.bot_user["id"]),
            message_thread_id=topic.message_thread_id,
            is_topic_message=True,
            service=service,
        )
        state.messages[msg.message_id] = msg
        return msg

    def _store_photo(self, content: bytes) -> list[dict[str, Any]]:
        sizes = []
        for width, height in ((90, 68), (800, 600)):
            n = next(self._file_counter)
            stored = StoredFile(f"AgACAgQAAx{n:08d}", f"AQAD{n:06d}", f"photos/file_{n}.jpg", content)
            self._files[stored.file_id] = stored
            self._files_by_path[stored.file_path] = stored
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(content),
                }
            )
        return sizes

    def _resolve_photo(self, value: object, uploads: dict[str, _Upload], field_name: str) -> list[dict[str, Any]]:
        if field_name in uploads and not value:
            return self._store_photo(uploads[field_name].content)
        if not isinstance(value, str) or not value:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        if value.startswith("attach://"):
            upload = uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            return self._store_photo(upload.content)
        if value.startswith(("http://", "https://")):
            return self._store_photo(_FAKE_JPEG)  # no network: any URL "downloads" a fake photo
        if value not in self._files:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return self._store_photo(self._files[value].content)

    def _validate_markup(self, markup: object, chat: SimChat) -> dict[str, Any] | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    if not isinstance(button, dict) or not button.get("text"):
                        raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text must be non-empty")
                    actions = _INLINE_ACTIONS.intersection(button)
                    if "callback_data" in button:
                        size = len(str(button["callback_data"]).encode())
                        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                    elif "url" in button:
                        if not re.match(r"(https?|tg)://\S+$", str(button["url"])):
                            raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
                    elif not actions:
                        raise ApiError(
                            400,
                            "Bad Request: can't parse inline keyboard button: "
                            "Text buttons are unallowed in the inline keyboard",
                        )
        elif "keyboard" in markup:
            for row in markup["keyboard"]:
                for button in row:
                    text = button.get("text") if isinstance(button, dict) else button
                    if not text:
                        raise ApiError(400, "Bad Request: keyboard button text must be non-empty")
        return markup

    def _apply_reply_keyboard(self, state: _ChatState, markup: dict[str, Any] | None) -> None:
        if markup is None:
            return
        if "keyboard" in markup:
            state.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            state.reply_keyboard = None

    def _new_bot_message(self, state: _ChatState, **fields: Any) -> Message:
        msg = Message(
            message_id=self._next_message_id(state),
            chat_id=state.chat.id,
            from_bot=True,
            date=int(self.now()),
            sender_id=int(self.bot_user["id"]),
            **fields,
        )
        state.messages[msg.message_id] = msg
        self._apply_reply_keyboard(state, msg.reply_markup)
        self._event("sent", state.chat.id, msg)
        return msg

    def _message_to_api(self, msg: Message, *, nested: bool = False) -> dict[str, Any]:
        state = self._chats[msg.chat_id]
        sender = self.bot_user if msg.from_bot else self._users[msg.sender_id or 0].to_api()
        data: dict[str, Any] = {
            "message_id": msg.message_id,
            "date": msg.date,
            "chat": state.chat.to_api(),
            "from": sender,
        }
        if msg.edits:
            data["edit_date"] = int(self.now())
        if msg.message_thread_id is not None:
            data["message_thread_id"] = msg.message_thread_id
        if msg.is_topic_message:
            data["is_topic_message"] = True
        if msg.service is not None:
            data.update(copy.deepcopy(msg.service))
        if msg.text is not None:
            data["text"] = msg.plain_text
            if msg.entities:
                data["entities"] = msg.entities
        if msg.photo is not None:
            data["photo"] = msg.photo
        if msg.caption is not None:
            data["caption"] = msg.plain_text
            if msg.entities:
                data["caption_entities"] = msg.entities
        for key in ("location", "contact", "media_group_id"):
            if getattr(msg, key) is not None:
                data[key] = getattr(msg, key)
        if msg.media is not None:
            data.update(copy.deepcopy(msg.media))
        reply_to_id = msg.reply_to_message_id
        if reply_to_id is None and msg.is_topic_message and msg.service is None:
            reply_to_id = msg.message_thread_id  # Telegram: a topic message "replies" to the topic's creation
        if reply_to_id is not None and not nested:  # Telegram nests reply_to_message one level only
            original = state.messages.get(reply_to_id)
            if original is not None and not original.deleted:
                data["reply_to_message"] = self._message_to_api(original, nested=True)
        if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
            data["reply_markup"] = msg.reply_markup  # Telegram echoes inline keyboards only
        return data

    def _check_text(self, text: object, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        plain, entities = _plain_text(text, parse_mode, strict_ampersand=self.strict_ampersand)
        if not plain:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        return plain, entities

    def _check_caption(self, caption: object, parse_mode: str | None) -> tuple[str | None, list[dict[str, Any]]]:
        if not isinstance(caption, str) or not caption:
            return None, []
        plain, entities = _plain_text(caption, parse_mode, strict_ampersand=self.strict_ampersand)
        if len(plain) > MAX_CAPTION_LENGTH:
            raise ApiError(400, "Bad Request: message caption is too long")
        return plain, entities

    def _get_updates(self, p: _Params) -> list[dict[str, Any]]:
        offset = p.get_int("offset", 0)
        limit = min(max(p.get_int("limit", 100), 1), 100)
        timeout = max(p.get_float("timeout", 0.0), 0.0)
        deadline = time.monotonic() + timeout
        with self._cond:
            if "allowed_updates" in p.values:
                allowed = p.values["allowed_updates"] or []
                self._allowed_updates = frozenset(allowed) if allowed else None
            if offset < 0:
                self._updates = self._updates[offset:]
            elif offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]  # confirmation
            while True:
                pending = [u for u in self._updates if self._is_allowed(u)][:limit]
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0 or self._closing.is_set():
                    self._delivered.update(u["update_id"] for u in pending)
                    if pending:
                        self._last_activity = time.monotonic()
                    return copy.deepcopy(pending)
                self._cond.wait(remaining)

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATE_TYPES
        return kind in self._allowed_updates


def _command_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` entity of a leading ``/command`` (also ``/cmd@botname``), as Telegram adds it."""
    match = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(match.group())}] if match else []


def _button_at(markup: dict[str, Any], index: int) -> dict[str, Any]:
    buttons = list(iter_buttons(markup))
    if not 0 <= index < len(buttons):
        raise ValueError(f"there are {len(buttons)} button(s); index {index} is out of range")
    return buttons[index]


def _scope_key(scope: dict[str, Any] | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


class _Params:
    """Typed access to form values as PTB sends them (strings, JSON for :data:`JSON_KEYS`)."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, _Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def get_str(self, key: str) -> str | None:
        value = self.values.get(key)
        return None if value is None else str(value)

    def get_int(self, key: str, default: int | None = None) -> int:
        value = self.values.get(key)
        if value is None or value == "":
            if default is None:
                raise ApiError(400, f"Bad Request: parameter {key} is required")
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, f"Bad Request: invalid {key} specified") from None

    def get_float(self, key: str, default: float | None = None) -> float:
        value = self.values.get(key)
        if value is None or value == "":
            if default is None:
                raise ApiError(400, f"Bad Request: parameter {key} is required")
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ApiError(400, f"Bad Request: invalid {key} specified") from None

    def get_bool(self, key: str) -> bool:
        return str(self.values.get(key, "")).lower() in ("true", "1")

    def chat_id(self) -> int:
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None


# --------------------------------------------------------------------------------------------------------
# Bot API methods
# --------------------------------------------------------------------------------------------------------

_Impl = Callable[[BotApiEmulator, _Params], Any]
_METHODS: dict[str, _Impl] = {}


def _method(name: str) -> Callable[[_Impl], _Impl]:
    def register(fn: _Impl) -> _Impl:
        _METHODS[name.lower()] = fn
        return fn

    return register


@_method("getMe")
def _get_me(emu: BotApiEmulator, p: _Params) -> Any:
    return dict(emu.bot_user)


@_method("deleteWebhook")
def _delete_webhook(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        emu._webhook = None
        if p.get_bool("drop_pending_updates"):
            emu._updates.clear()
    return True


@_method("setWebhook")
def _set_webhook(emu: BotApiEmulator, p: _Params) -> Any:
    url = p.get_str("url") or ""
    if not url:
        return _delete_webhook(emu, p)
    if not url.startswith(("https://", "http://")):
        raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    with emu._cond:
        if "allowed_updates" in p.values:
            allowed = p.values["allowed_updates"] or []
            emu._allowed_updates = frozenset(allowed) if allowed else None
        if p.get_bool("drop_pending_updates"):
            emu._updates.clear()
        emu._webhook = (url, p.get_str("secret_token"))
        if emu._webhook_thread is None:
            emu._webhook_thread = threading.Thread(target=emu._push_webhook, name="bot-api-webhook", daemon=True)
            emu._webhook_thread.start()
        emu._cond.notify_all()
    return True


@_method("getWebhookInfo")
def _get_webhook_info(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        url = emu._webhook[0] if emu._webhook else ""
        return {"url": url, "has_custom_certificate": False, "pending_update_count": len(emu._updates)}


@_method("getUpdates")
def _get_updates(emu: BotApiEmulator, p: _Params) -> Any:
    if emu._webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    return emu._get_updates(p)


@_method("sendMessage")
def _send_message(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chat_for_send(p)
        parse_mode = p.get_str("parse_mode")
        plain, entities = emu._check_text(p.get("text"), parse_mode)
        if p.get("entities") and not parse_mode:
            entities = list(p.get("entities"))
        markup = emu._validate_markup(p.get("reply_markup"), state.chat)
        thread_id, is_topic, reply_to = emu._thread_for_send(state, p)
        msg = emu._new_bot_message(
            state,
            text=p.get_str("text"),
            plain_text=plain,
            entities=entities,
            parse_mode=parse_mode,
            reply_markup=markup,
            reply_to_message_id=reply_to,
            message_thread_id=thread_id,
            is_topic_message=is_topic,
        )
        return emu._message_to_api(msg)


@_method("sendPhoto")
def _send_photo(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chat_for_send(p)
        parse_mode = p.get_str("parse_mode")
        caption, entities = emu._check_caption(p.get("caption"), parse_mode)
        markup = emu._validate_markup(p.get("reply_markup"), state.chat)
        thread_id, is_topic, reply_to = emu._thread_for_send(state, p)
        photo = emu._resolve_photo(p.get("photo"), p.uploads, "photo")
        msg = emu._new_bot_message(
            state,
            caption=p.get_str("caption") if caption is not None else None,
            plain_text=caption,
            entities=entities,
            parse_mode=parse_mode,
            reply_markup=markup,
            photo=photo,
            reply_to_message_id=reply_to,
            message_thread_id=thread_id,
            is_topic_message=is_topic,
        )
        return emu._message_to_api(msg)


@_method("sendMediaGroup")
def _send_media_group(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chat_for_send(p)
        media = p.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media in the group")
        prepared = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") != "photo":
                raise ApiError(400, "Bad Request: unsupported media type (the emulator knows photos only)")
            caption, entities = emu._check_caption(item.get("caption"), item.get("parse_mode"))
            photo = emu._resolve_photo(item.get("media"), p.uploads, "")
            prepared.append((item, caption, entities, photo))
        group_id = f"{13000000000000000 + next(emu._media_group_counter)}"
        thread_id, is_topic, reply_to = emu._thread_for_send(state, p)
        sent = []
        for item, caption, entities, photo in prepared:
            msg = emu._new_bot_message(
                state,
                caption=item.get("caption") if caption is not None else None,
                plain_text=caption,
                entities=entities,
                parse_mode=item.get("parse_mode"),
                photo=photo,
                media_group_id=group_id,
                reply_to_message_id=reply_to,
                message_thread_id=thread_id,
                is_topic_message=is_topic,
            )
            sent.append(emu._message_to_api(msg))
        return sent


@_method("sendLocation")
def _send_location(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chat_for_send(p)
        lat, lon = p.get_float("latitude"), p.get_float("longitude")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ApiError(400, "Bad Request: wrong location specified")
        markup = emu._validate_markup(p.get("reply_markup"), state.chat)
        thread_id, is_topic, reply_to = emu._thread_for_send(state, p)
        msg = emu._new_bot_message(
            state,
            location={"latitude": lat, "longitude": lon},
            reply_markup=markup,
            reply_to_message_id=reply_to,
            message_thread_id=thread_id,
            is_topic_message=is_topic,
        )
        return emu._message_to_api(msg)


@_method("copyMessage")
def _copy_message(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        source_state = emu._chats.get(int(p.get_int("from_chat_id")))
        if source_state is None:
            raise ApiError(400, "Bad Request: chat not found")
        source = source_state.messages.get(p.get_int("message_id"))
        if source is None or source.deleted:
            raise ApiError(400, "Bad Request: message to copy not found")
        if source.service is not None:
            raise ApiError(400, "Bad Request: message can't be copied")
        state = emu._chat_for_send(p)
        markup = emu._validate_markup(p.get("reply_markup"), state.chat)
        thread_id, is_topic, reply_to = emu._thread_for_send(state, p)
        fields: dict[str, Any] = {
            "text": source.text,
            "caption": source.caption,
            "plain_text": source.plain_text,
            "entities": copy.deepcopy(source.entities),
            "parse_mode": source.parse_mode,
            "photo": copy.deepcopy(source.photo),
            "location": copy.deepcopy(source.location),
            "contact": copy.deepcopy(source.contact),
        }
        if "caption" in p.values and source.photo is not None:  # a new caption replaces the old one
            parse_mode = p.get_str("parse_mode")
            caption, entities = emu._check_caption(p.get("caption"), parse_mode)
            fields.update(
                caption=p.get_str("caption") if caption is not None else None,
                plain_text=caption,
                entities=entities,
                parse_mode=parse_mode,
            )
        msg = emu._new_bot_message(
            state,
            reply_markup=markup,
            reply_to_message_id=reply_to,
            message_thread_id=thread_id,
            is_topic_message=is_topic,
            **fields,
        )
        return {"message_id": msg.message_id}


def _message_for_edit(emu: BotApiEmulator, p: _Params) -> tuple[_ChatState, Message]:
    if p.get("inline_message_id"):
        raise ApiError(400, "Bad Request: the emulator does not support inline messages")
    state = emu._chat_for_admin(p)
    msg = state.messages.get(p.get_int("message_id"))
    if msg is None or msg.deleted:
        raise ApiError(400, "Bad Request: message to edit not found")
    if not msg.from_bot or msg.service is not None:
        raise ApiError(400, "Bad Request: message can't be edited")
    return state, msg


def _apply_edit(emu: BotApiEmulator, msg: Message, **changes: Any) -> Any:
    current = (msg.text, msg.caption, msg.plain_text, msg.entities, msg.reply_markup)
    new = tuple(changes.get(k, getattr(msg, k)) for k in ("text", "caption", "plain_text", "entities", "reply_markup"))
    if new[2:] == current[2:]:  # Telegram compares the visible content and the keyboard
        raise ApiError(
            400,
            "Bad Request: message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message",
        )
    msg.edits.append(MessageVersion(msg.text, msg.caption, msg.parse_mode, msg.reply_markup))
    for key, value in changes.items():
        setattr(msg, key, value)
    emu._event("edited", msg.chat_id, msg)
    return emu._message_to_api(msg)


def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    if markup is not None and "inline_keyboard" not in markup:
        raise ApiError(400, "Bad Request: inline keyboard expected")
    return markup


@_method("editMessageText")
def _edit_message_text(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state, msg = _message_for_edit(emu, p)
        if msg.text is None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        parse_mode = p.get_str("parse_mode")
        plain, entities = emu._check_text(p.get("text"), parse_mode)
        # Without reply_markup Telegram removes the inline keyboard.
        markup = _inline_only(emu._validate_markup(p.get("reply_markup"), state.chat))
        return _apply_edit(
            emu,
            msg,
            text=p.get_str("text"),
            plain_text=plain,
            entities=entities,
            parse_mode=parse_mode,
            reply_markup=markup,
        )


@_method("editMessageCaption")
def _edit_message_caption(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state, msg = _message_for_edit(emu, p)
        if msg.photo is None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        parse_mode = p.get_str("parse_mode")
        caption, entities = emu._check_caption(p.get("caption"), parse_mode)
        markup = _inline_only(emu._validate_markup(p.get("reply_markup"), state.chat))
        return _apply_edit(
            emu,
            msg,
            caption=p.get_str("caption") if caption is not None else None,
            plain_text=caption,
            entities=entities,
            parse_mode=parse_mode,
            reply_markup=markup,
        )


@_method("editMessageReplyMarkup")
def _edit_message_reply_markup(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state, msg = _message_for_edit(emu, p)
        markup = _inline_only(emu._validate_markup(p.get("reply_markup"), state.chat))
        return _apply_edit(emu, msg, reply_markup=markup)


@_method("deleteMessage")
def _delete_message(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chat_for_admin(p)
        msg = state.messages.get(p.get_int("message_id"))
        if msg is None or msg.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        if msg.service is not None and "forum_topic_created" in msg.service:
            raise ApiError(400, "Bad Request: message can't be deleted")
        if state.chat.type != "private" and not msg.from_bot:
            # "If the bot is an administrator of a group, it can delete any message there. If the bot has
            # can_delete_messages permission in a supergroup ..., it can delete any message there." (Bot API)
            allowed = (
                state.bot_rights.is_admin if state.chat.type == "group" else state.bot_rights.has("can_delete_messages")
            )
            if not allowed:
                raise ApiError(400, "Bad Request: message can't be deleted")
        if emu.now() - msg.date >= DELETE_WINDOW_SECONDS:
            raise ApiError(400, "Bad Request: message can't be deleted for everyone")
        msg.deleted = True
        if msg.message_id in state.pinned:
            state.pinned.remove(msg.message_id)
        emu._event("deleted", msg.chat_id, msg)
        return True


def _check_pin_rights(state: _ChatState) -> None:
    if state.chat.type != "private" and not state.bot_rights.has("can_pin_messages"):
        raise ApiError(400, "Bad Request: not enough rights to manage pinned messages in the chat")


@_method("pinChatMessage")
def _pin_chat_message(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chat_for_admin(p)
        _check_pin_rights(state)
        msg = state.messages.get(p.get_int("message_id"))
        if msg is None or msg.deleted or msg.service is not None:
            raise ApiError(400, "Bad Request: message to pin not found")
        if msg.message_id in state.pinned:
            state.pinned.remove(msg.message_id)
        state.pinned.append(msg.message_id)
        emu._event("pinned", state.chat.id, msg)
        return True


@_method("unpinChatMessage")
def _unpin_chat_message(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chat_for_admin(p)
        _check_pin_rights(state)
        if p.get_str("message_id"):
            message_id = p.get_int("message_id")
            if state.messages.get(message_id) is None:
                raise ApiError(400, "Bad Request: message to unpin not found")
        elif state.pinned:
            message_id = state.pinned[-1]  # without message_id: the most recent pin
        else:
            return True
        if message_id in state.pinned:
            state.pinned.remove(message_id)
            emu._event("unpinned", state.chat.id, state.messages[message_id])
        return True


@_method("unpinAllChatMessages")
def _unpin_all_chat_messages(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chat_for_admin(p)
        _check_pin_rights(state)
        for message_id in list(reversed(state.pinned)):
            state.pinned.remove(message_id)
            emu._event("unpinned", state.chat.id, state.messages[message_id])
        return True


_ADMIN_FLAGS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
_STAFF_ADMIN_RIGHTS = ("can_manage_chat", "can_delete_messages", "can_pin_messages", "can_manage_topics")


def _chat_member(emu: BotApiEmulator, state: _ChatState, user_id: int) -> dict[str, Any]:
    if user_id == int(emu.bot_user["id"]):
        if state.chat.id in emu._kicked:
            return {"status": "left", "user": dict(emu.bot_user)}
        rights = state.bot_rights
        if state.chat.type == "private" or not rights.is_admin:
            return {"status": "member", "user": dict(emu.bot_user)}
        member: dict[str, Any] = {
            "status": "administrator",
            "user": dict(emu.bot_user),
            "can_be_edited": False,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": rights.can_delete_messages,
            "can_manage_video_chats": False,
            "can_restrict_members": False,
            "can_promote_members": False,
            "can_change_info": False,
            "can_invite_users": False,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
            "can_pin_messages": rights.can_pin_messages,
        }
        if state.chat.type == "supergroup":
            member["can_manage_topics"] = rights.can_manage_topics  # "supergroups only" (Bot API)
        return member
    user = emu._users.get(user_id)
    if user is None:
        raise ApiError(400, "Bad Request: user not found")
    if state.chat.type == "private":
        return {"status": "member" if user_id == state.chat.id else "left", "user": user.to_api()}
    status = state.members.get(user_id, "left")
    data: dict[str, Any] = {"status": status, "user": user.to_api()}
    if status == "administrator":  # a human admin with the rights staff need
        data.update(dict.fromkeys(_ADMIN_FLAGS, False))
        data.update(dict.fromkeys(_STAFF_ADMIN_RIGHTS, True))
    return data


@_method("getChatMember")
def _get_chat_member(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chats.get(p.chat_id())
        if state is None:
            raise ApiError(400, "Bad Request: chat not found")
        return _chat_member(emu, state, p.get_int("user_id"))


@_method("getChatAdministrators")
def _get_chat_administrators(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chat_for_admin(p)
        if state.chat.type == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        ids = [int(emu.bot_user["id"])] if state.bot_rights.is_admin else []
        ids += [user_id for user_id, status in state.members.items() if status == "administrator"]
        return [_chat_member(emu, state, user_id) for user_id in ids]


@_method("getChat")
def _get_chat(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chat_for_admin(p)
        data = state.chat.to_api()
        data.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        pinned = [i for i in state.pinned if not state.messages[i].deleted]
        if pinned:
            data["pinned_message"] = emu._message_to_api(state.messages[pinned[-1]], nested=True)
        return data


@_method("createForumTopic")
def _create_forum_topic(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chat_for_admin(p)
        if not state.chat.is_forum:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        if not state.bot_rights.has("can_manage_topics"):
            raise ApiError(400, "Bad Request: not enough rights to create a topic")
        name = p.get_str("name") or ""
        if not name.strip():
            raise ApiError(400, "Bad Request: TOPIC_TITLE_EMPTY")
        if len(name) > MAX_TOPIC_NAME_LENGTH:
            raise ApiError(400, "Bad Request: TOPIC_TITLE_TOO_LONG")
        color = p.get_int("icon_color", TOPIC_ICON_COLORS[0])
        if color not in TOPIC_ICON_COLORS:
            raise ApiError(400, "Bad Request: TOPIC_ICON_COLOR_INVALID")
        emoji = p.get_str("icon_custom_emoji_id") or None
        thread_id = state.next_message_id  # the topic is the thread of its creation message
        topic = ForumTopic(state.chat.id, thread_id, name, color, int(emu.bot_user["id"]), emoji)
        state.topics[thread_id] = topic
        created = {"name": name, "icon_color": color, **({"icon_custom_emoji_id": emoji} if emoji else {})}
        emu._service_message(state, topic, {"forum_topic_created": created})
        emu._event("topic", state.chat.id, note="created", topic=topic)
        return topic.to_api()


@_method("editForumTopic")
def _edit_forum_topic(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chat_for_admin(p)
        topic = emu._topic_for_change(state, p, "can_manage_topics")
        name = p.get_str("name") or topic.name
        if len(name) > MAX_TOPIC_NAME_LENGTH:
            raise ApiError(400, "Bad Request: TOPIC_TITLE_TOO_LONG")
        emoji = p.get_str("icon_custom_emoji_id") if "icon_custom_emoji_id" in p.values else topic.icon_custom_emoji_id
        emoji = emoji or None
        if (name, emoji) == (topic.name, topic.icon_custom_emoji_id):
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        updated = dataclasses.replace(topic, name=name, icon_custom_emoji_id=emoji)
        state.topics[topic.message_thread_id] = updated
        emu._service_message(state, updated, {"forum_topic_edited": {"name": name}})
        emu._event("topic", state.chat.id, note="edited", topic=updated)
        return True


def _set_topic_closed(emu: BotApiEmulator, p: _Params, closed: bool) -> Any:
    with emu._lock:
        state = emu._chat_for_admin(p)
        topic = emu._topic_for_change(state, p, "can_manage_topics")
        if topic.closed == closed:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        updated = dataclasses.replace(topic, closed=closed)
        state.topics[topic.message_thread_id] = updated
        emu._service_message(state, updated, {"forum_topic_closed" if closed else "forum_topic_reopened": {}})
        emu._event("topic", state.chat.id, note="closed" if closed else "reopened", topic=updated)
        return True


@_method("closeForumTopic")
def _close_forum_topic(emu: BotApiEmulator, p: _Params) -> Any:
    return _set_topic_closed(emu, p, True)


@_method("reopenForumTopic")
def _reopen_forum_topic(emu: BotApiEmulator, p: _Params) -> Any:
    return _set_topic_closed(emu, p, False)


@_method("deleteForumTopic")
def _delete_forum_topic(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        state = emu._chat_for_admin(p)
        topic = emu._topic_for_change(state, p, "can_delete_messages")
        for msg in state.messages.values():
            if msg.message_thread_id == topic.message_thread_id and msg.is_topic_message:
                msg.deleted = True  # "along with all its messages" (Bot API)
                if msg.message_id in state.pinned:
                    state.pinned.remove(msg.message_id)
        updated = dataclasses.replace(topic, deleted=True)
        state.topics[topic.message_thread_id] = updated
        emu._event("topic", state.chat.id, note="deleted", topic=updated)
        return True


@_method("answerCallbackQuery")
def _answer_callback_query(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        query = emu._callback_queries.get(p.get_str("callback_query_id") or "")
        if query is None or query.answered:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        text = p.get_str("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query.answered, query.text, query.show_alert = True, text, p.get_bool("show_alert")
        if text:
            pressed = emu._get_message(query.chat_id, query.message_id)
            thread_id = pressed.message_thread_id if pressed is not None and pressed.is_topic_message else None
            emu._event("answered", query.chat_id, user_id=query.user_id, note=text, thread_id=thread_id)
        return True


@_method("sendChatAction")
def _send_chat_action(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        emu._chat_for_send(p)
        if not p.get_str("action"):
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True


@_method("setMyCommands")
def _set_my_commands(emu: BotApiEmulator, p: _Params) -> Any:
    commands = p.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND_RE.fullmatch(str(command.get("command", ""))):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    with emu._lock:
        emu._commands[(_scope_key(p.get("scope")), p.get_str("language_code") or "")] = copy.deepcopy(commands)
    return True


@_method("deleteMyCommands")
def _delete_my_commands(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        emu._commands.pop((_scope_key(p.get("scope")), p.get_str("language_code") or ""), None)
    return True


@_method("getMyCommands")
def _get_my_commands(emu: BotApiEmulator, p: _Params) -> Any:
    return emu.commands(p.get("scope"), p.get_str("language_code") or "")


def _set_description(emu: BotApiEmulator, p: _Params, kind: str, key: str, limit: int) -> Any:
    text = p.get_str(key) or ""
    if len(text) > limit:
        raise ApiError(400, f"Bad Request: {key.upper()}_INVALID")
    with emu._lock:
        emu._descriptions[(kind, p.get_str("language_code") or "")] = text
    return True


@_method("setMyDescription")
def _set_my_description(emu: BotApiEmulator, p: _Params) -> Any:
    return _set_description(emu, p, "long", "description", MAX_DESCRIPTION_LENGTH)


@_method("setMyShortDescription")
def _set_my_short_description(emu: BotApiEmulator, p: _Params) -> Any:
    return _set_description(emu, p, "short", "short_description", MAX_SHORT_DESCRIPTION_LENGTH)


@_method("getFile")
def _get_file(emu: BotApiEmulator, p: _Params) -> Any:
    with emu._lock:
        stored = emu._files.get(p.get_str("file_id") or "")
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }


# --------------------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------------------


def _parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, _Upload]]:
    raw: dict[str, str] = {}
    uploads: dict[str, _Upload] = {}
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype == "application/json" and body:
        try:
            loaded = json.loads(body)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON body") from None
        return (
            {k: v if k in JSON_KEYS or isinstance(v, str) else json.dumps(v) for k, v in loaded.items()},
            {},
        )
    if ctype == "multipart/form-data":
        parsed = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None or (part.get_content_type() not in ("text/plain",)):
                uploads[name] = _Upload(filename or name, content)
            else:
                raw[name] = content.decode()
    elif body:
        raw = dict(parse_qsl(body.decode(), keep_blank_values=True))
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in JSON_KEYS:
            try:
                values[key] = json.loads(value)
            except json.JSONDecodeError:
                raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
        else:
            values[key] = value
    return values, uploads


def _make_handler(emu: BotApiEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "BotApiEmulator/1.0"

        def do_POST(self) -> None:
            self._dispatch()

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)  # PTB percent-encodes the ":" of the token
            match = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
            if match and emu._token_ok(match.group(1)):
                content = emu._serve_file(match.group(2))
                if content is None:
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                else:
                    self._send(200, content, "application/octet-stream")
                return
            self._dispatch()

        def _dispatch(self) -> None:
            prefix, _, method = unquote(urlsplit(self.path).path).rpartition("/")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if not (prefix.startswith("/bot") and emu._token_ok(prefix.removeprefix("/bot"))):
                if prefix.startswith("/bot"):
                    self._reply(401, _error(401, "Unauthorized"))
                else:
                    self._reply(404, _error(404, "Not Found"))
                return
            try:
                params, uploads = _parse_body(self.headers.get("Content-Type", ""), body)
            except ApiError as err:
                self._reply(err.status, _error(err.status, err.description))
                return
            query = urlsplit(self.path).query
            for key, value in parse_qsl(query):
                params.setdefault(key, value)
            status, payload = emu._handle(method, params, uploads)
            if payload is None:  # injected "drop": close without answering
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._reply(status, payload)

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            self._send(status, json.dumps(payload).encode(), "application/json")

        def _send(self, status: int, data: bytes, content_type: str) -> None:
            with contextlib.suppress(OSError):  # the client may have given up (cancelled long poll)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the URL contains the token; never log it

    return Handler


def _error(status: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": status, "description": description}
