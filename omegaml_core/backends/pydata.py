"""``python.data``: dicts, lists and other JSON documents; get returns what was put."""
from __future__ import annotations

import json
from typing import Any

from .base import BaseDataBackend


def check_json_document(obj: Any, path: str = "$") -> None:
    """Raise TypeError unless ``obj`` is made only of dict (str keys), list, str, int, float, bool, None."""
    if obj is None or isinstance(obj, (str, bool, int, float)):
        if isinstance(obj, float) and obj != obj:
            raise TypeError(f"python.data: NaN at {path} is not a JSON value")
        return
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            check_json_document(item, f"{path}[{i}]")
        return
    if isinstance(obj, dict):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TypeError(f"python.data: key {key!r} at {path} is a {type(key).__name__}; "
                                "JSON keys must be str, so it would not come back as it was put")
            check_json_document(value, f"{path}.{key}")
        return
    raise TypeError(f"python.data: {type(obj).__name__} at {path} is not a JSON value; "
                    "store it with a backend for its type (kind=...) or convert it")


class PythonDataBackend(BaseDataBackend):
    """JSON documents, stored as one blob. ``append=True`` extends a stored list."""

    priority = -10
    supports_append = True

    @classmethod
    def supports(cls, obj: Any, name: str, **kwargs: Any) -> bool:
        return type(obj) in (dict, list)

    def put(self, obj: Any, name: str, meta: Any, append: bool = False, **kwargs: Any) -> Any:
        check_json_document(obj)
        if append and meta.blobs:
            current = self._read(meta.blobs[-1])
            if not (isinstance(current, list) and isinstance(obj, list)):
                raise TypeError(f"python.data: append needs a list stored and a list given; "
                                f"{name!r} holds a {type(current).__name__}")
            obj = current + obj
        meta.blobs = []
        with self.write_blob(meta) as (_, fh):
            fh.write(json.dumps(obj, ensure_ascii=False, allow_nan=False).encode())
        meta.kind_meta = {"type": type(obj).__name__}
        return meta

    def get(self, name: str, meta: Any, columns: list[str] | None = None, **kwargs: Any) -> Any:
        obj = self._read(meta.blobs[0])
        if columns:
            if not isinstance(obj, dict):
                raise ValueError(f"python.data: {name!r} holds a {type(obj).__name__}; only dicts select keys")
            missing = [c for c in columns if c not in obj]
            if missing:
                raise KeyError(f"python.data: {name!r} has no key(s) {missing}")
            obj = {c: obj[c] for c in columns}
        return obj

    def _read(self, blob: str) -> Any:
        with self.read_blob(blob) as fh:
            return json.load(fh)
