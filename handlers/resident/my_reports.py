"""The resident's own reports and data: /mijnmeldingen, /status, /mijngegevens, /verwijder."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.reports.drafts import CATEGORIES, Drafts
from bot.reports.queries import (
    excerpt,
    forget_resident,
    last_message,
    last_messages,
    own_report,
    reports_of,
    still_forwarding,
)
from bot.residents.limits import forget_quota
from bot.storage.models import Report
from bot.workflow.transitions import FORWARDING_LABEL, LABELS, Status
from handlers.callbacks import DeletePress
from handlers.common import Context, inline, last_topics, preferences, reject_press, reply, services, translator
from handlers.jobs import deliver_now


def _ids(update: Update) -> tuple[int, int]:
    assert update.effective_user is not None and update.effective_chat is not None
    return update.effective_user.id, update.effective_chat.id


def _municipality_name(context: Context, municipality_id: str) -> str:
    return services(context).municipalities.get(municipality_id).name


async def my_reports(update: Update, context: Context) -> None:
    t = await translator(update, context)
    _, chat_id = _ids(update)
    reports = await reports_of(services(context).db, chat_id)
    if not reports:
        await reply(
            update,
            t.gettext(
                "You have no reports linked to this chat. (Reports filed without updates are not linked to you.) "
                "Start one with /melding."
            ),
        )
        return
    heading = t.gettext("Your reports")
    lines = [f"<b>{escape(heading)}</b>"]
    forwarding = await still_forwarding(services(context).db, [r.id for r in reports])
    latest = await last_messages(services(context).db, [r.id for r in reports])
    for report in reports:
        category = CATEGORIES.get(report.category)
        label = _label(report, forwarding)
        lines.append(
            f"• <code>{escape(report.reference)}</code> – {escape(t.gettext(category.label) if category else '')} – "
            f"{escape(t.datetime(report.created_at))} – <b>{escape(t.gettext(label))}</b>"
        )
        if report.id in latest:  # the municipality's last message, shortened (in full with /status)
            lines.append(f"   ↳ <i>{escape(excerpt(latest[report.id]))}</i>")
    lines.append("")
    lines.append(t.gettext("Details: /status followed by the reference."))
    await reply(update, "\n".join(lines))


def _label(report: Report, forwarding: set[int]) -> str:
    if report.status == Status.NEW and report.id in forwarding:
        return FORWARDING_LABEL
    return LABELS[Status(report.status)]


async def status(update: Update, context: Context) -> None:
    t = await translator(update, context)
    if not context.args:
        await reply(update, t.gettext("Type /status followed by your reference, for example /status EPE-7K3Q."))
        return
    _, chat_id = _ids(update)
    report = await own_report(services(context).db, chat_id, context.args[0])
    if report is None:
        await reply(update, t.gettext("No report with that reference was found in this chat."))
        return
    text = t.gettext("Report <code>{reference}</code> ({municipality}), filed {date}: <b>{status}</b>.").format(
        reference=escape(report.reference),
        municipality=escape(_municipality_name(context, report.municipality)),
        date=escape(t.datetime(report.created_at)),
        status=escape(t.gettext(_label(report, await still_forwarding(services(context).db, [report.id])))),
    )
    # The municipality's latest message (already escaped HTML, in the resident's language).
    latest = await last_message(services(context).db, report.id)
    if latest:
        heading = t.gettext("Last message:")
        text += f"\n\n<i>{escape(heading)}</i>\n{latest}"
    await reply(update, text)


async def my_data(update: Update, context: Context) -> None:
    """Everything stored that is linked to this resident."""
    t = await translator(update, context)
    user_id, chat_id = _ids(update)
    stored = await preferences(context).get(user_id)
    reports = await reports_of(services(context).db, chat_id)
    draft = await Drafts(services(context).db).load(user_id)
    heading = t.gettext("What is stored about you")
    lines = [f"<b>{escape(heading)}</b>"]
    lines.append(
        t.gettext("Language choice: {lang}").format(lang=stored) if stored else t.gettext("Language choice: none")
    )
    lines.append(t.gettext("Unfinished report: yes") if draft else t.gettext("Unfinished report: no"))
    topic_id = await last_topics(context).get(chat_id)
    topic = services(context).kb.topics.get(topic_id) if topic_id else None
    lines.append(
        escape(t.gettext("Topic of the last answer (kept for a day): {title}").format(title=topic.lang(t.lang).title))
        if topic is not None
        else t.gettext("Topic of the last answer: none")
    )
    lines.append(
        t.ngettext("{n} report linked to this chat", "{n} reports linked to this chat", len(reports)).format(
            n=len(reports)
        )
    )
    for report in reports:
        contact = ", ".join(x for x in (report.contact_phone, report.contact_email) if x)
        lines.append(f"• <code>{escape(report.reference)}</code>: {escape(report.description[:200])}")
        if contact:
            lines.append("  " + escape(t.gettext("contact details: {contact}").format(contact=contact)))
    lines += ["", t.gettext("Delete this with /verwijder.")]
    await reply(update, "\n".join(lines))


async def delete_data(update: Update, context: Context) -> None:
    t = await translator(update, context)
    await reply(
        update,
        t.gettext(
            "This deletes your language choice and any unfinished report, and removes the link to this chat "
            "and your contact details from your reports. The municipality keeps the concern itself, without "
            "anything that identifies you. You will no longer receive updates. Continue?"
        ),
        inline(
            [
                [
                    (t.gettext("🗑 Yes, delete"), DeletePress(confirmed=True)),
                    (t.gettext("No"), DeletePress(confirmed=False)),
                ]
            ]
        ),
    )


async def delete_confirmed(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    press = DeletePress.decode(query.data)
    if press is None:
        await reject_press(update, context)
        return
    await query.answer()
    t = await translator(update, context)
    if not press.confirmed:
        await query.edit_message_text(t.gettext("Nothing was deleted."))
        return
    user_id, chat_id = _ids(update)
    count = await forget_resident(services(context).db, chat_id)
    await forget_quota(services(context).db, user_id)
    await preferences(context).forget(user_id)
    await last_topics(context).forget(chat_id)
    deliver_now(context)  # the staff cards lose the contact details now, not at the next outbox run
    await query.edit_message_text(
        t.ngettext(
            "Done. Your data has been deleted; {n} report is no longer linked to you.",
            "Done. Your data has been deleted; {n} reports are no longer linked to you.",
            count,
        ).format(n=count)
    )


def resident_handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE  # an edit never runs a command
    return [
        CommandHandler(["mijnmeldingen", "myreports"], my_reports, filters=private),
        CommandHandler("status", status, filters=private),
        CommandHandler(["mijngegevens", "mydata"], my_data, filters=private),
        CommandHandler(["verwijder", "delete"], delete_data, filters=private),
        CallbackQueryHandler(delete_confirmed, pattern=DeletePress.matches),
    ]
