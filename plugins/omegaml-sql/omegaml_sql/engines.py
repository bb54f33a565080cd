"""One pooled SQLAlchemy engine per resolved URL and process.

Engines are kept in a module-level cache keyed by the resolved URL (the
password included, in memory only), so repeated gets reuse pooled
connections. A forked child drops the parent's pooled connections without
closing them (``dispose(close=False)``), as SQLAlchemy recommends, and opens
its own.
"""
from __future__ import annotations

import os
import threading
from typing import Any

_ENGINES: dict[str, Any] = {}
_LOCK = threading.Lock()


def engine_for(url: Any) -> Any:
    """The cached engine for a resolved ``sqlalchemy.engine.URL``, created on first use."""
    key = url.render_as_string(hide_password=False)
    engine = _ENGINES.get(key)
    if engine is not None:
        return engine
    from sqlalchemy import create_engine

    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            # hide_parameters: query values (possibly personal data) stay out of error messages and logs
            engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
            _ENGINES[key] = engine
    return engine


def cached_engines() -> list[Any]:
    """The engines this process holds (for tests and diagnostics)."""
    return list(_ENGINES.values())


def dispose_all() -> None:
    """Close every pooled connection and forget the engines."""
    with _LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
    for engine in engines:
        engine.dispose()


def _after_fork_in_child() -> None:
    global _LOCK
    _LOCK = threading.Lock()  # the parent may have held it while forking
    for engine in list(_ENGINES.values()):
        engine.dispose(close=False)  # the parent's sockets stay the parent's


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
