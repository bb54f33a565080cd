"""omegaml-ops: service plans, their configurations, deployments, commands and tasks; sign-up and usage.

    from omegaml_ops import Ops, signup
    ops = Ops()                                  # OMEGA_OPS_URL, else the accounts database
    new = signup(ops, "alice", "alice@example.com")
    new.apikey                                   # shown once
    ops.wait(new.command.id).status              # State.COMPLETED

SQLAlchemy is imported only when these names are used.
"""
from __future__ import annotations

from typing import Any

from .states import TRANSITIONS, IllegalTransition, State, check_transition

__version__ = "0.1.0"
_LAZY = {
    "Ops": "service", "OpsError": "service", "DeploymentBusy": "service",
    "signup": "users", "reset": "users", "deactivate": "users", "activate": "users",
    "ensure_builtin_plans": "users",
}
__all__ = sorted({*_LAZY, "State", "TRANSITIONS", "IllegalTransition", "check_transition"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'omegaml_ops' has no attribute {name!r}")
