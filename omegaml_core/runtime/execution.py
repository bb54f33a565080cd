"""Running one task: rebuild the caller's Omega, call hooks, return a plain result or raise the task's error."""
from __future__ import annotations

import logging
import threading
from typing import Any

from ..config import Config, redact_url
from .payloads import plain
from .taskdefs import lookup

log = logging.getLogger(__name__)
_contexts: dict[tuple, Any] = {}
_lock = threading.Lock()


def context_of(omega: Any) -> dict[str, Any]:
    """What a task message carries so a worker can rebuild ``omega``: configuration and bucket."""
    return {"config": omega.config.to_dict(), "bucket": omega.bucket}


def rebuild(context: dict[str, Any]) -> Any:
    """The Omega for a task's context, cached per configuration and bucket (one pool, many contexts)."""
    from ..omega import Omega

    key = (tuple(sorted(context["config"].items())), context["bucket"])
    with _lock:
        omega = _contexts.get(key)
        if omega is None:
            omega = Omega(Config(**context["config"]), context["bucket"])
            _contexts[key] = omega
        return omega


def execute(task_name: str, context: dict[str, Any], args: list, kwargs: dict) -> Any:
    """Run ``task_name`` and return its result as plain JSON values; its exception propagates (Celery FAILURE)."""
    try:
        omega = rebuild(context)
        definition = lookup(task_name)
        omega.hooks.before_task(task_name, omega, tuple(args), kwargs)
        result = definition.fn(omega, *args, **kwargs)
        omega.hooks.after_task(task_name, omega, result)
        return plain(result)
    except Exception as exc:
        log.info("task %s in bucket %s on %s failed: %s: %s", task_name, context.get("bucket"),
                 redact_url(context.get("config", {}).get("storage_url")), type(exc).__name__, exc)
        raise
