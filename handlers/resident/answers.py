"""Answering free text: crisis first, then answer / did-you-mean / honest fallback; topic menus; 👍/👎;
"More"; edited messages (crisis check only); photos and locations outside a report.

Pitfalls:
- A possible crisis (``Decision.concern``) never replaces the reply: the reply opens with that class's crisis
  lines and an "I need help now" button (:func:`crisis_help_pressed` shows the full guidance).
- The last topic answered in a chat is stored (bot.residents.topics: it survives a restart and a standby taking
  over). Anything else the bot says in reply to free text clears it.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.answering.decision import URGENCY_TOPIC
from bot.answering.feedback import count_feedback, record_missed
from bot.i18n.catalogs import Translator
from bot.reports.queries import resident_municipality
from bot.triage.guidance import crisis_lines, crisis_text
from bot.triage.rules import Urgency
from handlers.callbacks import (
    CallbackData,
    CrisisHelpPress,
    FeedbackPress,
    MenuPress,
    MorePress,
    NoneOfThesePress,
    ReportPress,
    ThemePress,
    TopicPress,
)
from handlers.common import Context, inline, language, last_topics, reject_press, reply, services, translator
from handlers.flow_control import urgent
from handlers.resident.menus import THEME_LABELS, theme_menu, welcome_text
from knowledge.render import render_answer


async def remember_topic(update: Update, context: Context, topic_id: str | None) -> None:
    """Note (or with ``None`` forget) the topic the bot last answered with in this chat."""
    if update.effective_chat is not None:
        await last_topics(context).set(update.effective_chat.id, topic_id)


async def _last_topic(update: Update, context: Context) -> str | None:
    return await last_topics(context).get(update.effective_chat.id) if update.effective_chat is not None else None


def _help_row(t: Translator, concern: Urgency | None) -> list[list[tuple[str, CallbackData]]]:
    return [[(t.gettext("🆘 I need help now"), CrisisHelpPress(concern))]] if concern else []


def _with_concern(t: Translator, concern: Urgency | None, text: str) -> str:
    """A reply to a possible crisis opens with that class's crisis lines."""
    return f"{crisis_lines(concern, t)}\n\n{text}" if concern else text


def topic_keyboard(
    t: Translator,
    context: Context,
    topic_id: str,
    *,
    feedback: bool = True,
    more: bool = False,
    concern: Urgency | None = None,
) -> InlineKeyboardMarkup:
    kb = services(context).kb
    topic = kb.topics[topic_id]
    rows = _help_row(t, concern)
    if feedback:
        rows.append(
            [
                (t.gettext("👍 Yes"), FeedbackPress(topic_id, helpful=True)),
                (t.gettext("👎 No"), FeedbackPress(topic_id, helpful=False)),
            ]
        )
    if more:
        rows.append([(t.gettext("📖 More"), MorePress(topic_id))])
    if topic.report:
        rows.append([(t.gettext("📝 Report a concern"), ReportPress(topic.report))])
    for related in topic.related[:3]:
        if related in kb.topics:
            rows.append([("↪ " + kb.topics[related].lang(t.lang).title, TopicPress(related))])
    rows.append([(t.gettext("☰ All themes"), MenuPress())])
    return inline(rows)


async def send_topic(update: Update, context: Context, topic_id: str, concern: Urgency | None = None) -> None:
    """The answer's first screen (with "More" when there is a rest), opened by the crisis lines of a concern."""
    t = await translator(update, context)
    kb = services(context).kb
    text = t.gettext("Did this help?")
    answer = render_answer(kb.topics[topic_id], kb, t.lang, t.gettext)
    keyboard = topic_keyboard(t, context, topic_id, more=answer.rest is not None, concern=concern)
    await reply(update, _with_concern(t, concern, f"{answer.first}\n\n<i>{text}</i>"), keyboard)
    await remember_topic(update, context, topic_id)


async def _send_same_topic(update: Update, context: Context, topic_id: str, concern: Urgency | None) -> None:
    """The same topic as the answer just above: point to it instead of sending it again."""
    t = await translator(update, context)
    kb = services(context).kb
    topic = kb.topics[topic_id]
    rows = _help_row(t, concern)
    if render_answer(topic, kb, t.lang, t.gettext).rest is not None:
        rows.append([(t.gettext("📖 More"), MorePress(topic_id))])
    if topic.report:
        rows.append([(t.gettext("📝 Report a concern"), ReportPress(topic.report))])
    rows.append([(t.gettext("☰ All themes"), MenuPress())])
    text = t.gettext(
        "My answer to that is the message above (<b>{title}</b>). You can read more, report a concern, "
        "or choose another theme. Or ask your question in other words."
    ).format(title=escape(topic.lang(t.lang).title))
    await reply(update, _with_concern(t, concern, text), inline(rows))


async def _send_crisis(update: Update, context: Context, urgency: Urgency, t: Translator) -> None:
    rows: list[list[tuple[str, CallbackData]]] = []
    topic = URGENCY_TOPIC[urgency]
    if topic in services(context).kb.topics:
        rows.append([(t.gettext("Read more about this"), TopicPress(topic))])
    rows.append([(t.gettext("☰ Continue with other questions"), MenuPress())])
    with urgent():  # jumps the queue of ordinary replies under load
        await reply(update, crisis_text(urgency, t), inline(rows))
    await remember_topic(update, context, None)


async def send_crisis_if_urgent(update: Update, context: Context, text: str | None) -> bool:
    """The crisis guidance when ``text`` is urgent (True), else nothing (False). For every path that takes
    words the answerer does not see (captions, a report whose draft is gone)."""
    if not text:
        return False
    urgency = services(context).answerer.assess(text).urgency
    if urgency is None:
        return False
    await _send_crisis(update, context, urgency, await translator(update, context))
    return True


async def _send_fallback(
    update: Update, context: Context, t: Translator, question: str = "", concern: Urgency | None = None
) -> None:
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
            # No verified website (Epe): overheid.nl lists every municipality's contact details.
            who = t.gettext(
                "For other questions, please contact the municipality of {name}. You find its contact details "
                "on overheid.nl, under 'Overheidsorganisaties'."
            ).format(name=escape(municipality.name))
    else:
        websites = ", ".join(f"{m.name} ({m.website or 'overheid.nl'})" for m in svc.municipalities.municipalities)
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
    help_row = inline(_help_row(t, concern)).inline_keyboard
    menu = theme_menu(t).inline_keyboard
    report_row = ((InlineKeyboardButton(t.gettext("📝 Report a concern"), callback_data=ReportPress().encode()),),)
    await reply(update, _with_concern(t, concern, text), InlineKeyboardMarkup(help_row + menu + report_row))
    await remember_topic(update, context, None)


async def free_text(update: Update, context: Context) -> None:
    """A resident's own words in a private chat."""
    message = update.effective_message
    if message is None or not message.text:
        return
    t = await translator(update, context)
    svc = services(context)
    decision = svc.answerer.decide(message.text)
    if decision.action != "answer":
        await remember_topic(update, context, None)
    if decision.action == "urgent" and decision.urgency is not None:
        await _send_crisis(update, context, decision.urgency, t)
    elif decision.action == "answer" and decision.topic:
        if decision.topic == await _last_topic(update, context):
            await _send_same_topic(update, context, decision.topic, decision.concern)
        else:
            await send_topic(update, context, decision.topic, decision.concern)
    elif decision.action == "clarify":
        await record_missed(svc.db, message.text, t.lang, "clarify")
        rows = _help_row(t, decision.concern)
        rows += [[(svc.kb.topics[c.topic].lang(t.lang).title, TopicPress(c.topic))] for c in decision.candidates[:3]]
        rows.append([(t.gettext("None of these"), NoneOfThesePress())])
        question = t.gettext("I'm not sure I understand. Did you mean one of these?")
        await reply(update, _with_concern(t, decision.concern, question), inline(rows))
    elif decision.small_talk == "greeting":
        user = update.effective_user
        await reply(update, welcome_text(t, user.first_name if user else ""), theme_menu(t))
    elif decision.small_talk == "thanks":
        await reply(update, t.gettext("You're welcome! Ask me anything else, or choose a theme:"), theme_menu(t))
    else:
        await record_missed(svc.db, message.text, t.lang, "fallback")
        await _send_fallback(update, context, t, message.text, decision.concern)


async def media_outside_flow(update: Update, context: Context) -> None:
    """A photo or location outside a report (private chat). A caption is triaged first: crisis guidance for
    an urgent one; otherwise what the bot can do with a photo or place: use it in a report."""
    message = update.effective_message
    if message is None:
        return
    caption = message.caption
    if await send_crisis_if_urgent(update, context, caption):
        return
    t = await translator(update, context)
    concern = services(context).answerer.assess(caption).concern if caption else None
    text = t.gettext(
        "I can't do anything with a photo or a location on its own. Want to pass on a concern to your "
        "municipality? Start a report with /melding (or the button below): you can add photos and the place "
        "there. Do you have a question? Type it in words."
    )
    rows = _help_row(t, concern)
    rows += [[(t.gettext("📝 Report a concern"), ReportPress())], [(t.gettext("☰ All themes"), MenuPress())]]
    await reply(update, _with_concern(t, concern, text), inline(rows))
    await remember_topic(update, context, None)


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
    if decision.action == "urgent" and decision.urgency is not None:
        await _send_crisis(update, context, decision.urgency, t)
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
    shown = query.message.reply_markup if isinstance(query.message, Message) else None
    if shown is not None:  # the other buttons ("More", "I need help now") stay as they are
        markup = _without(shown, FeedbackPress)
    else:
        markup = topic_keyboard(t, context, topic_id, feedback=False)
    await query.edit_message_reply_markup(reply_markup=markup)


def _without(markup: InlineKeyboardMarkup, kind: type[CallbackData]) -> InlineKeyboardMarkup:
    """``markup`` without the buttons of one kind (rows left empty are dropped)."""
    rows = [[b for b in row if not kind.matches(b.callback_data)] for row in markup.inline_keyboard]
    return InlineKeyboardMarkup([row for row in rows if row])


async def more_pressed(update: Update, context: Context) -> None:
    """ "More": the rest of the answer as a new message; the button goes from the first screen."""
    query = update.callback_query
    if query is None:
        return
    press = MorePress.decode(query.data)
    kb = services(context).kb
    if press is None or press.topic not in kb.topics:
        await reject_press(update, context)
        return
    await query.answer()
    t = await translator(update, context)
    topic = kb.topics[press.topic]
    answer = render_answer(topic, kb, t.lang, t.gettext)
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        await query.edit_message_reply_markup(reply_markup=_without(query.message.reply_markup, MorePress))
    rows: list[list[tuple[str, CallbackData]]] = []
    if topic.report:
        rows.append([(t.gettext("📝 Report a concern"), ReportPress(topic.report))])
    rows.append([(t.gettext("☰ All themes"), MenuPress())])
    # The content may have changed since the button was sent so that it all fits now: then show it all.
    await reply(update, answer.rest or answer.first, inline(rows))
    await remember_topic(update, context, press.topic)


async def crisis_help_pressed(update: Update, context: Context) -> None:
    """ "I need help now" under a reply to a possible crisis: the full crisis guidance of that class."""
    query = update.callback_query
    if query is None:
        return
    press = CrisisHelpPress.decode(query.data)
    if press is None:
        await reject_press(update, context)
        return
    await query.answer()
    await _send_crisis(update, context, press.urgency, await translator(update, context))
