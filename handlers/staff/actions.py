"""Staff presses on a report's card, composing a text for the resident (with a preview first), and internal notes.

Flow of a question, message or closing text: the press opens a composition for this person in this chat
(bot.staff.queries.start_compose) and shows the standard texts of the report's category for that action
(knowledge/data/standard-texts.yaml, in Dutch) with "Own text". A standard text goes straight to the preview
(the resident gets it in their language); otherwise their next message in that chat is the text ("Own text"
asks for it with a reply prompt);
the bot shows a preview with Send / Cancel; Send applies the action (bot.workflow.engine) with the status the
card was drawn with, so a card that changed meanwhile refuses it as stale.

Pitfalls:
- Every press is authorized again on the server (handlers.staff.common.actor_for), also Send on a preview.
- A plain staff message that replies to a card (or is in the report's topic) is an internal note: stored as
  an event, never sent to the resident. Messages from anyone else in a staff group are ignored.
- The composition handler runs before the resident handlers (group -1) and stops them only when it used
  the message.
"""

from __future__ import annotations

from html import escape

from telegram import ForceReply, Update
from telegram.error import Forbidden
from telegram.ext import ApplicationHandlerStop

from bot.reports.drafts import CATEGORIES
from bot.staff.auth import Actor, is_staff
from bot.staff.card import pseudonym
from bot.staff.queries import (
    anything_pending,
    compose_of,
    end_compose,
    report_by_id,
    report_of_card,
    set_compose_text,
    start_compose,
)
from bot.storage.models import Report
from bot.workflow.engine import MAX_STAFF_TEXT, PARTNERS, TEXT_ACTION, Refused, plain
from bot.workflow.transitions import Action, Status, available
from handlers.callbacks import CallbackData, StaffPress
from handlers.common import Context, inline, preferences, services
from handlers.jobs import deliver_now
from handlers.staff.common import actor_for, alert, municipality_names, refusal_text, staff_translator, workflow
from handlers.staff.resident import resident_reply, resident_text
from knowledge.standard_texts import StandardText, StandardTexts

COMPOSED = (Action.ASK, Action.MESSAGE, Action.CLOSE, Action.FORWARD)
# The action of a standard-text or own-text press, in its button argument ("q-<text id>", "c").
TEXT_CODES: dict[str, Action] = {"q": Action.ASK, "m": Action.MESSAGE, "c": Action.CLOSE}
_CODE_OF = {action: code for code, action in TEXT_CODES.items()}


def _reachable(report: Report) -> bool:
    return report.updates == "chat" and report.resident_chat_id is not None and not report.resident_unreachable


async def _refuse(update: Update, context: Context, report: Report, actor: Actor, action: str, reason: str) -> None:
    await workflow(context).refuse(report.id, actor.event_actor, action, reason)
    await alert(update, context, refusal_text(context, reason))  # type: ignore[arg-type]
    deliver_now(context)


async def staff_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or update.effective_user is None or update.effective_chat is None:
        return
    press = StaffPress.decode(query.data)
    t = staff_translator(context)
    if press is None:
        await query.answer(t.gettext("This button no longer works."), show_alert=True)
        return
    report = await report_by_id(services(context).db, press.report_id)
    if report is None:
        await query.answer(refusal_text(context, "unknown-report"), show_alert=True)
        return
    actor = await actor_for(update, context, report, press.action)
    if actor is None:
        return
    if press.status != report.status:
        await _refuse(update, context, report, actor, press.action, "stale")
        return
    await act(update, context, report, actor, press.action, press.arg)


async def _ack(update: Update) -> None:
    """Answer a press (Telegram's spinner); a typed command needs nothing."""
    if update.callback_query is not None:
        await update.callback_query.answer()


async def act(
    update: Update,
    context: Context,
    report: Report,
    actor: Actor,
    action: str,
    arg: str | None = None,
    text: str | None = None,
) -> None:
    """One staff action on ``report`` by an authorized ``actor``, as drawn in the report's current status: the
    single path for presses and typed commands (handlers.staff.typed).

    ``text`` is a text typed with the command (a question, message, closing text or partner note): it goes
    straight to the preview, exactly as if it had been typed after the press.
    """
    assert update.effective_chat is not None and update.effective_user is not None
    status = Status(report.status)
    possible = set(available(status, actor.role, resident_reachable=_reachable(report)))
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    db = services(context).db
    t = staff_translator(context)

    if action in ("take", "reopen"):
        await _apply(update, context, report, actor, Action(action), status)
    elif action in ("ask", "message", "close"):
        chosen = Action(action)
        if chosen not in possible:
            await _refuse(update, context, report, actor, action, "illegal")
            return
        await _ack(update)
        # Typing right away is their own text (as "Own text" would); a standard text replaces the composition.
        await start_compose(db, user_id, chat_id, report.id, chosen, report.status)
        if text is None:
            await _text_picker(update, context, report, chosen)
        else:  # a typed command with its text: straight to the preview
            await _write_or_prompt(update, context, report, chosen, text, None)
    elif action == "tpl" or action == "own":
        code, _, text_id = (arg or "c").partition("-")
        chosen = TEXT_CODES.get(code, Action.CLOSE)
        if chosen not in possible:
            await _refuse(update, context, report, actor, chosen.value, "illegal")
            return
        if action == "own":
            await _ack(update)
            await start_compose(db, user_id, chat_id, report.id, chosen, report.status)
            await _write_or_prompt(update, context, report, chosen, text, None)
            return
        standard = services(context).texts.get(report.category, TEXT_ACTION[chosen], text_id)
        if standard is None:
            await alert(update, context, refusal_text(context, "missing-text"))
            return
        await _ack(update)
        await start_compose(db, user_id, chat_id, report.id, chosen, report.status, f"tpl:{standard.id}")
        body = _render_dutch(context, report, standard)
        await _preview(update, context, report, chosen, body, None, html=True)
    elif action == "transfer":
        if Action.TRANSFER not in possible and Action.FORWARD not in possible:
            await _refuse(update, context, report, actor, action, "illegal")
            return
        await _ack(update)
        await _forward_picker(update, context, report)
    elif action == "to":
        names = municipality_names(context)
        if arg not in names:
            await _refuse(update, context, report, actor, "transfer", "bad-target")
            return
        await _apply(update, context, report, actor, Action.TRANSFER, status, municipality=arg)
    elif action == "pt":
        if arg not in PARTNERS or Action.FORWARD not in possible:
            await _refuse(update, context, report, actor, "forward", "bad-target")
            return
        await _ack(update)
        await start_compose(db, user_id, chat_id, report.id, Action.FORWARD, report.status, arg)
        await _write_or_prompt(update, context, report, Action.FORWARD, text, arg)
    elif action == "send":
        await _send_composed(update, context, report, actor)
    elif action == "drop":
        await end_compose(db, user_id, chat_id)
        await _ack(update)
        if update.callback_query is not None:
            await update.callback_query.edit_message_text(escape(t.gettext("Cancelled: nothing was sent.")))
    elif action == "contact":
        await _show_contact(update, context, report, actor)
    elif action in ("link", "unlink"):
        await _link(update, context, report, actor, unlink=action == "unlink")


async def _link(update: Update, context: Context, report: Report, actor: Actor, *, unlink: bool) -> None:
    """One tap: link the report to the open one it resembles (that one is the main report), or undo it."""
    query = update.callback_query
    assert query is not None
    t = staff_translator(context)
    flow = workflow(context)
    try:
        if unlink:
            main = await flow.unlink(report.id, expected=Status(report.status), actor=actor)
            done = t.gettext("{reference} is no longer linked to {main}.")
        else:
            main = await flow.link(report.id, expected=Status(report.status), actor=actor)
            done = t.gettext("{reference} is linked to main report {main}.")
    except Refused as refused:
        await alert(update, context, refusal_text(context, refused.reason))
        deliver_now(context)
        return
    await query.answer(done.format(reference=report.reference, main=main))
    deliver_now(context)


async def _write_or_prompt(
    update: Update, context: Context, report: Report, action: Action, text: str | None, partner: str | None
) -> None:
    """With a text: store it in the open composition and show the preview; without: ask for the text."""
    if text is None:
        await _prompt(update, context, report, action)
        return
    assert update.effective_chat is not None and update.effective_user is not None
    await set_compose_text(services(context).db, update.effective_user.id, update.effective_chat.id, text)
    await _preview(update, context, report, action, text, partner)


async def _apply(
    update: Update,
    context: Context,
    report: Report,
    actor: Actor,
    action: Action,
    expected: Status,
    **kwargs: str | None,
) -> bool:
    t = staff_translator(context)
    try:
        await workflow(context).apply(report.id, action, expected=expected, actor=actor, **kwargs)  # type: ignore[arg-type]
    except Refused as refused:
        await alert(update, context, refusal_text(context, refused.reason))
        deliver_now(context)
        return False
    if update.callback_query is not None:
        await update.callback_query.answer(t.gettext("Done."))
    elif update.effective_message is not None:  # a typed command: the card may be far up (or in a topic)
        await update.effective_message.reply_text(escape(t.gettext("Done.")))
    deliver_now(context)
    return True


async def _prompt(update: Update, context: Context, report: Report, action: Action) -> None:
    t = staff_translator(context)
    chat = update.effective_chat
    assert chat is not None
    who = escape(pseudonym(report))
    if action == Action.ASK:
        text = t.gettext(
            "Type your question for {who}. Your next message in this chat is the question; "
            "you see it before it is sent."
        )
    elif action == Action.MESSAGE:
        text = t.gettext(
            "Type your message for {who}. Your next message in this chat is the message; you see it before it is sent."
        )
    elif action == Action.CLOSE:
        text = t.gettext(
            "Type the closing message for {who}. Your next message in this chat is the text; "
            "you see it before it is sent."
        )
    else:
        text = t.gettext(
            "Type a note for the partner about {who}: what they should know. It stays in the history; "
            "the resident is told in general terms."
        )
    await context.bot.send_message(
        chat.id,
        text.format(who=who),
        reply_markup=ForceReply(selective=True, input_field_placeholder=t.gettext("Your text")),
        message_thread_id=_thread(update),
    )


def _render_dutch(context: Context, report: Report, standard: StandardText) -> str:
    """A standard text as staff see it: Dutch, filled in for this report (HTML)."""
    name = municipality_names(context).get(report.municipality, report.municipality)
    return StandardTexts.render(standard, "nl", reference=escape(report.reference), municipality=escape(name))


async def _text_picker(update: Update, context: Context, report: Report, action: Action) -> None:
    t = staff_translator(context)
    chat = update.effective_chat
    assert chat is not None
    texts = services(context).texts.choices(report.category, TEXT_ACTION[action])
    category = CATEGORIES.get(report.category)
    names = {"who": pseudonym(report), "category": t.gettext(category.label) if category else report.category}
    if action == Action.ASK:
        heading = t.gettext("Question for {who} ({category}): choose a standard text, or write your own.")
    elif action == Action.MESSAGE:
        heading = t.gettext("Message for {who} ({category}): choose a standard text, or write your own.")
    else:
        heading = t.gettext("Close {who} ({category}): choose a standard text, or write your own.")
    lines = [
        escape(heading.format(**names)),
        escape(t.gettext("The resident gets the text in their own language.")),
        "",
    ]
    lines += [f"{i + 1}. {_render_dutch(context, report, text)}" for i, text in enumerate(texts)]
    code = _CODE_OF[action]
    numbers: list[tuple[str, CallbackData]] = [
        (str(i + 1), StaffPress("tpl", report.id, report.status, f"{code}-{text.id}")) for i, text in enumerate(texts)
    ]
    rows: list[list[tuple[str, CallbackData]]] = [numbers[i : i + 5] for i in range(0, len(numbers), 5)]
    rows.append([(t.gettext("✏️ Own text"), StaffPress("own", report.id, report.status, code))])
    await context.bot.send_message(
        chat.id, "\n".join(lines), reply_markup=inline(rows), message_thread_id=_thread(update)
    )


async def _forward_picker(update: Update, context: Context, report: Report) -> None:
    t = staff_translator(context)
    chat = update.effective_chat
    assert chat is not None
    possible = set(available(Status(report.status), "staff", resident_reachable=True))
    rows: list[list[tuple[str, CallbackData]]] = []
    if Action.TRANSFER in possible:
        others = [(m, name) for m, name in municipality_names(context).items() if m != report.municipality]
        buttons: list[tuple[str, CallbackData]] = [
            (name, StaffPress("to", report.id, report.status, m)) for m, name in others
        ]
        rows += [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    if Action.FORWARD in possible:
        rows += [
            [(t.gettext(label), StaffPress("pt", report.id, report.status, key))] for key, label in PARTNERS.items()
        ]
    text = t.gettext("Forward {who}: to another municipality (the report moves there), or to a partner (with a note).")
    await context.bot.send_message(
        chat.id,
        escape(text.format(who=pseudonym(report))),
        reply_markup=inline(rows),
        message_thread_id=_thread(update),
    )


def _thread(update: Update) -> int | None:
    message = update.effective_message
    return message.message_thread_id if message is not None and message.is_topic_message else None


async def _preview(
    update: Update,
    context: Context,
    report: Report,
    action: Action,
    text: str,
    partner: str | None,
    *,
    html: bool = False,
) -> None:
    """``text`` as typed by staff (escaped here), or with ``html`` a standard text already rendered."""
    t = staff_translator(context)
    chat = update.effective_chat
    assert chat is not None
    who = pseudonym(report)
    if action == Action.FORWARD and partner is not None:
        heading = t.gettext(
            "Preview: forward {who} to {partner} with this note. The resident is told in general terms."
        ).format(who=who, partner=t.gettext(PARTNERS[partner]))
    elif not _reachable(report):
        heading = t.gettext("Preview: {who} does not receive messages; this text is kept in the history only.").format(
            who=who
        )
    else:
        heading = t.gettext(
            "Preview: this is what {who} will receive (from the municipality, never your name)."
        ).format(who=who)
    rows: list[list[tuple[str, CallbackData]]] = [
        [
            (t.gettext("📤 Send"), StaffPress("send", report.id, report.status)),
            (t.gettext("Cancel"), StaffPress("drop", report.id, report.status)),
        ]
    ]
    await context.bot.send_message(
        chat.id,
        f"<b>{escape(heading)}</b>\n\n{text if html else escape(text)}",
        reply_markup=inline(rows),
        message_thread_id=_thread(update),
    )


async def _send_composed(update: Update, context: Context, report: Report, actor: Actor) -> None:
    query = update.callback_query
    user, chat = update.effective_user, update.effective_chat
    assert query is not None and user is not None and chat is not None
    t = staff_translator(context)
    db = services(context).db
    compose = await compose_of(db, user.id, chat.id)
    if compose is None or compose.report_id != report.id:
        await _refuse(update, context, report, actor, "send", "stale")
        return
    action = Action(compose.action)
    template = compose.extra[4:] if compose.extra and compose.extra.startswith("tpl:") else None
    kwargs: dict[str, str | None] = {}
    if action == Action.FORWARD:
        kwargs = {"partner": compose.extra, "note": compose.text}
    elif template is not None:
        kwargs = {"template": template}
    else:
        kwargs = {"resident_text": compose.text}
    if action == Action.CLOSE and not _reachable(report):
        standard = services(context).texts.get(report.category, "close", template) if template else None
        shown = plain(_render_dutch(context, report, standard)) if standard else None
        kwargs = {"note": compose.text or shown, "template": template}
    ok = await _apply(update, context, report, actor, action, Status(compose.expected_status), **kwargs)
    await end_compose(db, user.id, chat.id)
    if ok:
        await query.edit_message_text(escape(t.gettext("Sent. The card shows the new status.")))


async def _show_contact(update: Update, context: Context, report: Report, actor: Actor) -> None:
    query = update.callback_query
    assert query is not None
    t = staff_translator(context)
    if not (report.contact_phone or report.contact_email):
        await query.answer(t.gettext("The resident left no contact details."), show_alert=True)
        return
    heading = t.gettext("Contact details of {who}").format(who=pseudonym(report))
    lines = [f"<b>{escape(heading)}</b>"]
    if report.contact_phone:
        lines.append(escape(t.gettext("Phone: {phone}").format(phone=report.contact_phone)))
    if report.contact_email:
        lines.append(escape(t.gettext("E-mail: {email}").format(email=report.contact_email)))
    try:
        await context.bot.send_message(actor.user_id, "\n".join(lines))
    except Forbidden:
        await query.answer(
            t.gettext("Start a private chat with the bot first (/start), then press again."), show_alert=True
        )
        return
    await workflow(context).record(report.id, actor.event_actor, "contact-shown")
    await query.answer(t.gettext("Sent to you in a private chat."))
    deliver_now(context)


async def staff_text(update: Update, context: Context) -> None:
    """A text message that may belong to the staff side: a composition's text, an internal note, or (in a
    private chat) a resident's answer to a staff question (handlers.staff.resident.resident_text).

    Raises ``ApplicationHandlerStop`` when it used the message (and for anything in a staff group, which
    residents never use); returns quietly for private messages that are not staff work.
    """
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None or not message.text:
        return
    svc = services(context)
    in_group = chat.type in ("group", "supergroup")
    if not in_group and not await anything_pending(svc.db, user.id, chat.id, preferences(context)):
        await resident_reply(update, context)  # a reply to the bot's message about a report (no read otherwise)
        return  # the usual case: a resident's message, for the resident handlers (one cheap read)
    compose = await compose_of(svc.db, user.id, chat.id)
    if compose is not None and compose.text is None and not (compose.extra or "").startswith("tpl:"):
        report = await report_by_id(svc.db, compose.report_id)
        if report is not None:
            actor = await actor_for(update, context, report, "compose")
            if actor is None:
                await end_compose(svc.db, user.id, chat.id)
                raise ApplicationHandlerStop
            if len(message.text) > MAX_STAFF_TEXT:  # it must fit in one Telegram message with its template
                t = staff_translator(context)
                await message.reply_text(
                    escape(
                        t.gettext("That is too long: at most {n} characters. Please send a shorter text.").format(
                            n=MAX_STAFF_TEXT
                        )
                    )
                )
                raise ApplicationHandlerStop
            await set_compose_text(svc.db, user.id, chat.id, message.text)
            partner = compose.extra if compose.action == Action.FORWARD else None
            await _preview(update, context, report, Action(compose.action), message.text, partner)
            raise ApplicationHandlerStop
    if not in_group:
        await resident_text(update, context)  # an answer to a staff question, if one is pending
        return
    if not await is_staff(svc.db, svc.settings.admin_user_ids, user.id):
        raise ApplicationHandlerStop  # the bot ignores non-staff in staff groups
    anchor = message.reply_to_message.message_id if message.reply_to_message else None
    if anchor is None and message.is_topic_message:
        anchor = message.message_thread_id
    report = await report_of_card(svc.db, chat.id, anchor) if anchor is not None else None
    if report is None:
        raise ApplicationHandlerStop
    actor = await actor_for(update, context, report, "note")
    if actor is None:
        raise ApplicationHandlerStop
    await workflow(context).record(report.id, actor.event_actor, "note", message.text)
    t = staff_translator(context)
    await message.reply_text(escape(t.gettext("🔒 Internal note saved. The resident does not see it.")))
    deliver_now(context)
    raise ApplicationHandlerStop
