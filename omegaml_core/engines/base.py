"""The narrow interface every storage engine implements.

Three parts: a metadata collection with atomic compare-and-swap commits, row
collections (pymongo-like collection objects), and a blob bucket with
streaming readers and writers. Backends use these through the store; they
never import a database driver.
"""
from __future__ import annotations

import contextlib
import os
import time
from abc import ABC, abstractmethod
from typing import Any, BinaryIO, Iterable, Iterator

from ..config import redact_url
from ..errors import ConcurrentWriteError, ConfigurationError
from ..names import storage_name_age

META_COLLECTION = "omega_metadata"
RETIRED_COLLECTION = "omega_retired"  # locations replaced or dropped, freed after the grace period
DEFAULT_GRACE_SECONDS = 600
STORAGE_PREFIX = "om_"  # every collection and blob the kernel allocates starts with this


class StorageEngine(ABC):
    """Base class of storage engines, selected by URL scheme (``omegaml.engines``)."""

    def __init__(self, url: str, **options: Any) -> None:
        self.url = url
        self.options = options
        self._last_sweep = 0.0

    @property
    def display_url(self) -> str:
        """The URL without credentials, safe to show."""
        return redact_url(self.url) or ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.display_url!r})"

    # --- metadata -----------------------------------------------------------
    @property
    @abstractmethod
    def meta_collection(self) -> Any:
        """The pymongo-like collection that holds the metadata documents."""

    def meta_get(self, bucket: str, prefix: str, name: str) -> dict[str, Any] | None:
        """The metadata document of one object, or None."""
        return self.meta_collection.find_one(literal_query({"bucket": bucket, "prefix": prefix, "name": name}))

    def meta_find(self, query: dict[str, Any]) -> Iterable[dict[str, Any]]:
        """Metadata documents matching an equality query (values are data, never operators)."""
        return self.meta_collection.find(literal_query(query))

    def meta_list(self, bucket: str, prefix: str, name_prefix: str = "") -> Iterable[dict[str, Any]]:
        """Metadata documents of one store whose names start with ``name_prefix`` (an index range scan)."""
        return self.meta_collection.find(_list_query(bucket, prefix, name_prefix))

    def meta_names(self, bucket: str, prefix: str, name_prefix: str = "") -> list[str]:
        """The names ``meta_list`` would return, without loading the documents."""
        found = self.meta_collection.find(_list_query(bucket, prefix, name_prefix), {"name": 1, "_id": 0})
        return [doc["name"] for doc in found]

    def meta_buckets(self) -> list[str]:
        """The buckets that hold at least one object, sorted."""
        return sorted(self.meta_collection.distinct("bucket"))

    def meta_referencing(self, field: str, values: list[str]) -> set[str]:
        """Which of ``values`` appear in the list ``field`` of any metadata document (one query)."""
        found: set[str] = set()
        for doc in self.meta_collection.find({field: {"$in": list(values)}}, {field: 1}):
            found.update(doc.get(field) or [])
        return found & set(values)

    @abstractmethod
    def meta_commit(self, doc: dict[str, Any], expected_rev: str | None) -> dict[str, Any] | None:
        """Atomically store ``doc`` if the current revision is ``expected_rev``.

        ``expected_rev=None`` means the object must not exist yet. Returns the
        document that was replaced (None for an insert). Raises
        ConcurrentWriteError, changing nothing, if another writer got there first.
        """

    @abstractmethod
    def meta_delete(self, bucket: str, prefix: str, name: str, expected_rev: str) -> dict[str, Any]:
        """Atomically delete a metadata document at ``expected_rev``; raise ConcurrentWriteError otherwise."""

    # --- row collections ----------------------------------------------------
    @abstractmethod
    def collection(self, name: str) -> Any:
        """A pymongo-like collection for row data."""

    @abstractmethod
    def create_collection(self, name: str) -> Any:
        """A new, empty collection; LocationExistsError (touching nothing) if ``name`` exists."""

    @abstractmethod
    def drop_collection(self, name: str) -> None: ...

    @abstractmethod
    def list_collections(self) -> list[str]:
        """Names of the collections the kernel allocated (``om_`` prefix)."""

    # --- blobs --------------------------------------------------------------
    @abstractmethod
    def _open_blob_writer(self, name: str) -> BinaryIO: ...

    @abstractmethod
    def _finish_blob_writer(self, writer: BinaryIO, ok: bool) -> None:
        """Publish the blob (ok) or discard everything written (not ok)."""

    @abstractmethod
    def blob_reader(self, name: str) -> BinaryIO:
        """A seekable binary stream over a stored blob."""

    def blob_local_path(self, name: str) -> str | None:
        """A local file path of the blob if the engine keeps blobs as files (else None).

        Lets readers such as Arrow memory-map a blob instead of streaming it.
        Only for reading; the file must not be changed.
        """
        return None

    def blob_exists(self, name: str) -> bool:
        """True if the blob ``name`` is stored (engines may answer faster than opening it)."""
        try:
            self.blob_reader(name).close()
        except FileNotFoundError:
            return False
        return True

    @abstractmethod
    def blob_delete(self, name: str) -> None: ...

    @abstractmethod
    def list_blobs(self) -> list[str]: ...

    @contextlib.contextmanager
    def blob_writer(self, name: str) -> Iterator[BinaryIO]:
        """Write a blob as a stream; it becomes visible only if the block succeeds."""
        writer = self._open_blob_writer(name)
        try:
            yield writer
        except BaseException:
            self._finish_blob_writer(writer, ok=False)
            raise
        self._finish_blob_writer(writer, ok=True)

    # --- shared logic -------------------------------------------------------
    def free(self, locations: Iterable[tuple[str, str]]) -> list[str]:
        """Delete storage locations that no metadata document owns any more; returns what was deleted.

        Only for locations no reader can have seen (a write that was never
        committed); replaced and dropped versions go through ``retire``.
        """
        locations = set(locations)
        freed: list[str] = []
        blobs = sorted(name for what, name in locations if what == "blob")
        collections = sorted(name for what, name in locations if what == "collection")
        if blobs:
            still_owned = self.meta_referencing("blobs", blobs)
            for name in blobs:
                if name not in still_owned:
                    self.blob_delete(name)
                    freed.append(name)
        if collections:
            still_owned = self.meta_referencing("collections", collections)
            for name in collections:
                if name not in still_owned:
                    self.drop_collection(name)
                    freed.append(name)
        return freed

    # --- freeing replaced versions after a grace period -----------------------
    @property
    def retired(self) -> Any:
        """The collection of replaced or dropped locations waiting for their grace period to pass."""
        return self.collection(RETIRED_COLLECTION)

    def retire(self, locations: Iterable[tuple[str, str]]) -> None:
        """Free ``locations`` (of a replaced or dropped version) once the grace period has passed.

        A reader that read the old Metadata keeps reading the old bytes to the
        end; nothing is freed while a version is younger than ``grace_seconds()``.
        Frees what earlier calls retired and is past the grace period (at most
        once per minute, or every time when the grace period is 0).
        """
        now = time.time()
        docs = [{"what": what, "name": name, "at": now} for what, name in sorted(set(locations))]
        if docs:
            self.retired.insert_many(docs)
        grace = grace_seconds()
        if now - self._last_sweep >= min(grace, 60):
            self._last_sweep = now
            self.free_retired(grace)

    def free_retired(self, grace: float | None = None) -> list[str]:
        """Free retired locations older than ``grace`` seconds that no Metadata owns; returns what was freed."""
        grace = grace_seconds() if grace is None else grace
        due = list(self.retired.find({"at": {"$lte": time.time() - grace}}))
        if not due:
            return []
        freed = self.free({(d["what"], d["name"]) for d in due})
        for doc in due:
            self.retired.delete_one({"_id": doc["_id"]})
        return freed

    def retired_locations(self) -> set[tuple[str, str]]:
        """Locations waiting for their grace period (still readable, owned by no current Metadata)."""
        return {(d["what"], d["name"]) for d in self.retired.find({})}

    def orphans(self) -> set[tuple[str, str]]:
        """Storage locations that no metadata document owns (left by a killed writer)."""
        owned: set[tuple[str, str]] = set()
        for doc in self.meta_find({}):
            owned |= {("blob", b) for b in doc.get("blobs", [])}
            owned |= {("collection", c) for c in doc.get("collections", [])}
        present = {("blob", b) for b in self.list_blobs()} | {("collection", c) for c in self.list_collections()}
        return present - owned - self.retired_locations()

    def collect_garbage(self, min_age_seconds: float = 3600) -> list[str]:
        """Remove what killed writers left behind, if older than ``min_age_seconds``.

        That is: unowned blobs, partial uploads and unowned collections. The age
        threshold protects writes in flight in other processes (their bytes
        exist before their Metadata is committed). A collection's age is read
        from its storage name; one whose name carries no time is left alone
        (``orphans()`` still lists it). Retired locations are freed once past
        the grace period, never earlier. Returns what was removed.
        """
        removed = self.free_retired()
        waiting = {name for _, name in self.retired_locations()}
        owned = self.meta_referencing("blobs", self.list_blobs()) | waiting
        for name, age in self._blob_ages():
            if age >= min_age_seconds and name not in owned:
                self.blob_delete(name)
                removed.append(name)
        collections = self.list_collections()
        owned = self.meta_referencing("collections", collections) | waiting
        for name in collections:
            age = storage_name_age(name)
            if name not in owned and age is not None and age >= min_age_seconds:
                self.drop_collection(name)
                removed.append(name)
        return removed + self._remove_partial_writes(min_age_seconds)

    @abstractmethod
    def _blob_ages(self) -> Iterable[tuple[str, float]]:
        """(blob name, seconds since it was written) for every complete blob."""

    @abstractmethod
    def _remove_partial_writes(self, min_age_seconds: float) -> list[str]:
        """Remove incomplete blob writes older than ``min_age_seconds``."""

    def close(self) -> None:
        """Release connections; the engine reconnects on next use."""


def grace_seconds() -> float:
    """How long replaced and dropped versions stay readable: ``OMEGA_GRACE_SECONDS`` (default 600)."""
    raw = os.environ.get("OMEGA_GRACE_SECONDS", "").strip()
    if not raw:
        return DEFAULT_GRACE_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise ConfigurationError(f"OMEGA_GRACE_SECONDS={raw!r} is not a number of seconds >= 0")
    return value


def check_rev(key: dict[str, Any], current: dict[str, Any] | None, expected_rev: str | None) -> None:
    """Raise ConcurrentWriteError unless ``current`` is at ``expected_rev`` (None: absent)."""
    found = current.get("rev") if current else None
    if found != expected_rev:
        raise ConcurrentWriteError(
            f"{key['prefix']}{key['name']} in bucket {key['bucket']!r} changed while writing "
            f"(expected revision {expected_rev}, found {found}); nothing was changed"
        )


def _list_query(bucket: str, prefix: str, name_prefix: str) -> dict[str, Any]:
    query: dict[str, Any] = literal_query({"bucket": bucket, "prefix": prefix})
    if name_prefix:
        query["name"] = {"$gte": str(name_prefix), "$lt": str(name_prefix) + "\U0010ffff"}
    return query


def literal_query(query: dict[str, Any]) -> dict[str, Any]:
    """Wrap each value in ``$in: [value]`` so that a value can never act as an operator.

    ``$in`` rather than ``$eq``: neosqlite's ``$eq`` does not match array
    elements (MongoDB's does), and ``$in`` matches both ways on both engines.
    """
    return {k: {"$in": [v]} for k, v in query.items()}
