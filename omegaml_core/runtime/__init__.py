"""The runtime: model methods and plugin tasks, on Celery workers or in-process.

No broker configured (``OMEGA_BROKER`` unset): tasks run in this process with
the same JSON serialization a broker message gets. With a ``redis://`` or
``amqp://`` broker, tasks go to workers started with ``om worker``. Each message
carries the caller's configuration and bucket, so one pool serves many contexts.
"""
from .client import ModelProxy, OmegaRuntime
from .liveness import NoWorkerError
from .states import RemoteError
from .taskdefs import task

__all__ = ["OmegaRuntime", "ModelProxy", "RemoteError", "NoWorkerError", "task"]
