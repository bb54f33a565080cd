"""The client side: ``om.runtime`` and its model proxies."""
from __future__ import annotations

import secrets
import traceback
from typing import Any

from ..backends.base import MODEL_METHODS
from ..names import TEMP_FOLDER, internal_names, validate_new_name
from .celeryapp import RUN_TASK, app_for, queue_for, safe_repr
from .contexts import ServedContexts
from .execution import context_of, execute
from .payloads import round_trip
from .results import LocalResult, RemoteResult
from .states import QUEUED_ANYWAY, exception_info
from .taskdefs import model_method_task

DATA_ARGS = ("Xname", "Yname", "X", "Y")
DATA_POSITIONS = 2  # the first two positional arguments are X and Y


def valid_label(label: Any) -> str:
    """``label`` if it can name a queue (letters, digits, '-', '_'); ValueError otherwise."""
    if not isinstance(label, str) or not label or not label.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"label {label!r} must be letters, digits, '-' or '_'")
    return label


def run_locally(message: list, served: ServedContexts) -> LocalResult:
    """Run a task message in this process, with the same JSON round trip a worker's result gets."""
    try:
        return LocalResult(round_trip(execute(*message, served=served, where="the local runtime")))
    except Exception as exc:
        return LocalResult(error=round_trip(exception_info(exc)), traceback=traceback.format_exc())


class OmegaRuntime:
    """Runs tasks for one Omega: on Celery workers when a broker is configured, else in-process.

    ``om.runtime.model('clf').fit('X', 'Y').get()``; ``om.runtime.require('gpu')``
    routes to workers started with ``om worker --label gpu``. Every call returns
    a result object: ``.get(timeout=300)`` waits for the value (or raises the
    worker's exception), ``.state`` (and ``.id`` of tasks sent to workers) tell where it is.

    Before a task is sent, the runtime checks that a live worker consumes its
    queue and raises ``NoWorkerError`` at once if none does (the check is cached
    for a few seconds, see ``liveness``); ``require(label, queue_anyway=True)``
    sends without checking, so the task waits in the queue for a worker.
    """

    def __init__(self, omega: Any, label: str | None = None, queue_anyway: bool = False) -> None:
        self.omega = omega
        self.label = label
        self.queue_anyway = queue_anyway

    @property
    def local(self) -> bool:
        """True when no broker is configured: tasks run in this process."""
        return not self.omega.config.broker_url

    def require(self, label: str, queue_anyway: bool = False) -> "OmegaRuntime":
        """The same runtime, routed to workers started with ``om worker --label LABEL``.

        ``label='default'`` is the queue of workers started without a label. With
        ``queue_anyway=True`` a task is sent even when no live worker consumes the
        queue: it waits there until one starts (or ``.get()`` times out and revokes it).
        """
        return OmegaRuntime(self.omega, valid_label(label), queue_anyway)

    def model(self, name: str) -> "ModelProxy":
        """A proxy whose methods run on a worker against the stored model ``name``."""
        return ModelProxy(self, name)

    def __getattr__(self, proxy: str) -> Any:
        """``om.runtime.job(name)``, ``om.runtime.script(name)``: proxies plugins define with ``task(proxy=...)``."""
        if proxy.startswith("_"):
            raise AttributeError(proxy)
        from .proxies import proxy_factory

        return proxy_factory(self, proxy)

    def ping(self, **kwargs: Any) -> Any:
        """Ask a worker to answer; ``.get()`` gives its host, pid, worker name and bucket (and ``kwargs``)."""
        return self.submit("omegaml.ping", [], kwargs)

    def workers(self) -> list[dict[str, Any]]:
        """The live ``om worker``s: name, labels, queues, configured contexts, active tasks (empty in-process)."""
        from .monitor import live_workers

        return [] if self.local else live_workers(app_for(self.omega.config))

    def task(self, task_id: str) -> Any:
        """The result object of a task sent earlier, by id: ``.state``, ``.get()``, ``.status()``."""
        from .monitor import task_result

        if self.local:
            raise ValueError("no broker is configured: tasks run in-process and have no id to look up")
        return task_result(app_for(self.omega.config), task_id)

    def submit(self, task_name: str, args: list, kwargs: dict, label: str | None = None,
               cleanup: Any = None) -> Any:
        """Send one task; returns a result whose ``.get()`` gives a plain value."""
        context = context_of(self.omega)
        message = round_trip([task_name, context, list(args), dict(kwargs)])
        if self.local:
            try:
                # the same path as a worker: the message's reference resolved against what this runtime serves
                return run_locally(message, ServedContexts((self.omega.config,)))
            finally:
                if cleanup:
                    cleanup()
        from .liveness import require_consumer

        app = app_for(self.omega.config)
        queue = queue_for(label or self.label)
        try:
            if not self.queue_anyway:
                require_consumer(app, queue)
            async_result = app.send_task(RUN_TASK, args=message, queue=queue,
                                         argsrepr=safe_repr(*message), kwargsrepr="{}",
                                         headers={QUEUED_ANYWAY: True} if self.queue_anyway else None)
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
        """``require(label)`` if given, else the model's ``require`` attribute: ``'gpu'`` or ``{'label': 'gpu'}``."""
        if self.runtime.label:
            return self.runtime.label
        required = self.runtime.omega.models.metadata(self.name).attributes.get("require")
        if isinstance(required, dict):
            required = required.get("label")
        try:
            return None if required is None else valid_label(required)
        except ValueError as exc:
            raise ValueError(f"model {self.name!r}: attribute 'require' must be a label or {{'label': LABEL}}: "
                             f"{exc}") from None

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
