"""Results of asynchronous calls (``?async=1``), looked up by ``/api/v1/task/{id}/result``.

A runtime result with an ``id`` (a Celery task) is kept here so that its
temporary inputs are cleaned up when its result is read; without a broker, the
call runs in a thread of this server and gets an id of its own. The registry is
per server process: without a broker, use one worker (``--workers 1``) for
asynchronous calls.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

MAX_KEPT = 10_000
_executor: ThreadPoolExecutor | None = None


class BackgroundResult:
    """A call running in a thread of this process: ``.id``, ``.ready()`` and ``.get()`` like a Celery result."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        global _executor
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="omega-task")
        self.id = uuid.uuid4().hex
        self._future: Future = _executor.submit(fn)

    def ready(self) -> bool:
        return self._future.done()

    def get(self, timeout: float | None = None) -> Any:
        return self._future.result(timeout)


@dataclass(frozen=True)
class TaskEntry:
    """A task this process started: its result object, who started it, on which bucket, when and what."""

    id: str
    result: Any
    username: str
    bucket: str
    submitted: float
    what: str = ""


class TaskRegistry:
    """Task ids issued by this process, with who issued them (only they may read the result)."""

    def __init__(self) -> None:
        self._tasks: OrderedDict[str, tuple[Any, str, str, float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, result: Any, username: str, bucket: str, what: str = "") -> str:
        """Keep ``result`` under its id; ``what`` says what was called (``POST /api/v1/model/clf/fit``)."""
        with self._lock:
            self._tasks[result.id] = (result, username, bucket, time.time(), what)
            while len(self._tasks) > MAX_KEPT:
                self._tasks.popitem(last=False)
        return result.id

    def find(self, task_id: str) -> tuple[Any, str, str] | None:
        with self._lock:
            entry = self._tasks.get(task_id)
        return entry[:3] if entry else None

    def recent(self, username: str | None = None, limit: int = 50) -> list[TaskEntry]:
        """The newest ``limit`` tasks (of ``username``, or of everyone), newest first."""
        with self._lock:
            entries = list(self._tasks.items())
        found = []
        for task_id, (result, user, bucket, submitted, what) in reversed(entries):
            if username is None or user == username:
                found.append(TaskEntry(task_id, result, user, bucket, submitted, what))
                if len(found) >= limit:
                    break
        return found
