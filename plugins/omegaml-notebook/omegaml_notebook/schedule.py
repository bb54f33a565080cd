"""Schedules of notebook jobs, kept in the job's attributes and changed only by compare-and-swap.

``attributes['schedule']`` holds ``cron``, ``tz``, ``text`` (what the user
wrote), ``explanation``, ``parameters`` and ``next_run`` (UTC); ``attributes['scheduled']``
is True while a schedule is set (what the scheduler queries).
"""
from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any, Callable

from omegaml_core.errors import ConcurrentWriteError, ObjectNotFound
from omegaml_core.metadata import new_revision, utcnow

from .cron import check_timezone, explain, next_times as cron_next_times, parse_utc, to_cron, utc_iso
from .errors import ScheduleError
from .parameters import check_parameters

ATTEMPTS = 50


def update_job_doc(omega: Any, stored: str, change: Callable[[dict], None], expected_rev: str | None = None) -> dict:
    """Apply ``change`` to the attributes of job ``stored`` atomically; returns the new document.

    With ``expected_rev`` the change applies only at that revision (ConcurrentWriteError
    otherwise); without, it is retried against whatever is current.
    """
    engine = omega.engine
    for _ in range(ATTEMPTS):
        doc = engine.meta_get(omega.bucket, omega.jobs.prefix, stored)
        if doc is None:
            raise ObjectNotFound(f"jobs/{stored} does not exist in bucket {omega.bucket!r}")
        if expected_rev is not None and doc["rev"] != expected_rev:
            raise ConcurrentWriteError(f"jobs/{stored} changed (expected revision {expected_rev})")
        new = copy.deepcopy({k: v for k, v in doc.items() if k != "_id"})
        change(new["attributes"])
        new["rev"], new["modified"] = new_revision(), utcnow()
        try:
            engine.meta_commit(new, doc["rev"])
            return new
        except ConcurrentWriteError:
            if expected_rev is not None:
                raise
    raise ConcurrentWriteError(f"gave up changing jobs/{stored} after {ATTEMPTS} conflicting writes")


def _notebook_meta(omega: Any, name: str) -> Any:
    meta = omega.jobs.metadata(name)
    if meta.kind != "script.ipynb":
        raise ScheduleError(f"job {name!r} is of kind {meta.kind!r}; only notebooks can be scheduled")
    return meta


def set_schedule(omega: Any, name: str, spec: str, tz: str = "UTC", parameters: dict | None = None,
                 now: datetime | None = None) -> dict[str, Any]:
    """Schedule job ``name``; returns the schedule (with ``cron``, ``explanation`` and ``next_run``)."""
    cron = to_cron(spec)
    check_timezone(tz)
    parameters = check_parameters(parameters)
    meta = _notebook_meta(omega, name)
    first = cron_next_times(cron, tz, now or datetime.now(timezone.utc))[0]
    schedule = {"cron": cron, "tz": tz, "text": spec, "explanation": explain(cron), "parameters": parameters,
                "next_run": utc_iso(first)}

    def change(attributes: dict) -> None:
        attributes["schedule"], attributes["scheduled"] = schedule, True

    update_job_doc(omega, meta.name, change)
    return schedule


def get_schedule(omega: Any, name: str) -> dict[str, Any] | None:
    meta = omega.jobs.metadata(name)
    return meta.attributes.get("schedule") if meta.attributes.get("scheduled") else None


def next_times(omega: Any, name: str, n: int = 5, now: datetime | None = None) -> list[str]:
    """The next ``n`` run times of ``name``, ISO in the schedule's time zone; ScheduleError if not scheduled."""
    schedule = get_schedule(omega, name)
    if schedule is None:
        raise ScheduleError(f"job {name!r} has no schedule; set one with schedule({name!r}, '0 6 * * FRI')")
    return [t.isoformat() for t in cron_next_times(schedule["cron"], schedule["tz"], now or datetime.now(timezone.utc), n)]


def drop_schedule(omega: Any, name: str) -> bool:
    """Remove the schedule of ``name``; False if it had none."""
    meta = omega.jobs.metadata(name)
    if not meta.attributes.get("scheduled"):
        return False

    def change(attributes: dict) -> None:
        attributes.pop("schedule", None)
        attributes["scheduled"] = False

    update_job_doc(omega, meta.name, change)
    return True


def due_time(doc: dict) -> datetime:
    return parse_utc(doc["attributes"]["schedule"]["next_run"])
