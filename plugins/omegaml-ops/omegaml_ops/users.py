"""Sign-up, key reset and profile (de)activation of users, on the shared accounts.

    result = signup(ops, "alice", "alice@example.com")
    result.apikey        # shown once; the user authenticates with ApiKey alice:<apikey>
    ops.wait(result.command.id).deployment_status   # State.COMPLETED: the bucket is granted

A user's profile is the accounts' active flag: ``deactivate`` makes every key of
the user fail from the next request on; ``activate`` restores them.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from .service import CommandInfo, Ops, OpsError
from .steps import OMEGAML_PLAN, OMEGAML_STEPS

SIGNUP_LABEL = "signup"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Signup:
    """A new user: the key's id and its secret (shown only here), the bucket and the install command."""

    username: str
    email: str | None
    key_id: str
    apikey: str
    bucket: str
    command: CommandInfo

    def as_dict(self) -> dict[str, Any]:
        return {"username": self.username, "email": self.email, "key_id": self.key_id, "apikey": self.apikey,
                "bucket": self.bucket, "command": self.command.as_dict()}


def ensure_builtin_plans(ops: Ops) -> None:
    """Create the ``omegaml`` plan if it does not exist (a bucket with a run grant)."""
    ops.ensure_plan(OMEGAML_PLAN, "omega|ml: a bucket of your own with write and run rights, and an API key",
                    OMEGAML_STEPS)


def signup(ops: Ops, username: str, email: str | None = None, plan: str = OMEGAML_PLAN) -> Signup:
    """Create the user (active), an API key and an ``install`` command of ``plan``; OpsError if the name is taken.

    If the command cannot be sent to the runtime, the result still carries the key (shown once) and the
    command is FAILED with the reason, for an admin to ``retry``.
    """
    from sqlalchemy.exc import IntegrityError

    from omegaml_server.accounts import AccountsError

    if email is not None and (not isinstance(email, str) or "@" not in email or len(email) > 320):
        raise OpsError(f"email {email!r} is not an email address")
    ensure_builtin_plans(ops)
    ops.get_plan(plan)  # OpsError before anything is written
    try:
        ops.accounts.create_user(username, email)
    except IntegrityError:  # the same name signed up at the same moment
        raise OpsError(f"user {username!r} exists already; choose another name") from None
    except AccountsError as exc:
        raise OpsError(str(exc)) from None
    key = ops.accounts.create_key(username, label=SIGNUP_LABEL)
    command = ops.install(plan, username, issued_by=username, run=False)
    try:
        command = ops.submit(command.id)
    except Exception as exc:  # the key must still be shown: the command is FAILED and can be retried
        log.warning("sign-up of %r: the install command %s did not run: %s", username, command.id, exc)
        command = ops.get_command(command.id)
    return Signup(username, email, key.key_id, key.secret, ops.get_deployment(command.deployment_id).bucket, command)


def reset(ops: Ops, username: str) -> Any:
    """A new API key for ``username``; every other key of the user is revoked. The ``NewKey`` (secret once)."""
    new = ops.accounts.create_key(username, label="reset")
    for key in ops.accounts.list_keys(username):
        if key.key_id != new.key_id and key.revoked is None:
            ops.accounts.revoke_key(key.key_id)
    return new


def deactivate(ops: Ops, username: str) -> Any:
    """Deactivate the profile: the user's keys stop working at once (kept for ``activate``)."""
    return ops.accounts.disable_user(username)


def activate(ops: Ops, username: str) -> Any:
    return ops.accounts.enable_user(username)


def user_resource(ops: Ops, username: str) -> dict[str, Any]:
    """The user as the REST API shows it: profile, keys (never secrets) and deployments."""
    user = ops.accounts.get_user(username)
    return {"username": user.username, "email": user.email, "active": user.active,
            "created": user.created.isoformat(),
            "keys": [{"key_id": k.key_id, "label": k.label, "usable": k.usable, "created": k.created.isoformat(),
                      "expires": k.expires.isoformat() if k.expires else None} for k in ops.accounts.list_keys(username)],
            "deployments": [d.as_dict() for d in ops.list_deployments(username=username)]}
