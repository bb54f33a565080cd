"""Name resolution for ``om.jobs``: ``report`` finds ``report.ipynb`` (an exact stored name always wins)."""
from __future__ import annotations

from typing import Any

from omegaml_core.hookspecs import hookimpl

from .names import SUFFIX, stored_name

JOBS_PREFIX = "jobs/"


@hookimpl
def omega_resolve_name(store: Any, name: str) -> str | None:
    if store.prefix != JOBS_PREFIX or name.endswith(SUFFIX):
        return None
    if store.engine.meta_get(store.bucket, store.prefix, name) is not None:
        return None
    candidate = stored_name(name)
    return candidate if store.engine.meta_get(store.bucket, store.prefix, candidate) is not None else None
