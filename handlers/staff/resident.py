"""The resident's side of the conversation with staff: "Antwoorden" and the answer, 👍/👎 after closing, and
the request to reopen.

Pitfalls:
- A resident's press is checked against their own chat on the server: only the report's resident may answer
  it, rate it or ask to reopen it (callback data is untrusted).
- Crisis triage runs on every answer before anything else: a crisis gets the crisis guidance at once, and the
  report's card is flagged for staff. A Telegram reply to the bot's message about a report counts as a reply
  too (as the answer while a question is open).
- The answer handler runs before the resident's other handlers (group -1) and stops them only when the
  message was an answer.
"""

from __future__ import annotations

import re
from html import escape

from telegram import ForceReply, Update
from telegram.ext import ApplicationHandlerStop

from bot.reports.queries import own_report
from bot.staff.auth import Actor
from bot.staff.queries import (
    expect_resident_reply,
    flag_crisis,
    report_by_id,
    request_reopen,
    set_feedback,
    take_resident_reply,
)
from bot.storage.models import Report
from bot.triage.guidance import crisis_text
from bot.workflow.deadlines import REOPEN_REQUEST_DAYS
from bot.workflow.engine import Refused
from bot.workflow.transitions import Action, Status
from handlers.callbacks import CallbackData, ResidentPress
from handlers.common import Context, inline, reject_press, reply, services, translator
from handlers.flow_control import urgent
from handlers.jobs import deliver_now
from handlers.staff.common import municipality_names, workflow

RESIDENT = Actor(0, "resident")
REFERENCE = re.compile(r"\b[A-Z]{3}-[2-9A-HJKMNP-Z]{4}\b")  # bot.reports.drafts.new_reference


async def resident_pressed(update: Update, context: Context) -> None:
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    press = ResidentPress.decode(query.data)
    svc = services(context)
    report = await report_by_id(svc.db, press.report_id) if press is not None else None
    if press is None or report is None or report.resident_chat_id != chat.id:
        await reject_press(update, context)
        return
    t = await translator(update, context)
    name = municipality_names(context).get(report.municipality, report.municipality)
    if press.action == "answer":
        if report.status != Status.REACTION_REQUESTED:
            await query.answer(t.gettext("This question is no longer open."), show_alert=True)
            return
        await query.answer()
        await expect_resident_reply(svc.db, chat.id, report.id, "answer")
        await context.bot.send_message(
            chat.id,
            t.gettext("Type your answer for the municipality of {municipality} (report {reference}).").format(
                municipality=escape(name), reference=escape(report.reference)
            ),
            reply_markup=ForceReply(input_field_placeholder=t.gettext("Your answer")),
        )
        return
    if press.action in ("up", "down"):
        stored = await set_feedback(svc.db, report.id, chat.id, press.action)
        if stored is None:
            await reject_press(update, context)
            return
        await query.answer(t.gettext("Thank you for your feedback."))
        deliver_now(context)
        if press.action == "down":
            rows: list[list[tuple[str, CallbackData]]] = [
                [(t.gettext("🔁 Ask to reopen"), ResidentPress("reopen", report.id))]
            ]
            await reply(
                update,
                t.gettext(
                    "We are sorry to hear that. Would you like the municipality to look at your report again? "
                    "You can ask within {days} days of closing."
                ).format(days=REOPEN_REQUEST_DAYS),
                inline(rows),
            )
        return
    reopened = await request_reopen(svc.db, report.id, chat.id)
    if reopened is None:
        await query.answer(
            t.gettext("This report can no longer be reopened. Please file a new report with /melding."),
            show_alert=True,
        )
        return
    await query.answer()
    deliver_now(context)
    await reply(
        update,
        t.gettext("The municipality of {municipality} has been asked to look at report {reference} again.").format(
            municipality=escape(name), reference=escape(report.reference)
        ),
    )


async def resident_text(update: Update, context: Context) -> None:
    """A resident's message after "Antwoorden": their answer to the municipality's question."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or chat.type != "private" or not message.text:
        return
    svc = services(context)
    pending = await take_resident_reply(svc.db, chat.id)
    if pending is None:
        return
    report_id, _kind = pending
    report = await report_by_id(svc.db, report_id)
    if report is None or report.resident_chat_id != chat.id:
        return
    await _answer(update, context, report, message.text)


async def resident_reply(update: Update, context: Context) -> None:
    """A resident's Telegram *reply* to the bot's message about one of their reports (it names the reference):
    the answer to an open question, as after "Antwoorden"; otherwise crisis triage only -- a crisis gets the
    guidance and flags the report for staff, anything else is left to the resident handlers.

    Pitfall: costs a read only for a reply to a bot message that names a reference of this chat's reports.
    """
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or chat.type != "private" or not message.text:
        return
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return
    found = REFERENCE.search(replied.text or replied.caption or "")
    if found is None:
        return
    svc = services(context)
    report = await own_report(svc.db, chat.id, found.group())
    if report is None:
        return
    if report.status == Status.REACTION_REQUESTED:
        await _answer(update, context, report, message.text)
    decision = svc.answerer.decide(message.text)
    if decision.action == "urgent" and decision.urgency is not None:
        t = await translator(update, context)
        with urgent():
            await reply(update, crisis_text(decision.urgency, t))
        await _flag(context, report, decision.urgency.value)
        deliver_now(context)
        raise ApplicationHandlerStop


async def _flag(context: Context, report: Report, urgency: str) -> None:
    staff_t = services(context).catalogs.get("nl")
    notice = staff_t.gettext("Crisis signal in the resident's answer: crisis guidance was sent.")
    await flag_crisis(services(context).db, report.id, urgency, f"🚨 <b>{escape(notice)}</b>")


async def _answer(update: Update, context: Context, report: Report, text: str) -> None:
    """The resident's answer to the open question: crisis triage first, then the workflow's ``answer``."""
    svc = services(context)
    t = await translator(update, context)
    decision = svc.answerer.decide(text)
    if decision.action == "urgent" and decision.urgency is not None:
        with urgent():
            await reply(update, crisis_text(decision.urgency, t))  # before anything else
        await _flag(context, report, decision.urgency.value)
    try:
        await workflow(context).apply(
            report.id,
            Action.ANSWER,
            expected=Status.REACTION_REQUESTED,
            actor=RESIDENT,
            note=text,
            resident_text=text,
        )
    except Refused:
        await reply(update, t.gettext("This question is no longer open. Your message was not passed on."))
    deliver_now(context)
    raise ApplicationHandlerStop
