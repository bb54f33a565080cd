"""Storage engines, selected by URL scheme through the ``omegaml.engines`` entry points."""
from __future__ import annotations

import threading

from .base import StorageEngine

_engines: dict[str, StorageEngine] = {}
_lock = threading.Lock()


def open_engine(url: str) -> StorageEngine:
    """The engine for ``url``, shared by every context and bucket that uses it."""
    from ..discovery import registry

    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = registry().engine_class(url)(url)
            _engines[url] = engine
        return engine


def close_all() -> None:
    """Close every open engine (tests and long-lived processes that switch storage)."""
    with _lock:
        for engine in _engines.values():
            engine.close()
        _engines.clear()


__all__ = ["StorageEngine", "open_engine", "close_all"]
