"""The offline sandbox behind ``veiligbot chat`` (interactive) and ``veiligbot chat --script FILE|-``.

It starts the :class:`~bot.dev.emulator.BotApiEmulator`, then the real bot against it, plays the input of
residents and staff members and prints a transcript of every chat. Input lines (the README's "Command-line
contract"):

- plain text or a ``/command``: a message from the current person in the current chat (their private chat
  with the bot, a staff group, or a topic of a forum group);
- ``#press N [M]``: press button N (1-based, reading order) of the bot's last message in the current chat (in
  a forum: in the current topic), or of message M of the chat's transcript; in a private chat without an
  inline keyboard, the reply keyboard currently shown;
- ``#location LAT,LON``; ``#photo``;
- ``#user NAME [LANG]``: speak as NAME (created if new; LANG defaults to ``nl`` for a new person and to the
  current language for a known one), in NAME's private chat with the bot. The names in
  :data:`SANDBOX_STAFF` are staff members, each in their municipality's staff group; any other name is a
  resident;
- ``#chat GROUP`` / ``#chat private``: speak in a staff group (its title, municipality name or id, e.g.
  ``Epe``) or in the private chat again; in a forum group this is the General topic;
- ``#topic REF``: speak in the forum topic whose name contains REF (e.g. a report's reference), in the
  current forum group or else in any forum group; ``#topic general`` is the General topic;
- ``#reply M TEXT``: reply with TEXT to message M of the current chat (group messages show their number as
  ``#M`` in the transcript; in a forum the reply lands in that message's topic);
- ``#restart``: leave the bot's context and enter a fresh one (same database, same emulator);
- interactive only: ``/location LAT,LON``, ``/photo``, ``#help``, ``#quit``; a bare number ``N`` presses button N
  when the bot's last message to this resident shows at least N buttons (otherwise it is sent as text, so a
  postcode such as ``8161`` still works); ``\\TEXT`` sends TEXT exactly as typed (``\\3`` sends the text "3",
  ``\\#press`` the text "#press").

Empty lines are skipped. The default resident is "Anna" (``nl``). Resident ids derive from the name, so the
same name is the same Telegram user in every run (``veiligbot chat`` keeps the sandbox's own database between
runs, unless ``--fresh``).

Staff groups: pass ``staff_groups`` (:class:`StaffGroup`, see :func:`sandbox_staff_groups`); the emulator creates
these groups with exactly these ids before the bot starts, so the caller can link municipalities to stable ids,
and creates the staff members of :data:`SANDBOX_STAFF` as members of their group. ``group_chats={chat_id: title}``
adds other groups (``-100…`` ids are supergroups).

Exit status: 0; 1 if the bot failed to start, logged an ERROR (loggers ``telegram``, ``bot``, ``handlers``),
or did not fetch an update; 2 if the script itself was wrong (unknown directive, no such button) and the bot
was fine.

Pitfall: "after each input the bot is done": when the factory yields a PTB Application (an object with an
``update_queue``), the sandbox reads that from the Application (bot.dev.idle: every update handled, no job due
or running, no request in flight); otherwise it is a heuristic: no Bot API request other than ``getUpdates``
happened for ``quiet`` seconds. Every wait is bounded by ``max_wait``.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import importlib
import logging
import re
import sys
import threading
import zlib
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, TextIO, cast

from bot.dev.emulator import BotApiEmulator, ChatEvent, Message, SimChat, SimUser, iter_buttons
from bot.dev.idle import Idleness

__all__ = [
    "DEFAULT_RESIDENT",
    "SANDBOX_FORUM_MUNICIPALITY",
    "SANDBOX_STAFF",
    "Action",
    "BotFactory",
    "StaffGroup",
    "html_to_text",
    "parse_line",
    "run_interactive",
    "run_script",
    "sandbox_staff_groups",
    "stable_user_id",
]

BotFactory = Callable[[str, str], AbstractAsyncContextManager[object]]
"""``factory(base_url, base_file_url)`` → async context manager that runs the bot while entered."""

DEFAULT_RESIDENT = ("Anna", "nl")

SANDBOX_STAFF: dict[str, tuple[int, str]] = {
    "Els": (271360148, "elburg"),
    "Eva": (469451271, "epe"),
    "Hans": (63214312, "hattem"),
    "Henk": (266847074, "heerde"),
    "Nina": (287862020, "nunspeet"),
    "Olaf": (90797862, "oldebroek"),
}
"""The sandbox's staff members: name → (Telegram user id, municipality id). One per municipality; the ids are
:func:`stable_user_id` of the name, so ``#user Eva`` is this staff member in every run. Register them as staff in
the sandbox's own database only."""

SANDBOX_FORUM_MUNICIPALITY = "heerde"
"""The municipality whose sandbox staff group is a forum supergroup (topics enabled); the others are plain
groups."""

SANDBOX_FORUM_CHAT_BASE = -1009000000000  # supergroup ids; the n-th municipality gets BASE - n
SANDBOX_GROUP_CHAT_BASE = -4090000000  # basic group ids
WATCHED_LOGGERS = ("telegram", "bot", "handlers")
EXIT_OK, EXIT_BOT_ERROR, EXIT_SCRIPT_ERROR = 0, 1, 2

_BOT_PREFIX = "bot → "
_INDENT = " " * len(_BOT_PREFIX)
_LANG_RE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z]{2,4})?")
_COORDS_RE = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*[,\s]\s*(-?\d+(?:\.\d+)?)\s*")
_HELP = (
    "text or /command: send a message | N or #press N [M]: press button N (of message M) | \\TEXT: send TEXT as "
    "typed (\\3 sends 3) | #location LAT,LON (or /location) | #photo (or /photo) | #user NAME [LANG] "
    "(staff: " + ", ".join(SANDBOX_STAFF) + ") | #chat GROUP|private | #topic REF | #reply M TEXT | #restart | #quit"
)


@dataclass(frozen=True)
class StaffGroup:
    """A municipality's simulated staff group (``forum``: a supergroup with topics)."""

    municipality: str
    title: str
    chat_id: int
    forum: bool = False


def sandbox_staff_groups(municipalities: Iterable[tuple[str, str]], linked: Mapping[str, int]) -> list[StaffGroup]:
    """One staff group per municipality (``(id, name)`` pairs, in order): the forum for
    :data:`SANDBOX_FORUM_MUNICIPALITY`, plain groups for the others, at the chat already ``linked`` if any.

    Pitfall: a kept sandbox database may link a municipality to an id of the other kind (an older sandbox made
    every group a supergroup); the group keeps that id, which only looks odd.
    """
    groups = []
    for n, (municipality, name) in enumerate(municipalities, start=1):
        forum = municipality == SANDBOX_FORUM_MUNICIPALITY
        default = (SANDBOX_FORUM_CHAT_BASE if forum else SANDBOX_GROUP_CHAT_BASE) - n
        groups.append(StaffGroup(municipality, f"{name} staff", linked.get(municipality, default), forum))
    return groups


# --------------------------------------------------------------------------------------------------------
# Parsing and rendering
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One parsed input line. ``kind``: text, press, number (interactive: press if there is such a button, else
    text), location, photo, user, chat, topic, reply, restart, quit, help, error. ``message`` is the message
    number of ``#press N M`` and ``#reply M TEXT`` (0: none given)."""

    kind: str
    text: str = ""
    number: int = 0
    latitude: float = 0.0
    longitude: float = 0.0
    language: str | None = None
    message: int = 0


def parse_line(line: str, *, interactive: bool = False) -> Action | None:
    """Parse one input line; ``None`` for an empty line, ``Action("error", text=reason)`` for a bad one."""
    line = line.rstrip("\r\n")
    stripped = line.strip()
    if not stripped:
        return None
    if interactive and stripped.startswith("\\"):
        literal = stripped[1:]
        return Action("text", text=literal) if literal.strip() else None
    if interactive and stripped.isdecimal():
        return Action("number", text=stripped, number=int(stripped))
    head, _, rest = stripped.partition(" ")
    rest = rest.strip()
    command = head.lower()
    if interactive and command in ("/location", "/photo"):
        command = "#" + command[1:]
    if not command.startswith("#"):
        return Action("text", text=line)
    if command == "#press":
        numbers = rest.split()
        if not 1 <= len(numbers) <= 2 or not all(n.isdigit() and int(n) >= 1 for n in numbers):
            return Action("error", text="usage: #press N [M] (button N = 1, 2, ... of message M)")
        return Action("press", number=int(numbers[0]), message=int(numbers[1]) if len(numbers) == 2 else 0)
    if command == "#reply":
        number, _, text = rest.partition(" ")
        if not number.isdigit() or int(number) < 1 or not text.strip():
            return Action("error", text="usage: #reply M TEXT (M: the message's number, e.g. 12 for #12)")
        return Action("reply", text=text.strip(), message=int(number))
    if command == "#chat":
        if not rest:
            return Action("error", text="usage: #chat GROUP|private (e.g. #chat Epe)")
        return Action("chat", text=rest)
    if command == "#topic":
        if not rest:
            return Action("error", text="usage: #topic REF|general (e.g. #topic HEE-7K3Q)")
        return Action("topic", text=rest)
    if command == "#location":
        match = _COORDS_RE.fullmatch(rest)
        if not match:
            return Action("error", text="usage: #location LAT,LON (e.g. #location 52.347,5.983)")
        lat, lon = float(match.group(1)), float(match.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return Action("error", text="latitude must be -90..90 and longitude -180..180")
        return Action("location", latitude=lat, longitude=lon)
    if command == "#photo":
        return Action("photo", text=rest)
    if command == "#user":
        words = rest.split()
        if not words:
            return Action("error", text="usage: #user NAME [LANG]")
        language = None
        if len(words) > 1 and _LANG_RE.fullmatch(words[-1]):
            language = words.pop()
        return Action("user", text=" ".join(words), language=language)
    if command == "#restart":
        return Action("restart")
    if interactive and command in ("#quit", "#exit"):
        return Action("quit")
    if interactive and command == "#help":
        return Action("help")
    return Action("error", text=f"unknown directive {head!r}")


def html_to_text(text: str) -> str:
    """Telegram HTML as a resident reads it: tags stripped, entities decoded, link targets kept visible."""

    def link(match: re.Match[str]) -> str:
        url, label = html.unescape(match.group(2)), match.group(3)
        return label if url in html.unescape(label) else f"{label} ({html.escape(url)})"

    text = re.sub(r"<a\s+href=([\"'])(.*?)\1\s*>(.*?)</a>", link, text, flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"<[^>]*>", "", text)
    return html.unescape(text).strip()


def _message_body(message: Message) -> str:
    raw = message.text if message.text is not None else message.caption
    if raw is None:
        body = ""
    elif (message.parse_mode or "").lower() == "html":
        body = html_to_text(raw)
    else:
        body = raw.strip()
    if message.photo is not None:
        body = f"[photo] {body}".rstrip()
    if message.location is not None:
        body = f"[location {message.location['latitude']}, {message.location['longitude']}]"
    if message.contact is not None:
        body = f"[contact {message.contact.get('phone_number', '')}]"
    return body


def _button_lines(markup: dict[str, Any] | None) -> list[str]:
    rows = (markup or {}).get("inline_keyboard") or (markup or {}).get("keyboard") or []
    lines, number = [], 0
    for row in rows:
        cells = []
        for button in row:
            number += 1
            label = button.get("text", "") if isinstance(button, dict) else str(button)
            if isinstance(button, dict) and button.get("url"):
                label += f" ({button['url']})"
            cells.append(f"[{number}] {label}")
        if cells:
            lines.append("  ".join(cells))
    return lines


def _indent(first_prefix: str, text: str) -> list[str]:
    lines = text.split("\n") or [""]
    return [first_prefix + lines[0]] + [_INDENT + line for line in lines[1:]]


# --------------------------------------------------------------------------------------------------------
# The session
# --------------------------------------------------------------------------------------------------------


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self._lock_records = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock_records:
            self.records.append(record)


def stable_user_id(name: str) -> int:
    """The same resident name gives the same Telegram user id in every run."""
    return 100_000 + zlib.crc32(name.casefold().encode()) % 900_000_000


@dataclass
class _Session:
    emu: BotApiEmulator
    out: TextIO
    factory: BotFactory
    interactive: bool
    quiet: float
    max_wait: float
    user: SimUser | None = None
    chat: SimChat | None = None  # None: the current person's private chat with the bot
    thread_id: int | None = None  # the forum topic spoken in (None: the General topic)
    groups: list[SimChat] = field(default_factory=list)
    staff_groups: dict[str, SimChat] = field(default_factory=dict)  # municipality id -> its staff group
    cursor: int = 0
    errors_seen: int = 0
    bot_failed: bool = False
    script_failed: bool = False
    handle: object = None
    idle: Idleness | None = None  # set while the running bot is a PTB Application
    stack: AsyncExitStack = field(default_factory=AsyncExitStack)
    collector: _ErrorCollector = field(default_factory=_ErrorCollector)

    # ---- output -------------------------------------------------------------------------------------

    def say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def flush(self) -> None:
        """Print new chat events and newly logged errors."""
        for event in self.emu.events(self.cursor):
            self.cursor = event.seq + 1
            for line in self._render(event):
                self.say(line)
        records = self.collector.records[self.errors_seen :]
        self.errors_seen += len(records)
        for record in records:
            self.bot_failed = True
            detail = ""
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                detail = f": {type(exc).__name__}: {exc}"
            self.say(f"! bot error ({record.name}): {record.getMessage()}{detail}")

    def _place(self, chat_id: int, thread_id: int | None = None) -> str:
        name = self.emu.chat(chat_id).display_name
        if thread_id is not None and self.emu.chat(chat_id).is_forum:
            name += f" › {self.emu.topic(chat_id, thread_id).name}"
        return name

    def _chat_label(self, chat_id: int, thread_id: int | None = None) -> str:
        if self.user is not None and chat_id == self.user.id:
            return ""
        return f"[{self._place(chat_id, thread_id)}] "

    def _number(self, message: Message) -> str:
        """A group message's number for ``#reply``/``#press N M`` (its message id)."""
        return f"#{message.message_id} " if self.emu.chat(message.chat_id).type != "private" else ""

    def prompt(self) -> str:
        assert self.user is not None
        if self.chat is None:
            return f"{self.user.first_name}> "
        return f"{self.user.first_name}@{self._place(self.chat.id, self.thread_id)}> "

    def _render(self, event: ChatEvent) -> list[str]:
        if event.kind == "topic":
            assert event.topic is not None
            return [f"{_BOT_PREFIX}{self._chat_label(event.chat_id)}(topic {event.note}) {event.topic.name}"]
        label = self._chat_label(event.chat_id, event.thread_id)
        if event.kind in ("pinned", "unpinned"):
            assert event.message is not None
            first_line = (_message_body(event.message).splitlines() or [""])[0]
            return [f"{_BOT_PREFIX}{label}({event.kind}) {first_line}".rstrip()]
        if event.kind in ("received", "pressed"):
            own = self.user is not None and event.user_id == self.user.id and not label
            if self.interactive and own:
                return []  # the resident just typed it
            name = self.emu.user(event.user_id).first_name if event.user_id else "?"
            if event.kind == "pressed":
                return [f"{label}{name}: [pressed: {event.note}]"]
            assert event.message is not None
            marker = "(edited) " if event.note == "edited" else ""
            return _indent(f"{label}{name}: {self._number(event.message)}{marker}", _message_body(event.message))
        if event.kind == "answered":
            return [f"{_BOT_PREFIX}{label}(popup) {event.note}"]
        message = event.message
        assert message is not None
        number = self._number(message)
        if event.kind == "deleted":
            first_line = (_message_body(message).splitlines() or [""])[0]
            return [f"{_BOT_PREFIX}{label}{number}(deleted) {first_line}".rstrip()]
        marker = "(edited) " if event.kind == "edited" else ""
        lines = _indent(f"{_BOT_PREFIX}{label}{number}{marker}", _message_body(message))
        lines += [_INDENT + line for line in _button_lines(message.reply_markup)]
        return lines

    # ---- bot lifecycle ------------------------------------------------------------------------------

    async def start_bot(self) -> bool:
        try:
            self.handle = await self.stack.enter_async_context(self.factory(self.emu.base_url, self.emu.base_file_url))
        except Exception as exc:  # any startup failure is reported, not raised
            self.say(f"! bot failed to start: {type(exc).__name__}: {exc}")
            self.bot_failed = True
            return False
        # No await between entering the bot's context and attaching: no job can have started yet.
        if isinstance(getattr(self.handle, "update_queue", None), asyncio.Queue):
            self.idle = Idleness(self.emu)
            self.idle.attach(self.handle)
        await self._wait_done()
        self.flush()
        return True

    async def _wait_done(self) -> None:
        if self.idle is not None:
            await self.idle.wait(self.max_wait)
        else:
            await self.emu.wait_quiet(self.quiet, self.max_wait)

    async def stop_bot(self) -> None:
        if self.idle is not None:
            self.idle.detach()
            self.idle = None
        stack, self.stack = self.stack, AsyncExitStack()
        try:
            await stack.aclose()
        except Exception as exc:  # a failing shutdown is a bot error too
            self.say(f"! bot failed to stop: {type(exc).__name__}: {exc}")
            self.bot_failed = True
        self.handle = None
        self.flush()

    async def settle(self, update_id: int | None) -> None:
        """Wait until the bot fetched ``update_id`` and has gone quiet, then print what happened."""
        if update_id is not None:
            try:
                await self.emu.wait_for(lambda: self.emu.is_delivered(update_id), self.max_wait)
            except TimeoutError:
                self.say(f"! the bot did not fetch the update within {self.max_wait:g} s")
                self.bot_failed = True
        await self._wait_done()
        self.flush()

    # ---- input --------------------------------------------------------------------------------------

    def switch_user(self, name: str, language: str | None) -> None:
        existing = self.emu.find_user(name)
        if existing is None:
            self.user = self.emu.add_user(name, language or "nl", user_id=stable_user_id(name))
        elif language is not None and existing.language_code != language:
            self.user = self.emu.set_language(existing, language)
        else:
            self.user = existing
        self.chat, self.thread_id = None, None

    def add_staff(self) -> None:
        """Create the staff members of :data:`SANDBOX_STAFF` as members of their municipality's group."""
        for name, (user_id, municipality) in SANDBOX_STAFF.items():
            user = self.emu.find_user(name) or self.emu.add_user(name, "nl", user_id=user_id)
            group = self.staff_groups.get(municipality)
            if group is not None:
                self.emu.add_member(group, user)

    def staff_of(self, user: SimUser) -> str | None:
        """The municipality whose staff member ``user`` is, if any."""
        entry = SANDBOX_STAFF.get(user.first_name)
        return entry[1] if entry is not None and entry[0] == user.id else None

    def switch_chat(self, ref: str) -> bool:
        if ref.casefold() in ("private", "prive", "privé"):
            self.chat, self.thread_id = None, None
            return True
        wanted = ref.casefold()
        by_municipality = {g.id: m for m, g in self.staff_groups.items()}
        for group in self.groups:
            title = (group.title or "").casefold()
            names = {title, title.removesuffix(" staff"), by_municipality.get(group.id, title)}
            if wanted in names:
                self.chat, self.thread_id = group, None
                return True
        self.script_error(f"#chat {ref}: no such group (try: {', '.join(g.title or '' for g in self.groups)})")
        return False

    def switch_topic(self, ref: str) -> bool:
        wanted = ref.casefold()
        current = [self.chat] if self.chat is not None and self.chat.is_forum else []
        forums = current + [g for g in self.groups if g.is_forum and g not in current]
        if wanted == "general" and current:
            self.thread_id = None
            return True
        for forum in forums:
            for topic in self.emu.topics(forum.id):
                if wanted in topic.name.casefold():
                    self.chat, self.thread_id = forum, topic.message_thread_id
                    return True
        self.script_error(f"#topic {ref}: no topic with that name" + ("" if forums else " (no forum group)"))
        return False

    def _target_chat(self) -> SimChat:
        assert self.user is not None
        return self.chat if self.chat is not None else self.emu.chat(self.user.id)

    def _last_bot_message(self) -> Message | None:
        chat = self._target_chat()
        messages = self.emu.messages(chat.id)
        if chat.is_forum:
            messages = [m for m in messages if m.message_thread_id == self.thread_id]
        return messages[-1] if messages else None

    def _message(self, number: int) -> Message | None:
        chat = self._target_chat()
        return next((m for m in self.emu.chat_messages(chat.id) if m.message_id == number), None)

    def script_error(self, reason: str) -> None:
        self.say(f"! {reason}")
        self.script_failed = True

    async def perform(self, action: Action) -> bool:
        """Run one action; ``False`` means stop (quit, or the bot could not be restarted)."""
        user = self.user
        assert user is not None
        update_id: int | None = None
        if action.kind == "error":
            self.script_error(action.text)
            return True
        if action.kind == "help":
            self.say(_HELP)
            return True
        if action.kind == "quit":
            return False
        if action.kind == "user":
            self.switch_user(action.text, action.language)
            if not self.interactive:
                assert self.user is not None
                municipality = self.staff_of(self.user)
                role = f", staff of {municipality}" if municipality else ""
                self.say(f"~ now speaking as {self.user.first_name} ({self.user.language_code}){role}")
            return True
        if action.kind in ("chat", "topic"):
            switched = self.switch_chat(action.text) if action.kind == "chat" else self.switch_topic(action.text)
            if switched and not self.interactive:
                where = "the private chat" if self.chat is None else f"[{self._place(self.chat.id, self.thread_id)}]"
                self.say(f"~ now in {where}")
            return True
        if action.kind == "restart":
            self.say("~ restarting the bot")
            await self.stop_bot()
            return await self.start_bot()
        if action.kind == "number":
            pressable = 1 <= action.number <= self._button_count()
            action = Action("press", number=action.number) if pressable else Action("text", text=action.text)
        chat = self._target_chat()
        try:
            if action.kind == "text":
                update_id = self.emu.send_text(user, action.text, chat, thread_id=self.thread_id)
            elif action.kind == "reply":
                original = self._message(action.message)
                if original is None:
                    self.script_error(f"#reply {action.message}: no message #{action.message} in this chat")
                    return True
                update_id = self.emu.send_text(user, action.text, chat, reply_to=original)
            elif action.kind == "location":
                update_id = self.emu.send_location(
                    user, action.latitude, action.longitude, chat, thread_id=self.thread_id
                )
            elif action.kind == "photo":
                update_id = self.emu.send_photo(user, caption=action.text or None, chat=chat, thread_id=self.thread_id)
            elif action.kind == "press":
                update_id = self._press(user, action.number, action.message)
                if update_id is None:
                    return True
        except ValueError as err:  # e.g. a closed or deleted topic: a Telegram client would not send this
            self.script_error(f"cannot send here: {err}")
            return True
        await self.settle(update_id)
        return True

    def _button_count(self) -> int:
        """How many buttons ``#press`` would choose from (the same message or keyboard as :meth:`_press`)."""
        last = self._last_bot_message()
        if last is not None and last.reply_markup and "inline_keyboard" in last.reply_markup:
            return len(last.buttons)
        return len(list(iter_buttons(self.emu.active_reply_keyboard(self._target_chat().id))))

    def _press(self, user: SimUser, number: int, message_number: int = 0) -> int | None:
        chat = self._target_chat()
        where = f"#press {number}" + (f" {message_number}" if message_number else "")
        if message_number:
            target = self._message(message_number)
            if target is None:
                self.script_error(f"{where}: no message #{message_number} in this chat")
                return None
        else:
            target = self._last_bot_message()
        try:
            if target is not None and target.reply_markup and "inline_keyboard" in target.reply_markup:
                return self.emu.press(user, target, number - 1)
            if not message_number and self.emu.active_reply_keyboard(chat.id) is not None:
                return self.emu.press_reply_keyboard(user, number - 1, chat)
        except ValueError as err:
            self.script_error(f"{where}: {err}")
            return None
        subject = f"message #{message_number}" if message_number else "the bot's last message"
        self.script_error(f"{where}: {subject} has no buttons")
        return None

    def exit_code(self) -> int:
        if self.bot_failed:
            return EXIT_BOT_ERROR
        return EXIT_SCRIPT_ERROR if self.script_failed else EXIT_OK


def _default_factory(settings: object) -> BotFactory:
    def factory(base_url: str, base_file_url: str) -> AbstractAsyncContextManager[object]:
        app_module = importlib.import_module("bot.app")  # lazy: the sandbox must import without the app
        return cast(
            AbstractAsyncContextManager[object],
            app_module.embedded_bot(settings, base_url=base_url, base_file_url=base_file_url),
        )

    return factory


@contextlib.contextmanager
def _watch_errors(collector: _ErrorCollector) -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in WATCHED_LOGGERS]
    for logger in loggers:
        logger.addHandler(collector)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(collector)


LineSource = Callable[[str], Awaitable[str | None]]
"""``source(prompt)`` → the next input line, or ``None`` at the end."""


async def _run(
    source: LineSource,
    settings: object,
    out: TextIO,
    *,
    interactive: bool,
    bot_factory: BotFactory | None,
    group_chats: Mapping[int, str] | None,
    staff_groups: Sequence[StaffGroup],
    quiet: float,
    max_wait: float,
) -> int:
    emu = BotApiEmulator(accept_any_token=True)
    session = _Session(emu, out, bot_factory or _default_factory(settings), interactive, quiet, max_wait)
    for chat_id, title in (group_chats or {}).items():
        session.groups.append(emu.add_group(title, chat_id=chat_id, supergroup=str(chat_id).startswith("-100")))
    for spec in staff_groups:
        group = emu.add_group(spec.title, chat_id=spec.chat_id, supergroup=spec.forum, forum=spec.forum)
        session.groups.append(group)
        session.staff_groups[spec.municipality] = group
    if staff_groups:
        session.add_staff()
    session.switch_user(*DEFAULT_RESIDENT)
    with emu, _watch_errors(session.collector):
        try:
            if not await session.start_bot():
                return EXIT_BOT_ERROR
            while True:
                line = await source(session.prompt())
                if line is None:
                    break
                action = parse_line(line, interactive=interactive)
                if action is not None and not await session.perform(action):
                    break
        finally:
            await session.stop_bot()
    return session.exit_code()


async def run_script(
    lines: Iterable[str],
    settings: object,
    out: TextIO,
    *,
    bot_factory: BotFactory | None = None,
    group_chats: Mapping[int, str] | None = None,
    staff_groups: Sequence[StaffGroup] = (),
    quiet: float = 0.3,
    max_wait: float = 10.0,
) -> int:
    """Play ``lines`` (see the module docstring) against the bot and write the transcript to ``out``.

    Args:
        lines: input lines, e.g. an open file or ``sys.stdin``.
        settings: passed unchanged to the default factory ``bot.app.embedded_bot(settings, ...)``.
        bot_factory: ``factory(base_url, base_file_url)`` → async context manager running the bot
            (tests pass a small PTB Application here).
        group_chats: ``{chat_id: title}`` of group chats to create before the bot starts.
        staff_groups: the municipalities' staff groups to create before the bot starts; with them, the staff
            members of :data:`SANDBOX_STAFF` are created as members of their group.
        quiet: for a bot that is not a PTB Application only: seconds without Bot API calls after which it
            counts as done with an input.
        max_wait: upper bound for every wait.

    Returns:
        The exit status (0 ok, 1 bot error or failed start, 2 script error).
    """
    iterator = iter(lines)

    async def source(prompt: str) -> str | None:
        return next(iterator, None)

    return await _run(
        source,
        settings,
        out,
        interactive=False,
        bot_factory=bot_factory,
        group_chats=group_chats,
        staff_groups=staff_groups,
        quiet=quiet,
        max_wait=max_wait,
    )


def run_interactive(
    settings: object,
    *,
    bot_factory: BotFactory | None = None,
    group_chats: Mapping[int, str] | None = None,
    staff_groups: Sequence[StaffGroup] = (),
    out: TextIO | None = None,
    read_line: Callable[[str], str] = input,
) -> int:
    """Chat with the bot in the terminal (``input()`` prompts, same rendering as the script mode).

    ``#quit``, end of input (Ctrl-D) or Ctrl-C end the session; the exit status is as for :func:`run_script`.
    """
    target = out if out is not None else sys.stdout

    async def source(prompt: str) -> str | None:
        # A daemon thread, not asyncio.to_thread: a pending input() must not keep the process alive on exit.
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str | None] = loop.create_future()

        def read() -> None:
            try:
                line: str | None = read_line(prompt)
            except (EOFError, KeyboardInterrupt):
                line = None

            def deliver() -> None:
                if not future.done():
                    future.set_result(line)

            with contextlib.suppress(RuntimeError):  # the loop is gone: the session already ended
                loop.call_soon_threadsafe(deliver)

        threading.Thread(target=read, name="sandbox-input", daemon=True).start()
        return await future

    target.write(f"Offline sandbox. {_HELP}\n")
    try:
        return asyncio.run(
            _run(
                source,
                settings,
                target,
                interactive=True,
                bot_factory=bot_factory,
                group_chats=group_chats,
                staff_groups=staff_groups,
                quiet=0.3,
                max_wait=10.0,
            )
        )
    except KeyboardInterrupt:
        return 130
