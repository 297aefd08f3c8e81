"""/start, /help, /taal (/language) and /privacy."""

from __future__ import annotations

from telegram import Update

from bot.i18n.catalogs import SUPPORTED_LANGUAGES
from handlers.callbacks import LanguagePress
from handlers.common import Context, inline, preferences, reject_press, reply, services, translator
from handlers.resident.answers import send_topic
from handlers.resident.menus import theme_menu, welcome_text

LANGUAGE_NAMES = {"nl": "🇳🇱 Nederlands", "en": "🇬🇧 English"}


async def start(update: Update, context: Context) -> None:
    """Welcome; with a deep-link payload (``/start <topic-id>``) open that topic directly."""
    t = await translator(update, context)
    if context.args:
        topic_id = context.args[0]
        if topic_id in services(context).kb.topics:
            await send_topic(update, context, topic_id)
            return
    user = update.effective_user
    await reply(update, welcome_text(t, user.first_name if user else ""), theme_menu(t))


async def help_command(update: Update, context: Context) -> None:
    t = await translator(update, context)
    text = t.gettext(
        "<b>How to use this bot</b>\n"
        "Type a question in your own words, in Dutch or English, for example "
        '<i>"I clicked a link in a text from the bank"</i>.\n\n'
        "/start – themes and topics\n"
        "/melding – forward a non-urgent concern to your municipality\n"
        "/mijnmeldingen – your reports and their status\n"
        "/taal – choose Nederlands or English\n"
        "/privacy – what is stored and how to delete it\n"
        "/cancel – stop what you are doing\n\n"
        "<b>Danger now? Call 112.</b> Thoughts of suicide? Call 113 or 0800-0113 (free, 24/7)."
    )
    await reply(update, text, theme_menu(t))


async def nothing_to_cancel(update: Update, context: Context) -> None:
    """/cancel (/annuleer, /stop) outside a report."""
    t = await translator(update, context)
    await reply(update, t.gettext("There is nothing to cancel. Type a question, or start a report with /melding."))


async def language_menu(update: Update, context: Context) -> None:
    t = await translator(update, context)
    buttons = [[(LANGUAGE_NAMES[lang], LanguagePress(lang)) for lang in SUPPORTED_LANGUAGES]]
    await reply(update, t.gettext("Choose your language:"), inline(buttons))


async def language_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    press = LanguagePress.decode(query.data)
    if press is None:
        await reject_press(update, context)
        return
    lang = press.lang
    await preferences(context).set(user.id, lang)
    t = services(context).catalogs.get(lang)
    await query.answer()
    await query.edit_message_text(t.gettext("Language set: English. You can change it any time with /taal."))
    await reply(update, welcome_text(t, user.first_name), theme_menu(t))


async def chat_id(update: Update, context: Context) -> None:
    """/chatid in a group: helps the operator link a staff group (`veiligbot municipality link`)."""
    chat = update.effective_chat
    if chat is None:
        return
    t = await translator(update, context)
    await reply(
        update,
        t.gettext(
            "This chat's id is <code>{chat_id}</code>. To send a municipality's reports here, the operator runs:\n"
            "<code>veiligbot municipality link MUNICIPALITY {chat_id}</code>"
        ).format(chat_id=chat.id),
    )


async def privacy(update: Update, context: Context) -> None:
    t = await translator(update, context)
    text = t.gettext(
        "<b>Privacy</b>\n"
        "This bot is run by the municipalities of Elburg, Epe, Hattem, Heerde, Nunspeet and Oldebroek.\n\n"
        "<b>When you ask a question</b>\n"
        "• We store your language choice, linked to your Telegram user id (not your phone number), so the bot "
        "answers in your language.\n"
        "• Questions the bot could not answer are kept for at most 30 days <i>without</i> any link to you, "
        "so editors can improve the answers. 👍/👎 are counted anonymously.\n\n"
        "<b>When you file a report</b>\n"
        "• Your description, place, photos and the contact details you choose to give go to the staff of "
        "your municipality. They never see your Telegram name or account.\n"
        "• Only if you want updates do we keep the link to this chat; otherwise the report keeps no link "
        "to you at all.\n\n"
        "<b>Your rights</b>\n"
        "/mijngegevens – see what is stored about you\n"
        "/verwijder – delete your data\n\n"
        "Telegram itself also processes your messages; see Telegram's privacy policy. "
        "For full anonymity (not even Telegram) use Meld Misdaad Anoniem: 0800-7000."
    )
    await reply(update, text)
