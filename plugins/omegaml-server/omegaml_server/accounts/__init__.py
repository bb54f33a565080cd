"""Accounts of omegaml-server: users, API keys and grants (shared by the server, omegaml-ops and the web UI).

    from omegaml_server.accounts import Accounts
    accounts = Accounts()                       # OMEGA_ACCOUNTS_URL or sqlite:///$OMEGA_HOME/accounts.db
    accounts.create_user("alice")
    key = accounts.create_key("alice")          # key.secret is shown once, stored as a SHA-256 hash
    accounts.grant("alice", "omega", "write")   # roles: read < write < run < admin
    accounts.verify_key("alice", key.secret)    # Principal, or None (unknown, revoked, expired, user disabled)
    accounts.revoke_key(key.key_id); accounts.disable_user("alice")

The schema is migrated with Alembic on open (``migrate.upgrade``/``downgrade``),
its version kept in the table ``omega_accounts_version``. SQLAlchemy is
imported only when this package's names are used.
"""
from __future__ import annotations

from typing import Any

from .roles import ANY_BUCKET, ROLES, check_role, includes

_LAZY = {"Accounts", "AccountsError", "UserInfo", "KeyInfo", "NewKey", "GrantInfo", "Principal", "DEFAULT_CONTEXT",
         "default_url", "hash_key"}
__all__ = sorted(_LAZY | {"ROLES", "ANY_BUCKET", "check_role", "includes"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import service

        return getattr(service, name)
    raise AttributeError(f"module 'omegaml_server.accounts' has no attribute {name!r}")
