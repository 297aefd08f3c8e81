"""The report status workflow: every allowed and every refused transition."""

from __future__ import annotations

import itertools

import pytest

from bot.workflow.transitions import (
    ACTIONS,
    LABELS,
    STAFF,
    TRANSITIONS,
    Action,
    Status,
    TransitionError,
    available,
    check_transition,
)

S = Status
# Written out independently of bot.workflow.transitions, so a change to the table has to be made twice, on purpose.
ALLOWED: dict[Status | None, set[Status]] = {
    None: {S.NEW},
    S.NEW: {S.IN_PROGRESS, S.REACTION_REQUESTED, S.FORWARDED, S.CLOSED, S.CANCELLED},
    # "new" again: forwarded to another municipality, where it arrives as received.
    S.IN_PROGRESS: {S.NEW, S.REACTION_REQUESTED, S.FORWARDED, S.CLOSED, S.CANCELLED},
    S.REACTION_REQUESTED: {S.REACTION_RECEIVED, S.IN_PROGRESS, S.CLOSED},
    S.REACTION_RECEIVED: {S.NEW, S.IN_PROGRESS, S.REACTION_REQUESTED, S.FORWARDED, S.CLOSED},
    S.FORWARDED: {S.CLOSED, S.REOPENED},
    S.CLOSED: {S.REOPENED},
    S.CANCELLED: {S.REOPENED},
    S.REOPENED: {S.NEW, S.IN_PROGRESS, S.REACTION_REQUESTED, S.FORWARDED, S.CLOSED, S.CANCELLED},
}
PAIRS = list(itertools.product([None, *Status], list(Status)))


@pytest.mark.parametrize(("current", "new"), PAIRS, ids=[f"{c}->{n}" for c, n in PAIRS])
def test_transition(current: Status | None, new: Status) -> None:
    if new in ALLOWED[current]:
        check_transition(current, new)
    else:
        with pytest.raises(TransitionError, match="not allowed"):
            check_transition(current, new)


def test_the_table_covers_every_status() -> None:
    assert set(TRANSITIONS) == {None, *Status}
    assert {k: set(v) for k, v in TRANSITIONS.items()} == ALLOWED


def test_invariants() -> None:
    # Only a transfer to another municipality returns to "new"; nothing stays where it is; a new report can
    # only start as "new".
    returns_to_new = {t.action for t in ACTIONS.values() if t.target == S.NEW}
    assert returns_to_new == {Action.TRANSFER}
    assert all(status not in TRANSITIONS[status] for status in Status)
    # A resident's answer can only follow a question.
    assert {c for c, targets in TRANSITIONS.items() if S.REACTION_RECEIVED in targets} == {S.REACTION_REQUESTED}
    # Finished reports only move again by being reopened.
    assert TRANSITIONS[S.CLOSED] == TRANSITIONS[S.CANCELLED] == {S.REOPENED}


def test_every_status_is_reachable_from_new() -> None:
    seen, todo = {S.NEW}, [S.NEW]
    while todo:
        for target in TRANSITIONS[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == set(Status)


def test_transition_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="closed -> new"):
        check_transition(S.CLOSED, S.NEW)


def test_every_status_has_a_label() -> None:
    assert set(LABELS) == set(Status)
    assert len(set(LABELS.values())) == len(Status)


def test_statuses_match_the_database_check_constraint() -> None:
    from bot.storage.models import STATUSES

    assert set(STATUSES) == {s.value for s in Status}


def test_every_action_says_who_may_take_it_and_what_it_needs() -> None:
    for action, transition in ACTIONS.items():
        assert transition.action == action and transition.roles and transition.sources
    # Staff actions are for staff; the resident answers; the deadline is the system's; cancelling is for coordinators.
    assert ACTIONS[Action.ANSWER].roles == {"resident"}
    assert ACTIONS[Action.NO_REACTION].roles == {"system"}
    assert ACTIONS[Action.CANCEL].roles == {"coordinator", "admin"}
    assert all(ACTIONS[a].roles == STAFF for a in (Action.TAKE, Action.ASK, Action.CLOSE, Action.REOPEN))
    # A question, a message and a closing need text for the resident; a forward to a partner a note.
    assert {a for a, t in ACTIONS.items() if t.requires == "resident_message"} == {
        Action.ASK,
        Action.MESSAGE,
        Action.CLOSE,
    }
    assert ACTIONS[Action.FORWARD].requires == "note" and ACTIONS[Action.TRANSFER].requires == "municipality"


def test_actions_that_contact_the_resident_are_not_offered_without_updates() -> None:
    reachable = available(S.IN_PROGRESS, "staff", resident_reachable=True)
    unreachable = available(S.IN_PROGRESS, "staff", resident_reachable=False)
    assert {Action.ASK, Action.MESSAGE} <= set(reachable)
    assert not {Action.ASK, Action.MESSAGE} & set(unreachable)
    assert Action.CLOSE in unreachable  # closing is always possible; its text is then kept as a note
    assert available(S.CLOSED, "staff", resident_reachable=True) == [Action.REOPEN]
    assert available(S.NEW, "resident", resident_reachable=True) == []
