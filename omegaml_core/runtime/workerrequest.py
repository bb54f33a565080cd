"""The worker's request for ``omegaml.run``: revokes that reached no worker, and no result data in events.

Celery's revoke is a broadcast to the live workers, which keep revoked ids in
memory. A task sent while no worker consumed its queue (``queue_anyway``) may
be revoked by its client (``.get()`` timed out) before any worker exists; the
client then also marks it REVOKED in the result backend. Workers load this
request class (``omegaml.run``'s ``Request``): for such messages it reads the
stored state first, and a REVOKED task is discarded by Celery's own revoke
path (logged as "Discarding revoked task", acknowledged, never run). Needs a
result backend that stores states (Redis, a database); ``rpc://`` does not.

Celery's ``task-succeeded`` event (what Flower shows) carries a repr of the
result; this request sends a note instead, like the worker log (``resultlog``).
"""
from __future__ import annotations

from typing import Any

from celery.worker.request import Request
from celery.worker.state import revoked as revoked_tasks

from .states import QUEUED_ANYWAY


#: what ``task-succeeded`` events say about the result
EVENT_RESULT = "(not shown: read it from the result backend)"


class RunRequest(Request):
    """Celery's request, also revoked when its client marked it REVOKED in the result backend."""

    def send_event(self, type: str, **fields: Any) -> None:
        if type == "task-succeeded":
            fields["result"] = EVENT_RESULT
        super().send_event(type, **fields)

    def revoked(self) -> bool:
        if self.id not in revoked_tasks and self.request_dict.get(QUEUED_ANYWAY):
            try:
                stored = self.task.backend.get_state(self.id)
            except Exception:  # an unreachable backend must not stop the task
                stored = None
            if stored == "REVOKED":
                revoked_tasks.add(self.id)
        return super().revoked()
