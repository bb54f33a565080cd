"""Failed tasks are Celery FAILUREs; the client raises the worker's exception type again, from JSON only.

A task that raises is stored by Celery as state FAILURE with its traceback and
Celery's JSON description of the exception (``exc_type``, ``exc_module``,
``exc_message``: the exception's arguments), so Flower and any monitor see it
fail. We add ``exc_bases``, the built-in exception classes it derives from, so
a client that lacks the worker's exception class still gets an exception it
can catch as ``ValueError``, ``KeyError``, ... Rebuilding never imports a
module named by a message: a class is taken from ``builtins`` or from a module
this process has already imported, and only if it is an ``Exception``
subclass; otherwise the client gets a look-alike class derived from
``RemoteError`` and the built-in bases.
"""
from __future__ import annotations

import builtins
import functools
import sys
from typing import Any


class RemoteError(Exception):
    """Base of exception types re-created on the client for errors raised on a worker."""


def builtin_bases(exc: BaseException) -> list[str]:
    """The names of the built-in ``Exception`` classes ``exc`` is an instance of, most specific first."""
    return [k.__name__ for k in type(exc).__mro__ if k.__module__ == "builtins" and issubclass(k, Exception)]


def exception_info(exc: BaseException) -> dict[str, Any]:
    """Celery's JSON description of ``exc``, plus ``exc_bases`` (used for the in-process runtime)."""
    from .payloads import plain

    cls = type(exc)
    return {"exc_type": cls.__qualname__, "exc_module": cls.__module__,
            "exc_message": [a if isinstance(a, (str, int, float, bool, type(None))) else plain(a) for a in exc.args],
            "exc_bases": builtin_bases(exc)}


def _known_class(module: str | None, qualname: str) -> type | None:
    """The exception class ``module.qualname`` if this process already has it, without importing anything."""
    found: Any = builtins if module == "builtins" else sys.modules.get(module or "")
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return found if isinstance(found, type) and issubclass(found, Exception) else None


def rebuild_exception(info: dict[str, Any]) -> Exception:
    """The worker's exception from its JSON description: the same class where we have it, else a look-alike."""
    qualname, module = str(info.get("exc_type") or "Exception"), info.get("exc_module")
    message = info.get("exc_message", ())
    args = list(message) if isinstance(message, (list, tuple)) else [message]
    cls = _known_class(module, qualname)
    if cls is not None:
        try:
            return cls(*args)
        except Exception:
            pass  # a constructor with other arguments: fall back to a look-alike
    return _lookalike(qualname.rsplit(".", 1)[-1], str(module), tuple(info.get("exc_bases") or ()))(*args)


@functools.lru_cache(maxsize=256)
def _lookalike(name: str, module: str, base_names: tuple[str, ...]) -> type:
    bases = [b for b in (getattr(builtins, n, None) for n in base_names)
             if isinstance(b, type) and issubclass(b, Exception)]
    bases = [b for i, b in enumerate(bases) if not any(issubclass(o, b) for o in bases[:i])]
    return type(name, (RemoteError, *bases), {"__module__": module})


class ExceptionInfoBackend:
    """Mixed into the app's result backend: writes ``exc_bases``, reads exceptions with ``rebuild_exception``."""

    def prepare_exception(self, exc: BaseException, serializer: str | None = None) -> Any:
        prepared = super().prepare_exception(exc, serializer)  # type: ignore[misc]
        if isinstance(prepared, dict):
            prepared["exc_bases"] = builtin_bases(exc)
        return prepared

    def exception_to_python(self, exc: Any) -> Any:
        if isinstance(exc, dict) and "exc_type" in exc:
            return rebuild_exception(exc)
        return super().exception_to_python(exc)  # type: ignore[misc]


@functools.lru_cache(maxsize=None)
def _with_exception_info(cls: type) -> type:
    return type(cls.__name__, (ExceptionInfoBackend, cls), {"__module__": cls.__module__})


def result_backend(app: Any, url: str | None = None) -> Any:
    """The backend Celery would make for ``app.conf.result_backend``, with ``ExceptionInfoBackend`` mixed in.

    Installed as ``app.backend_cls``: Celery calls it as ``backend_cls(app=app, url=None)``.
    """
    from celery.app.backends import by_url

    cls, backend_url = by_url(app.conf.result_backend, app.loader)
    return _with_exception_info(cls)(app=app, url=url or backend_url)



#: message header of tasks sent without a live consumer (``queue_anyway``): a revoke may reach no worker
QUEUED_ANYWAY = "omegaml_queued_anyway"
