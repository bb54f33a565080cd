"""Hook specifications: how plugins pre- and post-process store and runtime calls.

Implement any of these in a module or object with ``@hookimpl`` and register it
under the ``omegaml.hooks`` entry point group. A ``before_*`` hook vetoes a call
by raising; nothing has been written at that point. Every spec is documented in
docs/plugins.md and tested in tests/test_hookspecs.py.
"""
from __future__ import annotations

from typing import Any

import pluggy

PROJECT = "omegaml"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(firstresult=True)
def omega_resolve_name(store: Any, name: str) -> str | None:
    """Map a name the user typed to the stored name (first non-None wins), e.g. ``clf@2``."""


@hookspec
def omega_before_put(store: Any, name: str, obj: Any, kind: str, attributes: dict, kwargs: dict) -> None:
    """Called before a backend writes ``obj``; raise to refuse the put."""


@hookspec
def omega_after_put(store: Any, meta: Any) -> None:
    """Called after a put committed ``meta``."""


@hookspec
def omega_before_get(store: Any, meta: Any, kwargs: dict) -> None:
    """Called before a backend reads the object of ``meta``; may adjust ``kwargs`` in place."""


@hookspec(firstresult=True)
def omega_after_get(store: Any, meta: Any, obj: Any) -> Any:
    """Called with the object a get returns; return a replacement, or None to keep it."""


@hookspec
def omega_before_drop(store: Any, meta: Any) -> None:
    """Called before the object of ``meta`` is dropped; raise to refuse."""


@hookspec
def omega_after_drop(store: Any, meta: Any) -> None:
    """Called after the object of ``meta`` was dropped and its storage freed."""


@hookspec
def omega_before_promote(store: Any, meta: Any, target: Any) -> None:
    """Called before ``meta`` is promoted to the ``target`` store; raise PromotionRefused to refuse."""


@hookspec
def omega_after_promote(store: Any, meta: Any, target: Any, target_meta: Any) -> None:
    """Called after a promotion committed ``target_meta`` in ``target``."""


@hookspec
def omega_before_task(task: str, omega: Any, args: tuple, kwargs: dict) -> None:
    """Called in the worker (or in-process runtime) before a runtime task runs."""


@hookspec
def omega_after_task(task: str, omega: Any, result: Any) -> None:
    """Called in the worker after a runtime task returned ``result``."""


@hookspec
def omega_doctor(config: Any) -> list[tuple[str, bool | None, str]] | None:
    """Lines for ``om doctor``: ``(topic, protected, detail)``, protected True, False or None (does not apply)."""
