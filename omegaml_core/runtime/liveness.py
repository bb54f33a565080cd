"""Is any live worker consuming a queue? Asked before a task is sent, so a call never waits for nobody.

Workers answer Celery's ``active_queues`` inspect broadcast. What they said is
cached per app for ``LIVENESS_TTL`` seconds; a stale entry is refreshed by
asking only the workers known to consume the queue (they answer in
milliseconds), and only when none of them does any more is every worker asked
again (which waits ``INSPECT_TIMEOUT`` for the last answer). A queue nobody
consumes is never cached, so a worker that just started is seen at once.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import OmegaError

#: seconds a "this queue has a consumer" answer is trusted
LIVENESS_TTL = 10.0
#: seconds to wait for workers to answer an inspect broadcast (``OMEGA_INSPECT_TIMEOUT``)
INSPECT_TIMEOUT = float(os.environ.get("OMEGA_INSPECT_TIMEOUT", "1.0"))


class NoWorkerError(OmegaError, RuntimeError):
    """No live worker consumes the queue a task would go to; the task was not sent."""


@dataclass
class _Snapshot:
    queues: dict[str, list[str]] = field(default_factory=dict)  # worker -> queue names
    taken: dict[str, float] = field(default_factory=dict)  # worker -> when it answered (monotonic)


_snapshots: dict[int, _Snapshot] = {}
_lock = threading.Lock()


def active_queues(app: Any, destination: list[str] | None = None, timeout: float | None = None) -> dict[str, list[str]]:
    """``{worker: [queue, ...]}`` for the live workers that answer (all, or those in ``destination``)."""
    replies = app.control.inspect(destination=destination, timeout=timeout or INSPECT_TIMEOUT).active_queues() or {}
    return {worker: sorted(q["name"] for q in queues or []) for worker, queues in replies.items()}


def consumers(app: Any, queue: str, refresh: bool = False) -> list[str]:
    """The live workers consuming ``queue`` (cached for ``LIVENESS_TTL`` seconds when there are some)."""
    with _lock:
        snapshot = _snapshots.setdefault(id(app), _Snapshot())
        now = time.monotonic()
        known = [w for w, qs in snapshot.queues.items() if queue in qs]
        if not refresh and any(now - snapshot.taken[w] < LIVENESS_TTL for w in known):
            return known
    # asked without holding the lock: callers for other queues need not wait for these answers
    if known and not refresh:
        found = _record(snapshot, queue, active_queues(app, destination=known), known)
        if found:
            return found
    return _record(snapshot, queue, active_queues(app), None)


def _record(snapshot: _Snapshot, queue: str, answers: dict[str, list[str]], asked: list[str] | None) -> list[str]:
    """Keep what the workers said, forget those asked that did not answer; the consumers of ``queue``."""
    now = time.monotonic()
    with _lock:
        for worker in list(snapshot.queues) if asked is None else asked:
            if worker not in answers:
                snapshot.queues.pop(worker, None)
                snapshot.taken.pop(worker, None)
        for worker, queues in answers.items():
            snapshot.queues[worker] = queues
            snapshot.taken[worker] = now
        return [w for w, qs in snapshot.queues.items() if queue in qs]


def ask(app: Any, workers: list[str], timeout: float | None = None) -> dict[str, list[str]]:
    """Ask only ``workers`` (node names, ``name@host``) which queues they consume, and remember the answers.

    Returns as soon as all of them answered (milliseconds), else after ``timeout``:
    ``{worker: [queue, ...]}`` of those that answered.
    """
    answers = active_queues(app, destination=list(workers), timeout=timeout)
    with _lock:
        snapshot = _snapshots.setdefault(id(app), _Snapshot())
    _record(snapshot, "", answers, list(workers))
    return answers


def known_workers(app: Any) -> dict[str, list[str]]:
    """The workers of the last answer, with their queues (for error messages)."""
    with _lock:
        return dict(_snapshots.get(id(app), _Snapshot()).queues)


def require_consumer(app: Any, queue: str) -> list[str]:
    """The workers consuming ``queue``; NoWorkerError naming the live workers and their queues if none."""
    found = consumers(app, queue)
    if found:
        return found
    from .celeryapp import DEFAULT_QUEUE

    workers = known_workers(app)
    listing = "; ".join(f"{w} consumes {', '.join(qs)}" for w, qs in sorted(workers.items())) or "none answered"
    label = queue[len(DEFAULT_QUEUE) + 1:]
    raise NoWorkerError(
        f"no worker consumes queue {queue} (workers: {listing}). Start one with "
        f"`om worker{' --label ' + label if label else ''}`, or let the task wait in the queue for one: "
        f"om.runtime.require({label or 'default'!r}, queue_anyway=True), or om runtime ... --queue-anyway")


def forget(app: Any) -> None:
    """Drop what is cached for ``app`` (tests; after stopping workers)."""
    with _lock:
        _snapshots.pop(id(app), None)
