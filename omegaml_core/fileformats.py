"""File formats the ``om`` command reads on ``put`` and writes on ``get --format``.

The kernel knows only JSON documents; plugins add formats from their
``omegaml.cli`` entry point (``cli.add_file_format(FileFormat(...))``), so the
kernel never imports pandas and does not depend on any plugin. omegaml-pandas
adds csv, parquet, json and xlsx for DataFrames. A format's ``read`` and
``write`` import what they need only when called.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable


@dataclass(frozen=True)
class FileFormat:
    """One file format: how to read a local file into an object, and how to write objects.

    ``read(path) -> object`` (None: this format is not read on put);
    ``write(obj, fh)`` writes to a binary file; ``handles(obj)`` says whether
    ``write`` can write this object; ``binary`` formats are not printed to a terminal.
    """

    name: str
    suffixes: tuple[str, ...]
    read: Callable[[str], Any] | None = None
    write: Callable[[Any, BinaryIO], None] | None = None
    handles: Callable[[Any], bool] = field(default=lambda obj: False)
    binary: bool = False
    provider: str = "omegaml-core"


class FileFormats:
    """The formats known to this ``om`` call; later registrations are tried first."""

    def __init__(self) -> None:
        self._formats: list[FileFormat] = []

    def add(self, fmt: FileFormat) -> None:
        self._formats.insert(0, fmt)

    def names(self) -> list[str]:
        return sorted({f.name for f in self._formats if f.write})

    def reader(self, path: str) -> FileFormat | None:
        """The format that reads ``path`` by its suffix, or None (the file is stored as it is)."""
        suffix = Path(path).suffix.lower()
        return next((f for f in self._formats if f.read and suffix in f.suffixes), None)

    def by_suffix(self, path: str) -> str | None:
        """The name of a format written to files named like ``path``, or None."""
        suffix = Path(path).suffix.lower()
        return next((f.name for f in self._formats if f.write and suffix in f.suffixes), None)

    def writer(self, name: str, obj: Any) -> FileFormat:
        """The format ``name`` that can write ``obj``; ValueError saying which formats can, if none."""
        for fmt in self._formats:
            if fmt.name == name and fmt.write and fmt.handles(obj):
                return fmt
        able = sorted({f.name for f in self._formats if f.write and f.handles(obj)})
        what = f"{type(obj).__module__}.{type(obj).__qualname__}".removeprefix("builtins.")
        raise ValueError(f"cannot write a {what} as {name}; "
                         + (f"formats for it: {', '.join(able)}" if able else "no installed plugin writes it"))


def _write_json(obj: Any, fh: BinaryIO) -> None:
    import json

    fh.write(json.dumps(obj, ensure_ascii=False, indent=2).encode() + b"\n")


#: The kernel's own: JSON documents (what ``python.data`` stores).
JSON_DOCUMENTS = FileFormat("json", (".json",), write=_write_json, handles=lambda obj: isinstance(obj, (dict, list)))


def builtin_formats() -> FileFormats:
    formats = FileFormats()
    formats.add(JSON_DOCUMENTS)
    return formats
