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
from dataclasses import dataclass
from html import escape

from babel.dates import format_date
from sqlalchemy import select

from bot.i18n.catalogs import N_, Translator
from bot.outbox.delivery import html_field
from bot.outbox.messages import Button, Buttons, CardView
from bot.reports.drafts import CATEGORIES
from bot.staff.registry import staff_names
from bot.storage.db import Database
from bot.storage.models import Report, ReportEvent, utcnow
from bot.workflow.deadlines import DeadlinePolicy, Due, calendar, default_terms, working_days_between
from bot.workflow.transitions import STAFF_LABELS, Action, Status, available

BUTTON_LABELS: dict[str, str] = {
    Action.TAKE: N_("🙋 Take on"),
    Action.ASK: N_("❓ Ask the resident"),
    Action.MESSAGE: N_("✉️ Message the resident"),
    Action.TRANSFER: N_("↪️ Forward"),
    Action.CLOSE: N_("✅ Close"),
    Action.REOPEN: N_("🔄 Reopen"),
    "contact": N_("📇 Show contact details"),
    "unlink": N_("✂️ Unlink"),
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
    "exported": N_("description and contact details exported"),
    "link": N_("linked to a related report"),
    "unlink": N_("link with a related report removed"),
    "claim-lapsed": N_("no action for too long: assignee reminded"),
    "personal-data-removed": N_("the resident deleted their data"),
    "personal-data-purged": N_("personal data removed (retention period)"),
}


@dataclass(frozen=True)
class CardLinks:
    """Related reports as the card shows them (references only; bot.reports.duplicates finds them)."""

    similar: str | None = None  # the open report this one resembles, when it can still be linked to it
    main: str | None = None  # the main report this one is linked to
    related: tuple[str, ...] = ()  # the reports linked to this one


_ENDED = (Status.CLOSED, Status.CANCELLED)


async def card_links(db: Database, report: Report) -> CardLinks:
    async with db.session() as session:
        main = await session.get(Report, report.related_to_id) if report.related_to_id else None
        related = tuple(
            await session.scalars(
                select(Report.reference).where(Report.related_to_id == report.id).order_by(Report.created_at)
            )
        )
        similar = None
        if main is None and not related and report.similar_to_id and report.status not in _ENDED:
            other = await session.get(Report, report.similar_to_id)
            # Only while linking could still work (bot.workflow.engine.Workflow.link checks the same).
            if (
                other is not None
                and other.status not in _ENDED
                and other.related_to_id is None
                and other.municipality == report.municipality
            ):
                similar = other.reference
    return CardLinks(similar, main.reference if main else None, related)


# Statuses whose deadline still runs (Signalen's punctuality filter leaves out closed and cancelled reports).
RUNNING = frozenset(
    {Status.NEW, Status.IN_PROGRESS, Status.REACTION_REQUESTED, Status.REACTION_RECEIVED, Status.REOPENED}
)


def standing(report: Report, policy: DeadlinePolicy, now: dt.datetime) -> Due | None:
    """The deadline that matters for the report now (first response while it is new), or None when none runs."""
    if Status(report.status) not in RUNNING:
        return None
    return policy.standing(
        report.category, report.created_at, report.municipality, now, responded=report.status != Status.NEW
    )


def time_left_label(due: Due, t: Translator) -> str:
    """ "nog 3 werkdagen", "vandaag", "2 werkdagen te laat", with "(3× te laat)" past three times the term."""
    if due.days_left > 0:
        return t.ngettext("{n} working day left", "{n} working days left", due.days_left).format(n=due.days_left)
    if due.days_left == 0:
        return t.gettext("due today")
    late = -due.days_left
    text = t.ngettext("{n} working day late", "{n} working days late", late).format(n=late)
    if due.punctuality == "late_factor_3":
        text += " " + t.gettext("(3× late)")
    return text


def deadline_line(due: Due, t: Translator) -> str:
    """The card's deadline line, e.g. "⏰ Afhandeltermijn: nog 3 werkdagen (tot 14 dec 2026)"."""
    label = t.gettext("First response") if due.kind == "response" else t.gettext("Handling deadline")
    icon = {"on_time": "⏰", "late": "⚠️", "late_factor_3": "‼️"}[due.punctuality]
    last_day = due.due - dt.timedelta(seconds=1)
    date = format_date(last_day.astimezone(t.tz).date(), "EEE d MMM", locale=t.lang)
    until = t.gettext("until {date}").format(date=date)
    text = time_left_label(due, t) + (f" ({until})" if not due.late else "")
    return f"{icon} " + html_field(label, text)


def pseudonym(report: Report) -> str:
    """How staff see the resident: never a Telegram name, username, id or photo."""
    return f"Melder {report.reference}"


def card_buttons(report: Report, t: Translator, links: CardLinks | None = None) -> Buttons:
    """The staff actions valid for the report's status, as a keyboard (none that contact an unreachable resident);
    with ``links``, a button to link the report to the one it resembles, or to unlink it."""
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
    if links is not None and links.similar:
        label = t.gettext("🔗 Link to {reference}").format(reference=links.similar)
        rows.append([Button(label, "staff", "link", report.id, report.status)])
    elif links is not None and links.main:
        rows.append([Button(t.gettext(BUTTON_LABELS["unlink"]), "staff", "unlink", report.id, report.status)])
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
    links: CardLinks | None = None,
    policy: DeadlinePolicy | None = None,
) -> CardView:
    """The card as the staff chat of ``municipality`` should show it now (``policy``: the deadlines; default the
    packaged ones)."""
    now = now or utcnow()
    policy = policy or DeadlinePolicy(calendar(t.tz), default_terms())
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
    due = standing(report, policy, now)
    if due is not None:
        lines.append(deadline_line(due, t))
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
    lines += _link_lines(links, t)
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
    return CardView("\n".join(lines), card_buttons(report, t, links))


def _link_lines(links: CardLinks | None, t: Translator) -> list[str]:
    if links is None:
        return []
    lines = []
    if links.similar:
        lines.append(
            "🔗 <b>" + escape(t.gettext("possibly related to {reference}").format(reference=links.similar)) + "</b>"
        )
    if links.main:
        text = t.gettext(
            "Linked to main report {reference}: its messages and closing also reach this resident."
        ).format(reference=links.main)
        lines.append("🔗 " + escape(text))
    if links.related:
        text = t.gettext(
            "Related reports: {references}. Messages and closing of this report also reach their residents."
        ).format(references=", ".join(links.related))
        lines.append("🔗 " + escape(text))
    return lines


class StaffCards:
    """Renders cards with the data they need (colleagues' names, the last event); the outboxes call it."""

    def __init__(
        self,
        db: Database,
        t: Translator,
        municipality_names: dict[str, str],
        policy: DeadlinePolicy | None = None,
    ) -> None:
        self._db = db
        self._t = t
        self._names = municipality_names
        self._policy = policy

    async def __call__(self, report: Report, municipality: str) -> CardView:
        names = await staff_names(self._db)
        last = await last_event(self._db, report.id)
        links = await card_links(self._db, report)
        return render_staff_card(
            report,
            municipality,
            self._names.get(report.municipality, report.municipality),
            self._t,
            names=names,
            last=last,
            links=links,
            policy=self._policy,
        )
