"""The theme menu shown by /start, /help, the fallback and "all themes"."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import N_, Translator
from handlers.callbacks import pack
from handlers.common import inline

THEME_LABELS = {
    "digital": N_("🔐 Online safety and fraud"),
    "youth": N_("🧒 Young people and safety"),
    "undermining": N_("🕵️ Ondermijning (organised crime)"),
    "general": N_("ℹ️ Emergencies, police, municipality, privacy"),
}


def theme_menu(t: Translator) -> InlineKeyboardMarkup:
    return inline([[(t.gettext(label), pack("theme", theme))] for theme, label in THEME_LABELS.items()])
