"""``om scheduler``: runs due notebook jobs on the runtime; several schedulers may run at once.

Why a loop over the store rather than Celery beat: beat keeps its schedule in
one process and fires whatever it holds, so two beats fire every job twice and
a beat needs a broker. Here each schedule lives in its job's Metadata, and a
scheduler *claims* a due run by moving ``next_run`` forward with the store's
compare-and-swap (``engine.meta_commit(doc, expected_rev)``): of any number of
schedulers, exactly one wins each due run and submits it; the others see a
conflict and skip it. That makes running two schedulers for availability safe,
and it works without a broker (jobs then run in the scheduler's process).

Missed runs: when no scheduler ran at a job's due time(s), the next tick runs it
**once** (not once per missed time) and sets the next run after now. With
``skip_missed=True`` (``om scheduler --skip-missed``) a run more than ``grace``
seconds late is skipped instead, and only the next time is set.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

from omegaml_core.errors import ConcurrentWriteError, ObjectNotFound

from .cron import next_times, utc_iso
from .schedule import due_time, update_job_doc

log = logging.getLogger(__name__)
SCHEDULED_QUERY = {"prefix": "jobs/", "attributes.scheduled": True}


def scheduler_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim(omega: Any, doc: dict, now: datetime, skip_missed: bool = False, grace: float = 60) -> dict | None:
    """Claim the due run of ``doc``: ``{'due', 'run'}`` if this scheduler won it, None if another did first."""
    due = due_time(doc)
    schedule = doc["attributes"]["schedule"]
    following = next_times(schedule["cron"], schedule["tz"], max(now, due))[0]
    run = not (skip_missed and (now - due) > timedelta(seconds=grace))

    def change(attributes: dict) -> None:
        attributes["schedule"].update(next_run=utc_iso(following), last_due=utc_iso(due),
                                      last_claimed_by=scheduler_name(), last_action="run" if run else "skipped")

    try:
        update_job_doc(omega[doc["bucket"]], doc["name"], change, expected_rev=doc["rev"])
    except (ConcurrentWriteError, ObjectNotFound):
        return None  # another scheduler claimed it, or the job changed or was dropped: the next tick looks again
    return {"due": due, "run": run}


def tick(omega: Any, now: datetime | None = None, skip_missed: bool = False, grace: float = 60) -> list[dict]:
    """Claim and submit every due job of ``omega``'s context (all buckets); returns what this call fired."""
    now = now or datetime.now(timezone.utc)
    fired = []
    for doc in list(omega.engine.meta_find(SCHEDULED_QUERY)):
        if due_time(doc) > now:
            continue
        claimed = claim(omega, doc, now, skip_missed, grace)
        if claimed is None:
            continue
        entry = {"bucket": doc["bucket"], "job": doc["name"], "due": utc_iso(claimed["due"]), "run": claimed["run"]}
        if claimed["run"]:
            parameters = doc["attributes"]["schedule"].get("parameters") or {}
            try:
                entry["task"] = omega[doc["bucket"]].runtime.job(doc["name"]).run(
                    parameters=parameters, scheduled_for=entry["due"])
            except Exception as exc:  # a job that cannot be submitted must not stop the others
                log.error("scheduler: cannot submit %s in bucket %s: %s", doc["name"], doc["bucket"], exc)
                entry["error"] = f"{type(exc).__name__}: {exc}"
        fired.append(entry)
    return fired


def run_scheduler(omega: Any, interval: float = 0.5, skip_missed: bool = False, grace: float = 60,
                  stop: threading.Event | None = None) -> None:
    """Tick every ``interval`` seconds until ``stop`` is set (or forever)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            for entry in tick(omega, skip_missed=skip_missed, grace=grace):
                print(f"om scheduler: {entry['bucket']}/{entry['job']} due {entry['due']}: "
                      f"{'submitted' if entry['run'] else 'skipped (missed)'}"
                      f"{' ERROR ' + entry['error'] if 'error' in entry else ''}", flush=True)
        except Exception as exc:  # storage briefly unavailable: keep going
            log.error("scheduler tick failed: %s: %s", type(exc).__name__, exc)
        stop.wait(interval)
