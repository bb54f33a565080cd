"""The kernel's own runtime tasks: the generic model methods and ping (registered as ``omegaml.tasks: core``)."""
from __future__ import annotations

import os
import socket
from typing import Any

from ..backends.base import MODEL_METHODS
from .taskdefs import task


def _model_task(method: str) -> None:
    def run(om: Any, modelname: str, *args: Any, **kwargs: Any) -> Any:
        meta = om.models.metadata(modelname)
        backend = om.models.backend(meta.kind)
        if not hasattr(backend, method):
            raise TypeError(f"model {modelname!r} is of kind {meta.kind!r}, whose backend has no {method}()")
        return getattr(backend, method)(modelname, *args, **kwargs)

    run.__name__ = run.__qualname__ = f"model_{method}"
    task(f"omegaml.model.{method}")(run)


for _method in MODEL_METHODS:
    _model_task(_method)


@task("omegaml.ping")
def ping(om: Any, **kwargs: Any) -> dict[str, Any]:
    """Who answered: the worker's host and process, and the bucket it rebuilt."""
    return {"message": "pong", "host": socket.gethostname(), "pid": os.getpid(), "bucket": om.bucket,
            "worker": os.environ.get("OMEGA_WORKER_NAME", "local"), "kwargs": kwargs}
