"""Runtime task: ``om.runtime.script('name').run(**kwargs)`` runs the script on a worker."""
from __future__ import annotations

from typing import Any

from omegaml_core.runtime import task

from .runner import run_script


@task("omegaml_scripts.run", proxy="script.run", store="scripts")
def run(om: Any, name: str, **kwargs: Any) -> dict[str, Any]:
    """Run a script; ``__timeout`` (seconds) overrides the default timeout."""
    timeout = kwargs.pop("__timeout", None)
    return run_script(om, name, kwargs, timeout=timeout)
