"""The table of runtime tasks, filled from the ``omegaml.tasks`` entry points.

A task is a function ``fn(om, *args, **kwargs)`` decorated with ``task``; it
runs on a worker with ``om`` for the caller's context (one the worker serves). With
``model_method``, ``om.runtime.model('m').<model_method>(...)`` calls it as
``fn(om, 'm', ...)``. With ``proxy='job.run'``, ``om.runtime.job('x').run(...)`` calls
it as ``fn(om, 'x', ...)`` (see proxies.py).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import PluginError


@dataclass(frozen=True)
class TaskDef:
    name: str
    fn: Callable[..., Any]
    model_method: str | None = None
    proxy: str | None = None  # "<proxy>.<method>", e.g. "job.run"
    store: str | None = None  # the store of the proxied objects, for label routing ("jobs")


TASKS: dict[str, TaskDef] = {}
_loaded = False
_lock = threading.Lock()


def task(name: str, model_method: str | None = None, proxy: str | None = None,
         store: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(om, *args, **kwargs)`` as the runtime task ``name``.

    ``proxy='job.run'`` (with ``store='jobs'``) makes it ``om.runtime.job(name).run(...)``.
    """
    if proxy is not None and (proxy.count(".") != 1 or not all(p.isidentifier() for p in proxy.split("."))):
        raise PluginError(f"runtime task {name!r}: proxy must look like 'job.run', got {proxy!r}")

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        existing = TASKS.get(name)
        if existing is not None and existing.fn is not fn and _qualname(existing.fn) != _qualname(fn):
            raise PluginError(f"runtime task {name!r} is defined twice: {_qualname(existing.fn)} and {_qualname(fn)}")
        TASKS[name] = TaskDef(name, fn, model_method, proxy, store)
        return fn

    return register


def _qualname(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def load_tasks() -> dict[str, TaskDef]:
    """Import every ``omegaml.tasks`` module once, so their tasks are in ``TASKS``."""
    global _loaded
    with _lock:
        if not _loaded:
            from ..discovery import registry

            registry().task_modules()
            _loaded = True
    return TASKS


def lookup(name: str) -> TaskDef:
    found = load_tasks().get(name)
    if found is None:
        raise PluginError(f"no runtime task {name!r} is installed on this worker; installed: {', '.join(sorted(TASKS))}")
    return found


def model_method_task(method: str) -> TaskDef | None:
    """The task a plugin registered as model method ``method``, if any."""
    for definition in load_tasks().values():
        if definition.model_method == method:
            return definition
    return None
