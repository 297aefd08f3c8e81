"""The staff card of a report: status, assignee, last action, age in working days, the report itself, and the
buttons that fit its status. Drawn in the staff chat's language (Dutch by default) and edited in place.

Pitfalls:
- Never the resident's Telegram identity: the resident is "Melder <reference>" (:func:`pseudonym`); contact
  details are not on the card either ("Contactgegevens tonen" sends them privately).
- Resident and staff text is HTML-escaped here; labels are passed to ``gettext`` outside f-strings (babel).
- Buttons are abstract (:class:`bot.outbox.messages.Button`); handlers encode them.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from sqlalchemy import select

from bot.i18n.catalogs import N_, Translator
from bot.outbox.delivery import html_field
from bot.outbox.messages import Button, Buttons, CardView
from bot.reports.drafts import CATEGORIES
from bot.staff.registry import staff_names
from bot.storage.db import Database
from bot.storage.models import Report, ReportEvent, utcnow
from bot.workflow.deadlines import working_days_between
from bot.workflow.transitions import STAFF_LABELS, Action, Status, available

BUTTON_LABELS: dict[str, str] = {
    Action.TAKE: N_("🙋 Take on"),
    Action.ASK: N_("❓ Ask the resident"),
    Action.MESSAGE: N_("✉️ Message the resident"),
    Action.TRANSFER: N_("↪️ Forward"),
    Action.CLOSE: N_("✅ Close"),
    Action.REOPEN: N_("🔄 Reopen"),
    "contact": N_("📇 Show contact details"),
}
# Forwarding covers both Doorsturen targets (another municipality or a partner): one button, then a choice.
CARD_ACTIONS = (Action.TAKE, Action.ASK, Action.MESSAGE, Action.TRANSFER, Action.CLOSE, Action.REOPEN)

EVENT_LABELS: dict[str, str] = {
    "created": N_("received"),
    "take": N_("taken on"),
    "ask": N_("question sent to the resident"),
    "answer": N_("the resident answered"),
    "no_reaction": N_("no reaction received"),
    "message": N_("message sent to the resident"),
    "transfer": N_("forwarded to another municipality"),
    "forward": N_("forwarded to a partner"),
    "close": N_("closed"),
    "reopen": N_("reopened"),
    "cancel": N_("cancelled"),
    "note": N_("internal note"),
    "contact-shown": N_("contact details shown"),
    "feedback": N_("the resident gave feedback"),
    "reopen-requested": N_("the resident asks to reopen"),
    "resident-unreachable": N_("the resident cannot be reached"),
    "reminder": N_("reminder sent to the resident"),
    "refused": N_("refused action"),
    "crisis": N_("crisis signal in the resident's answer"),
    "personal-data-removed": N_("the resident deleted their data"),
    "personal-data-purged": N_("personal data removed (retention period)"),
}


def pseudonym(report: Report) -> str:
    """How staff see the resident: never a Telegram name, username, id or photo."""
    return f"Melder {report.reference}"


def card_buttons(report: Report, t: Translator) -> Buttons:
    """The staff actions valid for the report's status, as a keyboard (none that contact an unreachable resident)."""
    status = Status(report.status)
    reachable = report.updates == "chat" and report.resident_chat_id is not None and not report.resident_unreachable
    allowed = set(available(status, "staff", resident_reachable=reachable))
    if status == Status.IN_PROGRESS:
        allowed.discard(Action.TAKE)  # a colleague takes over with /melding; the card stays short
    if Action.FORWARD in allowed:
        allowed.add(Action.TRANSFER)
    actions = [a for a in CARD_ACTIONS if a in allowed]
    buttons = [Button(t.gettext(BUTTON_LABELS[a]), "staff", a, report.id, report.status) for a in actions]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if report.contact_phone or report.contact_email:
        rows.append([Button(t.gettext(BUTTON_LABELS["contact"]), "staff", "contact", report.id, report.status)])
    return rows


async def last_event(db: Database, report_id: int) -> ReportEvent | None:
    async with db.session() as session:
        event: ReportEvent | None = await session.scalar(
            select(ReportEvent)
            .where(ReportEvent.report_id == report_id, ReportEvent.action != "refused")
            .order_by(ReportEvent.id.desc())
            .limit(1)
        )
        return event


def actor_label(actor: str, names: dict[int, str], t: Translator) -> str:
    """``staff:123`` → the colleague's name; ``resident`` → the pseudonym is shown elsewhere."""
    role, _, user = actor.partition(":")
    if user.isdigit():
        return names.get(int(user), f"#{user}")
    return t.gettext("resident") if role == "resident" else t.gettext("system")


def render_staff_card(
    report: Report,
    municipality: str,
    municipality_name: str,
    t: Translator,
    *,
    names: dict[int, str],
    last: ReportEvent | None,
    now: dt.datetime | None = None,
) -> CardView:
    """The card as the staff chat of ``municipality`` should show it now."""
    now = now or utcnow()
    category = CATEGORIES.get(report.category)
    category_label = t.gettext(category.label) if category else report.category
    lines = [f"📝 <b>{escape(report.reference)}</b> · {escape(category_label)}"]
    if report.municipality != municipality:
        moved = t.gettext("Forwarded to the municipality of {name}; it is handled there.").format(
            name=municipality_name
        )
        lines += [f"↪️ <b>{escape(moved)}</b>"]
        return CardView("\n".join(lines), [])
    status_label = t.gettext(STAFF_LABELS[Status(report.status)])
    lines.append(html_field(t.gettext("Status"), status_label))
    if report.purged_at is not None:  # the retention period ended: only what the statistics keep
        lines.append(html_field(t.gettext("Received"), t.datetime(report.created_at)))
        if report.place_text:
            lines.append(html_field(t.gettext("Place"), report.place_text))
        removed = t.gettext("Personal data removed: the retention period of this report has ended.")
        lines += ["", "🗑 <i>" + escape(removed) + "</i>"]
        return CardView("\n".join(lines), [])
    assignee = names.get(report.assignee_id, f"#{report.assignee_id}") if report.assignee_id else t.gettext("nobody")
    lines.append(html_field(t.gettext("Assigned to"), assignee))
    if last is not None:
        what = t.gettext(EVENT_LABELS.get(last.action, last.action))
        who = actor_label(last.actor, names, t)
        lines.append(html_field(t.gettext("Last action"), f"{what} ({who}, {t.datetime(last.at)})"))
    days = working_days_between(report.created_at, now, t.tz)
    lines.append(html_field(t.gettext("Age"), t.ngettext("{n} working day", "{n} working days", days).format(n=days)))
    if report.crisis:
        lines.append(
            "🚨 <b>" + escape(t.gettext("Crisis signal in the resident's answer: crisis guidance was sent.")) + "</b>"
        )
    if report.resident_unreachable:
        lines.append("⚠️ <b>" + escape(t.gettext("Resident cannot be reached (blocked the bot).")) + "</b>")
    elif report.updates != "chat" or report.resident_chat_id is None:
        lines.append(escape(t.gettext("The resident does not want updates; the report has no link to them.")))
    else:
        lines.append(escape(t.gettext("The resident would like updates via the bot.")))
    if report.reopen_requested_at is not None and report.status == Status.CLOSED:
        lines.append("🔁 <b>" + escape(t.gettext("The resident asks to reopen this report.")) + "</b>")
    if report.feedback:
        lines.append(html_field(t.gettext("Resident's verdict"), "👍" if report.feedback == "up" else "👎"))
    lines.append("")
    lines.append("👤 " + escape(pseudonym(report)))
    lines.append(html_field(t.gettext("Received"), t.datetime(report.created_at)))
    place = report.place_text or ""
    if report.latitude is not None and report.longitude is not None:
        place = (place + " " if place else "") + f"({report.latitude:.5f}, {report.longitude:.5f})"
    lines.append(html_field(t.gettext("Place"), place or t.gettext("online / no particular place")))
    lines += ["", html_field(t.gettext("Description"), ""), escape(report.description)]
    if report.photos:
        n = len(report.photos)
        lines += ["", escape(t.ngettext("{n} photo follows.", "{n} photos follow.", n).format(n=n))]
    lines += [
        "",
        "<i>" + escape(t.gettext("Reply to this card for an internal note; the resident never sees it.")) + "</i>",
    ]
    return CardView("\n".join(lines), card_buttons(report, t))


class StaffCards:
    """Renders cards with the data they need (colleagues' names, the last event); the outboxes call it."""

    def __init__(self, db: Database, t: Translator, municipality_names: dict[str, str]) -> None:
        self._db = db
        self._t = t
        self._names = municipality_names

    async def __call__(self, report: Report, municipality: str) -> CardView:
        names = await staff_names(self._db)
        last = await last_event(self._db, report.id)
        return render_staff_card(
            report,
            municipality,
            self._names.get(report.municipality, report.municipality),
            self._t,
            names=names,
            last=last,
        )
