"""Keyword options of store calls: every call refuses a keyword nobody takes.

A backend's options for ``put``, ``get`` and ``promote`` are the named
parameters of its method (after the protocol's own ``obj, name, meta, append``
or ``target``), plus any it declares in ``extra_options`` for what it takes
through ``**kwargs``. The store checks the user's keywords against them before
anything is read or written, so a typo (``put(df, 'x', bogus_option=1)``) is a
TypeError instead of being silently ignored.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Iterable

#: Parameters of the backend protocol that are not user options.
PROTOCOL_PARAMETERS = frozenset({"self", "cls", "obj", "name", "meta", "target", "append"})
_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


@functools.lru_cache(maxsize=512)
def signature_options(cls: type, method: str) -> frozenset[str]:
    """The named keyword parameters of ``cls.method`` that a user may pass."""
    params = inspect.signature(getattr(cls, method)).parameters.values()
    return frozenset(p.name for p in params if p.kind in _NAMED and p.name not in PROTOCOL_PARAMETERS)


def unknown_options(given: Iterable[str], accepted: Iterable[str]) -> list[str]:
    """The keywords of ``given`` that are not in ``accepted``, in the order given."""
    accepted = set(accepted)
    return [k for k in given if k not in accepted]


def refuse_unknown(call: str, given: dict[str, Any], accepted: Iterable[str], hint: str = "",
                   error: type[TypeError] = TypeError) -> None:
    """Raise ``error`` (a TypeError) naming every keyword of ``given`` not in ``accepted``, and the accepted ones.

    ``call`` says what was called, e.g. ``"datasets.put of 'sales' (kind python.data)"``.
    """
    unknown = unknown_options(given, accepted)
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        listed = ", ".join(sorted(set(accepted))) or "none"
        plural = "s" if len(unknown) > 1 else ""
        raise error(f"{call} got unknown keyword argument{plural} {names}; accepted: {listed}{hint}")
