"""The error handler: log first (without message text), answer a pending button press, then tell the resident
something went wrong."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError

from handlers.common import Context, translator

log = logging.getLogger("handlers.errors")


async def error_handler(update: object, context: Context) -> None:
    # Log the exception with the update's id only: the update holds resident text and identity.
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("Error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        # Stop the button's spinner if the failed handler had not answered yet (a second answer is refused).
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    if update.effective_chat is None:
        return
    try:
        t = await translator(update, context)
        await context.bot.send_message(
            update.effective_chat.id,
            t.gettext(
                "Sorry, something went wrong on our side. Please try again in a moment.\n<b>In danger? Call 112.</b>"
            ),
        )
    except Exception:  # the error path must never raise again
        log.exception("Could not tell the user about the error")
