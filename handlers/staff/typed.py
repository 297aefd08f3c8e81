"""The card's actions as typed commands: ``/oppakken``, ``/vraag TEXT``, ``/bericht TEXT``,
``/doorsturen MUNICIPALITY|PARTNER [NOTE]``, ``/afhandelen [TEXT]``, ``/heropenen`` (English aliases too).

Which report: the one whose card the command replies to, or whose forum topic it is sent in; or a reference as
the first word (``/oppakken EPE-7K3Q``), which also works in a private chat with the bot.

Pitfalls:
- No second implementation: after authorization a command becomes the same action a button would be
  (handlers.staff.actions.act), with the report's current status as the drawn status; a text typed with the
  command goes to the same preview, and only its Send button reaches the resident.
- Authorization is the buttons' (handlers.staff.common.actor_for): a registered staff member of another
  municipality, or in the wrong chat, is refused with a reply and an event. Anyone else is ignored in a staff
  group, and in a private chat their command is left to the resident handlers.
"""

from __future__ import annotations

import re
from html import escape

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.reports.drafts import normalise_reference
from bot.staff.auth import is_staff
from bot.staff.queries import report_by_reference, report_of_card
from bot.storage.models import Report
from handlers.common import Context, services
from handlers.staff.actions import act
from handlers.staff.common import actor_for, municipality_names, staff_translator

# command → the press it stands for (the Dutch name first: it is the one staff see in the README and help)
COMMANDS: dict[str, tuple[str, ...]] = {
    "take": ("oppakken", "take"),
    "ask": ("vraag", "ask"),
    "message": ("bericht", "message"),
    "transfer": ("doorsturen", "forward"),
    "close": ("afhandelen", "close"),
    "reopen": ("heropenen", "reopen"),
}
NAMES: list[str] = [name for names in COMMANDS.values() for name in names]
_ACTION_OF: dict[str, str] = {name: action for action, names in COMMANDS.items() for name in names}
_REFERENCE = re.compile(r"[A-Z]{2,4}-[0-9A-Z]{4}")
# What staff may type after /doorsturen for a partner (keys of bot.workflow.engine.PARTNERS).
PARTNER_WORDS: dict[str, str] = {
    "politie": "police",
    "police": "police",
    "veilig-thuis": "veilig-thuis",
    "veiligthuis": "veilig-thuis",
    "wijkteam": "wijkteam",
    "jongerenwerk": "jongerenwerk",
}


def _split(message_text: str) -> tuple[str, str]:
    """``/cmd@bot rest`` → (``cmd``, ``rest``), newlines in the rest kept."""
    head, _, rest = message_text.strip().partition(" ")
    if "\n" in head:  # "/vraag\nText"
        head, _, more = head.partition("\n")
        rest = more + (" " + rest if rest else "")
    return head.lstrip("/").split("@")[0].lower(), rest.strip()


def _first_word(text: str) -> tuple[str, str]:
    word, _, rest = text.partition(" ")
    if "\n" in word:
        word, _, more = word.partition("\n")
        rest = more + (" " + rest if rest else "")
    return word, rest.strip()


async def _report_here(update: Update, context: Context, rest: str) -> tuple[Report | None, str]:
    """The report the command is about, and the rest of its text (after a reference, if one was given)."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    db = services(context).db
    word, after = _first_word(rest)
    if word and _REFERENCE.fullmatch(normalise_reference(word)):
        report = await report_by_reference(db, word)
        if report is not None:
            return report, after
    if chat.type == "private":
        return None, rest
    anchors = []
    if message.reply_to_message is not None:
        anchors.append(message.reply_to_message.message_id)
    if message.is_topic_message and message.message_thread_id is not None:
        anchors.append(message.message_thread_id)
    for anchor in anchors:
        report = await report_of_card(db, chat.id, anchor)
        if report is not None:
            return report, rest
    return None, rest


def _target(context: Context, text: str) -> tuple[str, str | None, str | None]:
    """``/doorsturen`` arguments → (press action, its argument, note): a municipality, a partner or a choice."""
    if not text:
        return "transfer", None, None
    lowered = text.lower()
    if lowered.startswith("veilig thuis"):
        return "pt", "veilig-thuis", text[len("veilig thuis") :].strip() or None
    word, rest = _first_word(text)
    key = word.lower().strip(".,:;")
    for municipality, name in municipality_names(context).items():
        if key in (municipality, name.lower()):
            return "to", municipality, None
    partner = PARTNER_WORDS.get(key)
    if partner is not None:
        return "pt", partner, rest or None
    return "to", key, None  # refused as a bad target, and recorded


async def staff_command(update: Update, context: Context) -> None:
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None or not message.text:
        return
    svc = services(context)
    if not await is_staff(svc.db, svc.settings.admin_user_ids, user.id):
        if chat.type == "private":
            return  # a resident's command: not staff work
        raise ApplicationHandlerStop  # the bot ignores non-staff in staff groups
    name, rest = _split(message.text)
    action = _ACTION_OF[name]
    report, text = await _report_here(update, context, rest)
    t = staff_translator(context)
    if report is None:
        hint = t.gettext(
            "Which report? Reply to its card, send the command in its topic, or add the reference: /{command} {example}"
        ).format(command=name, example="EPE-7K3Q")
        await message.reply_text(escape(hint))
        raise ApplicationHandlerStop
    actor = await actor_for(update, context, report, action)
    if actor is None:
        raise ApplicationHandlerStop
    arg: str | None = None
    typed: str | None = text or None
    if action == "transfer":
        action, arg, typed = _target(context, text)
    elif action == "close" and typed is not None:
        action = "own"  # a closing text of one's own; without text, the standard texts to choose from
    await act(update, context, report, actor, action, arg, typed)
    raise ApplicationHandlerStop
