"""``om.setup(celeryconf={...})``: Celery's own setting names, old (``BROKER_URL``) or new (``broker_url``)."""
from __future__ import annotations

import json
from typing import Any

#: settings omegaml-core sets itself; changing them would break the runtime's message format or guarantees
FIXED = frozenset({"task_serializer", "result_serializer", "accept_content", "result_accept_content",
                   "task_acks_late", "task_reject_on_worker_lost"})


def setting_name(key: str) -> str:
    """Celery's current name for ``key`` (``BROKER_URL`` -> ``broker_url``); ValueError if Celery has none."""
    from celery.app import defaults

    new = key if key in defaults.SETTING_KEYS else defaults._TO_NEW_KEY.get(key)
    if new is None:
        raise ValueError(f"{key!r} is not a Celery setting; use Celery's names, e.g. 'broker_url' "
                         "or 'BROKER_URL' (https://docs.celeryq.dev/en/stable/userguide/configuration.html)")
    return new


def normalize(celeryconf: dict[str, Any]) -> dict[str, Any]:
    """``celeryconf`` with Celery's current setting names; ValueError for unknown, fixed or non-JSON settings."""
    if not isinstance(celeryconf, dict):
        raise ValueError(f"celeryconf must be a dict of Celery settings, not {type(celeryconf).__name__}")
    settings: dict[str, Any] = {}
    for key, value in celeryconf.items():
        name = setting_name(str(key))
        if name in FIXED:
            raise ValueError(f"{key!r} is fixed by omegaml (JSON messages, late acknowledgement); "
                             "remove it")
        if name in settings:
            raise ValueError(f"{key!r} and another key both set {name!r}; keep one")
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise ValueError(f"the value of {key!r} must be JSON (str, number, bool, list or dict), "
                             f"not {type(value).__name__}") from None
        settings[name] = value
    return settings
