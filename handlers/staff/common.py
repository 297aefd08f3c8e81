"""Shared by the staff handlers: the staff language, the workflow, authorization of a press or command, alerts.

Pitfall: every press and command is authorized here, on the server, from the database; nothing in the
callback data or the chat is trusted. A refusal is recorded as an event with the presser's id.
"""

from __future__ import annotations

from telegram import Update

from bot.i18n.catalogs import N_, Translator
from bot.staff.auth import Actor, Refusal, authorize
from bot.staff.queries import linked_chat
from bot.storage.models import Report
from bot.workflow.engine import RefusalReason, Workflow
from handlers.common import Context, services
from handlers.jobs import deliver_now

REFUSALS: dict[str, str] = {
    "not-staff": N_("Only registered staff of this municipality can do this."),
    "other-municipality": N_("This report belongs to another municipality."),
    "wrong-chat": N_("Work on this report in its municipality's staff group or in a private chat with the bot."),
    "stale": N_("This card was out of date and has been updated. Please look again."),
    "illegal": N_("That is not possible in the report's current status."),
    "role": N_("Only a coordinator can do this."),
    "unreachable": N_("The resident cannot be contacted."),
    "missing-text": N_("A text is required for this."),
    "bad-target": N_("Choose another municipality or a partner."),
    "unknown-report": N_("This report does not exist (any more)."),
}


def staff_translator(context: Context) -> Translator:
    """Staff work in Dutch, as the cards are drawn (the staff chat's language)."""
    return services(context).catalogs.get("nl")


def municipality_names(context: Context) -> dict[str, str]:
    return {m.id: m.name for m in services(context).municipalities.municipalities}


def workflow(context: Context) -> Workflow:
    svc = services(context)
    return Workflow(svc.db, svc.catalogs, municipality_names(context), svc.texts)


def refusal_text(context: Context, reason: Refusal | RefusalReason) -> str:
    return staff_translator(context).gettext(REFUSALS[reason])


async def actor_for(update: Update, context: Context, report: Report, action: str) -> Actor | None:
    """The presser as an :class:`Actor` if they may act on ``report`` in this chat; otherwise the refusal is
    recorded (event + card redraw), answered with an alert (for presses) and None is returned."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    svc = services(context)
    decision = await authorize(
        svc.db,
        svc.settings.admin_user_ids,
        user_id=user.id,
        chat_id=chat.id,
        municipality=report.municipality,
        linked_chat_id=await linked_chat(svc.db, report.municipality),
    )
    if decision.actor is not None:
        return decision.actor
    assert decision.refusal is not None
    await workflow(context).refuse(report.id, f"user:{user.id}", action, decision.refusal)
    await alert(update, context, refusal_text(context, decision.refusal))
    deliver_now(context)
    return None


async def alert(update: Update, context: Context, text: str) -> None:
    """An alert for a press; a reply for a command (the user sees why either way)."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
