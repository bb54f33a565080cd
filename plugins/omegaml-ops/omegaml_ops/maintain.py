"""Periodic maintenance, run by ``om ops maintain`` from cron or a Celery beat entry (see the README):

- health: every COMPLETED deployment's user exists and is active, and an ``omegaml``
  deployment's bucket is still granted (a deployment that is not is reported);
- ``om gc``: bytes left behind by killed writers, older than ``gc_min_age`` seconds;
- key expiry: keys past their expiry are marked revoked, so listings show them as gone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .states import State
from .steps import OMEGAML_PLAN


@dataclass
class Report:
    unhealthy: list[str] = field(default_factory=list)
    collected: list[str] = field(default_factory=list)
    expired_keys: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unhealthy

    def as_dict(self) -> dict[str, Any]:
        return {**vars(self), "ok": self.ok}


def check_health(ops: Any) -> list[str]:
    """What is wrong with COMPLETED deployments, one line each."""
    from omegaml_server.accounts import AccountsError

    problems = []
    for deployment in ops.list_deployments():
        if deployment.status != State.COMPLETED:
            continue
        try:
            user = ops.accounts.get_user(deployment.username)
        except AccountsError:
            problems.append(f"deployment {deployment.id}: user {deployment.username!r} no longer exists")
            continue
        if not user.active:
            continue  # a deactivated profile is not a broken deployment
        if deployment.plan == OMEGAML_PLAN and ops.accounts.role_of(deployment.username, deployment.bucket) is None:
            problems.append(f"deployment {deployment.id}: {deployment.username!r} has no grant on bucket "
                            f"{deployment.bucket!r}; reinstall with `om ops configureservice {deployment.id}`")
    return problems


def expire_keys(accounts: Any) -> list[str]:
    """Revoke keys whose expiry has passed; their ids."""
    now = datetime.now(timezone.utc)
    expired = [k.key_id for k in accounts.list_keys() if k.revoked is None and k.expires is not None and k.expires <= now]
    for key_id in expired:
        accounts.revoke_key(key_id)
    return expired


def maintain(ops: Any, omega: Any = None, gc_min_age: float = 3600) -> Report:
    """Health checks, garbage collection of the storage and key expiry, in that order."""
    omega = omega or ops.omega
    return Report(check_health(ops), list(omega.engine.collect_garbage(gc_min_age)), expire_keys(ops.accounts))
