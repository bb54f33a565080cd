"""Object names: what users may use, and how they map to storage names.

A user's name is free text within these rules (``MAX_NAME_LENGTH`` characters,
no control characters, no ``[`` or ``]``, which are the projection syntax,
and no path traversal). Names are compared in Unicode NFC, so the composed and
decomposed spellings of ``café`` are one name. A name being written must also
pass ``validate_new_name``: no invisible or bidirectional characters, no ``@``
in its last part (the version syntax ``clf@2``) and no internal folder. Reads
stay lenient, so objects stored before these rules remain readable and
droppable. Storage names are derived, never typed: short ASCII
identifiers that every engine accepts (MongoDB namespace limits, SQLite table
names without dots), unique per write so that a new version never overwrites
the bytes of the version readers may still be using.
"""
from __future__ import annotations

import re
import secrets
import time
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from .errors import InvalidNameError

MAX_NAME_LENGTH = 512
MAX_BUCKET_LENGTH = 64
_BUCKET_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_PROJECTION_RE = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<columns>[^\[\]]*)\]$")

VERSIONS_FOLDER = ".versions"  # model versions (omegaml_core.versioning)
TEMP_FOLDER = ".tmp"           # the runtime's temporary datasets
RESERVED_FOLDERS = (VERSIONS_FOLDER, TEMP_FOLDER)
VERSION_MARK = "@"
# invisible, bidirectional and control characters: a name holding one looks like another name
INVISIBLE_CATEGORIES = {"Cc": "control", "Cf": "format", "Cs": "surrogate", "Zl": "line separator",
                        "Zp": "paragraph separator"}

_internal = ContextVar("omegaml_internal_names", default=False)


def validate_name(name: object, what: str = "object") -> str:
    """``name`` in Unicode NFC if it is a valid object name to look up, else raise InvalidNameError."""
    if not isinstance(name, str):
        raise InvalidNameError(f"{what} name must be a str, got {type(name).__name__}: {name!r}")
    name = unicodedata.normalize("NFC", name)
    if not name or not name.strip():
        raise InvalidNameError(f"{what} name must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidNameError(
            f"{what} name is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}. Use a shorter name."
        )
    bad = [c for c in dict.fromkeys(name) if unicodedata.category(c) in ("Cc", "Cs")]
    if bad:
        raise InvalidNameError(
            f"{what} name {name!r} contains control character(s) {', '.join(map(describe_character, bad))}; "
            "remove them"
        )
    if "[" in name or "]" in name:
        raise InvalidNameError(
            f"{what} name {name!r} contains '[' or ']', which select columns (name[col1,col2]); remove them"
        )
    if name.startswith(("/", "\\")) or "\\" in name:
        raise InvalidNameError(f"{what} name {name!r} must be relative and use '/' as separator")
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise InvalidNameError(
            f"{what} name {name!r} has an empty, '.' or '..' path segment; path traversal is not allowed"
        )
    return name


def validate_new_name(name: object, what: str = "object") -> str:
    """``name`` in NFC if an object may be written under it, else raise InvalidNameError.

    On top of ``validate_name``: no invisible or bidirectional characters
    (Unicode categories Cc, Cf, Cs, Zl, Zp), no ``@`` in the last part of the
    name (``clf@2`` and ``clf@latest`` name model versions) and no folder in
    ``RESERVED_FOLDERS``, which only the kernel and plugins write, inside
    ``internal_names()``.
    """
    name = validate_name(name, what)
    invisible = [c for c in dict.fromkeys(name) if unicodedata.category(c) in INVISIBLE_CATEGORIES]
    if invisible:
        raise InvalidNameError(f"{what} name {name!r} contains the invisible character(s) "
                               f"{', '.join(describe_character(c) for c in invisible)}; remove them")
    if VERSION_MARK in name.rsplit("/", 1)[-1]:
        raise InvalidNameError(f"{what} name {name!r} has '@' in its last part, which is reserved for versions "
                               f"(name@2, name@latest); use another character, e.g. "
                               f"{name.replace(VERSION_MARK, '-')!r}")
    folder = name.split("/", 1)[0]
    if folder in RESERVED_FOLDERS and not _internal.get():
        raise InvalidNameError(f"{what} name {name!r} is in the folder {folder!r}, which omegaml uses internally; "
                               "choose another name")
    return name


def describe_character(c: str) -> str:
    """``'U+200B ZERO WIDTH SPACE'``; characters without a name get their category (``<control>``)."""
    fallback = f"<{INVISIBLE_CATEGORIES.get(unicodedata.category(c), unicodedata.category(c))}>"
    return f"U+{ord(c):04X} {unicodedata.name(c, fallback)}"


@contextmanager
def internal_names() -> Iterator[None]:
    """Let the kernel and plugins write names in ``RESERVED_FOLDERS`` within this block (users cannot)."""
    token = _internal.set(True)
    try:
        yield
    finally:
        _internal.reset(token)


def validate_bucket(bucket: object) -> str:
    """Return ``bucket`` if it is a valid bucket name, else raise InvalidNameError."""
    if not isinstance(bucket, str) or not _BUCKET_RE.fullmatch(bucket) or len(bucket) > MAX_BUCKET_LENGTH:
        raise InvalidNameError(
            f"bucket name {bucket!r} is invalid: use 1-{MAX_BUCKET_LENGTH} letters, digits, '_' or '-'"
        )
    return bucket


def split_projection(name: str) -> tuple[str, list[str] | None]:
    """Split ``'sales[a,b]'`` into ``('sales', ['a', 'b'])``; plain names give ``(name, None)``."""
    if isinstance(name, str) and name.endswith("]"):
        match = _PROJECTION_RE.match(name)
        if not match:
            raise InvalidNameError(f"cannot parse column selection in {name!r}; use name[col1,col2]")
        columns = [c.strip() for c in match["columns"].split(",") if c.strip()]
        if not columns:
            raise InvalidNameError(f"empty column selection in {name!r}; use name[col1,col2]")
        return match["name"], columns
    return name, None


def storage_name(bucket: str, prefix: str, name: str, kind: str = "obj") -> str:
    """A fresh storage name for one write of ``name``: ASCII, at most 63 characters.

    The readable part (kind and the start of the name) helps a human browsing
    the database; the token is the creation second (so garbage collection can
    tell how old an unowned location is) and 128 random bits, so that two
    writes never pick the same location (engines also create it exclusively).
    """
    slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")[:8].strip("_") or "x"
    kind_slug = re.sub(r"[^A-Za-z0-9]+", "_", kind)[:10]
    return f"om_{kind_slug}_{slug}_{int(time.time()):08x}{random_token()}"


def random_token() -> str:
    """The random part of a storage name: 128 bits as 32 hex digits."""
    return secrets.token_hex(16)


# the old form had 16 random bits (4 hex digits); names made by it still age the same way
_TOKEN = re.compile(r"_(?P<created>[0-9a-f]{8})(?:[0-9a-f]{32}|[0-9a-f]{4})$")


def storage_name_age(storage: str, now: float | None = None) -> float | None:
    """Seconds since ``storage_name`` made ``storage``, or None for a name it did not make."""
    match = _TOKEN.search(storage)
    if match is None:
        return None
    return (time.time() if now is None else now) - int(match["created"], 16)
