"""One pooled SQLAlchemy engine per resolved URL and process.

Engines are kept in a module-level cache keyed by the resolved URL (the
password included, in memory only), so repeated gets reuse pooled
connections. A forked child drops the parent's pooled connections without
closing them (``dispose(close=False)``), as SQLAlchemy recommends, and opens
its own.
"""
from __future__ import annotations

import logging
import os
import threading
from typing import Any, Iterable

_ENGINES: dict[str, Any] = {}
_LOCK = threading.Lock()


class SecretFilter(logging.Filter):
    """Replaces known secret values by ``***`` in the records of SQLAlchemy's engine and pool loggers.

    The pool logs driver errors at DEBUG (``Error on connect(): ...``), and a driver's
    message may repeat what it was given (a database name, an option value).
    """

    def __init__(self) -> None:
        super().__init__("omegaml-sql-secrets")
        self.secrets: set[str] = set()

    def add(self, values: Iterable[str]) -> None:
        self.secrets.update(v for v in values if v)

    def filter(self, record: logging.LogRecord) -> bool:
        from .urls import scrub

        secrets = sorted(self.secrets, key=len, reverse=True)
        text = record.getMessage()
        clean = scrub(text, secrets)
        if clean != text:
            record.msg, record.args = clean, ()
        if record.exc_info:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, scrub(formatted, secrets)
        return True


SECRETS = SecretFilter()


def _guard_logs(engine: Any) -> None:
    for owner in (engine, engine.pool):
        logger = getattr(owner.logger, "logger", owner.logger)  # InstanceLogger wraps a logger when echo is on
        if SECRETS not in logger.filters:
            logger.addFilter(SECRETS)


def engine_for(url: Any, secret_values: Iterable[str] = ()) -> Any:
    """The cached engine for a resolved ``sqlalchemy.engine.URL``, created on first use.

    ``secret_values`` never appear in SQLAlchemy's engine and pool log records.
    """
    SECRETS.add(secret_values)
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
            _guard_logs(engine)
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
