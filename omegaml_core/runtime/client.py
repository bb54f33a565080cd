"""The client side: ``om.runtime`` and its model proxies."""
from __future__ import annotations

import secrets
from typing import Any

from ..backends.base import MODEL_METHODS
from ..names import TEMP_FOLDER, internal_names, validate_new_name
from .celeryapp import RUN_TASK, app_for, queue_for, safe_repr
from .contexts import ServedContexts
from .execution import context_of, execute
from .payloads import round_trip
from .results import LocalResult, RemoteResult
from .taskdefs import model_method_task

DATA_ARGS = ("Xname", "Yname", "X", "Y")
DATA_POSITIONS = 2  # the first two positional arguments are X and Y


class OmegaRuntime:
    """Runs tasks for one Omega: on Celery workers when a broker is configured, else in-process.

    ``om.runtime.model('clf').fit('X', 'Y').get()``; ``om.runtime.require('gpu')``
    routes to workers started with ``om worker --label gpu``.
    """

    def __init__(self, omega: Any, label: str | None = None) -> None:
        self.omega = omega
        self.label = label

    @property
    def local(self) -> bool:
        """True when no broker is configured: tasks run in this process."""
        return not self.omega.config.broker_url

    def require(self, label: str) -> "OmegaRuntime":
        """The same runtime, routed to workers labelled ``label``."""
        if not isinstance(label, str) or not label or not label.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"label {label!r} must be letters, digits, '-' or '_'")
        return OmegaRuntime(self.omega, label)

    def model(self, name: str) -> "ModelProxy":
        """A proxy whose methods run on a worker against the stored model ``name``."""
        return ModelProxy(self, name)

    def __getattr__(self, proxy: str) -> Any:
        """``om.runtime.job(name)``, ``om.runtime.script(name)``: proxies plugins define with ``task(proxy=...)``."""
        if proxy.startswith("_"):
            raise AttributeError(proxy)
        from .proxies import proxy_factory

        return proxy_factory(self, proxy)

    def ping(self, timeout: float = 10, **kwargs: Any) -> dict[str, Any]:
        """A worker's answer (or the local runtime's)."""
        return self.submit("omegaml.ping", [], kwargs).get(timeout=timeout)

    def submit(self, task_name: str, args: list, kwargs: dict, label: str | None = None,
               cleanup: Any = None) -> Any:
        """Send one task; returns a result whose ``.get()`` gives a plain value."""
        context = context_of(self.omega)
        message = round_trip([task_name, context, list(args), dict(kwargs)])
        if self.local:
            try:
                # the same path as a worker: the message's reference resolved against what this runtime serves
                served = ServedContexts((self.omega.config,))
                return LocalResult(round_trip(execute(*message, served=served, where="the local runtime")))
            finally:
                if cleanup:
                    cleanup()
        app = app_for(self.omega.config)
        try:
            async_result = app.send_task(RUN_TASK, args=message, queue=queue_for(label or self.label),
                                         argsrepr=safe_repr(*message), kwargsrepr="{}")
        except BaseException:
            if cleanup:
                cleanup()
            raise
        return RemoteResult(async_result, cleanup)


class ModelProxy:
    """``om.runtime.model(name)``: each model method becomes a task on a worker."""

    def __init__(self, runtime: OmegaRuntime, name: str) -> None:
        self.runtime = runtime
        self.name = name

    def __repr__(self) -> str:
        return f"ModelProxy({self.name!r}, label={self.runtime.label!r})"

    def _label(self) -> str | None:
        if self.runtime.label:
            return self.runtime.label
        required = self.runtime.omega.models.metadata(self.name).attributes.get("require")
        return required if isinstance(required, str) else None

    def _call(self, task_name: str, args: tuple, kwargs: dict) -> Any:
        datasets = self.runtime.omega.datasets
        temporary: list[str] = []

        def as_name(value: Any) -> Any:
            if value is None or isinstance(value, str):
                return value
            name = f"{TEMP_FOLDER}/{secrets.token_hex(8)}"
            with internal_names():
                datasets.put(value, name)
            temporary.append(name)
            return name

        def cleanup() -> None:
            for name in temporary:
                datasets.drop(name, force=True)

        if kwargs.get("rName") is not None:  # refused here, not on the worker after the work is done
            validate_new_name(kwargs["rName"], "result")
        try:
            args = tuple(as_name(a) if i < DATA_POSITIONS else a for i, a in enumerate(args))
            kwargs = {k: as_name(v) if k in DATA_ARGS else v for k, v in kwargs.items()}
            label = self._label()
        except BaseException:
            cleanup()
            raise
        return self.runtime.submit(task_name, [self.name, *args], kwargs, label=label, cleanup=cleanup)

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)
        if method in MODEL_METHODS:
            task_name = f"omegaml.model.{method}"
        else:
            definition = model_method_task(method)
            if definition is None:
                raise AttributeError(f"models have no runtime method {method!r}; methods: "
                                     f"{', '.join(MODEL_METHODS)} and those plugins add")
            task_name = definition.name
        return lambda *args, **kwargs: self._call(task_name, args, kwargs)
