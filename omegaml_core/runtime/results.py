"""Results of runtime calls: ``.get()`` returns plain values or raises the worker's error."""
from __future__ import annotations

from typing import Any, Callable

from .payloads import rebuild_error


def unpack(payload: dict[str, Any]) -> Any:
    if "error" in payload:
        raise rebuild_error(payload["error"])
    return payload["result"]


class LocalResult:
    """A call that already ran in-process."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload

    def get(self, timeout: float | None = None) -> Any:
        return unpack(self.payload)

    def ready(self) -> bool:
        return True


class RemoteResult:
    """A call running on a worker; ``cleanup`` runs once the result is in (temporary inputs)."""

    def __init__(self, async_result: Any, cleanup: Callable[[], None] | None = None) -> None:
        self.async_result = async_result
        self.cleanup = cleanup

    @property
    def id(self) -> str:
        return self.async_result.id

    def ready(self) -> bool:
        return self.async_result.ready()

    def get(self, timeout: float | None = None) -> Any:
        try:
            payload = self.async_result.get(timeout=timeout, propagate=True)
        finally:
            if self.cleanup is not None and self.async_result.ready():
                self.cleanup()
                self.cleanup = None
        return unpack(payload)
