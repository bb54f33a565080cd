"""Web UI pages of notebook jobs (the ``omegaml.ui`` entry point; omegaml-server mounts them under /ui).

- ``/ui/b/{bucket}/jobs/report.ipynb``: the job's schedule and next run times, its runs (newest first)
  with status and duration, "run now" with parameters (role run), set or remove the schedule (role write),
  and the notebook itself.
- ``/ui/b/{bucket}/jobs/results/report_<UTC>.ipynb``: one run: status, timings, parameters, the failing
  cell, and the executed notebook rendered as sanitized HTML.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .names import RESULTS_FOLDER, job_name

KIND = "script.ipynb"
#: runs shown on a job's page (the newest)
RUNS_SHOWN = 50
NEXT_TIMES = 5


def pages(ui: Any) -> Any:
    """Register the notebook views and actions on ``ui``; returns an (empty) router."""
    from fastapi import APIRouter

    ui.add_templates(Path(__file__).parent / "templates")
    ui.object_view("jobs", kinds=(KIND,))(notebook_view)
    ui.object_action("jobs", "run", "run")(run_now)
    ui.object_action("jobs", "schedule", "write")(set_schedule)
    ui.object_action("jobs", "unschedule", "write")(drop_schedule)
    return APIRouter(include_in_schema=False)


def is_run(meta: Any) -> bool:
    """True for a stored run (``results/<name>_<UTC>.ipynb`` with a ``source_job``)."""
    return meta.name.startswith(RESULTS_FOLDER + "/") and bool(meta.attributes.get("source_job"))


def notebook_view(ui: Any, page: Any, meta: Any) -> Any:
    """The page of a notebook job, or of one of its runs."""
    from .render import render_cells

    omega = page.omega
    nb = omega.jobs.get(meta.name)
    if is_run(meta):
        failed = meta.attributes.get("cell") if meta.attributes.get("status") == "failed" else None
        return ui.render(page, "notebook_run.html", store="jobs", meta=meta, run=meta.attributes,
                         job=meta.attributes["source_job"], cells=render_cells(nb, failed))
    from .runner import runs

    found = runs(omega, meta.name)
    return ui.render(page, "notebook_job.html", store="jobs", meta=meta, short=job_name(meta.name),
                     schedule=_schedule(meta), runs=found[:RUNS_SHOWN], total_runs=len(found),
                     cells=render_cells(nb), parameters_hint=_parameters_hint(meta, nb))


def _schedule(meta: Any) -> dict[str, Any] | None:
    from .cron import next_times

    current = meta.attributes.get("schedule") if meta.attributes.get("scheduled") else None
    if not current:
        return None
    try:
        upcoming = [t.isoformat(" ", "minutes") for t in
                    next_times(current["cron"], current["tz"], datetime.now(timezone.utc), NEXT_TIMES)]
    except Exception as exc:  # a schedule written by hand that no longer parses: say so on the page
        upcoming, current = [], {**current, "problem": str(exc)}
    return {**current, "next_times": upcoming}


def _parameters_hint(meta: Any, nb: Any) -> str:
    """The source of the cell tagged ``parameters`` (its defaults), or ''."""
    index = meta.kind_meta.get("parameters_cell")
    if index is None or index >= len(nb.cells):
        return ""
    source = nb.cells[index].source
    return source if len(source) <= 2000 else source[:2000] + "\n..."


def parse_parameters(text: str) -> dict[str, Any]:
    """The run form's parameters: a JSON object, or ``key=value`` lines (values JSON if they parse, else text)."""
    from omegaml_server.ui.forms import parameters_of

    from .parameters import check_parameters

    return check_parameters(parameters_of(text, "parameters"))


def run_now(ui: Any, page: Any, meta: Any) -> Any:
    """``action=run``: run the job as ``POST /api/v1/job/{name}/run`` does, through the runtime.

    In-process (no broker) the run finishes before the answer, which shows the new run; with workers
    the task is registered like the REST route's 202 and the job page says so.
    """
    here = ui.url(page.bucket, "jobs", meta.name)
    if meta.kind != KIND or is_run(meta):
        return ui.redirect(here, "only a notebook job can be run; open the job of this run to run it again", "error")
    try:
        parameters = parse_parameters(str(page.form.get("parameters", "")))
    except (TypeError, ValueError) as exc:
        return ui.redirect(here, f"not run: {exc}", "error")
    started = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    result = page.omega.runtime.job(meta.name).run(parameters=parameters)
    queued = ui.sent_to_worker(page, result, here)
    if queued is not None:
        return queued
    try:
        value = result.get()
    except Exception as exc:
        newest = _newest_run(page.omega, meta.name, started)
        target = ui.url(page.bucket, "jobs", newest.name) if newest else here
        return ui.redirect(target, f"the run failed: {exc}", "error")
    return ui.redirect(ui.url(page.bucket, "jobs", value["result"]),
                       f"ran {meta.name} in {value.get('duration', 0):.2f} s", "success")


def _newest_run(omega: Any, name: str, since: str) -> Any:
    from .runner import runs

    found = runs(omega, name)
    return found[0] if found and found[0].attributes.get("started", "") >= since else None


def set_schedule(ui: Any, page: Any, meta: Any) -> Any:
    """``action=schedule``: run the job on a cron schedule (or an exact English form), in a time zone."""
    from . import schedule
    from .errors import ScheduleError

    here = ui.url(page.bucket, "jobs", meta.name)
    if is_run(meta):
        return ui.redirect(here, "a run cannot be scheduled; schedule its job", "error")
    try:
        parameters = parse_parameters(str(page.form.get("parameters", "")))
        current = schedule.set_schedule(page.omega, meta.name, str(page.form.get("spec", "")),
                                        str(page.form.get("tz") or "UTC"), parameters)
    except (ScheduleError, TypeError, ValueError) as exc:
        return ui.redirect(here, f"schedule not changed: {exc}", "error")
    return ui.redirect(here, f"scheduled: {current['explanation']} ({current['tz']})", "success")


def drop_schedule(ui: Any, page: Any, meta: Any) -> Any:
    """``action=unschedule``: stop running the job on a schedule."""
    from . import schedule

    dropped = schedule.drop_schedule(page.omega, meta.name)
    return ui.redirect(ui.url(page.bucket, "jobs", meta.name),
                       "schedule removed" if dropped else "the job had no schedule", "success")
