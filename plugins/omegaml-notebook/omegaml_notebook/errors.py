"""Errors of notebook jobs; the runtime re-creates them on the client by module and name."""
from __future__ import annotations

from omegaml_core.errors import OmegaError


class NotebookRunError(OmegaError, RuntimeError):
    """A notebook run failed (a cell raised or timed out); the partial run is stored all the same."""


class ScheduleError(OmegaError, ValueError):
    """A schedule that cannot be parsed or applied; nothing was changed."""
