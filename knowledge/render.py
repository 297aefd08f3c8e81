"""Rendering a topic's answer as Telegram HTML (used by the bot and by ``veiligbot kb check``).

Pitfalls:
- Every content string is escaped; content is data edited by people, and one stray ``<`` or ``&`` would
  make Telegram refuse the whole message ("can't parse entities").
- The bot shows :func:`render_answer` (a first screen and the rest behind "More"); ``kb check`` also checks
  :func:`render_topic`, the whole answer, against Telegram's limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape, unescape

from knowledge.base import KnowledgeBase
from knowledge.schema import Helpline, Language, Topic

Gettext = Callable[[str], str]

# About one phone screen of text; the rest of an answer is behind a "More" button.
FIRST_SCREEN = 700
# Helplines for a crisis: never behind "More" (a person in crisis reads the first lines only).
CRISIS_HELPLINES = frozenset({"alarmnummer-112", "zelfmoordpreventie-113", "veilig-thuis"})


def _(message: str) -> str:
    """Mark for extraction; the caller's gettext translates at render time."""
    return message


def render_helpline(helpline: Helpline, lang: Language, gettext: Gettext) -> str:
    parts = []
    if helpline.phone:
        parts.append(escape(helpline.phone))
    if helpline.website:
        parts.append(escape(helpline.website))
    if helpline.email:
        parts.append(escape(helpline.email))
    if helpline.chat:
        parts.append(escape(helpline.chat.get(lang)))
    line = f"• <b>{escape(helpline.name.get(lang))}</b>"
    if parts:
        line += ": " + " · ".join(parts)
    if helpline.hours:
        # ``as_of`` is for editors (``kb check`` warns when it is old), never shown: no doubt next to a number.
        line += f"\n  {escape(helpline.hours.get(lang))}"
    return line


def render_topic(topic: Topic, kb: KnowledgeBase, lang: Language, gettext: Gettext) -> str:
    """The full answer: title, what to do first, summary, numbered steps, helplines and links."""
    content = topic.lang(lang)
    helplines = _helplines(topic, kb)
    lines = [*_head(topic, lang), "", _heading(gettext(_("What you can do now")))]
    lines += _steps(content.steps, 1)
    lines += _helpline_section(helplines, lang, gettext)
    lines += _link_section(topic, lang, gettext)
    return "\n".join(lines)


@dataclass(frozen=True)
class Answer:
    """An answer split for a phone: ``first`` fits on about one screen, ``rest`` is shown behind "More"."""

    first: str
    rest: str | None  # None: everything is on the first screen


def render_answer(
    topic: Topic, kb: KnowledgeBase, lang: Language, gettext: Gettext, limit: int = FIRST_SCREEN
) -> Answer:
    """The answer as a first screen of at most ``limit`` visible characters, and the rest.

    First screen: title, what to do first, summary, the first steps that fit (at least one) and the crisis
    helplines (112, 113, Veilig Thuis) whatever their length; the rest: the other steps, helplines and links.
    Pitfall: the title, summary and crisis helplines alone may exceed ``limit`` (``kb check`` reports that);
    they are never moved behind "More".
    """
    full = render_topic(topic, kb, lang, gettext)
    if visible_length(full) <= limit:
        return Answer(full, None)
    content = topic.lang(lang)
    helplines = _helplines(topic, kb)
    urgent = [h for h in helplines if h.id in CRISIS_HELPLINES]
    others = [h for h in helplines if h.id not in CRISIS_HELPLINES]
    head = [*_head(topic, lang), "", _heading(gettext(_("What you can do now")))]
    tail = _helpline_section(urgent, lang, gettext)
    shown = 1
    while shown < len(content.steps):
        candidate = head + _steps(content.steps[: shown + 1], 1) + tail
        if visible_length("\n".join(candidate)) > limit:
            break
        shown += 1
    first = head + _steps(content.steps[:shown], 1) + tail
    rest = [f"<b>{escape(content.title)}</b>"]
    if shown < len(content.steps):
        rest += ["", _heading(gettext(_("What you can do now")))]
        rest += _steps(content.steps[shown:], shown + 1)
    rest += _helpline_section(others, lang, gettext)
    rest += _link_section(topic, lang, gettext)
    return Answer("\n".join(first), "\n".join(rest) if len(rest) > 1 else None)


def visible_length(html: str) -> int:
    """Length as Telegram counts it: after tags are parsed and entities decoded."""
    return len(unescape(re.sub(r"<[^>]+>", "", html)))


def _head(topic: Topic, lang: Language) -> list[str]:
    content = topic.lang(lang)
    lines = [f"<b>{escape(content.title)}</b>"]
    if content.first:
        lines.append(f"❗ <b>{escape(content.first)}</b>")
    lines.append(escape(content.summary))
    return lines


def _heading(text: str) -> str:
    return f"<b>{escape(text)}</b>"


def _steps(steps: list[str], start: int) -> list[str]:
    return [f"{i}. {escape(step)}" for i, step in enumerate(steps, start=start)]


def _helplines(topic: Topic, kb: KnowledgeBase) -> list[Helpline]:
    return [kb.helplines[h] for h in topic.helplines if h in kb.helplines]


def _helpline_section(helplines: list[Helpline], lang: Language, gettext: Gettext) -> list[str]:
    if not helplines:
        return []
    lines = ["", _heading(gettext(_("Help and information")))]
    return lines + [render_helpline(h, lang, gettext) for h in helplines]


def _link_section(topic: Topic, lang: Language, gettext: Gettext) -> list[str]:
    if not topic.links:
        return []
    lines = ["", _heading(gettext(_("More information")))]
    return lines + [
        f'• <a href="{escape(str(link.url), quote=True)}">{escape(link.title.get(lang))}</a>' for link in topic.links
    ]
