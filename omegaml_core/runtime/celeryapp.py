"""The Celery app: one generic task that runs any registered runtime task.

Messages carry ``(task name, {"context": reference, "bucket": bucket}, args,
kwargs)``: a reference to a context the worker serves, never a URL or
credentials (``contexts.py``); the worker looks the task up in the table filled
from ``omegaml.tasks``. Tasks are acknowledged
late and rejected when a worker is lost, with a prefetch of one, so a worker
killed mid-task leaves its message to be redelivered to another worker.
A task that raises is a Celery FAILURE (see ``states``); worker logs show a
summary of each result, never its data (see ``resultlog``).
"""
from __future__ import annotations

import functools
import json
import os
from typing import Any

from ..config import Config
from .signing import SigningConfig, configure_signing, signing_config

RUN_TASK = "omegaml.run"
DEFAULT_QUEUE = "omegaml"


def queue_for(label: str | None) -> str:
    """The queue of workers with ``label`` (``om worker --label gpu``); the default queue for None."""
    return DEFAULT_QUEUE if not label or label == "default" else f"{DEFAULT_QUEUE}.{label}"


def result_backend_for(config: Config) -> str:
    if config.result_backend:
        return config.result_backend
    broker = config.broker_url or ""
    return broker if broker.startswith(("redis://", "rediss://")) else "rpc://"


@functools.lru_cache(maxsize=None)
def make_app(broker_url: str, result_backend: str, signing: SigningConfig | None = None,
             settings: str = "{}") -> Any:
    """A Celery app for a broker (cached: one per broker, signing and settings in a process).

    ``signing`` signs every message; ``settings``: JSON of further Celery settings
    (``om.setup(celeryconf=...)``), applied last.
    """
    from celery import Celery

    from . import resultlog
    from .contexts import worker_contexts
    from .execution import execute
    from .states import result_backend as backend_with_exception_info

    from ..tls import celery_tls

    broker, tls_settings = celery_tls(broker_url)
    app = Celery("omegaml", broker=broker, backend=result_backend, set_as_current=False)
    app.backend_cls = backend_with_exception_info
    resultlog.install()
    # Redis only: an unacknowledged task (its worker died) is redelivered once it is older than the
    # visibility timeout; it must exceed the longest task. Sweep for such tasks often enough to notice.
    visibility = int(os.environ.get("OMEGA_VISIBILITY_TIMEOUT", "3600"))
    transport = {"visibility_timeout": visibility, "unacked_restore_throttle": 1,
                 "unacked_restore_interval": max(1, min(10, visibility // 3))}
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_default_queue=DEFAULT_QUEUE, result_expires=3600, broker_connection_retry_on_startup=True,
        broker_transport_options=transport,
        result_backend_transport_options={"visibility_timeout": visibility},
        worker_hijack_root_logger=False, broker_connection_timeout=5, task_track_started=True, **tls_settings,
    )
    app.conf.update(json.loads(settings))
    configure_signing(app, signing)

    @app.task(name=RUN_TASK, bind=True, resultrepr_maxsize=resultlog.RESULT_REPR_MAXSIZE,
              Request="omegaml_core.runtime.workerrequest:RunRequest")
    def run(self: Any, task_name: str, context: dict, args: list, kwargs: dict) -> Any:
        queue = (self.request.delivery_info or {}).get("routing_key") or DEFAULT_QUEUE
        result = execute(task_name, context, args, kwargs, served=worker_contexts(),
                         where=f"the worker on queue {queue}")
        resultlog.note(self.request.id, result)
        return result

    return app


def app_for(config: Config) -> Any:
    if not config.broker_url:
        raise RuntimeError("no broker configured: set OMEGA_BROKER (redis://... or amqp://...)")
    from ..tls import ensure_reachable

    backend = result_backend_for(config)
    app = make_app(config.broker_url, backend, signing_config(), config.celery_settings)
    ensure_reachable(app, config.broker_url, backend)
    return app


def safe_repr(task_name: str, context: dict, args: list, kwargs: dict) -> str:
    """How a message shows up in logs and monitors (it holds a context reference, no credentials)."""
    return repr((task_name, context, args, kwargs))
