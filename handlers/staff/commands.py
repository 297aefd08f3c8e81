"""Staff commands, in a staff group and in a private chat with the bot: /open, /mijn, /melding <ref>, /koppel.

Pitfalls:
- In a group, only registered staff get an answer; anyone else is ignored (the bot never shows reports to
  non-staff). A report is shown only where its municipality's staff may see it (bot.staff.auth).
- ``/melding`` without a reference, or from a non-staff member, is the resident's report command: these
  handlers run first (group -1) and leave it alone.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.outbox.delivery import link_municipality
from bot.staff.auth import staff_role
from bot.staff.card import EVENT_LABELS, actor_label, pseudonym, render_staff_card, standing, time_left_label
from bot.staff.queries import (
    assigned_reports,
    history,
    municipalities_of_chat,
    open_reports,
    report_by_reference,
)
from bot.staff.registry import redeem_link_code, registrations, staff_names
from bot.storage.models import Report, utcnow
from bot.workflow.claims import is_lapsed, last_activity
from bot.workflow.deadlines import DeadlinePolicy, working_days_between
from bot.workflow.transitions import STAFF_LABELS, Status
from handlers.common import Context, services
from handlers.staff.common import actor_for, municipality_names, staff_translator
from handlers.staff.rights import check_rights


async def _visible_municipalities(update: Update, context: Context) -> list[str] | None:
    """The municipalities whose reports this person may see here; None when they are not staff (ignore)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    svc = services(context)
    staff = await registrations(svc.db, user.id)
    all_ids = list(municipality_names(context))
    mine = [m for m in all_ids if staff_role(user.id, staff, m, svc.settings.admin_user_ids) is not None]
    if not mine:
        return None
    if chat.type == "private":
        return mine
    here = await municipalities_of_chat(svc.db, chat.id)
    return [m for m in mine if m in here]


def _line(
    report: Report,
    names: dict[int, str],
    context: Context,
    now: dt.datetime,
    policy: DeadlinePolicy,
    last: dt.datetime | None,
) -> str:
    """One report in a queue: flags, reference, status, age, time left (late and 3× late marked), assignee, and
    a lapsed claim."""
    t = staff_translator(context)
    days = working_days_between(report.created_at, now, t.tz)
    assignee = names.get(report.assignee_id, f"#{report.assignee_id}") if report.assignee_id else t.gettext("nobody")
    age = t.ngettext("{n} working day", "{n} working days", days).format(n=days)
    status = t.gettext(STAFF_LABELS[Status(report.status)])
    flags = ("🚨 " if report.crisis else "") + ("⚠️ " if report.resident_unreachable else "")
    due = standing(report, policy, now)
    if due is not None and due.punctuality == "late_factor_3":
        flags += "‼️ " + escape(t.gettext("3× LATE")) + " "
    elif due is not None and due.late:
        flags += "⚠️ " + escape(t.gettext("LATE")) + " "
    left = f" – {escape(time_left_label(due, t))}" if due is not None else ""
    lapsed = (" – ⏳ " + escape(t.gettext("no action for too long"))) if is_lapsed(report, last, policy, now) else ""
    return (
        f"• {flags}<code>{escape(report.reference)}</code> – {escape(status)} – {escape(age)}{left} – "
        f"{escape(assignee)}{lapsed}"
    )


async def _lines(reports: list[Report], context: Context) -> list[str]:
    svc = services(context)
    names = await staff_names(svc.db)
    policy = DeadlinePolicy.from_settings(svc.settings)
    lasts = await last_activity(svc.db, [r.id for r in reports])
    now = utcnow()
    return [_line(r, names, context, now, policy, lasts.get(r.id)) for r in reports]


async def open_command(update: Update, context: Context) -> None:
    municipalities = await _visible_municipalities(update, context)
    if municipalities is None or update.effective_message is None:
        raise ApplicationHandlerStop
    t = staff_translator(context)
    svc = services(context)
    reports = await open_reports(svc.db, municipalities)
    if not reports:
        await update.effective_message.reply_text(escape(t.gettext("No open reports.")))
        raise ApplicationHandlerStop
    heading = t.gettext("Open reports, oldest first")
    lines = [f"<b>{escape(heading)}</b>"]
    lines += await _lines(reports, context)
    await update.effective_message.reply_text("\n".join(lines))
    raise ApplicationHandlerStop


async def mine_command(update: Update, context: Context) -> None:
    municipalities = await _visible_municipalities(update, context)
    if municipalities is None or update.effective_message is None or update.effective_user is None:
        raise ApplicationHandlerStop
    t = staff_translator(context)
    svc = services(context)
    reports = [r for r in await assigned_reports(svc.db, update.effective_user.id) if r.municipality in municipalities]
    if not reports:
        await update.effective_message.reply_text(escape(t.gettext("No open reports are assigned to you.")))
        raise ApplicationHandlerStop
    heading = t.gettext("Assigned to you")
    lines = [f"<b>{escape(heading)}</b>"]
    lines += await _lines(reports, context)
    await update.effective_message.reply_text("\n".join(lines))
    raise ApplicationHandlerStop


async def report_command(update: Update, context: Context) -> None:
    """``/melding <ref>`` for staff; anything else falls through to the resident's report command."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not context.args:
        return
    municipalities = await _visible_municipalities(update, context)
    if municipalities is None:
        if chat.type == "private":
            return
        raise ApplicationHandlerStop
    t = staff_translator(context)
    svc = services(context)
    report = await report_by_reference(svc.db, context.args[0])
    if report is None:
        await message.reply_text(escape(t.gettext("No report with that reference.")))
        raise ApplicationHandlerStop
    if await actor_for(update, context, report, "view") is None:
        raise ApplicationHandlerStop
    names = await staff_names(svc.db)
    events = await history(svc.db, report.id)
    view = render_staff_card(
        report,
        report.municipality,
        municipality_names(context)[report.municipality],
        t,
        names=names,
        last=events[-1],
        policy=DeadlinePolicy.from_settings(svc.settings),
    )
    heading = t.gettext("History")
    lines = [view.text, "", f"<b>{escape(heading)}</b>"]
    for event in events:
        what = t.gettext(EVENT_LABELS.get(event.action, event.action))
        who = actor_label(event.actor, names, t) if event.actor != "resident" else pseudonym(report)
        change = f" ({event.from_status} → {event.to_status})" if event.to_status and event.from_status else ""
        note = f": {escape(event.note)}" if event.note else ""
        lines.append(f"• {escape(t.datetime(event.at))} {escape(who)}: {escape(what)}{escape(change)}{note}")
    await message.reply_text("\n".join(lines)[:4000])
    raise ApplicationHandlerStop


async def link_command(update: Update, context: Context) -> None:
    """``/koppel CODE`` in a group: link it to the code's municipality, then say which rights the bot lacks."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    svc = services(context)
    staff = await registrations(svc.db, user.id)
    if not staff and user.id not in svc.settings.admin_user_ids:
        raise ApplicationHandlerStop  # non-staff are ignored
    t = staff_translator(context)
    if not context.args:
        await message.reply_text(
            escape(t.gettext("Send /koppel followed by the code from 'veiligbot municipality link-code'."))
        )
        raise ApplicationHandlerStop
    municipality = await redeem_link_code(svc.db, context.args[0])
    if municipality is None:
        await message.reply_text(
            escape(t.gettext("This code is unknown, used or expired (codes are valid for 24 hours)."))
        )
        raise ApplicationHandlerStop
    if staff_role(user.id, staff, municipality, svc.settings.admin_user_ids) is None:
        await message.reply_text(escape(t.gettext("Only staff of this municipality can link its group.")))
        raise ApplicationHandlerStop
    rights = await check_rights(context.bot, chat.id, chat)
    lacks = [t.gettext(lack) for lack in rights.lacks]
    topics = rights.topics
    await link_municipality(svc.db, municipality, chat.id, topics=topics)
    name = municipality_names(context)[municipality]
    lines = [escape(t.gettext("This group now receives the reports of {name}.").format(name=name))]
    lines.append(
        escape(
            t.gettext("Each report gets its own topic.")
            if topics
            else t.gettext("Each report comes as a card; reply to a card for an internal note.")
        )
    )
    if lacks:
        lines.append(escape(t.gettext("What the bot lacks: {lacks}.").format(lacks="; ".join(lacks))))
    await message.reply_text("\n".join(lines))
    raise ApplicationHandlerStop
