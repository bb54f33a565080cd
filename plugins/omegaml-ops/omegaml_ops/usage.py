"""Usage per user and day: runtime task seconds (from the runtime's task hooks) and REST requests (from the
server's access log). Reported by ``om ops usage --user alice --month 2026-11`` and ``GET /api/v1/ops/usage``.

A bucket's usage is counted for the user of its live deployment; usage of a
bucket no deployment names is kept under the username ``""``.
"""
from __future__ import annotations

import functools
import logging
from datetime import date, datetime, timezone
from typing import Any

log = logging.getLogger(__name__)
METRICS = ("task_seconds", "requests")


@functools.lru_cache(maxsize=8)
def engine_for(url: str) -> Any:
    """A cached engine for recording usage (no migrations: the operations schema must exist)."""
    from sqlalchemy import create_engine

    from .service import _sqlite_options

    return create_engine(url, pool_pre_ping=True, **_sqlite_options(url))


def owner_of(connection: Any, bucket: str) -> str:
    """The user of the live deployment on ``bucket``, else ``""``."""
    from sqlalchemy import select

    from .states import State
    from .tables import ServiceDeployment

    found = connection.execute(select(ServiceDeployment.username).where(
        ServiceDeployment.bucket == bucket, ServiceDeployment.status != State.REMOVED).limit(1)).scalar()
    return found or ""


def record(engine: Any, metric: str, amount: float, bucket: str = "", username: str | None = None,
           day: date | None = None) -> None:
    """Add ``amount`` to the ``metric`` of the user (or the bucket's owner) on ``day`` (default today, UTC)."""
    from sqlalchemy import insert, update
    from sqlalchemy.exc import IntegrityError

    from .tables import Usage

    if metric not in METRICS:
        raise ValueError(f"usage metric {metric!r} is not one of {', '.join(METRICS)}")
    day = day or datetime.now(timezone.utc).date()
    bucket = bucket or ""
    for _ in range(3):  # the row may be inserted concurrently: then add to it
        with engine.begin() as connection:
            user = username if username is not None else owner_of(connection, bucket)
            where = (Usage.username == user, Usage.bucket == bucket, Usage.day == day, Usage.metric == metric)
            if connection.execute(update(Usage).where(*where).values(amount=Usage.amount + amount)).rowcount:
                return
            try:
                with connection.begin_nested():
                    connection.execute(insert(Usage).values(username=user, bucket=bucket, day=day, metric=metric,
                                                            amount=amount))
                return
            except IntegrityError:
                continue
    log.warning("usage %s of %s on %s could not be recorded", metric, bucket, day)


def report(engine: Any, username: str, month: str) -> dict[str, Any]:
    """``{"user", "month", "days": [{"day", "task_seconds", "requests"}], "total": {...}}`` for ``YYYY-MM``."""
    from sqlalchemy import func, select

    from .tables import Usage

    try:
        first = datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"month {month!r} is not understood; use YYYY-MM, e.g. 2026-11") from None
    last = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    with engine.connect() as connection:
        rows = connection.execute(select(Usage.day, Usage.metric, func.sum(Usage.amount)).where(
            Usage.username == username, Usage.day >= first, Usage.day < last).group_by(
            Usage.day, Usage.metric).order_by(Usage.day)).all()
    days: dict[str, dict[str, Any]] = {}
    for day, metric, amount in rows:
        entry = days.setdefault(str(day), {"day": str(day), **{m: 0 for m in METRICS}})
        entry[metric] = round(float(amount), 6)
    total = {m: round(sum(d[m] for d in days.values()), 6) for m in METRICS}
    return {"user": username, "month": month, "days": list(days.values()), "total": total}


def recording_url() -> str | None:
    """Where task usage is recorded: ``OMEGA_OPS_URL``, else ``OMEGA_ACCOUNTS_URL``, else None (not recorded)."""
    import os

    return os.environ.get("OMEGA_OPS_URL") or os.environ.get("OMEGA_ACCOUNTS_URL") or None
