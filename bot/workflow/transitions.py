"""The report status workflow: one table of allowed transitions (after Signalen's ``ALLOWED_STATUS_CHANGES``).

Residents see the status label in their language; staff actions (taking a report on, asking the resident a
question, forwarding, closing) are transitions in this table and nowhere else.
"""

from __future__ import annotations

from enum import StrEnum

from bot.i18n.catalogs import N_


class Status(StrEnum):
    NEW = "new"  # Gemeld
    IN_PROGRESS = "in_progress"  # In behandeling
    REACTION_REQUESTED = "reaction_requested"  # Reactie gevraagd
    REACTION_RECEIVED = "reaction_received"  # Reactie ontvangen
    FORWARDED = "forwarded"  # Doorgezet naar een andere organisatie
    CLOSED = "closed"  # Afgehandeld
    CANCELLED = "cancelled"  # Geannuleerd
    REOPENED = "reopened"  # Heropend


TRANSITIONS: dict[Status | None, frozenset[Status]] = {
    None: frozenset({Status.NEW}),
    Status.NEW: frozenset(
        {Status.IN_PROGRESS, Status.REACTION_REQUESTED, Status.FORWARDED, Status.CLOSED, Status.CANCELLED}
    ),
    Status.IN_PROGRESS: frozenset({Status.REACTION_REQUESTED, Status.FORWARDED, Status.CLOSED, Status.CANCELLED}),
    Status.REACTION_REQUESTED: frozenset({Status.REACTION_RECEIVED, Status.IN_PROGRESS, Status.CLOSED}),
    Status.REACTION_RECEIVED: frozenset({Status.IN_PROGRESS, Status.REACTION_REQUESTED, Status.CLOSED}),
    Status.FORWARDED: frozenset({Status.CLOSED, Status.REOPENED}),
    Status.CLOSED: frozenset({Status.REOPENED}),
    Status.CANCELLED: frozenset({Status.REOPENED}),
    Status.REOPENED: frozenset({Status.IN_PROGRESS, Status.CLOSED, Status.CANCELLED}),
}

LABELS: dict[Status, str] = {
    Status.NEW: N_("received"),
    Status.IN_PROGRESS: N_("being handled"),
    Status.REACTION_REQUESTED: N_("question for you"),
    Status.REACTION_RECEIVED: N_("your answer received"),
    Status.FORWARDED: N_("forwarded to another organisation"),
    Status.CLOSED: N_("closed"),
    Status.CANCELLED: N_("cancelled"),
    Status.REOPENED: N_("reopened"),
}


class TransitionError(ValueError):
    pass


def check_transition(current: Status | None, new: Status) -> None:
    """Raise :class:`TransitionError` unless the table allows ``current → new``."""
    if new not in TRANSITIONS.get(current, frozenset()):
        raise TransitionError(f"status change {current} -> {new} is not allowed")
