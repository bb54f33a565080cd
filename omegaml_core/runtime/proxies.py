"""Runtime proxies that plugins define: ``om.runtime.job('report').run(...)``.

A task registered with ``task('myplugin.run', proxy='job.run', store='jobs')``
becomes the method ``run`` of the proxy ``om.runtime.job(name)``; calling it
sends ``fn(om, name, *args, **kwargs)`` to a worker. Calls are routed like model
calls: ``om.runtime.require(label)`` first, else the object's ``require``
attribute in ``store``, else the default queue. The kernel's own
``om.runtime.model`` stays as it is; this is the same idea for any kind of object.
"""
from __future__ import annotations

from typing import Any, Callable

from .taskdefs import TaskDef, load_tasks


def proxy_methods(proxy: str) -> dict[str, TaskDef]:
    """``{method: task}`` of every installed task registered for ``proxy``."""
    found = {}
    for definition in load_tasks().values():
        if definition.proxy and definition.proxy.split(".")[0] == proxy:
            found[definition.proxy.split(".")[1]] = definition
    return found


def proxy_factory(runtime: Any, proxy: str) -> Callable[[str], "ObjectProxy"]:
    """What ``om.runtime.<proxy>`` returns: a function of the object name; AttributeError if no plugin defines it."""
    methods = proxy_methods(proxy)
    if not methods:
        known = sorted({d.proxy.split(".")[0] for d in load_tasks().values() if d.proxy})
        raise AttributeError(f"the runtime has no {proxy!r} proxy; installed proxies: model"
                             f"{''.join(', ' + k for k in known)} (plugins add them with task(proxy=...))")

    def make(name: str) -> ObjectProxy:
        if not isinstance(name, str) or not name:
            raise ValueError(f"om.runtime.{proxy}() needs an object name, got {name!r}")
        return ObjectProxy(runtime, proxy, name, methods)

    return make


class ObjectProxy:
    """``om.runtime.<proxy>(name)``: each registered method is a task on a worker."""

    def __init__(self, runtime: Any, proxy: str, name: str, methods: dict[str, TaskDef]) -> None:
        self.runtime, self.proxy, self.name, self.methods = runtime, proxy, name, methods

    def __repr__(self) -> str:
        return f"ObjectProxy({self.proxy}({self.name!r}), label={self.runtime.label!r})"

    def _label(self, definition: TaskDef) -> str | None:
        if self.runtime.label or not definition.store:
            return self.runtime.label
        required = getattr(self.runtime.omega, definition.store).metadata(self.name).attributes.get("require")
        return required if isinstance(required, str) else None

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)
        definition = self.methods.get(method)
        if definition is None:
            raise AttributeError(f"om.runtime.{self.proxy}() has no method {method!r}; methods: "
                                 f"{', '.join(sorted(self.methods))}")

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.runtime.submit(definition.name, [self.name, *args], kwargs, label=self._label(definition))

        return call
