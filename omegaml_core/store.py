"""OmegaStore: put/get/drop/list/promote for one prefix of one bucket.

A put travels down once: choose the backend, call the hooks, let the backend
write new storage locations, then commit the Metadata with an atomic
compare-and-swap. Only after the commit are the replaced version's locations
retired (freed after a grace period, so readers of the old version finish), so
a put that fails midway leaves the previous version readable, and of several
concurrent writers exactly one version wins with nothing orphaned.
"""
from __future__ import annotations

import copy
import fnmatch
import random
import time
import unicodedata
from typing import TYPE_CHECKING, Any

from .discovery import install_hint
from .errors import ConcurrentWriteError, KindChangeError, ObjectNotFound, PluginError, UnsupportedObjectError
from .metadata import Metadata, new_revision, utcnow
from .names import split_projection, validate_name, validate_new_name

if TYPE_CHECKING:
    from .backends.base import BaseBackend
    from .omega import Omega

MAX_COMMIT_ATTEMPTS = 50


class OmegaStore:
    """The store API shared by ``om.datasets``, ``om.models``, ``om.jobs`` and ``om.scripts``."""

    def __init__(self, omega: "Omega", prefix: str, label: str = "datasets") -> None:
        self.omega = omega
        self.prefix = prefix
        self.label = label  # the attribute name on Omega, for messages

    @property
    def bucket(self) -> str:
        return self.omega.bucket

    @property
    def engine(self) -> Any:
        return self.omega.engine

    def __repr__(self) -> str:
        return f"OmegaStore(bucket={self.bucket!r}, prefix={self.prefix!r}, storage={self.engine.display_url!r})"

    # --- reading metadata ---------------------------------------------------
    def _meta_doc(self, name: str) -> dict | None:
        return self.engine.meta_get(self.bucket, self.prefix, name)

    def _find(self, name: str) -> dict | None:
        """The Metadata document ``name`` refers to, or None.

        A hook's reading of the name comes first (``clf@2``: a version), then the
        name itself, then the name as typed: objects stored before names were
        normalized to NFC, or before ``@`` was reserved, stay readable and droppable.
        """
        key = validate_name(name)
        for candidate in dict.fromkeys((self.omega.hooks.resolve_name(self, key), key, name)):
            doc = self._meta_doc(candidate)
            if doc is not None:
                return doc
        return None

    def metadata(self, name: str) -> Metadata:
        """The Metadata of ``name``; ObjectNotFound (a KeyError) if it does not exist."""
        doc = self._find(name)
        if doc is None:
            raise ObjectNotFound(
                f"{self.prefix}{name} does not exist in bucket {self.bucket!r}; "
                f"see om.{self.label}.list() for what is stored"
            )
        return Metadata.from_doc(doc)

    def exists(self, name: str) -> bool:
        """True if ``name`` is stored."""
        try:
            self.metadata(name)
        except ObjectNotFound:
            return False
        return True

    def list(self, pattern: str | None = None, hidden: bool = False, raw: bool = False) -> list:
        """Names in this store, sorted; ``pattern`` is a glob (``sales*``). ``raw=True`` gives Metadata."""
        pattern = unicodedata.normalize("NFC", pattern) if pattern else pattern
        start = _literal_prefix(pattern)
        if not raw:
            names = self.engine.meta_names(self.bucket, self.prefix, start)
            return sorted(name for name in names if _listed(name, pattern, hidden))
        metas = [Metadata.from_doc(d) for d in self.engine.meta_list(self.bucket, self.prefix, start)]
        return sorted((m for m in metas if _listed(m.name, pattern, hidden)), key=lambda m: m.name)

    # --- choosing a backend -------------------------------------------------
    def backend(self, kind: str) -> "BaseBackend":
        """An instance of the backend for ``kind``."""
        return self.omega.registry.backend_class(kind)(self, kind)

    def select_kind(self, obj: Any, name: str, **kwargs: Any) -> str:
        """The kind of the first backend that supports ``obj`` (highest priority, then kind)."""
        candidates = self.omega.registry.backend_candidates()
        for kind, cls in candidates:
            try:
                if cls.supports(obj, name, **kwargs):
                    return kind
            except PluginError:
                raise
            except Exception as exc:  # a plugin's bug must not break the others
                self.omega.registry_errors.append(f"{kind}.supports raised {type(exc).__name__}: {exc}")
        hint = install_hint(obj)
        kinds = ", ".join(k for k, _ in candidates) or "none"
        raise UnsupportedObjectError(
            f"no installed backend can store a {type(obj).__module__}.{type(obj).__qualname__} as {name!r} "
            f"(installed kinds: {kinds})." + (f" Try: {hint}" if hint else " Pass kind=... or install a plugin for it.")
        )

    def draft(self, name: str, kind: str, attributes: dict | None = None, current: Metadata | None = None) -> Metadata:
        """A new Metadata for ``name`` in this store, not yet committed."""
        merged = dict(current.attributes) if current else {}
        merged.update(attributes or {})
        return Metadata(name=name, bucket=self.bucket, prefix=self.prefix, kind=kind, attributes=merged,
                        created=current.created if current else utcnow())

    # --- writing ------------------------------------------------------------
    def put(self, obj: Any, name: str, attributes: dict | None = None, kind: str | None = None,
            append: bool = False, **kwargs: Any) -> Metadata:
        """Store ``obj`` as ``name``, replacing what was there; returns its Metadata.

        ``kind`` forces a backend; otherwise an existing object keeps its kind if
        that backend supports ``obj``, else the backend is chosen automatically.
        ``append=True`` appends where the backend supports it. Attributes are
        merged into the existing ones. ``name`` must pass ``validate_new_name``.
        """
        name = self._put_name(obj, validate_new_name(name), kind, kwargs)
        if attributes is not None and not isinstance(attributes, dict):
            raise TypeError(f"attributes must be a dict, got {type(attributes).__name__}")
        doc = self._meta_doc(name)
        current = Metadata.from_doc(doc) if doc else None
        kind = self._kind_for_put(obj, name, kind, current, append, kwargs)
        backend = self.backend(kind)
        backend.check_options("put", name, kwargs)
        if append and not backend.supports_append:
            raise ValueError(f"kind {kind!r} does not support append=True for {name!r}; put the whole object instead")
        self.omega.hooks.before_put(self, name, obj, kind, attributes or {}, kwargs)
        for attempt in range(MAX_COMMIT_ATTEMPTS):
            draft = self.draft(name, kind, attributes, current)
            if append and current is not None:
                draft.kind_meta = copy.deepcopy(current.kind_meta)
                draft.blobs, draft.collections = list(current.blobs), list(current.collections)
                draft.keep_blob_digests(current)
            before = current.locations() if current else set()
            try:
                meta = backend.bind(draft).put(obj, name, draft, append=append and current is not None, **kwargs)
            except BaseException as exc:
                self.engine.free(draft.locations() - before)
                if isinstance(exc, Exception) and append and current is not None and self._changed(current):
                    # the version we were extending was replaced under us: rebuild on the new one
                    current = self._current(name)
                    _backoff(attempt)
                    continue
                raise
            try:
                meta = self._commit(meta, current, retry_on_conflict=not append)
            except ConcurrentWriteError:
                # an append built on a version that is gone: discard and rebuild on the new one
                self.engine.free(meta.locations() - before)
                current = self._current(name)
                _backoff(attempt)
                continue
            self.omega.hooks.after_put(self, meta)
            return meta
        raise ConcurrentWriteError(f"gave up appending to {self.prefix}{name} after {MAX_COMMIT_ATTEMPTS} conflicting writes")

    def _put_name(self, obj: Any, name: str, kind: str | None, kwargs: dict) -> str:
        """The name a put stores under: the backend's ``stored_name`` (a notebook ``report`` as ``report.ipynb``)."""
        try:
            cls = self.omega.registry.backend_class(kind or self.select_kind(obj, name, **kwargs))
        except (UnsupportedObjectError, PluginError):
            return name  # the put itself says what is wrong
        stored = cls.stored_name(self.prefix, name)
        return name if stored == name else validate_new_name(stored)

    def _kind_for_put(self, obj: Any, name: str, kind: str | None, current: Metadata | None,
                      append: bool, kwargs: dict) -> str:
        if kind:
            self.omega.registry.backend_class(kind)  # fail early on an unknown kind
            return kind
        if current is None:
            return self.select_kind(obj, name, **kwargs)
        try:
            if self.omega.registry.backend_class(current.kind).supports_replacing(obj, name, current, **kwargs):
                return current.kind
        except PluginError as exc:
            raise KindChangeError(f"{self.label} {name!r} is of kind {current.kind!r}, whose plugin is not usable "
                                  f"({exc}); pass kind=... to replace it, or drop it first") from None
        what = f"{type(obj).__module__}.{type(obj).__qualname__}".removeprefix("builtins.")
        if append:
            raise KindChangeError(f"cannot append a {what} to {name!r}, which is of kind {current.kind!r}")
        new = self.select_kind(obj, name, **kwargs)
        raise KindChangeError(
            f"{self.label} {name!r} is of kind {current.kind!r}, which cannot store a {what} object; nothing was written. "
            f"To replace it with a {new!r} object pass kind={new!r}, or drop it first")

    def _changed(self, meta: Metadata) -> bool:
        now = self._meta_doc(meta.name)
        return now is None or now.get("rev") != meta.rev

    def _current(self, name: str) -> Metadata | None:
        doc = self._meta_doc(name)
        return Metadata.from_doc(doc) if doc else None

    def _commit(self, meta: Metadata, current: Metadata | None, retry_on_conflict: bool = True) -> Metadata:
        """Atomically make ``meta`` the current version, then free what it replaced.

        For a replacing write the new bytes do not depend on the old version,
        so a conflict just retries the swap against whatever is current now.
        """
        meta.keep_blob_digests()
        for attempt in range(MAX_COMMIT_ATTEMPTS):
            meta.rev, meta.modified = new_revision(), utcnow()
            try:
                previous = self.engine.meta_commit(meta.to_doc(), current.rev if current else None)
            except ConcurrentWriteError:
                if not retry_on_conflict:
                    raise
                current = self._current(meta.name)
                if current is not None:
                    meta.created = current.created
                _backoff(attempt)
                continue
            replaced = Metadata.from_doc(previous).locations() - meta.locations() if previous else set()
            self.engine.retire(replaced)  # freed after the grace period: readers of the old version finish
            return meta
        raise ConcurrentWriteError(f"gave up writing {self.prefix}{meta.name} after {MAX_COMMIT_ATTEMPTS} conflicts")

    # --- reading ------------------------------------------------------------
    def get(self, name: str, allow_unsigned: bool = False, **kwargs: Any) -> Any:
        """The object stored as ``name``. ``'name[a,b]'`` selects columns where the backend can.

        Every blob is verified before it is deserialized (IntegrityError if it
        was damaged). With ``OMEGA_STORE_KEY`` set, objects without a valid
        signature are refused unless ``allow_unsigned=True``.
        """
        base, columns = split_projection(name)
        options = dict(kwargs)
        if columns is not None:
            kwargs["columns"] = columns
        meta = self.metadata(base)
        options.pop("columns", None)  # the kernel's own option: backends that cannot select raise ValueError
        backend = self.backend(meta.kind).bind(meta, allow_unsigned)
        backend.check_options("get", base, options, meta)
        self.omega.hooks.before_get(self, meta, kwargs)
        obj = backend.get(base, meta, **kwargs)
        return self.omega.hooks.after_get(self, meta, obj)

    # --- dropping -----------------------------------------------------------
    def drop(self, name: str, force: bool = False) -> bool:
        """Remove ``name`` and free its storage. A missing name raises ObjectNotFound unless ``force``."""
        for attempt in range(MAX_COMMIT_ATTEMPTS):
            try:
                meta = self.metadata(name)
            except ObjectNotFound:
                if force:
                    return False
                raise
            self.omega.hooks.before_drop(self, meta)
            try:
                self.engine.meta_delete(meta.bucket, meta.prefix, meta.name, meta.rev)
            except ConcurrentWriteError:
                _backoff(attempt)
                continue
            try:
                self.backend(meta.kind).drop(meta.name, meta)
            except PluginError:
                pass  # the plugin is broken or gone; its storage is still freed below
            self.engine.retire(meta.locations())
            self.omega.hooks.after_drop(self, meta)
            return True
        raise ConcurrentWriteError(f"gave up dropping {self.prefix}{name} after {MAX_COMMIT_ATTEMPTS} conflicts")

    # --- promoting ----------------------------------------------------------
    def promote(self, name: str, target: "OmegaStore", asname: str | None = None, **kwargs: Any) -> Metadata:
        """Copy ``name`` into ``target`` (another bucket or context) as ``asname`` (default: the same name).

        Replaces what is there. Promoting an object onto itself is a ValueError.
        Other keywords go to the backend (e.g. ``copy=True`` for a SQL reference).
        """
        if not isinstance(target, OmegaStore):
            raise TypeError(f"promote needs a target store such as om['prod'].{self.label}, "
                            f"got {type(target).__name__}")
        meta = self.metadata(name)
        target_name = validate_new_name(asname if asname is not None else meta.name, "promotion target")
        if self._same_place(target) and target_name == meta.name:
            raise ValueError(f"cannot promote {self.prefix}{meta.name} onto itself (same bucket {self.bucket!r} and "
                             f"storage); promote to another bucket (om['prod'].{self.label}) or pass asname=...")
        backend = self.backend(meta.kind)
        backend.check_options("promote", name, kwargs, meta)
        self.omega.hooks.before_promote(self, meta, target)
        current = target._current(target_name)
        draft = backend.bind(meta).promote(target_name, meta, target, **kwargs)
        if current is not None:
            draft.created = current.created
        try:
            target_meta = target._commit(draft, current)
        except BaseException:
            target.engine.free(draft.locations() - (current.locations() if current else set()))
            raise
        self.omega.hooks.after_promote(self, meta, target, target_meta)
        return target_meta

    def _same_place(self, other: "OmegaStore") -> bool:
        """True if ``other`` is this very store: same storage, bucket and prefix."""
        return (other.bucket, other.prefix) == (self.bucket, self.prefix) and \
            other.omega.config.storage_url == self.omega.config.storage_url


def _listed(name: str, pattern: str | None, hidden: bool) -> bool:
    if not hidden and any(part.startswith(".") for part in name.split("/")):
        return False
    return not pattern or fnmatch.fnmatchcase(name, pattern)


def _literal_prefix(pattern: str | None) -> str:
    """The part of a glob before its first wildcard: every match starts with it."""
    if not pattern:
        return ""
    for i, char in enumerate(pattern):
        if char in "*?[":
            return pattern[:i]
    return pattern


def _backoff(attempt: int) -> None:
    time.sleep(min(0.2, 0.002 * (2 ** min(attempt, 6))) * random.random())
