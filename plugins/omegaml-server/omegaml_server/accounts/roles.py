"""Roles, ordered: each includes the ones before it (``admin`` can do everything ``run`` can, and so on).

- ``read``: list, get, metadata, predict (and every other method that does not change a model)
- ``write``: put and drop datasets and models
- ``run``: fit, partial_fit, gridsearch, jobs and scripts
- ``admin``: grants on the bucket
"""
from __future__ import annotations

ROLES = ("read", "write", "run", "admin")
#: A grant on this bucket applies to every bucket of the context.
ANY_BUCKET = "*"


def check_role(role: str) -> str:
    """``role`` if it is one of ROLES, else a ValueError naming them."""
    if role not in ROLES:
        raise ValueError(f"role {role!r} is not known; use one of {', '.join(ROLES)} (each includes the ones before it)")
    return role


def includes(granted: str, needed: str) -> bool:
    """True if a grant of ``granted`` allows what needs ``needed``."""
    return ROLES.index(check_role(granted)) >= ROLES.index(check_role(needed))
