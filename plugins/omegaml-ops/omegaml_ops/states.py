"""The one state model of commands, deployments and tasks, with its transitions written down once.

The values are those of omega|ml's operations API: the number is what the REST
API returns. ``TRANSITIONS`` is the only place that says which change is allowed;
every status change goes through ``check_transition``.
"""
from __future__ import annotations

from enum import IntEnum


class State(IntEnum):
    INITIATED = 0  #: created, not yet scheduled
    PENDING = 1  #: scheduled or running (a deployment being removed is PENDING too)
    COMPLETED = 5  #: done without error
    REMOVED = 8  #: removed; the row is kept for history
    FAILED = 9  #: some part failed; a new command (or a retry) may run it again


#: state -> the states it may change to. Nothing leaves REMOVED.
TRANSITIONS: dict[State, frozenset[State]] = {
    State.INITIATED: frozenset({State.PENDING, State.FAILED}),
    State.PENDING: frozenset({State.COMPLETED, State.FAILED, State.REMOVED}),
    State.COMPLETED: frozenset({State.PENDING}),
    State.FAILED: frozenset({State.PENDING}),
    State.REMOVED: frozenset(),
}


class IllegalTransition(ValueError):
    """A status change the state model does not allow."""


def check_transition(what: str, current: int, new: int) -> State:
    """``State(new)`` if ``current -> new`` is in TRANSITIONS, else IllegalTransition naming both."""
    old, target = State(current), State(new)
    if target not in TRANSITIONS[old]:
        allowed = ", ".join(s.name for s in sorted(TRANSITIONS[old])) or "nothing (it is final)"
        raise IllegalTransition(f"{what} cannot go from {old.name} ({old.value}) to {target.name} ({target.value}); "
                                f"from {old.name} it may go to {allowed}")
    return target


def table() -> str:
    """TRANSITIONS as a Markdown table (printed in the README; a test keeps the two equal)."""
    lines = ["| from | may go to |", "|---|---|"]
    for state in State:
        targets = ", ".join(f"{s.name} ({s.value})" for s in sorted(TRANSITIONS[state])) or "nothing (final)"
        lines.append(f"| {state.name} ({state.value}) | {targets} |")
    return "\n".join(lines)
