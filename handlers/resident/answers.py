"""Answering free text: crisis first, then answer / did-you-mean / honest fallback; topic menus; 👍/👎;
edited messages (crisis check only)."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.answering.decision import Decision
from bot.answering.feedback import count_feedback, record_missed
from bot.i18n.catalogs import Translator
from bot.reports.queries import resident_municipality
from bot.triage.guidance import crisis_text
from handlers.callbacks import (
    CallbackData,
    FeedbackPress,
    MenuPress,
    NoneOfThesePress,
    ReportPress,
    ThemePress,
    TopicPress,
)
from handlers.common import Context, inline, language, reject_press, reply, services, translator
from handlers.resident.menus import THEME_LABELS, theme_menu, welcome_text
from knowledge.render import render_topic


def topic_keyboard(t: Translator, context: Context, topic_id: str, *, feedback: bool = True) -> InlineKeyboardMarkup:
    kb = services(context).kb
    topic = kb.topics[topic_id]
    rows: list[list[tuple[str, CallbackData]]] = []
    if feedback:
        rows.append(
            [
                (t.gettext("👍 Yes"), FeedbackPress(topic_id, helpful=True)),
                (t.gettext("👎 No"), FeedbackPress(topic_id, helpful=False)),
            ]
        )
    if topic.report:
        rows.append([(t.gettext("📝 Report a concern"), ReportPress(topic.report))])
    for related in topic.related[:3]:
        if related in kb.topics:
            rows.append([("↪ " + kb.topics[related].lang(t.lang).title, TopicPress(related))])
    rows.append([(t.gettext("☰ All themes"), MenuPress())])
    return inline(rows)


async def send_topic(update: Update, context: Context, topic_id: str) -> None:
    t = await translator(update, context)
    kb = services(context).kb
    text = t.gettext("Did this help?")
    body = render_topic(kb.topics[topic_id], kb, t.lang, t.gettext)
    await reply(update, f"{body}\n\n<i>{text}</i>", topic_keyboard(t, context, topic_id))


async def _send_crisis(update: Update, context: Context, decision: Decision, t: Translator) -> None:
    assert decision.urgency is not None
    rows: list[list[tuple[str, CallbackData]]] = []
    if decision.topic and decision.topic in services(context).kb.topics:
        rows.append([(t.gettext("Read more about this"), TopicPress(decision.topic))])
    rows.append([(t.gettext("☰ Continue with other questions"), MenuPress())])
    await reply(update, crisis_text(decision.urgency, t), inline(rows))


async def _send_fallback(update: Update, context: Context, t: Translator, question: str = "") -> None:
    """Honest "I don't know": who can help (the resident's municipality when known), the menu, a report."""
    svc = services(context)
    chat = update.effective_chat
    municipality_id = await resident_municipality(svc.db, svc.router, question, chat.id if chat else None)
    if municipality_id is not None:
        municipality = svc.municipalities.get(municipality_id)
        if municipality.website:
            who = t.gettext("For other questions, please contact the municipality of {name}: {website}").format(
                name=escape(municipality.name), website=escape(municipality.website)
            )
        else:
            who = t.gettext("For other questions, please contact the municipality of {name} via its website.").format(
                name=escape(municipality.name)
            )
    else:
        websites = ", ".join(
            f"{m.name} ({m.website})" if m.website else m.name for m in svc.municipalities.municipalities
        )
        who = t.gettext("For other questions, please contact your own municipality: {websites}.").format(
            websites=escape(websites)
        )
    text = (
        t.gettext(
            "I'm sorry, I can't answer that question. I only know about online safety and fraud, young people "
            "and safety, and ondermijning."
        )
        + "\n\n"
        + who
        + "\n\n"
        + t.gettext("<b>Danger now? Call 112.</b> Police without urgency: 0900-8844.")
    )
    menu = theme_menu(t).inline_keyboard
    report_row = ((InlineKeyboardButton(t.gettext("📝 Report a concern"), callback_data=ReportPress().encode()),),)
    await reply(update, text, InlineKeyboardMarkup(menu + report_row))


async def free_text(update: Update, context: Context) -> None:
    """A resident's own words in a private chat."""
    message = update.effective_message
    if message is None or not message.text:
        return
    t = await translator(update, context)
    svc = services(context)
    decision = svc.answerer.decide(message.text)
    if decision.action == "urgent":
        await _send_crisis(update, context, decision, t)
    elif decision.action == "answer" and decision.topic:
        await send_topic(update, context, decision.topic)
    elif decision.action == "clarify":
        await record_missed(svc.db, message.text, t.lang, "clarify")
        rows: list[list[tuple[str, CallbackData]]] = [
            [(svc.kb.topics[c.topic].lang(t.lang).title, TopicPress(c.topic))] for c in decision.candidates[:3]
        ]
        rows.append([(t.gettext("None of these"), NoneOfThesePress())])
        await reply(update, t.gettext("I'm not sure I understand. Did you mean one of these?"), inline(rows))
    elif decision.small_talk == "greeting":
        user = update.effective_user
        await reply(update, welcome_text(t, user.first_name if user else ""), theme_menu(t))
    elif decision.small_talk == "thanks":
        await reply(update, t.gettext("You're welcome! Ask me anything else, or choose a theme:"), theme_menu(t))
    else:
        await record_missed(svc.db, message.text, t.lang, "fallback")
        await _send_fallback(update, context, t, message.text)


async def edited_message(update: Update, context: Context) -> None:
    """A resident edited an earlier message (private chat, text or caption).

    Policy: an edit is not new input. It never moves the report flow, never runs a command and is never
    answered as a question, because the bot has usually acted on the original already and an edit would
    silently rewrite a report's description, place or contact. Only the crisis triage runs on it (the same
    decision as :func:`free_text`): a crisis gets the crisis guidance; anything else one short note to send
    a new message. Edits of a shared live location carry no text and are not handled at all.
    """
    message = update.edited_message
    text = (message.text or message.caption) if message else None
    if not text:
        return
    t = await translator(update, context)
    decision = services(context).answerer.decide(text)
    if decision.action == "urgent":
        await _send_crisis(update, context, decision, t)
        return
    await reply(update, t.gettext("I don't read edited messages. Please send your message again as a new message."))


async def topic_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    press = TopicPress.decode(query.data)
    if press is None or press.topic not in services(context).kb.topics:  # a topic removed since
        await reject_press(update, context)
        return
    await query.answer()
    await send_topic(update, context, press.topic)


async def theme_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    press = ThemePress.decode(query.data)
    topics = services(context).kb.by_theme(press.theme) if press else []
    if press is None or not topics:
        await reject_press(update, context)
        return
    await query.answer()
    t = await translator(update, context)
    rows: list[list[tuple[str, CallbackData]]] = [
        [(topic.lang(t.lang).title, TopicPress(topic.id))] for topic in topics
    ]
    rows.append([(t.gettext("☰ All themes"), MenuPress())])
    heading = t.gettext(THEME_LABELS[press.theme])
    await reply(update, f"<b>{heading}</b>\n" + t.gettext("Choose a topic:"), inline(rows))


async def menu_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    t = await translator(update, context)
    await reply(update, t.gettext("Choose a theme, or type your question:"), theme_menu(t))


async def none_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await _send_fallback(update, context, await translator(update, context))


async def feedback_pressed(update: Update, context: Context) -> None:
    """Anonymous count; the buttons are removed so one answer counts once."""
    query = update.callback_query
    if query is None:
        return
    press = FeedbackPress.decode(query.data)
    if press is None or press.topic not in services(context).kb.topics:
        await reject_press(update, context)
        return
    topic_id = press.topic
    t = services(context).catalogs.get(await language(update, context))
    await count_feedback(services(context).db, topic_id, helpful=press.helpful)
    await query.answer(t.gettext("Thank you for your feedback!"))
    await query.edit_message_reply_markup(reply_markup=topic_keyboard(t, context, topic_id, feedback=False))
