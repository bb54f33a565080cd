"""Object names: what users may use, and how they map to storage names.

A user's name is free text within these rules (``MAX_NAME_LENGTH`` characters,
no control characters, no ``[`` or ``]``, which are the projection syntax,
and no path traversal). Storage names are derived, never typed: short ASCII
identifiers that every engine accepts (MongoDB namespace limits, SQLite table
names without dots), unique per write so that a new version never overwrites
the bytes of the version readers may still be using.
"""
from __future__ import annotations

import re
import secrets
import time
import unicodedata

from .errors import InvalidNameError

MAX_NAME_LENGTH = 512
MAX_BUCKET_LENGTH = 64
_BUCKET_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_PROJECTION_RE = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<columns>[^\[\]]*)\]$")


def validate_name(name: object, what: str = "object") -> str:
    """Return ``name`` if it is a valid object name, else raise InvalidNameError."""
    if not isinstance(name, str):
        raise InvalidNameError(f"{what} name must be a str, got {type(name).__name__}: {name!r}")
    if not name or not name.strip():
        raise InvalidNameError(f"{what} name must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidNameError(
            f"{what} name is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}. Use a shorter name."
        )
    bad = [c for c in name if unicodedata.category(c) in ("Cc", "Cs")]
    if bad:
        raise InvalidNameError(
            f"{what} name {name!r} contains control character(s) {''.join(bad)!r}; remove them"
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


def validate_bucket(bucket: object) -> str:
    """Return ``bucket`` if it is a valid bucket name, else raise InvalidNameError."""
    if not isinstance(bucket, str) or not _BUCKET_RE.match(bucket) or len(bucket) > MAX_BUCKET_LENGTH:
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
