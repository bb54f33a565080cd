"""The runtime task that runs an operations command (registered as ``omegaml.tasks: ops``).

On a worker the operations and accounts databases come from the worker's
environment (``OMEGA_OPS_URL``, ``OMEGA_ACCOUNTS_URL``): URLs with passwords never
travel in messages. The in-process runtime passes the caller's URLs instead.
"""
from __future__ import annotations

import functools
import os
from typing import Any

from omegaml_core.runtime import task

RUN_TASK = "omegaml.ops.run_command"


def _ops(ops_url: str | None, accounts_url: str | None) -> Any:
    from .service import _OPEN

    found = _OPEN.get((ops_url, accounts_url)) if ops_url and accounts_url else None
    return found if found is not None else _worker_ops(ops_url, accounts_url)


@functools.lru_cache(maxsize=8)
def _worker_ops(ops_url: str | None, accounts_url: str | None) -> Any:
    from omegaml_server.accounts import Accounts

    from .service import Ops, _sqlite_options

    accounts_url = accounts_url or os.environ.get("OMEGA_ACCOUNTS_URL")
    accounts = Accounts(accounts_url, **_sqlite_options(accounts_url))
    return Ops(ops_url, accounts=accounts)


@task(RUN_TASK)
def run_ops_command(om: Any, command_id: int, ops_url: str | None = None,
                    accounts_url: str | None = None) -> dict[str, Any]:
    """Run the PENDING command ``command_id``: its remaining tasks in order (see ``omegaml_ops.runner``)."""
    from .runner import fail_command, run_command
    from .states import State

    ops = _ops(ops_url, accounts_url)
    try:
        return run_command(ops, int(command_id), om)
    except Exception as exc:
        # the message is acknowledged when this returns: leave the command FAILED (retryable), not PENDING forever
        try:
            if ops.get_command(int(command_id)).status == State.PENDING:
                fail_command(ops, int(command_id), f"the runner failed: {type(exc).__name__}: {exc}")
        except Exception:
            pass
        raise
