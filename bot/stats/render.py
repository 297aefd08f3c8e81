"""The figures as a message (Telegram HTML) or as plain text (``veiligbot stats``), in the staff's language with
babel's number and date formats (Dutch: 1.234 · 12,5 % · 5 dec 2026).

Pitfall: village names come from our own place list, not from residents, but everything is escaped anyway;
the plain variant is the same text without tags.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from bot.i18n.catalogs import N_, Translator
from bot.reports.drafts import CATEGORIES
from bot.stats.figures import Figures
from bot.workflow.transitions import STAFF_LABELS
from knowledge.base import THEMES

THEME_LABELS: dict[str, str] = {
    "youth": N_("Young people"),
    "digital": N_("Online safety and fraud"),
    "undermining": N_("Ondermijning"),
    "general": N_("Other"),
}
MAX_VILLAGES = 10  # the rest is summed up as "other places"


def number(value: float, t: Translator) -> str:
    return format_decimal(value, format="#,##0.#", locale=t.lang)


def percent(fraction: float, t: Translator) -> str:
    return format_percent(fraction, format="#,##0.# %", locale=t.lang)


def day(value: dt.date, t: Translator) -> str:
    """``5 dec 2026`` (babel's medium date)."""
    return format_date(value, format="medium", locale=t.lang)


def duration(value: dt.timedelta, t: Translator) -> str:
    """Hours below two days, else days, with one decimal: "3,5 uur", "4,2 dagen"."""
    hours = value.total_seconds() / 3600
    if hours < 48:
        shown = round(hours, 1)
        return t.ngettext("{n} hour", "{n} hours", 1 if shown == 1 else 2).format(n=number(shown, t))
    shown = round(hours / 24, 1)
    return t.ngettext("{n} day", "{n} days", 1 if shown == 1 else 2).format(n=number(shown, t))


def theme_label(theme: str, t: Translator) -> str:
    return t.gettext(THEME_LABELS[theme]) if theme in THEME_LABELS else theme


def _ordered(counts: dict[str, int], order: list[str]) -> list[tuple[str, int]]:
    known = [(key, counts[key]) for key in order if counts.get(key)]
    return known + sorted(((k, v) for k, v in counts.items() if k not in order), key=lambda kv: (-kv[1], kv[0]))


def render(figures: Figures, title: str, t: Translator, *, html: bool = True) -> str:
    """The message for ``/stats`` and the digest; ``title`` names the municipalities ("Heerde")."""

    def heading(text: str) -> str:
        return f"<b>{escape(text)}</b>" if html else text

    def line(label: str, value: str) -> str:
        return (escape if html else str)(f"• {label}: {value}")

    lines = [
        heading("📊 " + t.gettext("Statistics {title}").format(title=title)),
        (escape if html else str)(
            f"{day(figures.period.start, t)} – {day(figures.period.end, t)}: "
            + t.ngettext("{n} report filed", "{n} reports filed", figures.total).format(n=number(figures.total, t))
        ),
    ]
    if figures.total == 0:
        return "\n".join(lines)

    lines += ["", heading(t.gettext("Per theme"))]
    lines += [line(theme_label(k, t), number(v, t)) for k, v in _ordered(figures.by_theme, list(THEMES))]
    lines += ["", heading(t.gettext("Per category"))]
    categories = _ordered(figures.by_category, list(CATEGORIES))
    lines += [line(t.gettext(CATEGORIES[k].label) if k in CATEGORIES else k, number(v, t)) for k, v in categories]
    lines += ["", heading(t.gettext("Per status (now)"))]
    labels = {s.value: t.gettext(label) for s, label in STAFF_LABELS.items()}
    statuses = _ordered(figures.by_status, list(labels))
    lines += [line(labels.get(k, k), number(v, t)) for k, v in statuses]

    lines += ["", heading(t.gettext("Per village"))]
    places = sorted(((k, v) for k, v in figures.by_village.items() if k), key=lambda kv: (-kv[1], kv[0]))
    lines += [line(k, number(v, t)) for k, v in places[:MAX_VILLAGES]]
    rest = sum(v for _, v in places[MAX_VILLAGES:])
    if rest:
        lines.append(line(t.gettext("other places"), number(rest, t)))
    if figures.by_village.get(None):
        lines.append(line(t.gettext("online or no particular place"), number(figures.by_village[None], t)))

    lines += ["", heading(t.gettext("Handling"))]
    if figures.median_first_response is not None:
        value = t.gettext("{time} (median of {n})").format(
            time=duration(figures.median_first_response, t), n=number(figures.responded, t)
        )
        lines.append(line(t.gettext("time to first response"), value))
    else:
        lines.append(line(t.gettext("time to first response"), t.gettext("none yet")))
    if figures.median_to_close is not None:
        value = t.gettext("{time} (median of {n})").format(
            time=duration(figures.median_to_close, t), n=number(figures.closed, t)
        )
        lines.append(line(t.gettext("time to closing"), value))
    else:
        lines.append(line(t.gettext("time to closing"), t.gettext("none yet")))

    for label, on_time, judged in (
        (t.gettext("first response on time"), figures.response_on_time, figures.response_judged),
        (t.gettext("handled on time"), figures.handled_on_time, figures.handling_judged),
    ):
        if judged:
            share = t.gettext("{share} ({n} of {total})").format(
                share=percent(on_time / judged, t), n=number(on_time, t), total=number(judged, t)
            )
            lines.append(line(label, share))
        else:
            lines.append(line(label, t.gettext("none yet")))

    rated = figures.thumbs_up + figures.thumbs_down
    lines += ["", heading(t.gettext("Satisfaction"))]
    if rated:
        satisfied = t.gettext("{share} satisfied").format(share=percent(figures.thumbs_up / rated, t))
        lines.append(
            (escape if html else str)(
                f"👍 {number(figures.thumbs_up, t)} · 👎 {number(figures.thumbs_down, t)} ({satisfied})"
            )
        )
    else:
        lines.append((escape if html else str)(t.gettext("No ratings yet.")))
    return "\n".join(lines)
