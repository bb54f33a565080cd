"""How notebook jobs are named: ``report`` and ``report.ipynb`` are the same job, stored as ``report.ipynb``."""
from __future__ import annotations

from datetime import datetime

SUFFIX = ".ipynb"
RESULTS_FOLDER = "results"


def stored_name(name: str) -> str:
    """The name a notebook is stored under: ``name`` with ``.ipynb``."""
    return name if name.endswith(SUFFIX) else name + SUFFIX


def job_name(name: str) -> str:
    """``report`` for ``report`` or ``report.ipynb``."""
    return name[: -len(SUFFIX)] if name.endswith(SUFFIX) else name


def result_name(name: str, started: datetime) -> str:
    """``results/<name>_<UTC time, ISO 8601 basic>.ipynb``: sorts by time."""
    return f"{RESULTS_FOLDER}/{job_name(name)}_{started:%Y%m%dT%H%M%S.%f}Z{SUFFIX}"
