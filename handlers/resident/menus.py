"""The welcome text and the theme menu (shown by /start, /help, a greeting, the fallback and "all themes")."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup

from bot.i18n.catalogs import N_, Translator
from handlers.callbacks import ThemePress
from handlers.common import inline
from knowledge.schema import Theme

THEME_LABELS: dict[Theme, str] = {
    "digital": N_("🔐 Online safety and fraud"),
    "youth": N_("🧒 Young people and safety"),
    "undermining": N_("🕵️ Ondermijning (organised crime)"),
    "general": N_("ℹ️ Emergencies, police, municipality, privacy"),
}


def theme_menu(t: Translator) -> InlineKeyboardMarkup:
    return inline([[(t.gettext(label), ThemePress(theme))] for theme, label in THEME_LABELS.items()])


def welcome_text(t: Translator, first_name: str) -> str:
    return t.gettext(
        "Hello {name}! I am the safety assistant of the municipalities of Elburg, Epe, Hattem, Heerde, "
        "Nunspeet and Oldebroek.\n\n"
        "<b>What I can do</b>\n"
        "• answer your questions about online safety and fraud, young people, and ondermijning "
        "(organised crime such as drug labs and human trafficking);\n"
        "• forward a non-urgent concern to your municipality: /melding\n\n"
        "<b>What I don't do</b>\n"
        "I am not an emergency service and I cannot send help.\n"
        "<b>In danger? Call 112.</b>\n\n"
        "Privacy: I keep as little as possible about you. Read more: /privacy\n\n"
        "Type your question in your own words, or choose a theme:"
    ).format(name=escape(first_name))
