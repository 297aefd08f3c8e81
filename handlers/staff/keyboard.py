"""Abstract buttons (bot.outbox.views.Button) as Telegram inline keyboards, through the typed codecs."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.outbox.views import Button, Buttons
from handlers.callbacks import (
    RESIDENT_ACTIONS,
    STAFF_ACTIONS,
    CallbackData,
    ResidentPress,
    StaffPress,
)


def encode(button: Button) -> CallbackData:
    """The typed callback data of a button (``ValueError`` for an action no codec knows)."""
    if button.kind == "resident":
        action = next(a for a in RESIDENT_ACTIONS if a == button.action)
        return ResidentPress(action, button.report_id)
    staff_action = next((a for a in STAFF_ACTIONS if a == button.action), None)
    if staff_action is None:
        raise ValueError(f"no staff action {button.action!r}")
    return StaffPress(staff_action, button.report_id, button.status)


def markup(rows: Buttons) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=encode(b).encode()) for b in row] for row in rows]
    )
