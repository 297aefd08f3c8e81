"""Rendering a topic's answer as Telegram HTML (used by the bot and by ``veiligbot kb check``).

Pitfall: every content string is escaped; content is data edited by people, and one stray ``<`` or ``&``
would make Telegram refuse the whole message ("can't parse entities").
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from knowledge.base import KnowledgeBase
from knowledge.schema import Helpline, Language, Topic

Gettext = Callable[[str], str]


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
    """The full answer: title, summary, numbered steps, helplines and links."""
    content = topic.lang(lang)
    lines = [
        f"<b>{escape(content.title)}</b>",
        escape(content.summary),
        "",
        "<b>" + escape(gettext(_("What you can do now"))) + "</b>",
    ]
    lines += [f"{i}. {escape(step)}" for i, step in enumerate(content.steps, start=1)]
    helplines = [kb.helplines[h] for h in topic.helplines if h in kb.helplines]
    if helplines:
        lines += ["", "<b>" + escape(gettext(_("Help and information"))) + "</b>"]
        lines += [render_helpline(h, lang, gettext) for h in helplines]
    if topic.links:
        lines += ["", "<b>" + escape(gettext(_("More information"))) + "</b>"]
        lines += [
            f'• <a href="{escape(str(link.url), quote=True)}">{escape(link.title.get(lang))}</a>'
            for link in topic.links
        ]
    return "\n".join(lines)
