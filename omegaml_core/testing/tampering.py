"""Damaging stored blobs on purpose, as a failing disk or someone with database access would.

Works on every engine through the engine interface: read the blob, delete it,
write the changed bytes under the same name.
"""
from __future__ import annotations

from typing import Any, Callable


def rewrite_blob(engine: Any, blob: str, change: Callable[[bytes], bytes]) -> None:
    """Replace the bytes of ``blob`` with ``change(old bytes)``, bypassing every check."""
    with engine.blob_reader(blob) as fh:
        data = fh.read()
    engine.blob_delete(blob)
    with engine.blob_writer(blob) as fh:
        fh.write(change(data))


def flip_byte(engine: Any, blob: str) -> None:
    """Invert one byte in the middle of ``blob``."""
    def flip(data: bytes) -> bytes:
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]
    rewrite_blob(engine, blob, flip)


def truncate(engine: Any, blob: str) -> None:
    """Cut ``blob`` to half its length."""
    rewrite_blob(engine, blob, lambda data: data[:len(data) // 2])
