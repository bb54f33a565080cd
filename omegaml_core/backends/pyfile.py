"""``python.file``: bytes, file-like objects and local files, streamed both ways."""
from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from typing import Any, BinaryIO

from .base import COPY_BUFFER, BaseDataBackend


class PythonFileBackend(BaseDataBackend):
    """Stores bytes as a blob without reading them whole into memory.

    ``put`` accepts bytes, a readable binary file-like object, a ``pathlib.Path``
    or a str naming an existing local file. ``get`` returns a readable, seekable
    binary stream (close it, or use ``with``); ``get(name, path=...)`` streams
    into a local file instead and returns its Path. The stream checks the blob's
    checksum as it goes: the read that reaches the end raises IntegrityError
    if the bytes were damaged.
    """

    priority = -20

    @classmethod
    def supports(cls, obj: Any, name: str, **kwargs: Any) -> bool:
        if isinstance(obj, (bytes, bytearray, memoryview, Path)):
            return True
        if isinstance(obj, str):
            return os.path.isfile(obj)
        return callable(getattr(obj, "read", None))

    def put(self, obj: Any, name: str, meta: Any, append: bool = False, **kwargs: Any) -> Any:
        if append:
            raise ValueError("python.file does not append; put the whole file again")
        meta.blobs = []
        size = 0
        with _open_source(obj) as src, self.write_blob(meta) as (_, dst):
            while chunk := src.read(COPY_BUFFER):
                if isinstance(chunk, str):
                    raise TypeError(f"python.file: {name!r} was given a text stream; open the file in binary mode ('rb')")
                dst.write(chunk)
                size += len(chunk)
        meta.kind_meta = {"size": size}
        source = obj if isinstance(obj, (str, Path)) else getattr(obj, "name", None)  # a path, or an open file's
        if isinstance(source, (str, Path)):
            meta.kind_meta["source"] = Path(source).name
        return meta

    def get(self, name: str, meta: Any, path: str | os.PathLike | None = None, **kwargs: Any) -> Any:
        if kwargs.get("columns"):
            raise ValueError("python.file cannot select columns")
        reader = self.stream_blob(meta.blobs[0])  # verified as it is read: the end raises if damaged
        if path is None:
            return reader
        target = Path(path)
        tmp = target.with_name(f".{target.name}.part")
        try:
            with reader, open(tmp, "wb") as out:
                shutil.copyfileobj(reader, out, COPY_BUFFER)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, target)
        return target


class _open_source:
    """Context manager yielding a binary stream for any supported input; closes only what it opened."""

    def __init__(self, obj: Any) -> None:
        self.obj, self.opened = obj, None

    def __enter__(self) -> BinaryIO:
        obj = self.obj
        if isinstance(obj, (bytes, bytearray, memoryview)):
            return io.BytesIO(obj)
        if isinstance(obj, (str, Path)):
            self.opened = open(obj, "rb")
            return self.opened
        return obj

    def __exit__(self, *exc: Any) -> None:
        if self.opened is not None:
            self.opened.close()
