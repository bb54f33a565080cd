"""The one state model: every transition, allowed or refused, from the one table."""
import itertools
from pathlib import Path

import pytest

from omegaml_ops.states import TRANSITIONS, IllegalTransition, State, check_transition, table

PAIRS = list(itertools.product(State, State))
ALLOWED = [(a, b) for a, b in PAIRS if b in TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in PAIRS if b not in TRANSITIONS[a]]


def test_the_values_are_those_of_the_design_notes():
    assert {s.name: s.value for s in State} == {"INITIATED": 0, "PENDING": 1, "COMPLETED": 5, "REMOVED": 8, "FAILED": 9}


@pytest.mark.parametrize("current,new", ALLOWED, ids=[f"{a.name}->{b.name}" for a, b in ALLOWED])
def test_an_allowed_transition_returns_the_new_state(current, new):
    assert check_transition("deployment 1", current, new) is new


@pytest.mark.parametrize("current,new", REFUSED, ids=[f"{a.name}->{b.name}" for a, b in REFUSED])
def test_a_refused_transition_raises_naming_both_states(current, new):
    with pytest.raises(IllegalTransition, match=f"deployment 1 cannot go from {current.name} .* to {new.name}"):
        check_transition("deployment 1", current, new)


def test_nothing_leaves_removed_and_removal_passes_through_pending():
    assert TRANSITIONS[State.REMOVED] == frozenset()
    assert State.REMOVED not in TRANSITIONS[State.COMPLETED] and State.REMOVED in TRANSITIONS[State.PENDING]


def test_an_unknown_state_value_is_refused():
    with pytest.raises(ValueError, match="3"):
        check_transition("task", 3, State.PENDING)


def test_the_readme_prints_the_table_in_code():
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert table() in readme
