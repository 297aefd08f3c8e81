"""Small helpers every handler uses: the services, the resident's language, keyboards, safe sending.

Pitfall: resident-supplied text (names, descriptions, places) must go through :func:`html.escape`
before it is put into an HTML message; helpers here never escape for you.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.i18n.catalogs import Lang, Translator, pick_language
from bot.residents.preferences import LanguagePreferences
from bot.services import Services

Context = ContextTypes.DEFAULT_TYPE


def services(context: Context) -> Services:
    return cast(Services, context.bot_data["services"])


def preferences(context: Context) -> LanguagePreferences:
    return cast(LanguagePreferences, context.bot_data["preferences"])


async def language(update: Update, context: Context) -> Lang:
    user = update.effective_user
    if user is None:
        return pick_language(None, None, services(context).settings.default_language)
    stored = await preferences(context).get(user.id)
    return pick_language(stored, user.language_code, services(context).settings.default_language)


async def translator(update: Update, context: Context) -> Translator:
    return services(context).catalogs.get(await language(update, context))


def inline(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
    """Reply in the chat of the update, whether it came from a message or a button press."""
    message = update.effective_message
    if message is None:
        return None
    return await message.reply_text(text, reply_markup=markup)
