"""What the runtime page shows, gathered with bounded waits: live workers, their queued tasks, task states.

Every question to the broker or the result backend runs in a small thread pool
and is given up after ``BROKER_TIMEOUT`` seconds, so an unreachable broker makes
the page say so instead of hanging. Nothing shown here holds a secret: broker
URLs lose their passwords, task arguments (which carry a storage reference) are
never shown, only the task's name.
"""
from __future__ import annotations

import traceback as tb
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Callable

#: seconds the page waits for the broker or the result backend as a whole
BROKER_TIMEOUT = 5.0
_pool: ThreadPoolExecutor | None = None


class RuntimeUnavailable(RuntimeError):
    """The broker or result backend did not answer in time, or failed; the message says what to check."""


def bounded(fn: Callable[[], Any], what: str, timeout: float = BROKER_TIMEOUT) -> Any:
    """``fn()``, or RuntimeUnavailable if it fails or takes longer than ``timeout`` seconds (it is left to finish)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="omega-ui-runtime")
    future = _pool.submit(fn)
    try:
        return future.result(timeout)
    except FutureTimeout:
        raise RuntimeUnavailable(f"{what} did not answer within {timeout:g} s; check that it is running and that "
                                 "OMEGA_BROKER names it (om doctor)") from None
    except Exception as exc:
        raise RuntimeUnavailable(f"{what} failed: {type(exc).__name__}: {exc}; check that it is running and that "
                                 "OMEGA_BROKER names it (om doctor)") from None


def broker_of(omega: Any) -> str | None:
    """The broker URL without its password, or None when tasks run in-process."""
    from omegaml_core.runtime.contexts import public_url

    url = omega.config.broker_url
    return public_url(url) if url else None


def _task_name(request: dict[str, Any]) -> str:
    args = request.get("args")
    if isinstance(args, (list, tuple)) and args and isinstance(args[0], str):
        return args[0]  # every runtime task is one Celery task whose first argument names what it runs
    return str(request.get("name") or "?")


def workers_and_queue(omega: Any) -> dict[str, Any]:
    """Live workers (name, labels, queues, contexts, active) and the tasks they hold: running, reserved, scheduled.

    Blocking (call through :func:`bounded`); waits about ``OMEGA_INSPECT_TIMEOUT`` (1 s) for workers to answer.
    """
    from omegaml_core.runtime.celeryapp import app_for
    from omegaml_core.runtime.liveness import INSPECT_TIMEOUT
    from omegaml_core.runtime.monitor import live_workers

    app = app_for(omega.config)
    workers = live_workers(app)
    tasks = [{"worker": w["name"], "state": "running", **t} for w in workers for t in w.get("active", [])]
    names = [w["name"] for w in workers]
    if names:
        inspect = app.control.inspect(destination=names, timeout=INSPECT_TIMEOUT)
        for worker, requests in sorted((inspect.reserved() or {}).items()):
            tasks += [{"worker": worker, "state": "reserved", "id": r.get("id"), "task": _task_name(r),
                       "running_for": None} for r in requests or []]
        for worker, entries in sorted((inspect.scheduled() or {}).items()):
            tasks += [{"worker": worker, "state": "scheduled", "id": (e.get("request") or {}).get("id"),
                       "task": _task_name(e.get("request") or {}), "running_for": None} for e in entries or []]
    counts = {name: {"running": 0, "reserved": 0, "scheduled": 0} for name in names}
    for task in tasks:
        counts.setdefault(task["worker"], {"running": 0, "reserved": 0, "scheduled": 0})[task["state"]] += 1
    for worker in workers:
        worker["counts"] = counts[worker["name"]]
    return {"workers": workers, "tasks": tasks}


def describe(result: Any) -> dict[str, Any]:
    """``{"state", "result" | "error": {type, message, traceback}}`` of any runtime result, without waiting.

    Works for Celery results (``RemoteResult``), in-process background calls of
    this server (``BackgroundResult``) and the REST API's wrappers of either.
    """
    from omegaml_core.runtime.results import RemoteResult, status_of

    inner = result
    while hasattr(inner, "result") and hasattr(inner, "fn"):  # execution.Wrapped
        inner = inner.result
    if isinstance(inner, RemoteResult):
        status = status_of(inner)
        status.pop("id", None)
        return status
    if not inner.ready():
        return {"state": "STARTED"}
    try:
        return {"state": "SUCCESS", "result": inner.get(0)}
    except Exception as exc:
        trace = getattr(exc, "remote_traceback", None) or "".join(tb.format_exception(exc))
        return {"state": "FAILURE", "error": {"type": type(exc).__name__, "message": str(exc), "traceback": trace}}


def lookup(omega: Any, task_id: str) -> dict[str, Any]:
    """The state of a task by id in the result backend (blocking: call through :func:`bounded`)."""
    return describe(omega.runtime.task(task_id))
