"""Progress bars for long operations: on stderr, and only when stderr is a terminal.

Every command that shows progress uses this module, so bars look and behave
the same everywhere (one library, tqdm, behind one function)::

    from omegaml_core.progress import progress

    with progress(total=size, desc="put sales.csv") as bar:
        for chunk in chunks:
            ...
            bar.update(len(chunk))

Piped or redirected output (CI logs, ``om ... 2>err.txt``) never gets bars.
``OMEGA_PROGRESS=0`` turns them off on a terminal too, ``OMEGA_PROGRESS=1``
forces them on (e.g. to test them). tqdm is imported only when a bar is shown.
"""
from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, BinaryIO, Iterator, TextIO

COPY_BUFFER = 1 << 20


class _NoBar:
    """What ``progress`` yields when no bar is shown: ``update`` does nothing."""

    def update(self, n: float = 1) -> None:
        pass

    def set_description(self, desc: str) -> None:
        pass


def enabled(stream: TextIO | None = None) -> bool:
    """True if bars should be drawn on ``stream`` (default stderr)."""
    forced = os.environ.get("OMEGA_PROGRESS", "").strip().lower()
    if forced in ("0", "false", "no", "off"):
        return False
    if forced in ("1", "true", "yes", "on"):
        return True
    stream = stream or sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def progress(total: float | None = None, desc: str = "", unit: str = "B",
             stream: TextIO | None = None) -> Iterator[Any]:
    """A progress bar (``bar.update(n)``) on stderr if it is a terminal, else a bar that draws nothing.

    ``unit="B"`` shows bytes with KiB/MiB scaling; ``total=None`` shows a count
    and rate without a percentage. The bar is removed when the block ends.
    """
    if not enabled(stream):
        yield _NoBar()
        return
    from tqdm import tqdm

    stream = stream or sys.stderr
    scaled = unit == "B"
    columns, lines = _size(stream)
    with tqdm(total=total, desc=desc, unit=unit, unit_scale=scaled, unit_divisor=1024 if scaled else 1000,
              file=stream, leave=False, ncols=columns, nrows=lines) as bar:
        yield bar


def _size(stream: TextIO) -> tuple[int, int]:
    """The terminal's columns and lines; 80x24 where it reports none (tqdm draws nothing on a 0x0 terminal)."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return 80, 24
    return size.columns or 80, size.lines or 24


class ReadProgress:
    """A binary file wrapper that advances ``bar`` as it is read (pass it where a file object is accepted)."""

    def __init__(self, fh: BinaryIO, bar: Any) -> None:
        self._fh, self._bar = fh, bar
        self.name = getattr(fh, "name", None)

    def read(self, size: int = -1) -> bytes:
        chunk = self._fh.read(size)
        self._bar.update(len(chunk))
        return chunk

    def readable(self) -> bool:
        return True


def copy_stream(src: BinaryIO, dst: BinaryIO, total: int | None = None, desc: str = "") -> int:
    """Copy ``src`` into ``dst`` in 1 MB chunks with a progress bar; returns the bytes copied."""
    copied = 0
    with progress(total=total, desc=desc) as bar:
        while chunk := src.read(COPY_BUFFER):
            dst.write(chunk)
            copied += len(chunk)
            bar.update(len(chunk))
    return copied


__all__ = ["progress", "enabled", "ReadProgress", "copy_stream"]
