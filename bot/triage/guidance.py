"""The crisis guidance shown before anything else when triage flags a message, and its short version for a
possible crisis.

Pitfall: these texts name only verified numbers (kb-facts A1): 112, 113 / 0800-0113, Veilig Thuis
0800-2000. Keep them short: a person in crisis reads the first lines only.
"""

from __future__ import annotations

from bot.i18n.catalogs import Translator
from bot.triage.rules import Urgency


def crisis_text(urgency: Urgency, t: Translator) -> str:
    if urgency is Urgency.EMERGENCY:
        return t.gettext(
            "🚨 <b>Is there danger right now? Call 112 immediately.</b>\n"
            "112 is for police, fire brigade and ambulance when every second counts. "
            "If you cannot talk safely, call 112 anyway and stay on the line.\n\n"
            "Go to a safe place if you can. I am a chatbot: I cannot send help and nobody reads this chat live."
        )
    if urgency is Urgency.SUICIDE:
        return t.gettext(
            "💛 <b>Are you thinking about suicide, or worried about someone? You don't have to carry this alone.</b>\n"
            "Call <b>113</b> or <b>0800-0113</b>: free, anonymous, 24 hours a day, 7 days a week. "
            "You can also chat at 113.nl.\n\n"
            "<b>Is a life in danger right now? Call 112.</b>\n\n"
            "I am a chatbot and nobody reads this chat live, so please contact 113 now."
        )
    return t.gettext(
        "🏠 <b>Violence at home or child abuse is never okay, and help is available.</b>\n"
        "Call <b>Veilig Thuis: 0800-2000</b> – free, day and night. You can stay anonymous, also when you are "
        "worried about someone else.\n\n"
        "<b>Is it happening right now, or is someone in danger? Call 112.</b>\n\n"
        "I am a chatbot and nobody reads this chat live."
    )


def crisis_lines(urgency: Urgency, t: Translator) -> str:
    """The short version for a *possible* crisis (``concern``): one or two lines that open a normal reply.

    Pitfall: the same numbers as :func:`crisis_text`, nothing more; the full guidance is one button away.
    """
    if urgency is Urgency.EMERGENCY:
        return t.gettext("🚨 <b>Is there danger right now? Call 112 immediately.</b>")
    if urgency is Urgency.SUICIDE:
        return t.gettext(
            "💛 <b>Are you thinking about suicide, or worried about someone?</b> Call 113 or 0800-0113 (free, day "
            "and night), or chat at 113.nl. Danger right now: 112."
        )
    return t.gettext(
        "🏠 <b>Violence at home, or worried about a child?</b> Call Veilig Thuis: 0800-2000 (free, day and night, "
        "you can stay anonymous). Danger right now: 112."
    )
