"""Web UI pages of scripts (the ``omegaml.ui`` entry point; omegaml-server mounts them under /ui).

- ``/ui/b/{bucket}/scripts/{name}``: the script's package, version and requirements, its recent runs
  (newest first) with status and duration, and "run now" with keyword arguments (role run).
- ``/ui/b/{bucket}/scripts/results/{name}_<UTC>``: one run: status, timings, arguments, the error,
  the captured stdout and stderr, and the result.
"""
from __future__ import annotations

import json
import keyword
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .history import RESULTS_FOLDER, run_name, runs

KIND = "python.package"
RUN_KIND = "python.data"
#: runs shown on a script's page (the newest)
RUNS_SHOWN = 50


def pages(ui: Any) -> Any:
    """Register the script views and the run action on ``ui``; returns an (empty) router."""
    from fastapi import APIRouter

    ui.add_templates(Path(__file__).parent / "templates")
    ui.object_view("scripts", kinds=(KIND,))(script_view)
    ui.object_view("scripts", kinds=(RUN_KIND,))(run_view)
    ui.object_action("scripts", "run", "run")(run_now)
    return APIRouter(include_in_schema=False)


def is_run(meta: Any) -> bool:
    """True for a stored run (``results/<name>_<UTC>`` with a ``source_script``)."""
    return meta.name.startswith(RESULTS_FOLDER + "/") and bool(meta.attributes.get("source_script"))


def script_view(ui: Any, page: Any, meta: Any) -> Any:
    """The page of a script: package facts, recent runs and the run form."""
    found = runs(page.omega, meta.name)
    return ui.render(page, "scripts_page.html", store="scripts", meta=meta, info=meta.kind_meta,
                     runs=found[:RUNS_SHOWN], total_runs=len(found))


def run_view(ui: Any, page: Any, meta: Any) -> Any:
    """The page of one run; other ``python.data`` objects in scripts get the generic object page."""
    if not is_run(meta):
        return ui.render(page, "object.html", store="scripts", meta=meta)
    document = page.omega.scripts.get(meta.name)
    document = document if isinstance(document, dict) else {}
    result = document.get("result")
    return ui.render(page, "scripts_run.html", store="scripts", meta=meta, run=meta.attributes,
                     script=meta.attributes["source_script"], stdout=str(document.get("stdout") or ""),
                     stderr=str(document.get("stderr") or ""), has_result="result" in document,
                     result=json.dumps(result, indent=2, default=str, ensure_ascii=False)[:100_000])


def parse_kwargs(text: str) -> dict[str, Any]:
    """The run form's arguments: a JSON object, or ``key=value`` lines (values JSON if they parse, else text)."""
    from omegaml_core.backends.pydata import check_json_document
    from omegaml_server.ui.forms import parameters_of

    parsed = parameters_of(text, "arguments")
    for key in parsed:
        if not key.isidentifier() or keyword.iskeyword(key) or key.startswith("__"):
            raise ValueError(f"argument name {key!r} is not a Python identifier; use names like 'start_date'")
    check_json_document(parsed)
    return parsed


def run_now(ui: Any, page: Any, meta: Any) -> Any:
    """``action=run``: run the script as ``POST /api/v1/script/{name}/run`` does, through the runtime.

    In-process (no broker) the run finishes before the answer, which shows the new run; with workers
    the task is registered like the REST route's 202 and the script page says so.
    """
    here = ui.url(page.bucket, "scripts", meta.name)
    if meta.kind != KIND:
        return ui.redirect(here, "only a script (python.package) can be run", "error")
    try:
        kwargs = parse_kwargs(str(page.form.get("kwargs", "")))
        timeout = float(page.form["timeout"]) if str(page.form.get("timeout") or "").strip() else None
        if timeout is not None and timeout <= 0:
            raise ValueError("the timeout must be a positive number of seconds")
    except (TypeError, ValueError) as exc:
        return ui.redirect(here, f"not run: {exc}", "error")
    since = datetime.now(timezone.utc)
    extra = {"__timeout": timeout} if timeout else {}
    result = page.omega.runtime.script(meta.name).run(**kwargs, **extra)
    queued = ui.sent_to_worker(page, result, here)
    if queued is not None:
        return queued
    try:
        value = result.get()
    except Exception as exc:
        found = runs(page.omega, meta.name)
        newest = found[0] if found and found[0].attributes.get("started", "") >= _iso(since) else None
        return ui.redirect(ui.url(page.bucket, "scripts", newest.name) if newest else here,
                           f"the run failed: {exc}", "error")
    started = datetime.fromisoformat(value["started"])
    return ui.redirect(ui.url(page.bucket, "scripts", run_name(meta.name, started)),
                       f"ran {meta.name} in {value.get('runtime', 0):.2f} s", "success")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
