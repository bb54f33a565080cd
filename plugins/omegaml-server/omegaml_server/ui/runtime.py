"""The runtime pages: live workers with their labels and queues, recent tasks and their states, a task's error.

Where the task lists come from, as the page says:

- *on the workers*: what live ``om worker`` processes answer to Celery's inspect
  broadcast (running, reserved, scheduled); admins see these tasks' ids;
- *started through this server*: the REST API's asynchronous calls (``?async=1``)
  this server process keeps (``omegaml_server.tasks.TaskRegistry``), newest
  first: your own, or everyone's for admins;
- *by id*: your own tasks, from any server process (their owners are kept in the accounts
  database); admins may look up any task in the result backend (like ``om runtime tasks ID``).

Questions to the broker are bounded (``runtime_info.BROKER_TIMEOUT``), so a
missing broker or worker gives an empty state, never a hanging page.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from .context import UI_PREFIX, Page, UiContext
from .runtime_info import RuntimeUnavailable, bounded, broker_of, describe, lookup, workers_and_queue

RECENT = 50
_TASK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def routes(ui: UiContext) -> Any:
    from fastapi import APIRouter, Depends, Query
    from fastapi.responses import RedirectResponse

    router = APIRouter(include_in_schema=False)

    @router.get("/runtime")
    async def runtime_page(page: Page = Depends(ui.page(None))) -> Any:
        values = await ui.api.run_async(_overview, ui, page)
        return ui.render(page, "runtime.html", **values)

    @router.get("/runtime/task")
    async def find_task(id: str = Query("", max_length=200), page: Page = Depends(ui.page(None))) -> Any:
        task_id = id.strip()
        if not task_id:
            return ui.redirect(f"{UI_PREFIX}/runtime", "give a task id, e.g. the task_id of an async=1 call", "error")
        return RedirectResponse(f"{UI_PREFIX}/runtime/task/{quote(task_id, safe='')}", status_code=303)

    @router.get("/runtime/task/{task_id}")
    async def task_page(task_id: str, page: Page = Depends(ui.page(None))) -> Any:
        values = await ui.api.run_async(_task, ui, page, task_id)
        return ui.render(page, "task.html", task_id=task_id, **values)

    return router


def _overview(ui: UiContext, page: Page) -> dict[str, Any]:
    """The runtime page's values: broker, workers and their tasks, and the tasks started through this server."""
    omega = ui.api.base
    values: dict[str, Any] = {"broker": broker_of(omega), "workers": [], "worker_tasks": [], "unavailable": None}
    if values["broker"] is not None:
        try:
            found = bounded(lambda: workers_and_queue(omega), f"the broker {values['broker']}")
            values["workers"], values["worker_tasks"] = found["workers"], found["tasks"]
        except RuntimeUnavailable as exc:
            values["unavailable"] = str(exc)
    entries = ui.api.tasks.recent(None if page.admin else page.username, RECENT)
    recent = []
    for entry in entries:
        try:
            state = bounded(lambda: describe(entry.result), "the result backend")["state"]
        except RuntimeUnavailable:
            state = "UNKNOWN"
        recent.append({"id": entry.id, "what": entry.what, "user": entry.username, "bucket": entry.bucket,
                       "submitted": datetime.fromtimestamp(entry.submitted, timezone.utc), "state": state})
    values["recent"] = recent
    return values


def _task(ui: UiContext, page: Page, task_id: str) -> dict[str, Any]:
    """A task's state and result or error, from this server's own tasks or the result backend."""
    if not _TASK_ID.match(task_id):
        raise ui.problem(400, f"{task_id!r} is not a task id: task ids are letters, digits, '-', '_' and '.', "
                              "like the task_id of an async=1 call")
    omega = ui.api.base
    found = ui.api.tasks.find(task_id)
    if found is not None and found[1] != page.username and not page.admin:
        raise ui.problem(404, f"no task {task_id!r} of yours was started through this server; your tasks are "
                              "listed on the runtime page")
    if found is not None:
        result, username, bucket = found
        status = bounded(lambda: describe(result), "the result backend")
        return {"outcome": status, "owner": username, "bucket_of_task": bucket,
                "source": "started through this server's REST API"}
    if broker_of(omega) is None:
        raise ui.problem(404, f"no task {task_id!r} of yours was started through this server. Without a broker "
                              "(OMEGA_BROKER) tasks run in-process and only this server's async=1 calls are kept")
    # started by another server process (its owner may read it) or outside any server (only admins may)
    owner = ui.api.task_owners.owner(task_id)
    if not page.admin and (owner is None or owner[0] != page.username):
        raise ui.problem(404, f"no task {task_id!r} of yours was started through this server; your tasks are "
                              "listed on the runtime page (admins may look up any task)")
    try:
        status = bounded(lambda: lookup(omega, task_id), "the result backend")
    except RuntimeUnavailable as exc:
        raise ui.problem(503, str(exc)) from None
    return {"outcome": status, "owner": owner[0] if owner else None, "bucket_of_task": owner[1] if owner else None,
            "source": "the result backend"}
