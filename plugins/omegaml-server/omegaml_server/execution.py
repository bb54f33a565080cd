"""Model methods as the Python API runs them: ``om.runtime`` with a broker, the kernel's in-process executor without.

Without a broker, ``om.runtime.model(m).predict(df)`` would first store the
frame as a temporary dataset; the server instead hands the in-memory frame to
the kernel's executor (``omegaml_core.runtime.execution.execute``, the same
code, hooks and per-process model cache a local runtime uses). With a broker
the call goes through ``om.runtime`` unchanged, so it runs on the workers.
"""
from __future__ import annotations

from typing import Any, Callable

from omegaml_core.backends.base import MODEL_METHODS

#: methods that only read the model (role ``read``) and those that change it (role ``run``)
READ_METHODS = ("predict", "predict_proba", "decision_function", "score", "transform")
RUN_METHODS = ("fit", "partial_fit", "fit_transform", "gridsearch")
TIMEOUT = 3600


def task_name_of(method: str) -> str:
    from omegaml_core.runtime.taskdefs import model_method_task

    if method in MODEL_METHODS:
        return f"omegaml.model.{method}"
    definition = model_method_task(method)
    if definition is None:
        raise ValueError(f"models have no method {method!r} here; install the plugin that provides it")
    return definition.name


def submit(omega: Any, name: str, method: str, args: list, kwargs: dict) -> Any:
    """Start ``method`` of model ``name``; a result with ``.get()`` (and ``.id`` when it runs on a worker)."""
    if not omega.runtime.local:
        return getattr(omega.runtime.model(name), method)(*args, **kwargs)
    from omegaml_core.runtime.client import run_locally
    from omegaml_core.runtime.contexts import ServedContexts
    from omegaml_core.runtime.execution import context_of

    message = [task_name_of(method), context_of(omega), [name, *args], kwargs]
    return run_locally(message, ServedContexts((omega.config,)))


def run(omega: Any, name: str, method: str, args: list, kwargs: dict) -> Any:
    """Run ``method`` and return its plain result (raising the worker's error)."""
    return submit(omega, name, method, args, kwargs).get(timeout=TIMEOUT)


class Wrapped:
    """A runtime result whose value is passed through ``fn`` (keeps ``.id`` and ``.ready()``)."""

    def __init__(self, result: Any, fn: Callable[[Any], Any]) -> None:
        self.result, self.fn = result, fn
        self.id = result.id

    def ready(self) -> bool:
        return self.result.ready()

    def get(self, timeout: float | None = None) -> Any:
        return self.fn(self.result.get(timeout=timeout))
