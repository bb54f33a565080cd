"""The protocols plugins implement: BaseDataBackend and BaseModelBackend.

A backend is registered under ``omegaml.backends`` with its *kind* as the
entry point name. The store picks it for ``put`` when ``supports`` is true
(highest ``priority`` first, ties broken by kind) and for ``get``/``drop`` by
the kind recorded in the Metadata. A backend writes its bytes through the
helpers here, which record every location in the Metadata, so the store can
free them when the object is replaced or dropped and nothing is orphaned.

Rules for backend authors:

- ``supports`` must be cheap and must not import heavy libraries: check
  ``sys.modules`` first (an object of a type from a module that was never
  imported cannot exist).
- Blobs are immutable once written and may be shared by several Metadata
  (promotion within one engine, model versions); name them in ``kind_meta``
  freely. Collections are owned by one Metadata and may be mutated; refer to
  them through ``meta.collections`` only, because promotion copies them to new
  names in the same order.
- Write blobs with ``write_blob`` and read them with ``read_blob``,
  ``stream_blob`` or ``blob_source``: these record and verify every blob's
  checksum (and signature, with ``OMEGA_STORE_KEY``), so a damaged or planted
  blob raises IntegrityError before your deserializer sees a byte.
"""
from __future__ import annotations

import contextlib
import copy
import shutil
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar, Iterator

from ..names import storage_name, validate_new_name
from .options import refuse_unknown, signature_options
from .. import integrity
from ..names import storage_name

if TYPE_CHECKING:
    from ..metadata import Metadata
    from ..store import OmegaStore

COPY_BUFFER = 1 << 20
MODEL_CACHE_SIZE = 8
_MODEL_CACHE: "OrderedDict[tuple, tuple[str, Any]]" = OrderedDict()


class BaseBackend:
    """What every backend has: the store it serves and storage helpers."""

    #: Higher wins when several backends support an object.
    priority: ClassVar[int] = 0
    #: Whether ``put(..., append=True)`` is supported.
    supports_append: ClassVar[bool] = False
    #: Keyword options a method takes through ``**kwargs`` besides its named parameters,
    #: e.g. ``{"get": ("parse_dates",)}``. Any other keyword is refused (see ``check_options``).
    extra_options: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __init__(self, store: "OmegaStore", kind: str) -> None:
        self.store = store
        self.kind = kind
        self._reading: "Metadata | None" = None
        self._allow_unsigned = False

    def bind(self, meta: "Metadata | None", allow_unsigned: bool = False) -> "BaseBackend":
        """Verify blobs read by this instance against ``meta``'s checksums (the store does this)."""
        self._reading, self._allow_unsigned = meta, allow_unsigned
        return self

    @property
    def engine(self) -> Any:
        return self.store.engine

    # --- the protocol -------------------------------------------------------
    @classmethod
    def accepted_options(cls, method: str) -> frozenset[str]:
        """The keyword options ``method`` (``'put'``, ``'get'`` or ``'promote'``) accepts.

        By default: the method's named parameters after the protocol's own, plus
        ``extra_options[method]``. ``**kwargs`` in a signature accepts nothing more.
        """
        return signature_options(cls, method) | frozenset(cls.extra_options.get(method, ()))

    def check_options(self, method: str, name: str, options: dict[str, Any], meta: "Metadata | None" = None) -> None:
        """Raise TypeError naming every keyword of ``options`` that ``method`` does not accept.

        The store calls this before ``put``, ``get`` and ``promote`` with the
        user's keywords; override it for options that depend on the stored
        object (e.g. column filters, given ``meta``).
        """
        refuse_unknown(f"{self.store.label}.{method} of {name!r} (kind {self.kind})", options,
                       self.accepted_options(method))

    @classmethod
    def supports(cls, obj: Any, name: str, **kwargs: Any) -> bool:
        """True if this backend can store ``obj`` under ``name``."""
        return False

    @classmethod
    def stored_name(cls, prefix: str, name: str) -> str:
        """The name a put of ``name`` in the store with ``prefix`` stores under; the default is ``name``.

        Override it to add a conventional suffix (omegaml-notebook stores job
        ``report`` as ``report.ipynb``); pair it with an ``omega_resolve_name``
        hook so that reads of ``name`` find it.
        """
        return name

    @classmethod
    def supports_replacing(cls, obj: Any, name: str, current: "Metadata", **kwargs: Any) -> bool:
        """True if ``obj`` may replace (or extend) ``current``, an object of this kind, keeping the kind.

        The store asks the current kind this before a put without ``kind=``; if
        it says no, the put is refused rather than silently changing the kind.
        The default is ``supports``; override it where an existing object
        changes what can be put onto it (a SQL table reference takes a DataFrame).
        """
        return cls.supports(obj, name, **kwargs)

    def put(self, obj: Any, name: str, meta: "Metadata", append: bool = False, **kwargs: Any) -> "Metadata":
        """Write ``obj`` and return ``meta`` completed (kind_meta, blobs, collections).

        ``meta`` is a draft: for ``append=True`` it carries the current
        version's locations and kind_meta to extend. The store commits it.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement put")

    def get(self, name: str, meta: "Metadata", **kwargs: Any) -> Any:
        """Read the object that ``meta`` describes."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get")

    def drop(self, name: str, meta: "Metadata", **kwargs: Any) -> None:
        """Extra clean-up on drop. The store itself frees every location in ``meta``."""

    def promote(self, name: str, meta: "Metadata", target: "OmegaStore", **kwargs: Any) -> "Metadata":
        """Copy the object into ``target``; returns the draft Metadata for the target.

        The default copies bytes without knowing the type: blobs keep their
        names (shared when both stores use one engine), collections are copied.
        """
        draft = target.draft(name, meta.kind, attributes=copy.deepcopy(meta.attributes))
        draft.kind_meta = copy.deepcopy(meta.kind_meta)
        draft.uri = meta.uri
        self.bind(meta, self._allow_unsigned)
        shared = []
        for blob in meta.blobs:
            draft.blobs.append(blob)
            if target.engine is self.engine or target.engine.blob_exists(blob):
                # blobs are immutable and their names unique: share them, with their checksums
                # (a blob copied to the target before, e.g. by an earlier promotion or a model version)
                shared.append(blob)
                continue
            seal = integrity.Seal()
            with self.read_blob(blob) as src, target.engine.blob_writer(blob) as dst:
                shutil.copyfileobj(src, integrity.HashingWriter(dst, seal), COPY_BUFFER)
            seal.record(draft, blob)
        for blob in shared:
            if blob in meta.checksums:
                draft.checksums[blob] = meta.checksums[blob]
            if blob in meta.signatures:
                draft.signatures[blob] = meta.signatures[blob]
            if blob in meta.sizes:
                draft.sizes[blob] = meta.sizes[blob]
        for coll_name in meta.collections:
            source = self.engine.collection(coll_name)
            new_name = storage_name(target.bucket, target.prefix, name, self.kind)
            draft.collections.append(new_name)
            dest = target.engine.create_collection(new_name)
            batch: list[dict] = []
            for doc in source.find({}):
                doc.pop("_id", None)
                batch.append(doc)
                if len(batch) >= 10_000:
                    dest.insert_many(batch)
                    batch = []
            if batch:
                dest.insert_many(batch)
        return draft

    # --- helpers for implementations ----------------------------------------
    def new_blob_name(self, meta: "Metadata") -> str:
        """Allocate a fresh blob name and record it in ``meta.blobs``."""
        name = storage_name(meta.bucket, meta.prefix, meta.name, self.kind)
        meta.blobs.append(name)
        return name

    @contextlib.contextmanager
    def write_blob(self, meta: "Metadata") -> Iterator[tuple[str, BinaryIO]]:
        """``with self.write_blob(meta) as (blob, fh): fh.write(...)``: a new blob, owned by ``meta``.

        Its checksum (and signature) is computed while it is written and recorded in ``meta``.
        The stream is not seekable; ``tell()`` works.
        """
        name = self.new_blob_name(meta)
        if not integrity.ENABLED:
            with self.engine.blob_writer(name) as writer:
                yield name, writer
            return
        seal = integrity.Seal()
        with self.engine.blob_writer(name) as writer:
            yield name, integrity.HashingWriter(writer, seal)
        seal.record(meta, name)

    def _expect(self, name: str) -> "integrity.Expectation | None":
        return integrity.expectation(self._reading, name, self._allow_unsigned)

    def read_blob(self, name: str) -> BinaryIO:
        """A seekable binary stream over a blob, verified whole before it is returned; close it (or use ``with``).

        Raises IntegrityError if the blob does not match its checksum or signature.
        """
        expect = self._expect(name)
        reader = self.engine.blob_reader(name)
        if expect is None:
            return reader
        try:
            if self.engine.blob_local_path(name) is not None:
                return integrity.verify_seekable(reader, expect)  # a local file: hashing it is a read from cache
            return integrity.verified_copy(reader, expect)
        except BaseException:
            reader.close()
            raise

    def stream_blob(self, name: str) -> BinaryIO:
        """A seekable stream over a blob that is verified as it is read.

        For bytes handed to the user as they are (``python.file``): the read that
        reaches the end raises IntegrityError if the blob does not match. Use
        ``read_blob`` for bytes that go to a deserializer.
        """
        expect = self._expect(name)
        reader = self.engine.blob_reader(name)
        return reader if expect is None else integrity.VerifyingReader(reader, expect)

    def blob_source(self, name: str) -> Any:
        """A verified local path to the blob where the engine has one, else a verified stream (for Arrow and friends)."""
        path = self.engine.blob_local_path(name)
        if path is None:
            return self.read_blob(name)
        expect = self._expect(name)
        if expect is not None:
            integrity.verify_file(path, expect)
        return path

    def new_collection(self, meta: "Metadata") -> Any:
        """A new empty row collection owned by ``meta`` (pymongo-like API)."""
        name = storage_name(meta.bucket, meta.prefix, meta.name, self.kind)
        meta.collections.append(name)
        return self.engine.create_collection(name)

    def collection(self, meta: "Metadata", index: int = 0) -> Any:
        """The ``index``-th row collection owned by ``meta``."""
        return self.engine.collection(meta.collections[index])


class BaseDataBackend(BaseBackend):
    """Protocol for dataset backends: ``supports``, ``put``, ``get``, ``drop``.

    ``get`` receives ``columns=[...]`` when the user asked for ``name[a,b]``;
    a backend that cannot project columns should raise ValueError saying so.
    """


#: Model methods the runtime can call; each takes dataset names (or in-memory values).
MODEL_METHODS = ("fit", "partial_fit", "predict", "predict_proba", "decision_function",
                 "score", "transform", "fit_transform")


class BaseModelBackend(BaseBackend):
    """Protocol for model backends: storage plus model methods taking dataset names.

    The default methods load the model with ``get``, resolve ``Xname`` and
    ``Yname`` through the datasets store (``'X[a,b]'`` selects columns), call the
    model's method of the same name and, for ``fit``/``partial_fit``, store the
    model again. With ``rName`` a result is also stored as a dataset. Override
    any of them for frameworks whose API differs.
    """

    def load_model(self, modelname: str, for_update: bool = False) -> Any:
        """The stored model, from a per-process cache while its revision is unchanged.

        ``for_update=True`` always reads a fresh copy, because fitting changes
        the object in place and a failed put must not leave a changed model cached.
        """
        if for_update:
            return self.store.get(modelname)
        meta = self.store.metadata(modelname)
        key = (self.engine.url, meta.bucket, meta.prefix, meta.name)
        hit = _MODEL_CACHE.get(key)
        if hit is not None and hit[0] == meta.rev:
            _MODEL_CACHE.move_to_end(key)
            return hit[1]
        model = self.store.get(modelname)
        _MODEL_CACHE[key] = (meta.rev, model)
        while len(_MODEL_CACHE) > MODEL_CACHE_SIZE:
            _MODEL_CACHE.popitem(last=False)
        return model

    def load_data(self, name_or_value: Any) -> Any:
        """A dataset by name, or the value itself if it is not a str."""
        if isinstance(name_or_value, str):
            return self.store.omega.datasets.get(name_or_value)
        return name_or_value

    def load_target(self, name_or_value: Any) -> Any:
        """The target (``Yname``) of a fit or score; override to adapt its shape."""
        return self.load_data(name_or_value)

    def _store_result(self, result: Any, rName: str | None) -> Any:
        """Store ``result`` as dataset ``rName``, replacing what was there whatever its kind (the caller asked for it)."""
        if rName:
            datasets = self.store.omega.datasets
            datasets.put(result, rName, kind=datasets.select_kind(result, rName))
        return result

    def _call(self, method: str, modelname: str, Xname: Any, Yname: Any = None,
              rName: str | None = None, refit: bool = False, **kwargs: Any) -> Any:
        if refit:  # refused before the work, not when storing its outcome
            validate_new_name(modelname, "model")
        if rName:
            validate_new_name(rName, "result")
        model = self.load_model(modelname, for_update=refit)
        X = self.load_data(Xname)
        args = (X,) if Yname is None else (X, self.load_target(Yname))
        result = getattr(model, method)(*args, **kwargs)
        if refit:
            meta = self.store.put(model, modelname, attributes=self.lineage(Xname, Yname))
            if method != "fit_transform":
                return meta
        return self._store_result(result, rName)

    @staticmethod
    def lineage(Xname: Any, Yname: Any = None) -> dict[str, Any]:
        """The attributes a fit records: ``fitted`` and the datasets it was ``fitted_on``."""
        return {"fitted": True, "fitted_on": {"X": data_ref(Xname), "Y": data_ref(Yname)}}

    def fit(self, modelname: str, Xname: Any, Yname: Any = None, **kwargs: Any) -> "Metadata":
        """Fit the stored model on datasets and store it again; returns its Metadata."""
        return self._call("fit", modelname, Xname, Yname, refit=True, **kwargs)

    def partial_fit(self, modelname: str, Xname: Any, Yname: Any = None, **kwargs: Any) -> "Metadata":
        """Train further on a batch and store the model again; returns its Metadata."""
        return self._call("partial_fit", modelname, Xname, Yname, refit=True, **kwargs)

    def predict(self, modelname: str, Xname: Any, rName: str | None = None, **kwargs: Any) -> Any:
        return self._call("predict", modelname, Xname, rName=rName, **kwargs)

    def predict_proba(self, modelname: str, Xname: Any, rName: str | None = None, **kwargs: Any) -> Any:
        return self._call("predict_proba", modelname, Xname, rName=rName, **kwargs)

    def decision_function(self, modelname: str, Xname: Any, rName: str | None = None, **kwargs: Any) -> Any:
        return self._call("decision_function", modelname, Xname, rName=rName, **kwargs)

    def score(self, modelname: str, Xname: Any, Yname: Any = None, **kwargs: Any) -> float:
        return float(self._call("score", modelname, Xname, Yname, **kwargs))

    def transform(self, modelname: str, Xname: Any, rName: str | None = None, **kwargs: Any) -> Any:
        return self._call("transform", modelname, Xname, rName=rName, **kwargs)

    def fit_transform(self, modelname: str, Xname: Any, Yname: Any = None, rName: str | None = None,
                      **kwargs: Any) -> Any:
        """Fit, store the model again and return the transformed data (stored as ``rName`` if given)."""
        return self._call("fit_transform", modelname, Xname, Yname, rName=rName, refit=True, **kwargs)


def data_ref(value: Any) -> str | None:
    """How lineage records an input: its dataset name, or a note that it was in memory."""
    if value is None:
        return None
    return value if isinstance(value, str) else f"<in-memory {type(value).__name__}>"
