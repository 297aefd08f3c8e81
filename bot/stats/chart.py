"""The chart of ``/stats``: reports filed per week, stacked per theme, as a PNG readable on a phone.

Pitfalls:
- matplotlib is imported here, on first use, and only its object API is used (``Figure`` with the Agg
  canvas): no ``pyplot``, so no global figure state, no GUI backend and no display needed, and drawing may run
  in a worker thread (the handler does, to keep the bot responsive).
- matplotlib is not thread-safe (its font cache is shared): drawings are serialised with a lock, because the
  weekly digest job may run while a ``/stats`` command draws.
- No emoji in the chart: the bundled DejaVu fonts lack them and matplotlib would warn per missing glyph.
"""

from __future__ import annotations

import io
import threading

from babel.dates import format_date

from bot.i18n.catalogs import Translator
from bot.stats.figures import Figures
from bot.stats.render import day, theme_label
from knowledge.base import THEMES

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
COLOURS = {"youth": "#0072B2", "digital": "#E69F00", "undermining": "#CC79A7", "general": "#009E73"}
MAX_WEEK_LABELS = 8  # more labels than this do not fit under the bars on a phone
_DRAWING = threading.Lock()  # a plain lock (no I/O): matplotlib must not draw in two threads at once


def draw_chart(figures: Figures, title: str, t: Translator) -> bytes:
    """PNG bytes: one bar per week (Monday's date under it), stacked per theme, with a legend below."""
    with _DRAWING:
        return _draw(figures, title, t)


def _draw(figures: Figures, title: str, t: Translator) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7.2, 6.4), dpi=150, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    positions = list(range(len(figures.weeks)))
    bottom = [0] * len(figures.weeks)
    themes = [th for th in THEMES if th in figures.per_week] + sorted(set(figures.per_week) - set(THEMES))
    for theme in themes:
        counts = figures.per_week[theme]
        ax.bar(
            positions,
            counts,
            bottom=bottom,
            width=0.75,
            color=COLOURS.get(theme, "#999999"),
            label=f"{theme_label(theme, t)} ({sum(counts)})",
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    step = max(1, -(-len(positions) // MAX_WEEK_LABELS))
    ax.set_xticks(positions[::step])
    ax.set_xticklabels(
        [format_date(w, format="d MMM", locale=t.lang) for w in figures.weeks[::step]], rotation=0, fontsize=13
    )
    ax.set_xlim(-0.6, max(len(positions), 1) - 0.4)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="y", labelsize=13)
    ax.set_ylabel(t.gettext("reports per week"), fontsize=13)
    ax.set_xlabel(t.gettext("week starting"), fontsize=13)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    period = f"{day(figures.period.start, t)} – {day(figures.period.end, t)}"
    heading = t.gettext("Reports per week per theme")
    fig.suptitle(f"{heading}\n{title}, {period}", fontsize=15)
    if themes:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=12, frameon=False)
    else:
        ax.text(0.5, 0.5, t.gettext("No reports in this period."), ha="center", va="center", transform=ax.transAxes)
        ax.set_ylim(0, 1)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
