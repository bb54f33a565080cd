"""Every run of a script is kept: ``results/<name>_<UTC time>`` in ``om.scripts`` (kind ``python.data``).

The stored document holds the run's ``stdout``, ``stderr`` (the kept tails) and its ``result``
(when it is small); the attributes say ``source_script``, ``version``, ``status``
(``ok``/``failed``), ``started``, ``finished``, ``duration``, ``kwargs``, ``worker`` and, on
failure, ``error`` (``Type: message``). Runs are listed newest first with :func:`runs`.
"""
from __future__ import annotations

import json
import logging
import os
import socket
from datetime import datetime, timezone
from typing import Any

log = logging.getLogger("omegaml_scripts")
RESULTS_FOLDER = "results"
#: the largest result (as JSON) kept with a run; larger ones are noted, not stored
RESULT_LIMIT = 64 * 1024


def run_name(name: str, started: datetime) -> str:
    """``results/<name>_<UTC time, ISO 8601 basic>``: sorts by time."""
    return f"{RESULTS_FOLDER}/{name}_{started.astimezone(timezone.utc):%Y%m%dT%H%M%S.%f}Z"


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def worker_name() -> str:
    return os.environ.get("OMEGA_WORKER_NAME") or f"{socket.gethostname()}:{os.getpid()}"


def record_run(omega: Any, meta: Any, kwargs: dict[str, Any], started: datetime, duration: float,
               stdout: str = "", stderr: str = "", result: Any = None, error: BaseException | None = None) -> Any:
    """Store one run of script ``meta``; returns its Metadata, or None if it could not be stored (logged)."""
    finished = datetime.now(timezone.utc)
    attributes = {"source_script": meta.name, "version": meta.kind_meta.get("version"),
                  "status": "failed" if error is not None else "ok", "started": utc_iso(started),
                  "finished": utc_iso(finished), "duration": round(duration, 3), "kwargs": kwargs,
                  "worker": worker_name()}
    if error is not None:
        attributes["error"] = f"{type(error).__name__}: {error}"[:2000]
    document: dict[str, Any] = {"stdout": stdout, "stderr": stderr}
    if error is None:
        text = json.dumps(result, default=str)
        document["result"] = result if len(text) <= RESULT_LIMIT else f"[a result of {len(text):,} characters as JSON]"
    try:
        return omega.scripts.put(document, run_name(meta.name, started), kind="python.data", attributes=attributes)
    except Exception:  # keeping the record must never change the run's own outcome
        log.warning("could not store the run of script %r", meta.name, exc_info=True)
        return None


def runs(omega: Any, name: str) -> list[Any]:
    """Metadata of the stored runs of script ``name``, newest first."""
    found = omega.scripts.list(f"{RESULTS_FOLDER}/{name}_*", raw=True)
    own = [m for m in found if m.attributes.get("source_script") == name]
    return sorted(own, key=lambda m: m.attributes.get("started", ""), reverse=True)
