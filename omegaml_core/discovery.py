"""Entry-point discovery: the one module that looks for plugins.

Groups: ``omegaml.backends`` (name = kind), ``omegaml.hooks``,
``omegaml.tasks``, ``omegaml.engines`` (name = URL scheme), ``omegaml.cli``
(commands added to ``om``), ``omegaml.api`` (routes a server mounts) and ``omegaml.ui``
(pages a server's web UI mounts). Entry points
are listed through stevedore once per process and each one is imported the
first time it is needed, so ``om.datasets.list()`` imports no backend at all.
A plugin that fails to import is recorded with its error and distribution;
the others keep working.
"""
from __future__ import annotations

import functools
import importlib.metadata
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Iterable

from .errors import KindConflictError, PluginError, UnknownKindError

log = logging.getLogger(__name__)

BACKENDS, HOOKS, TASKS, ENGINES = "omegaml.backends", "omegaml.hooks", "omegaml.tasks", "omegaml.engines"
CLI, API, UI = "omegaml.cli", "omegaml.api", "omegaml.ui"
GROUPS = (BACKENDS, HOOKS, TASKS, ENGINES, CLI, API, UI)
#: How ``report()`` labels each group.
REPORT_LABELS = {BACKENDS: "kinds", HOOKS: "hooks", TASKS: "tasks", ENGINES: "engines", CLI: "commands",
                 API: "api", UI: "ui"}

#: Which distribution provides objects of a type, by the top-level module of the type.
INSTALL_HINTS = {
    "pandas": "omegaml-pandas",
    "sklearn": "omegaml-sklearn",
    "sqlalchemy": "omegaml-sql",
    "keras": "omegaml-keras",
    "tensorflow": "omegaml-keras",
}


@dataclass
class PluginEntry:
    """One entry point of one distribution, loaded or not."""

    group: str
    name: str
    value: str
    dist: str = "unknown"
    version: str = ""
    obj: Any = None
    error: str | None = None
    loaded: bool = False

    def describe(self) -> str:
        return f"{self.dist} {self.version}".strip()


@dataclass
class Registry:
    """What the installed plugins provide. ``registry()`` gives the process-wide one;
    tests build their own with ``Registry.from_entries`` (no entry points needed)."""

    entries: list[PluginEntry] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # --- building -------------------------------------------------------------
    @classmethod
    def discover(cls) -> "Registry":
        from stevedore import NamedExtensionManager

        entries = []
        for group in GROUPS:
            # names=[] lists the group's entry points (stevedore caches the scan) and imports none.
            for ep in NamedExtensionManager(group, names=[]).list_entry_points():
                entries.append(PluginEntry(group=group, name=ep.name, value=ep.value))
        _attach_distributions(entries)
        return cls(entries=entries)

    @classmethod
    def from_entries(cls, objects: dict[str, dict[str, Any]], dist: str = "test") -> "Registry":
        """A registry from ``{group: {name: object}}``, without entry points (for tests)."""
        entries = [
            PluginEntry(group=g, name=n, value=f"{getattr(o, '__module__', '?')}", dist=dist, obj=o, loaded=True)
            for g, named in objects.items() for n, o in named.items()
        ]
        return cls(entries=entries)

    def register(self, group: str, name: str, obj: Any, dist: str = "local") -> None:
        """Register an object directly, as if an entry point provided it."""
        with self._lock:
            self.entries.append(PluginEntry(group=group, name=name, value=repr(obj), dist=dist, obj=obj, loaded=True))

    # --- loading --------------------------------------------------------------
    def _load(self, entry: PluginEntry) -> Any:
        with self._lock:
            if not entry.loaded:
                entry.loaded = True
                try:
                    entry.obj = importlib.metadata.EntryPoint(entry.name, entry.value, entry.group).load()
                except Exception as exc:  # any import-time failure of a plugin
                    entry.error = f"{type(exc).__name__}: {exc}"
                    log.warning("omegaml plugin %s (%s) failed to load: %s", entry.name, entry.describe(), entry.error)
            return entry.obj

    def in_group(self, group: str) -> list[PluginEntry]:
        return sorted((e for e in self.entries if e.group == group), key=lambda e: (e.name, e.dist))

    def loaded(self, group: str) -> list[tuple[PluginEntry, Any]]:
        """Every entry of ``group`` that loads, in a stable order; failures are recorded."""
        return [(e, obj) for e in self.in_group(group) if (obj := self._load(e)) is not None]

    def _one(self, group: str, name: str, what: str) -> Any:
        found = [e for e in self.in_group(group) if e.name == name]
        if not found:
            raise UnknownKindError(
                f"no installed plugin provides {what} {name!r}; installed: {', '.join(self.names(group)) or 'none'}"
            )
        if len(found) > 1:
            raise KindConflictError(
                f"{what} {name!r} is registered by several distributions: "
                f"{' and '.join(e.describe() for e in found)}. Uninstall one of them."
            )
        entry = found[0]
        obj = self._load(entry)
        if obj is None:
            raise PluginError(
                f"{what} {name!r} comes from {entry.describe()}, which failed to load ({entry.error}). "
                f"Fix or reinstall {entry.dist}."
            )
        return obj

    def names(self, group: str) -> list[str]:
        return sorted({e.name for e in self.in_group(group)})

    # --- what the kernel asks -------------------------------------------------
    def backend_class(self, kind: str) -> type:
        """The backend class of ``kind``; a clear error if missing, broken or claimed twice."""
        return self._one(BACKENDS, kind, "kind")

    def backend_candidates(self) -> list[tuple[str, type]]:
        """Backends to try for automatic selection: highest ``priority`` first, ties by kind."""
        by_kind: dict[str, list[tuple[PluginEntry, Any]]] = {}
        for entry, cls in self.loaded(BACKENDS):
            by_kind.setdefault(entry.name, []).append((entry, cls))
        candidates = []
        for kind, found in by_kind.items():
            if len(found) > 1:
                candidates.append((kind, _ConflictMarker(kind, found)))
            else:
                candidates.append((kind, found[0][1]))
        return sorted(candidates, key=lambda kc: (-getattr(kc[1], "priority", 0), kc[0]))

    def engine_class(self, url: str) -> type:
        scheme = url.split("://", 1)[0].lower()
        return self._one(ENGINES, scheme, "storage engine for URL scheme")

    def hook_objects(self) -> list[tuple[str, Any]]:
        return [(e.name, obj) for e, obj in self.loaded(HOOKS)]

    def task_modules(self) -> list[tuple[str, Any]]:
        return [(e.name, obj) for e, obj in self.loaded(TASKS)]

    def cli_extensions(self) -> list[tuple[str, Any]]:
        """``(name, add_commands)`` for every ``omegaml.cli`` entry point that loads."""
        return [(e.name, obj) for e, obj in self.loaded(CLI)]

    def api_extensions(self) -> list[tuple[str, Any]]:
        """``(name, routes)`` for every ``omegaml.api`` entry point that loads (for a server to mount)."""
        return [(e.name, obj) for e, obj in self.loaded(API)]

    def ui_extensions(self) -> list[tuple[str, Any]]:
        """``(name, pages)`` for every ``omegaml.ui`` entry point that loads (for a server's web UI to mount)."""
        return [(e.name, obj) for e, obj in self.loaded(UI)]

    def report(self, load: bool = True) -> list[dict[str, Any]]:
        """Installed plugin distributions: version, what they provide, and load errors."""
        if load:
            for group in GROUPS:
                self.loaded(group)
        dists: dict[str, dict[str, Any]] = {}
        for e in sorted(self.entries, key=lambda e: (e.dist, e.group, e.name)):
            d = dists.setdefault(e.dist, {"distribution": e.dist, "version": e.version,
                                          **{label: [] for label in REPORT_LABELS.values()}, "errors": []})
            d[REPORT_LABELS[e.group]].append(e.name)
            if e.error:
                d["errors"].append(f"{e.group}:{e.name}: {e.error}")
        for group in GROUPS:
            for name in self.names(group):
                claimants = [e for e in self.in_group(group) if e.name == name]
                if len(claimants) > 1:
                    for e in claimants:
                        others = " and ".join(o.describe() for o in claimants if o is not e)
                        dists[e.dist]["errors"].append(f"{group}:{name}: also registered by {others}")
        return list(dists.values())


@dataclass
class _ConflictMarker:
    """Stands in for a kind claimed by several distributions: raises only if one of them wants the object."""

    kind: str
    claimants: list[tuple[PluginEntry, Any]]

    @property
    def priority(self) -> int:
        return max(getattr(cls, "priority", 0) for _, cls in self.claimants)

    def supports(self, obj: Any, name: str, **kwargs: Any) -> bool:
        if any(cls.supports(obj, name, **kwargs) for _, cls in self.claimants):
            raise KindConflictError(
                f"kind {self.kind!r} is registered by several distributions: "
                f"{' and '.join(e.describe() for e, _ in self.claimants)}. Uninstall one of them."
            )
        return False


def _attach_distributions(entries: Iterable[PluginEntry]) -> None:
    """Name the distribution and version behind each entry point (for errors and reports)."""
    owners: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for dist in importlib.metadata.distributions():
        try:
            eps = dist.entry_points
        except Exception:  # a broken dist-info must not break discovery
            continue
        for ep in eps:
            if ep.group in GROUPS:
                owners.setdefault((ep.group, ep.name, ep.value), []).append(
                    (dist.metadata["Name"] or "unknown", dist.version or ""))
    for e in entries:
        found = owners.get((e.group, e.name, e.value))
        if found:
            e.dist, e.version = found[0]


_registry: Registry | None = None
_registry_lock = threading.Lock()


def registry() -> Registry:
    """The process-wide registry, discovered on first use."""
    global _registry
    with _registry_lock:
        if _registry is None:
            _registry = Registry.discover()
        return _registry


def set_registry(reg: Registry | None) -> Registry | None:
    """Replace the process-wide registry (tests); returns the previous one. None rediscovers."""
    global _registry
    with _registry_lock:
        previous, _registry = _registry, reg
        return previous


def install_hint(obj: Any) -> str | None:
    """``pip install omegaml-xyz`` for an object whose type a known plugin handles."""
    for klass in type(obj).__mro__:
        root = (klass.__module__ or "").split(".")[0]
        if root in INSTALL_HINTS:
            return f"pip install {INSTALL_HINTS[root]}"
    return None
