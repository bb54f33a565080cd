"""The runtime: model methods and plugin tasks, on Celery workers or in-process.

No broker configured (``OMEGA_BROKER`` unset): tasks run in this process with
the same JSON serialization a broker message gets. With a ``redis://`` or
``amqp://`` broker, tasks go to workers started with ``om worker``. Each message
carries a reference to the caller's context and its bucket: one pool serves the
contexts its own configuration lists (``OMEGA_WORKER_CONTEXTS``), never a URL
from a message.
"""
from .client import ModelProxy, OmegaRuntime
from .liveness import NoWorkerError
from .states import RemoteError
from .taskdefs import task

__all__ = ["OmegaRuntime", "ModelProxy", "RemoteError", "NoWorkerError", "task"]
