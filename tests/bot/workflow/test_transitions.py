"""The report status workflow: every allowed and every refused transition."""

from __future__ import annotations

import itertools

import pytest

from bot.workflow.transitions import LABELS, TRANSITIONS, Status, TransitionError, check_transition

S = Status
# Written out independently of bot.workflow.transitions, so a change to the table has to be made twice, on purpose.
ALLOWED: dict[Status | None, set[Status]] = {
    None: {S.NEW},
    S.NEW: {S.IN_PROGRESS, S.REACTION_REQUESTED, S.FORWARDED, S.CLOSED, S.CANCELLED},
    S.IN_PROGRESS: {S.REACTION_REQUESTED, S.FORWARDED, S.CLOSED, S.CANCELLED},
    S.REACTION_REQUESTED: {S.REACTION_RECEIVED, S.IN_PROGRESS, S.CLOSED},
    S.REACTION_RECEIVED: {S.IN_PROGRESS, S.REACTION_REQUESTED, S.CLOSED},
    S.FORWARDED: {S.CLOSED, S.REOPENED},
    S.CLOSED: {S.REOPENED},
    S.CANCELLED: {S.REOPENED},
    S.REOPENED: {S.IN_PROGRESS, S.CLOSED, S.CANCELLED},
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
    # Nothing returns to "new", nothing stays where it is, and a new report can only start as "new".
    assert all(S.NEW not in targets for current, targets in TRANSITIONS.items() if current is not None)
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
