"""Parameters injected the way papermill does: a new cell after the one tagged ``parameters``."""
from __future__ import annotations

import copy
import keyword
from typing import Any

from omegaml_core.backends.pydata import check_json_document

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"


def check_parameters(parameters: Any) -> dict[str, Any]:
    """``parameters`` as a dict of identifier -> JSON value; TypeError/ValueError saying what is wrong."""
    if parameters is None:
        return {}
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict of name -> value, got {type(parameters).__name__}")
    for key in parameters:
        if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key):
            raise ValueError(f"parameter name {key!r} is not a Python identifier; use names like 'start_date'")
    check_json_document(parameters)
    return parameters


def _tags(cell: Any) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def inject_parameters(nb: Any, parameters: dict[str, Any]) -> Any:
    """A copy of ``nb`` with a cell assigning ``parameters`` after the ``parameters`` cell (or first).

    A cell injected by an earlier run is replaced, so a stored result can be run again.
    """
    import nbformat

    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if INJECTED_TAG not in _tags(c)]
    if not parameters:
        return nb
    source = "# Parameters\n" + "\n".join(f"{key} = {value!r}" for key, value in parameters.items())
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = [INJECTED_TAG]
    position = next((i + 1 for i, c in enumerate(nb.cells) if PARAMETERS_TAG in _tags(c)), 0)
    nb.cells.insert(position, cell)
    return nb
