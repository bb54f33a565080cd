"""Model versioning, written purely as hook implementations (no store changes).

Every put to ``om.models`` also records a version: a hidden Metadata
``.versions/<name>/v<n>`` that shares the model's blobs (blobs are immutable,
so a version costs one metadata document, not a copy). Then::

    om.models.get('clf@2')            # version 2
    om.models.metadata('clf@latest')  # the current one
    versions(om.models, 'clf')        # [Metadata of v1, v2, ...]

The newest ``OMEGA_MODEL_VERSIONS`` versions are kept (default 10); dropping a
model drops its versions. Set ``OMEGA_MODEL_VERSIONS=0`` to turn versioning off.

Recording a version happens after the model's put committed, so it never
makes that put fail: if it cannot be recorded, a RuntimeWarning says so.
"""
from __future__ import annotations

import os
import re
import warnings
from typing import Any

from .errors import ConcurrentWriteError
from .hookspecs import hookimpl
from .metadata import Metadata, new_revision
from .names import VERSIONS_FOLDER

MAX_NUMBER_ATTEMPTS = 20
_VERSIONED_NAME = re.compile(r"^(?P<name>.+)@(?P<version>\d+|latest)$")


def _applies(store: Any, name: str) -> bool:
    return store.prefix == "models/" and not any(p.startswith(".") for p in name.split("/"))


def _keep() -> int:
    return int(os.environ.get("OMEGA_MODEL_VERSIONS", "10"))


def version_name(name: str, version: int) -> str:
    return f"{VERSIONS_FOLDER}/{name}/v{version}"


def versions(store: Any, name: str) -> list[Metadata]:
    """The recorded versions of model ``name``, oldest first."""
    docs = store.list(f"{VERSIONS_FOLDER}/{name}/v*", hidden=True, raw=True)
    own = [m for m in docs if re.fullmatch(rf"{re.escape(VERSIONS_FOLDER)}/{re.escape(name)}/v\d+", m.name)
           and _number(m) is not None]  # a document without a version number is not a version
    return sorted(own, key=_number)


def _number(meta: Metadata) -> int | None:
    number = meta.attributes.get("version")
    return number if type(number) is int else None


@hookimpl
def omega_resolve_name(store: Any, name: str) -> str | None:
    match = _VERSIONED_NAME.match(name)
    if store.prefix != "models/" or not match:
        return None
    if match["version"] == "latest":
        return match["name"]
    return version_name(match["name"], int(match["version"]))


@hookimpl
def omega_after_put(store: Any, meta: Metadata) -> None:
    if not _applies(store, meta.name) or meta.collections:
        return  # collections are mutable and owned by one Metadata: they cannot be shared
    try:  # the model is committed: whatever happens here, its put succeeded
        keep = _keep()
        if keep > 0:
            _record(store, meta)
            for old in versions(store, meta.name)[:-keep]:
                store.drop(old.name, force=True)
    except Exception as exc:
        warnings.warn(f"{store.prefix}{meta.name} was stored, but its version could not be recorded or pruned "
                      f"({type(exc).__name__}: {exc}); the next put records a version again", RuntimeWarning,
                      stacklevel=2)


def _record(store: Any, meta: Metadata) -> None:
    """Commit the next version document of ``meta``, sharing its blobs."""
    existing = versions(store, meta.name)
    number = (_number(existing[-1]) if existing else 0) + 1
    for _ in range(MAX_NUMBER_ATTEMPTS):
        doc = meta.to_doc()
        doc.update(name=version_name(meta.name, number), rev=new_revision(),
                   attributes={**meta.attributes, "version": number, "version_of": meta.name, "model_rev": meta.rev})
        try:
            store.engine.meta_commit(doc, None)
            return
        except ConcurrentWriteError:
            number += 1  # a concurrent put took this number (or an object squats its name)
    raise ConcurrentWriteError(f"no free version number after {MAX_NUMBER_ATTEMPTS} attempts")


@hookimpl
def omega_after_drop(store: Any, meta: Metadata) -> None:
    if _applies(store, meta.name):
        for old in versions(store, meta.name):
            store.drop(old.name, force=True)


@hookimpl
def omega_after_promote(store: Any, meta: Metadata, target: Any, target_meta: Metadata) -> None:
    """A promoted model takes its version history along, so ``name@1``, ``name@2`` resolve in the target.

    The target's history becomes the source's (same numbers, same bytes);
    versions the target had that the source has not are dropped.
    """
    if _keep() <= 0 or not (_applies(store, meta.name) and _applies(target, target_meta.name)):
        return
    history = versions(store, meta.name)
    if not history:
        return
    backend = store.backend(meta.kind)
    for version in history:
        number = version.attributes["version"]
        vname = version_name(target_meta.name, number)
        draft = backend.promote(vname, version, target)
        draft.attributes.update(version_of=target_meta.name)
        if version.attributes.get("model_rev") == meta.rev:
            draft.attributes["model_rev"] = target_meta.rev
        current = target._current(vname)
        try:
            target._commit(draft, current)
        except BaseException:
            target.engine.free(draft.locations() - (current.locations() if current else set()))
            raise
    carried = {v.attributes["version"] for v in history}
    for old in versions(target, target_meta.name):
        if old.attributes["version"] not in carried:
            target.drop(old.name, force=True)
