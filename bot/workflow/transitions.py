"""The report workflow as one table (after Signalen's ``ALLOWED_STATUS_CHANGES``): every action on a report, the
statuses it may start from, the status it leads to, who may take it, what it requires and what the resident is
told. :func:`bot.workflow.engine.Workflow.apply` enforces this table and nothing else does.

Pitfalls:
- ``target=None`` means the status does not change (a message to the resident).
- An action that ``contacts`` the resident is not offered for a report without updates (no chat to write to);
  ``close`` is the exception: its text is then kept as a note only.
- :data:`TRANSITIONS` (the status graph) is derived from :data:`ACTIONS`; change the actions, not the graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

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


class Action(StrEnum):
    TAKE = "take"  # Oppakken
    ASK = "ask"  # Vraag aan melder
    ANSWER = "answer"  # the resident answers the question
    NO_REACTION = "no_reaction"  # the question's deadline passed: "geen reactie ontvangen"
    MESSAGE = "message"  # Bericht aan melder
    TRANSFER = "transfer"  # Doorsturen naar een andere gemeente
    FORWARD = "forward"  # Doorsturen naar een externe partner
    CLOSE = "close"  # Afhandelen
    REOPEN = "reopen"  # Heropenen
    CANCEL = "cancel"  # Annuleren (coordinators)


Role = Literal["staff", "coordinator", "admin", "resident", "system"]
STAFF: frozenset[Role] = frozenset({"staff", "coordinator", "admin"})
COORDINATORS: frozenset[Role] = frozenset({"coordinator", "admin"})
Requirement = Literal["resident_message", "note", "municipality"]
OPEN = frozenset({Status.NEW, Status.IN_PROGRESS, Status.REACTION_RECEIVED, Status.REOPENED})


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status | None  # None: unchanged
    roles: frozenset[Role]
    requires: Requirement | None  # what the actor must give
    tell: str | None  # msgid: what the resident is told (with {reference} and {municipality}); None: nothing
    contacts: bool = False  # the resident's message is the point of the action (not offered without updates)


ACTIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(
            Action.TAKE,
            OPEN | {Status.IN_PROGRESS},
            Status.IN_PROGRESS,
            STAFF,
            None,
            N_("Your report {reference} is now being handled by the municipality of {municipality}."),
        ),
        Transition(Action.ASK, OPEN, Status.REACTION_REQUESTED, STAFF, "resident_message", None, contacts=True),
        Transition(
            Action.ANSWER,
            frozenset({Status.REACTION_REQUESTED}),
            Status.REACTION_RECEIVED,
            frozenset({"resident"}),
            "note",
            N_(
                "Thank you. Your answer about report {reference} has been passed on to the municipality of "
                "{municipality}."
            ),
        ),
        Transition(
            Action.NO_REACTION,
            frozenset({Status.REACTION_REQUESTED}),
            Status.IN_PROGRESS,
            frozenset({"system"}),
            None,
            None,
        ),
        Transition(
            Action.MESSAGE,
            OPEN | {Status.REACTION_REQUESTED, Status.FORWARDED},
            None,
            STAFF,
            "resident_message",
            None,
            contacts=True,
        ),
        Transition(
            Action.TRANSFER,
            OPEN,
            Status.NEW,
            STAFF,
            "municipality",
            N_(
                "Your report {reference} has been passed on to the municipality of {municipality}, which handles "
                "it from now on."
            ),
        ),
        Transition(
            Action.FORWARD,
            OPEN,
            Status.FORWARDED,
            STAFF,
            "note",
            N_(
                "Your report {reference} has been passed on to an organisation that can help further. The "
                "municipality of {municipality} keeps it on file."
            ),
        ),
        Transition(
            Action.CLOSE,
            OPEN | {Status.REACTION_REQUESTED, Status.FORWARDED},
            Status.CLOSED,
            STAFF,
            "resident_message",
            None,
        ),
        Transition(
            Action.REOPEN,
            frozenset({Status.CLOSED, Status.FORWARDED, Status.CANCELLED}),
            Status.REOPENED,
            STAFF,
            None,
            N_("Your report {reference} has been reopened by the municipality of {municipality}."),
        ),
        Transition(
            Action.CANCEL,
            frozenset({Status.NEW, Status.IN_PROGRESS, Status.REOPENED}),
            Status.CANCELLED,
            COORDINATORS,
            "note",
            None,
        ),
    )
}


def _graph() -> dict[Status | None, frozenset[Status]]:
    graph: dict[Status | None, set[Status]] = {None: {Status.NEW}, **{s: set() for s in Status}}
    for transition in ACTIONS.values():
        if transition.target is None:
            continue
        for source in transition.sources:
            if source != transition.target:
                graph[source].add(transition.target)
    return {k: frozenset(v) for k, v in graph.items()}


TRANSITIONS: dict[Status | None, frozenset[Status]] = _graph()
"""Which status may follow which (derived from :data:`ACTIONS`; ``None`` is a report being filed)."""

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

FORWARDING_LABEL = N_("received, being forwarded to the municipality")
"""A new report that no staff chat or mailbox has taken yet (:func:`bot.reports.queries.still_forwarding`)."""

STAFF_LABELS: dict[Status, str] = {
    Status.NEW: N_("new"),
    Status.IN_PROGRESS: N_("in progress"),
    Status.REACTION_REQUESTED: N_("waiting for the resident"),
    Status.REACTION_RECEIVED: N_("answer received"),
    Status.FORWARDED: N_("forwarded to a partner"),
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


def available(status: Status, role: Role, *, resident_reachable: bool) -> list[Action]:
    """The actions ``role`` may take on a report in ``status``, in table order.

    ``resident_reachable``: the report has a resident chat (updates wanted); otherwise actions that exist to
    contact the resident are left out.
    """
    return [
        t.action
        for t in ACTIONS.values()
        if status in t.sources and role in t.roles and (resident_reachable or not t.contacts)
    ]
