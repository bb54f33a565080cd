"""What the runtime is doing: live workers (``om runtime workers``) and tasks by id (``om runtime tasks``).

Workers answer the ``omegaml_info`` inspect command (registered by ``om worker``,
see ``register_inspect_command``) with their queues, the contexts they are
configured for and their active tasks.
"""
from __future__ import annotations

import time
from typing import Any

from .celeryapp import DEFAULT_QUEUE
from .liveness import INSPECT_TIMEOUT
from .results import RemoteResult

INFO_COMMAND = "omegaml_info"


def label_of(queue: str) -> str | None:
    """The label whose queue is ``queue`` ('default' for the default queue), None for other queues."""
    if queue == DEFAULT_QUEUE:
        return "default"
    return queue[len(DEFAULT_QUEUE) + 1:] if queue.startswith(DEFAULT_QUEUE + ".") else None


def _active_task(request: dict[str, Any]) -> dict[str, Any]:
    args = request.get("args") or []
    started = request.get("time_start")
    return {"id": request.get("id"), "task": args[0] if args and isinstance(args[0], str) else request.get("name"),
            "running_for": round(time.time() - started, 1) if started else None}


def live_workers(app: Any, timeout: float | None = None) -> list[dict[str, Any]]:
    """Each live ``om worker``: ``name``, ``labels``, ``queues``, ``contexts`` and ``active`` tasks, by name.

    Other Celery workers on the same broker do not know ``omegaml_info`` and are left out.
    """
    replies = app.control.broadcast(INFO_COMMAND, reply=True, timeout=timeout or INSPECT_TIMEOUT) or []
    info = {name: body for reply in replies for name, body in reply.items() if isinstance(body, dict)
            and "queues" in body}
    return [{"name": name, "labels": [label for label in map(label_of, body["queues"]) if label],
             **body} for name, body in sorted(info.items())]


#: what this worker says about its contexts (set by ``register_inspect_command``; passwords already hidden)
_worker_contexts: list[str] = []


def worker_info(state: Any) -> dict[str, Any]:
    """This worker's queues, its configured contexts and its active tasks."""
    from celery.worker import state as worker_state

    consumer = state.consumer
    queues = sorted(q.name for q in consumer.task_consumer.queues) if consumer.task_consumer else []
    active = [_active_task(r.info()) for r in list(worker_state.active_requests)]
    return {"queues": queues, "contexts": list(_worker_contexts), "active": active}


def register_inspect_command(contexts: list[str]) -> None:
    """Make ``omegaml_info`` a remote-control command of this process's workers (once).

    ``contexts``: how the worker describes the contexts it serves, without secrets.
    """
    from celery.worker.control import Panel, inspect_command

    _worker_contexts[:] = contexts
    if INFO_COMMAND not in Panel.data:
        inspect_command(name=INFO_COMMAND)(worker_info)


def task_result(app: Any, task_id: str) -> RemoteResult:
    """The result object of task ``task_id`` (PENDING: still queued, or an id the result backend does not know)."""
    if not isinstance(task_id, str) or not task_id.strip():
        raise ValueError("a task id is the id of a result object, e.g. om.runtime.model('m').fit(...).id")
    return RemoteResult(app.AsyncResult(task_id.strip()))
