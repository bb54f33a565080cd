"""Runtime task: ``om.runtime.job('report').run(parameters={...})`` runs the notebook on a worker."""
from __future__ import annotations

from typing import Any

from omegaml_core.runtime import task

from .runner import run_job


@task("omegaml_notebook.run", proxy="job.run", store="jobs")
def run(om: Any, name: str, parameters: dict | None = None, timeout: float | None = None,
        cell_timeout: float | None = None, scheduled_for: str | None = None) -> dict[str, Any]:
    """Run a notebook job; returns ``{'job', 'result', **attributes}`` or raises NotebookRunError."""
    meta = run_job(om, name, parameters=parameters, timeout=timeout, cell_timeout=cell_timeout,
                   scheduled_for=scheduled_for)
    return {"job": meta.attributes["source_job"], "result": meta.name, **meta.attributes}
