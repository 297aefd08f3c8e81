"""The error handler: log first (without message text), then tell the resident something went wrong."""

from __future__ import annotations

import logging

from telegram import Update

from handlers.common import Context, translator

log = logging.getLogger("handlers.errors")


async def error_handler(update: object, context: Context) -> None:
    # Log the exception with the update's id only: the update holds resident text and identity.
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("Error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
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
