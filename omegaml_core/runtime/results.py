"""Results of runtime calls: ``.get()`` returns plain values or raises the worker's error.

``om.runtime.ping()``, model calls and plugin tasks all return one of these
(``LocalResult`` in-process, ``RemoteResult`` on workers), so ``.get()``,
``.ready()`` and ``.state`` work the same everywhere. Only a ``RemoteResult``
has an ``id`` (a local call has nothing to look up later; the REST server's
``task_response`` relies on that to answer local calls at once).
"""
from __future__ import annotations

import atexit
import contextlib
import os
import weakref
from typing import Any, Callable

from .states import rebuild_exception

#: seconds ``.get()`` waits for a result unless told otherwise (``OMEGA_TASK_TIMEOUT``)
DEFAULT_TIMEOUT = float(os.environ.get("OMEGA_TASK_TIMEOUT", "300"))

# Celery keeps an AsyncResult that was waited on and never finished until the process ends; its __del__
# then unsubscribes during interpreter teardown and prints "Exception ignored ... sys.meta_path is None".
# Waited-on results are released at exit instead, while Python still works.
_waited_on: "weakref.WeakSet[Any]" = weakref.WeakSet()


@atexit.register
def _release_waited_on() -> None:
    for async_result in list(_waited_on):
        with contextlib.suppress(Exception):
            async_result.backend.remove_pending_result(async_result)


def status_of(result: "LocalResult | RemoteResult") -> dict[str, Any]:
    """``{"state"}`` (and ``"id"``) plus ``result`` (SUCCESS) or ``error``: type, message, remote traceback (FAILURE)."""
    status: dict[str, Any] = {"id": result.id} if isinstance(result, RemoteResult) else {}
    status["state"] = result.state
    if status["state"] == "SUCCESS":
        status["result"] = result.get(timeout=None)
    elif status["state"] == "FAILURE":
        try:
            result.get(timeout=None)
        except Exception as exc:
            status["error"] = {"type": type(exc).__name__, "message": str(exc),
                               "traceback": getattr(exc, "remote_traceback", None)}
    return status


class LocalResult:
    """A call that already ran in-process: its JSON result, or its error's JSON description."""

    def __init__(self, value: Any = None, error: dict[str, Any] | None = None, traceback: str | None = None) -> None:
        self.value, self.error, self.traceback = value, error, traceback

    @property
    def state(self) -> str:
        return "FAILURE" if self.error is not None else "SUCCESS"

    def ready(self) -> bool:
        return True

    def status(self) -> dict[str, Any]:
        """The state, and the result or the error (type, message, traceback), as plain values."""
        return status_of(self)

    def get(self, timeout: float | None = DEFAULT_TIMEOUT) -> Any:
        """The result; the task's exception if it failed (``timeout`` is accepted for symmetry)."""
        if self.error is not None:
            exc = rebuild_exception(self.error)
            exc.remote_traceback = self.traceback  # type: ignore[attr-defined]
            raise exc
        return self.value

    def __repr__(self) -> str:
        return f"<LocalResult {self.state}>"


class RemoteResult:
    """A call sent to a worker; ``cleanup`` runs once the result is in (temporary inputs)."""

    def __init__(self, async_result: Any, cleanup: Callable[[], None] | None = None) -> None:
        self.async_result = async_result
        self.cleanup = cleanup

    @property
    def id(self) -> str:
        return self.async_result.id

    @property
    def state(self) -> str:
        """Celery's state: PENDING (queued, or unknown id), STARTED, SUCCESS, FAILURE, REVOKED."""
        return self.async_result.state

    def ready(self) -> bool:
        return self.async_result.ready()

    def status(self) -> dict[str, Any]:
        """Id and state, and the result or the error (type, message, remote traceback), without waiting."""
        return status_of(self)

    def get(self, timeout: float | None = DEFAULT_TIMEOUT) -> Any:
        """Wait up to ``timeout`` seconds (default ``DEFAULT_TIMEOUT``, 300; None waits forever) for the result.

        Raises the worker's exception if the task failed (its remote traceback in
        ``exc.remote_traceback``). On timeout the task is revoked, so a task still
        in the queue never runs (one already running finishes), and TimeoutError
        is raised.
        """
        from celery.exceptions import TimeoutError as CeleryTimeout

        _waited_on.add(self.async_result)
        try:
            return self.async_result.get(timeout=timeout, propagate=True)
        except CeleryTimeout:
            if self.async_result.state == "STARTED":
                self.release()
                raise TimeoutError(f"task {self.id} did not finish within {timeout:g} s; it is running on a worker "
                                   f"and its result will be kept: `om runtime tasks {self.id}`, "
                                   "or om.runtime.task(id).get()") from None
            self.revoke()
            raise TimeoutError(f"task {self.id} did not start within {timeout:g} s and was revoked: it will not "
                               "run later. Pass a longer timeout (timeout=None waits forever), or start more "
                               "workers") from None
        except Exception as exc:
            if self.async_result.state == "FAILURE":
                with contextlib.suppress(Exception):
                    exc.remote_traceback = self.async_result.traceback  # type: ignore[attr-defined]
            raise
        finally:
            if self.cleanup is not None and self.async_result.ready():
                self.cleanup()
                self.cleanup = None

    def revoke(self) -> None:
        """Revoke the task so it will not start (live workers are told; the result backend marks it REVOKED)."""
        with contextlib.suppress(Exception):
            self.async_result.app.control.revoke(self.id)
        with contextlib.suppress(Exception):
            self.async_result.backend.mark_as_revoked(self.id, "revoked by its client after its get() timed out")
        self.release()

    def release(self) -> None:
        """Stop listening for the result now, not at interpreter exit (where it would print an error)."""
        with contextlib.suppress(Exception):
            self.async_result.backend.remove_pending_result(self.async_result)

    def __repr__(self) -> str:
        return f"<RemoteResult {self.id}>"
