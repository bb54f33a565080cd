"""The pluggy plugin manager, loaded from ``omegaml.hooks``, behind a typed wrapper."""
from __future__ import annotations

import threading
from typing import Any

import pluggy

from . import hookspecs
from .discovery import HOOKS, Registry, registry

_manager: pluggy.PluginManager | None = None
_lock = threading.Lock()


def build_manager(reg: Registry) -> pluggy.PluginManager:
    """A plugin manager with every hook implementation of ``reg`` registered."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name, obj in reg.hook_objects():
        try:
            pm.register(obj, name=name)
        except Exception as exc:  # a bad hook implementation must not break the others
            for entry in reg.in_group(HOOKS):
                if entry.name == name:
                    entry.error = f"{type(exc).__name__}: {exc}"
    return pm


def plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, built on first use."""
    global _manager
    with _lock:
        if _manager is None:
            _manager = build_manager(registry())
        return _manager


def reset() -> None:
    """Forget the plugin manager; the next call rebuilds it from the registry."""
    global _manager
    with _lock:
        _manager = None


class Hooks:
    """Typed calls into the hooks, so the kernel never calls ``pm.hook.*`` by hand."""

    def __init__(self, pm: pluggy.PluginManager | None = None) -> None:
        self._pm = pm

    @property
    def _hook(self) -> Any:
        return (self._pm or plugin_manager()).hook

    def resolve_name(self, store: Any, name: str) -> str:
        return self._hook.omega_resolve_name(store=store, name=name) or name

    def before_put(self, store: Any, name: str, obj: Any, kind: str, attributes: dict, kwargs: dict) -> None:
        self._hook.omega_before_put(store=store, name=name, obj=obj, kind=kind, attributes=attributes, kwargs=kwargs)

    def after_put(self, store: Any, meta: Any) -> None:
        self._hook.omega_after_put(store=store, meta=meta)

    def before_get(self, store: Any, meta: Any, kwargs: dict) -> None:
        self._hook.omega_before_get(store=store, meta=meta, kwargs=kwargs)

    def after_get(self, store: Any, meta: Any, obj: Any) -> Any:
        replaced = self._hook.omega_after_get(store=store, meta=meta, obj=obj)
        return obj if replaced is None else replaced

    def before_drop(self, store: Any, meta: Any) -> None:
        self._hook.omega_before_drop(store=store, meta=meta)

    def after_drop(self, store: Any, meta: Any) -> None:
        self._hook.omega_after_drop(store=store, meta=meta)

    def before_promote(self, store: Any, meta: Any, target: Any) -> None:
        self._hook.omega_before_promote(store=store, meta=meta, target=target)

    def after_promote(self, store: Any, meta: Any, target: Any, target_meta: Any) -> None:
        self._hook.omega_after_promote(store=store, meta=meta, target=target, target_meta=target_meta)

    def before_task(self, task: str, omega: Any, args: tuple, kwargs: dict) -> None:
        self._hook.omega_before_task(task=task, omega=omega, args=args, kwargs=kwargs)

    def after_task(self, task: str, omega: Any, result: Any) -> None:
        self._hook.omega_after_task(task=task, omega=omega, result=result)

    def doctor(self, config: Any) -> list[tuple[str, bool | None, str]]:
        """Every plugin's ``om doctor`` lines, in one list."""
        return [line for lines in self._hook.omega_doctor(config=config) if lines for line in lines]
