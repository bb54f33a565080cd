"""The MongoDB engine: pymongo for metadata and rows, GridFS for blobs."""
from __future__ import annotations

import io
import os
from datetime import datetime, timezone
from typing import Any, BinaryIO

from ..errors import ConcurrentWriteError, LocationExistsError, StorageUnavailable
from .base import META_COLLECTION, STORAGE_PREFIX, StorageEngine, check_rev, literal_query

GRIDFS_BUCKET = "omegablobs"
DEFAULT_DATABASE = "omega"
DEFAULT_TIMEOUT_MS = 5000


class MongoEngine(StorageEngine):
    """MongoDB through pymongo. The database comes from the URL path (default ``omega``).

    A server that cannot be reached fails within ``timeout_ms`` (default 5 s,
    option ``OMEGA_MONGO_TIMEOUT_MS``) with StorageUnavailable, not a hang.
    """

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(url, **options)
        self.timeout_ms = int(options.get("timeout_ms") or os.environ.get("OMEGA_MONGO_TIMEOUT_MS", DEFAULT_TIMEOUT_MS))
        self._state: tuple[int, Any, Any, Any] | None = None  # (pid, client, db, gridfs)

    def _connect(self) -> tuple[Any, Any]:
        import gridfs
        import pymongo
        from pymongo.errors import PyMongoError

        timeout = self.timeout_ms
        client = None
        try:
            client = pymongo.MongoClient(
                self.url, serverSelectionTimeoutMS=timeout, connectTimeoutMS=timeout,
                socketTimeoutMS=max(timeout * 12, 60000),
            )
            db = client.get_default_database(DEFAULT_DATABASE)
            client.admin.command("ping")
            db[META_COLLECTION].create_index(
                [("bucket", 1), ("prefix", 1), ("name", 1)], unique=True, name="omega_key"
            )
            # locations are found by these when freeing: index them (multikey) instead of scanning
            db[META_COLLECTION].create_index([("blobs", 1)], name="omega_blobs")
            db[META_COLLECTION].create_index([("collections", 1)], name="omega_collections")
            _unique_blob_names(db)
        except PyMongoError as exc:
            from ..tls import tls_reason

            if client is not None:
                client.close()

            reason = tls_reason(exc)
            if reason:
                raise StorageUnavailable(f"TLS to MongoDB at {self.display_url} failed: {reason}. Check tlsCAFile "
                                         "and that the host name in the URL is the one in the server's certificate"
                                         ) from None
            raise StorageUnavailable(
                f"cannot reach MongoDB at {self.display_url} within {timeout} ms: "
                f"{type(exc).__name__}. Check that the server runs and the URL is right."
            ) from None
        return db, gridfs.GridFSBucket(db, bucket_name=GRIDFS_BUCKET)

    @property
    def db(self) -> Any:
        return self._handles()[0]

    @property
    def fs(self) -> Any:
        return self._handles()[1]

    def _handles(self) -> tuple[Any, Any]:
        # MongoClient is not fork-safe: a forked worker opens its own.
        if self._state is None or self._state[0] != os.getpid():
            db, fs = self._connect()
            self._state = (os.getpid(), db.client, db, fs)
        return self._state[2], self._state[3]

    # --- metadata -----------------------------------------------------------
    @property
    def meta_collection(self) -> Any:
        return self.db[META_COLLECTION]

    def meta_commit(self, doc: dict[str, Any], expected_rev: str | None) -> dict[str, Any] | None:
        from pymongo.errors import DuplicateKeyError

        meta = self.meta_collection
        key = {"bucket": doc["bucket"], "prefix": doc["prefix"], "name": doc["name"]}
        if expected_rev is None:
            try:
                meta.insert_one(dict(doc))
            except DuplicateKeyError:
                check_rev(key, self.meta_get(**key), expected_rev)
                raise
            return None
        previous = meta.find_one_and_replace(literal_query({**key, "rev": expected_rev}), dict(doc))
        if previous is None:
            check_rev(key, self.meta_get(**key), expected_rev)
            raise ConcurrentWriteError(f"{key} changed while writing; nothing was changed")
        return previous

    def meta_delete(self, bucket: str, prefix: str, name: str, expected_rev: str) -> dict[str, Any]:
        key = {"bucket": bucket, "prefix": prefix, "name": name}
        previous = self.meta_collection.find_one_and_delete(literal_query({**key, "rev": expected_rev}))
        if previous is None:
            check_rev(key, self.meta_get(**key), expected_rev)
            raise ConcurrentWriteError(f"{key} changed while deleting; nothing was changed")
        return previous

    # --- row collections ----------------------------------------------------
    def collection(self, name: str) -> Any:
        return self.db[name]

    def create_collection(self, name: str) -> Any:
        from pymongo.errors import CollectionInvalid, OperationFailure

        try:
            return self.db.create_collection(name)
        except (CollectionInvalid, OperationFailure) as exc:
            if name in self.db.list_collection_names(filter={"name": {"$eq": name}}):
                raise LocationExistsError(f"collection {name!r} exists already; nothing was changed") from None
            raise exc

    def drop_collection(self, name: str) -> None:
        self.db.drop_collection(name)

    def list_collections(self) -> list[str]:
        return [c for c in self.db.list_collection_names() if c.startswith(STORAGE_PREFIX)]

    # --- blobs --------------------------------------------------------------
    def _open_blob_writer(self, name: str) -> BinaryIO:
        if self._blob_exists(name):  # the unique index catches a race at close; this saves the upload
            raise self._exists(name)
        return _UploadStream(self.fs.open_upload_stream(name))

    def _blob_exists(self, name: str) -> bool:
        return self.db[f"{GRIDFS_BUCKET}.files"].find_one({"filename": {"$eq": name}}, {"_id": 1}) is not None

    @staticmethod
    def _exists(name: str) -> LocationExistsError:
        return LocationExistsError(f"blob {name!r} exists already in GridFS bucket {GRIDFS_BUCKET}; it was left "
                                   "untouched and this write was discarded. Retry the put.")

    def _finish_blob_writer(self, writer: Any, ok: bool) -> None:
        from gridfs.errors import FileExists
        from pymongo.errors import DuplicateKeyError, OperationFailure

        upload = writer.upload
        if ok:
            try:
                upload.close()
                return
            except (DuplicateKeyError, FileExists):
                self._discard_chunks(upload._id)
                raise self._exists(upload.filename) from None

        try:
            upload.abort()
        except OperationFailure:
            # nx-27017 refuses to delete a files document that was never written; the chunks are what matter
            self._discard_chunks(upload._id)

    def _discard_chunks(self, files_id: Any) -> None:
        self.db[f"{GRIDFS_BUCKET}.chunks"].delete_many({"files_id": {"$eq": files_id}})

    def blob_reader(self, name: str) -> BinaryIO:
        import gridfs

        try:
            return self.fs.open_download_stream_by_name(name)
        except gridfs.errors.NoFile:
            raise FileNotFoundError(f"blob {name!r} is missing from GridFS bucket {GRIDFS_BUCKET}") from None

    def blob_delete(self, name: str) -> None:
        for grid_file in self.fs.find({"filename": {"$eq": name}}):
            self.fs.delete(grid_file._id)

    def list_blobs(self) -> list[str]:
        return sorted({f.filename for f in self.fs.find({})})

    def _blob_ages(self) -> list[tuple[str, float]]:
        now = datetime.now(timezone.utc)
        ages = []
        for grid_file in self.fs.find({}):
            uploaded = grid_file.upload_date
            if isinstance(uploaded, str):  # nx-27017 returns uploadDate as an ISO string
                uploaded = datetime.fromisoformat(uploaded)
            if uploaded.tzinfo is None:
                uploaded = uploaded.replace(tzinfo=timezone.utc)
            ages.append((grid_file.filename, (now - uploaded).total_seconds()))
        return ages

    def _remove_partial_writes(self, min_age_seconds: float) -> list[str]:
        # GridFS writes the files document last: chunks without one are an upload that never finished.
        from pymongo.errors import OperationFailure

        chunks = self.db[f"{GRIDFS_BUCKET}.chunks"]
        complete = {f._id for f in self.fs.find({})}
        removed = []
        try:
            uploads = chunks.distinct("files_id")
        except OperationFailure:  # nx-27017 does not expose GridFS chunks as a collection
            return removed
        for files_id in uploads:
            if files_id in complete:
                continue
            created = getattr(files_id, "generation_time", None)  # ObjectIds carry their creation time
            age = (datetime.now(timezone.utc) - created).total_seconds() if created else min_age_seconds
            if age >= min_age_seconds:
                chunks.delete_many({"files_id": {"$eq": files_id}})
                removed.append(f"partial upload {files_id}")
        return removed

    def close(self) -> None:
        if self._state is not None and self._state[0] == os.getpid():
            self._state[1].close()
        self._state = None


def _unique_blob_names(db: Any) -> None:
    """A unique index on GridFS file names: a colliding upload fails instead of shadowing the first blob.

    A store that already holds duplicate names (written before this index)
    keeps working without it; the writer's pre-check still refuses a taken name.
    """
    from pymongo.errors import OperationFailure

    try:
        db[f"{GRIDFS_BUCKET}.files"].create_index([("filename", 1)], unique=True, name="omega_unique_filename")
    except OperationFailure:
        pass


class _UploadStream(io.RawIOBase):
    """A GridFS upload as a plain binary stream: ``tell()`` works (joblib and zipfile need it).

    Closing the stream does not finish the upload; the engine commits or aborts it.
    """

    def __init__(self, upload: Any) -> None:
        self.upload, self._position = upload, 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if not isinstance(data, bytes):  # GridIn takes bytes only; joblib writes numpy buffers
            data = memoryview(data).cast("B").tobytes()
        size = len(data)
        self.upload.write(data)
        self._position += size
        return size

    def tell(self) -> int:
        return self._position
