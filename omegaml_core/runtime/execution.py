"""Running one task: resolve the message's context reference, call hooks, return a plain result or raise the task's error.

A message's context is ``{"context": <reference>, "bucket": <bucket>}`` (see
``contexts.py``); the Omega comes from the served contexts' own configuration,
never from the message, so a forged message cannot make a worker open a store.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from ..config import Config
from .contexts import ServedContexts, reference
from .payloads import plain
from .taskdefs import lookup

log = logging.getLogger(__name__)
_contexts: dict[tuple[Config, str], Any] = {}
_lock = threading.Lock()


def context_of(omega: Any) -> dict[str, Any]:
    """What a task message carries about ``omega``: a reference to its context (no URL, no credentials) and its bucket."""
    return {"context": reference(omega.config), "bucket": omega.bucket}


def rebuild(context: dict[str, Any], served: ServedContexts, where: str) -> Any:
    """The Omega for a message's context: a served context, cached per context and bucket (one pool, many contexts)."""
    from ..omega import Omega

    if not isinstance(context, dict):
        raise TypeError(f"a task message's context must be a dict, not {type(context).__name__}")
    config = served.resolve(context.get("context"), where)
    key = (config, context.get("bucket"))
    with _lock:
        omega = _contexts.get(key)
        if omega is None:
            omega = Omega(config, context.get("bucket"))
            _contexts[key] = omega
        return omega


def execute(task_name: str, context: dict[str, Any], args: list, kwargs: dict, served: ServedContexts,
            where: str = "the worker") -> Any:
    """Run ``task_name`` in a served context and return its result as plain JSON values.

    Its exception propagates (a Celery FAILURE on a worker).
    """
    try:
        omega = rebuild(context, served, where)
        definition = lookup(task_name)
        omega.hooks.before_task(task_name, omega, tuple(args), kwargs)
        result = definition.fn(omega, *args, **kwargs)
        omega.hooks.after_task(task_name, omega, result)
        return plain(result)
    except Exception as exc:
        ref = context.get("context") if isinstance(context, dict) else None
        log.info("task %s for context %r in bucket %s failed: %s: %s", task_name, ref,
                 context.get("bucket") if isinstance(context, dict) else None, type(exc).__name__, exc)
        raise
