"""Standard closing texts per report category, at B1 level (after Signalen's standaardteksten).

The msgids are English; the Dutch catalog holds the Dutch. Staff pick a text by its Dutch wording, and the
resident receives it in their own language (:func:`closing_text`).

Pitfall: a text's position is part of the button data (``tpl:<n>``), so add new texts at the end of a list.
"""

from __future__ import annotations

from bot.i18n.catalogs import N_

GENERAL: tuple[str, ...] = (
    N_("We have looked into your report and taken action where we could. Thank you for letting us know."),
    N_("We have passed your report on to the right people. They will use it in their work. Thank you."),
    N_(
        "We could not do anything with your report this time, for example because there was too little "
        "information. You are always welcome to report again."
    ),
)

CLOSING_TEXTS: dict[str, tuple[str, ...]] = {
    "worried-about-youth": (
        N_(
            "We have spoken with the people who work with young people in your area. They will keep an eye on "
            "the situation. Thank you for your concern."
        ),
    ),
    "youth-nuisance": (
        N_(
            "We have asked the youth workers and the community officer to pay attention to this place. Please "
            "report again if the nuisance continues."
        ),
    ),
    "online-scam-signal": (
        N_(
            "Thank you for your report. We use it to warn other residents. If you lost money, report it to the "
            "police as well."
        ),
    ),
    "undermining-signal": (
        N_(
            "Thank you for your report. We have added it to the information we already have. For your safety, "
            "we cannot tell you what happens next."
        ),
    ),
    "other-safety-concern": (),
}


def closing_texts(category: str) -> tuple[str, ...]:
    """The texts staff can pick for a report of this category: the category's own first, then the general ones."""
    return CLOSING_TEXTS.get(category, ()) + GENERAL


def closing_text(category: str, index: int) -> str | None:
    """The msgid at ``index`` in :func:`closing_texts`, or None when there is none."""
    texts = closing_texts(category)
    return texts[index] if 0 <= index < len(texts) else None
