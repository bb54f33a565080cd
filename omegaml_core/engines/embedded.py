"""The embedded engine: no server, one SQLite database file plus a blob folder.

Metadata and row collections live in the SQLite file through neosqlite (a
pymongo-like API). Blobs live as files in ``<db file>.blobs/`` beside it: SQLite
would write every blob byte twice (WAL, then checkpoint) and made a 100 MB
put+get 3x slower than a plain file, while a file written to a temporary name
and renamed into place is atomic, streams both ways, and stays readable for a
reader that opened it even after a newer version replaced it.
"""
from __future__ import annotations

import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import ConfigurationError, LocationExistsError, StorageUnavailable
from .base import META_COLLECTION, STORAGE_PREFIX, StorageEngine, check_rev

# Lookups by bucket+prefix+name in plain SQL: neosqlite's translation of an
# equality query (it also matches array elements) cannot use the unique index.
# The expressions must be exactly those of neosqlite's index on the three keys.
_KEY_SQL = ("json_extract(data, '$.bucket') = ? AND json_extract(data, '$.prefix') = ?")
_META_GET_SQL = f"SELECT id, _id, data FROM {META_COLLECTION} WHERE {_KEY_SQL} AND json_extract(data, '$.name') = ?"
_RANGE_SQL = (f"FROM {META_COLLECTION} WHERE {_KEY_SQL} "
              "AND json_extract(data, '$.name') >= ? AND json_extract(data, '$.name') < ? "
              "ORDER BY json_extract(data, '$.name')")
_META_LIST_SQL = f"SELECT id, _id, data {_RANGE_SQL}"
_META_NAMES_SQL = f"SELECT json_extract(data, '$.name') {_RANGE_SQL}"  # answered from the index alone
_META_BUCKETS_SQL = f"SELECT DISTINCT json_extract(data, '$.bucket') FROM {META_COLLECTION}"

_TMP_PREFIX = ".tmp-"


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///relative`` or ``sqlite:////absolute`` URL."""
    if not url.startswith("sqlite:///"):
        raise ConfigurationError(f"{url!r} is not a sqlite:/// URL; use sqlite:///relative/path or sqlite:////abs/path")
    path = url[len("sqlite:///"):]
    if not path:
        raise ConfigurationError(f"{url!r} names no file; use sqlite:///path/to/omega.db")
    return Path(path).expanduser()


class EmbeddedEngine(StorageEngine):
    """SQLite (neosqlite) for metadata and rows, files for blobs."""

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(url, **options)
        self.path = sqlite_path(url).absolute()
        self.blob_dir = self.path.with_name(self.path.name + ".blobs")
        self._local = threading.local()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.blob_dir.mkdir(exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"cannot create embedded storage at {self.path}: {exc}") from exc

    # One connection per process and thread: sqlite3 objects must not cross either.
    @property
    def conn(self) -> Any:
        key = os.getpid()
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != key:
            import neosqlite

            try:
                conn = neosqlite.Connection(str(self.path), timeout=60)
                _pin_text_json(conn.db)
            except Exception as exc:  # sqlite3.OperationalError and friends
                raise StorageUnavailable(f"cannot open embedded database {self.path}: {exc}") from exc
            conn[META_COLLECTION].create_index(
                [("bucket", 1), ("prefix", 1), ("name", 1)], unique=True
            )
            self._local.conn, self._local.pid = conn, key
        return conn

    @property
    def meta_collection(self) -> Any:
        return self.conn[META_COLLECTION]

    def meta_get(self, bucket: str, prefix: str, name: str) -> dict[str, Any] | None:
        conn = self.conn
        row = conn.db.execute(_META_GET_SQL, (str(bucket), str(prefix), str(name))).fetchone()
        return None if row is None else conn[META_COLLECTION]._load_with_stored_id(row[0], row[2], row[1])

    def meta_list(self, bucket: str, prefix: str, name_prefix: str = "") -> list[dict[str, Any]]:
        conn = self.conn
        rows = conn.db.execute(_META_LIST_SQL, _range(bucket, prefix, name_prefix)).fetchall()
        load = conn[META_COLLECTION]._load_with_stored_id
        return [load(row[0], row[2], row[1]) for row in rows]

    def meta_names(self, bucket: str, prefix: str, name_prefix: str = "") -> list[str]:
        return [row[0] for row in self.conn.db.execute(_META_NAMES_SQL, _range(bucket, prefix, name_prefix))]

    def meta_buckets(self) -> list[str]:
        rows = self.conn.db.execute(_META_BUCKETS_SQL).fetchall()
        return sorted(row[0] for row in rows if row[0] is not None)

    def _transaction(self):
        return _ImmediateTransaction(self.conn.db)

    def meta_commit(self, doc: dict[str, Any], expected_rev: str | None) -> dict[str, Any] | None:
        with self._transaction():
            current = self.meta_get(doc["bucket"], doc["prefix"], doc["name"])
            check_rev(doc, current, expected_rev)
            if current is None:
                self.meta_collection.insert_one(dict(doc))
            else:
                self.meta_collection.replace_one({"_id": current["_id"]}, dict(doc))
            return current

    def meta_delete(self, bucket: str, prefix: str, name: str, expected_rev: str) -> dict[str, Any]:
        with self._transaction():
            current = self.meta_get(bucket, prefix, name)
            check_rev({"bucket": bucket, "prefix": prefix, "name": name}, current, expected_rev)
            self.meta_collection.delete_one({"_id": current["_id"]})
            return current

    # --- row collections ----------------------------------------------------
    def collection(self, name: str) -> Any:
        return self.conn[name]

    def create_collection(self, name: str) -> Any:
        conn = self.conn
        with self._transaction():
            if conn.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone():
                raise LocationExistsError(f"collection {name!r} exists already in {self.path}; nothing was changed")
            return conn[name]

    def drop_collection(self, name: str) -> None:
        self.conn.drop_collection(name)

    def list_collections(self) -> list[str]:
        return [c for c in self.conn.list_collection_names() if c.startswith(STORAGE_PREFIX)]

    # --- blobs --------------------------------------------------------------
    def _blob_path(self, name: str) -> Path:
        if "/" in name or name.startswith("."):
            raise ValueError(f"invalid blob name {name!r}")
        return self.blob_dir / name

    def _open_blob_writer(self, name: str) -> BinaryIO:
        final = self._blob_path(name)
        tmp = self.blob_dir / f"{_TMP_PREFIX}{name}-{secrets.token_hex(4)}"
        fh = open(tmp, "xb")
        fh._omega_final = final  # type: ignore[attr-defined]
        return fh

    def _finish_blob_writer(self, writer: BinaryIO, ok: bool) -> None:
        tmp = Path(writer.name)
        writer.close()
        try:
            if ok:
                # a hard link fails if the name exists: a blob is never overwritten (os.replace would)
                os.link(tmp, writer._omega_final)  # type: ignore[attr-defined]
        except FileExistsError:
            raise LocationExistsError(
                f"blob {writer._omega_final.name!r} exists already in {self.blob_dir}; "  # type: ignore[attr-defined]
                "it was left untouched and this write was discarded. Retry the put."
            ) from None
        finally:
            tmp.unlink(missing_ok=True)

    def blob_reader(self, name: str) -> BinaryIO:
        try:
            return open(self._blob_path(name), "rb")
        except FileNotFoundError:
            raise FileNotFoundError(f"blob {name!r} is missing from {self.blob_dir}") from None

    def blob_local_path(self, name: str) -> str | None:
        path = self._blob_path(name)
        return str(path) if path.exists() else None

    def blob_delete(self, name: str) -> None:
        self._blob_path(name).unlink(missing_ok=True)

    def list_blobs(self) -> list[str]:
        return sorted(p.name for p in self.blob_dir.iterdir() if not p.name.startswith("."))

    def _blob_ages(self) -> list[tuple[str, float]]:
        now = time.time()
        return [(p.name, now - p.stat().st_mtime) for p in self.blob_dir.iterdir() if not p.name.startswith(".")]

    def _remove_partial_writes(self, min_age_seconds: float) -> list[str]:
        removed, now = [], time.time()
        for path in self.blob_dir.glob(f"{_TMP_PREFIX}*"):
            if now - path.stat().st_mtime >= min_age_seconds:
                path.unlink(missing_ok=True)
                removed.append(path.name)
        return removed

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            conn.close()
        self._local = threading.local()


def _range(bucket: str, prefix: str, name_prefix: str) -> tuple[str, str, str, str]:
    return str(bucket), str(prefix), str(name_prefix), str(name_prefix) + "\U0010ffff"


def _pin_text_json(db: Any) -> None:
    """Make neosqlite store and query text JSON, never JSONB, whatever this process's SQLite can do.

    neosqlite uses JSONB where SQLite has it (3.45+). The file must stay
    writable by every process, and a process can see a newer SQLite than its
    neighbours (TensorFlow loads its own 3.50 into the process, Debian's is
    3.40): a table written as JSONB there fails with "unknown function:
    jsonb_extract()" everywhere else. neosqlite probes ``SELECT jsonb(...)``;
    shadowing ``jsonb`` with a function that raises makes the probe say no.
    """

    def no_jsonb(*args: Any) -> None:
        raise NotImplementedError("omegaml stores text JSON so that every SQLite version can use the file")

    db.create_function("jsonb", 1, no_jsonb, deterministic=True)


class _ImmediateTransaction:
    """BEGIN IMMEDIATE ... COMMIT: takes SQLite's write lock, serialising writers across processes."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
