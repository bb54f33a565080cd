"""Who started each asynchronous call, in the accounts database, so every server process (``--workers N``)
answers ``/api/v1/task/{id}/result`` only to the user and bucket that started the task."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select

from .service import Accounts
from .tables import TaskOwner

#: owners are forgotten after this long (a result backend keeps results for a day by default)
KEEP = timedelta(days=7)


class TaskOwners:
    """Record and look up the owner ``(username, bucket)`` of a task id."""

    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts

    def record(self, task_id: str, username: str, bucket: str) -> None:
        now = datetime.now(timezone.utc)
        with self.accounts._session() as session, session.begin():
            session.execute(delete(TaskOwner).where(TaskOwner.created < now - KEEP))
            session.add(TaskOwner(task_id=task_id, username=username, bucket=bucket, created=now))

    def owner(self, task_id: str) -> tuple[str, str] | None:
        """``(username, bucket)`` of the user who started ``task_id``, or None if no one did through a server."""
        with self.accounts.engine.connect() as connection:
            row = connection.execute(select(TaskOwner.username, TaskOwner.bucket)
                                     .where(TaskOwner.task_id == task_id)).first()
        return (row[0], row[1]) if row else None
