"""Runtime task hooks that record task seconds per bucket's user (``omegaml.hooks: ops-usage``).

Recording is on when the worker has an operations database configured
(``OMEGA_OPS_URL`` or ``OMEGA_ACCOUNTS_URL``); a failure to record is logged and
never fails the task. A task that raises is not counted (the runtime calls
``omega_after_task`` only after success).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from omegaml_core.hookspecs import hookimpl

log = logging.getLogger(__name__)
_started = threading.local()
MAX_NESTED = 32


@hookimpl
def omega_before_task(task: str, omega: Any, args: tuple, kwargs: dict) -> None:
    stack = getattr(_started, "stack", None)
    if stack is None:
        stack = _started.stack = []
    del stack[:-MAX_NESTED]  # a task that raised left its start behind
    stack.append(time.perf_counter())


@hookimpl
def omega_after_task(task: str, omega: Any, result: Any) -> None:
    stack = getattr(_started, "stack", None)
    if not stack:
        return
    seconds = time.perf_counter() - stack.pop()
    from .usage import recording_url

    url = recording_url()
    if url is None or task.startswith("omegaml.ops."):
        return
    try:
        from .usage import engine_for, record

        record(engine_for(url), "task_seconds", seconds, bucket=omega.bucket)
    except Exception as exc:  # usage is never worth a failed task
        log.warning("task usage of %s not recorded: %s: %s", task, type(exc).__name__, exc)
