"""Small helpers every handler uses: the typed context, the resident's language, keyboards, safe sending,
answering button presses.

Pitfalls:
- Resident-supplied text (names, descriptions, places) must go through :func:`html.escape` before it is put
  into an HTML message; helpers here never escape for you.
- Telegram shows a spinner until a button press is answered, and refuses a second answer: every callback
  answers its query exactly once, :func:`unknown_press` answers whatever no handler took.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.i18n.catalogs import Lang, Translator, pick_language
from bot.outbox.delivery import Outbox
from bot.outbox.email import EmailOutbox
from bot.outbox.messages import MessageOutbox
from bot.residents.preferences import LanguagePreferences
from bot.residents.topics import LastTopics
from bot.services import Services
from handlers.callbacks import CallbackData

log = logging.getLogger(__name__)


class BotData:
    """``context.bot_data`` of every callback (``ContextTypes(bot_data=BotData)`` in bot/app.py).

    Pitfall: PTB creates it itself, with no arguments, inside ``ApplicationBuilder.build()``, so it starts
    empty: ``build_application`` fills it (:meth:`fill`), ``handlers.jobs.schedule_jobs`` adds the outbox in
    ``post_init``. Reading a field that is not filled yet raises instead of returning ``None``.
    """

    __slots__ = ("_email", "_messages", "_outbox", "_preferences", "_services", "_topics")

    def __init__(self) -> None:
        self._services: Services | None = None
        self._preferences: LanguagePreferences | None = None
        self._topics: LastTopics | None = None
        self._outbox: Outbox | None = None
        self._messages: MessageOutbox | None = None
        self._email: EmailOutbox | None = None

    def fill(self, services: Services) -> None:
        self._services = services
        self._topics = LastTopics(services.db)
        self._preferences = LanguagePreferences(services.db, self._topics)

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("bot_data.services is used before build_application filled it")
        return self._services

    @property
    def preferences(self) -> LanguagePreferences:
        if self._preferences is None:
            raise RuntimeError("bot_data.preferences is used before build_application filled it")
        return self._preferences

    @property
    def topics(self) -> LastTopics:
        if self._topics is None:
            raise RuntimeError("bot_data.topics is used before build_application filled it")
        return self._topics

    @property
    def outbox(self) -> Outbox | None:
        """The staff-card outbox; ``None`` until the jobs are scheduled (post_init)."""
        return self._outbox

    @outbox.setter
    def outbox(self, outbox: Outbox) -> None:
        self._outbox = outbox

    @property
    def messages(self) -> MessageOutbox | None:
        """The message outbox (resident messages, card edits, thread posts); ``None`` until post_init."""
        return self._messages

    @messages.setter
    def messages(self, messages: MessageOutbox) -> None:
        self._messages = messages

    @property
    def email(self) -> EmailOutbox | None:
        """The e-mail outbox; ``None`` until post_init, and without ``SMTP_HOST``."""
        return self._email

    @email.setter
    def email(self, email: EmailOutbox | None) -> None:
        self._email = email


# ExtBot[int]: the bot's rate limiter (PriorityRateLimiter) takes an int per call (max retries).
Context = CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]
App = Application[ExtBot[int], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Context]]
"""The application as bot/app.py builds it (``context_types`` and the job queue included)."""


def services(context: Context) -> Services:
    return context.bot_data.services


def preferences(context: Context) -> LanguagePreferences:
    return context.bot_data.preferences


def last_topics(context: Context) -> LastTopics:
    return context.bot_data.topics


async def language(update: Update, context: Context) -> Lang:
    user = update.effective_user
    if user is None:
        return pick_language(None, None, services(context).settings.default_language)
    stored = await preferences(context).get(user.id)
    return pick_language(stored, user.language_code, services(context).settings.default_language)


async def translator(update: Update, context: Context) -> Translator:
    return services(context).catalogs.get(await language(update, context))


def inline(rows: Sequence[Sequence[tuple[str, CallbackData]]]) -> InlineKeyboardMarkup:
    """Inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data.encode()) for label, data in row] for row in rows]
    )


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
    """Reply in the chat of the update, whether it came from a message or a button press."""
    message = update.effective_message
    if message is None:
        return None
    return await message.reply_text(text, reply_markup=markup)


async def reject_press(update: Update, context: Context) -> None:
    """Answer a press that cannot act (invalid data, or valid but not for the current state) with an alert.

    Changes nothing and sends no message: the alert is the whole answer.
    """
    query = update.callback_query
    if query is None:
        return
    t = await translator(update, context)
    await query.answer(
        t.gettext("This button no longer works. Please use the buttons of the latest message."), show_alert=True
    )


async def unknown_press(update: Update, context: Context) -> None:
    """The catch-all, registered last: a press no handler took (forged, stale, or of an old bot version)."""
    # Only that it happened: the data may be anything a modified client sent.
    log.info("Answered a button press that no handler took")
    await reject_press(update, context)
