"""Metadata: the record every stored object has, and the only source of truth
for where its bytes live."""
from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Any


def utcnow() -> datetime:
    """Now, in UTC, at millisecond precision (what every engine stores exactly)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def new_revision() -> str:
    """A fresh revision token; each committed write gets one."""
    return secrets.token_hex(8)


@dataclass
class Metadata:
    """What omegaml knows about one stored object.

    ``blobs`` and ``collections`` list every storage location the object owns;
    the store frees exactly these when the object is replaced or dropped, so a
    backend that records its locations here never leaves orphans. ``uri`` is
    for objects whose bytes live elsewhere (a SQL database, say).
    ``checksums`` and ``signatures`` map blob names to ``algo:hexdigest``
    (see ``omegaml_core.integrity``) and ``sizes`` to their length in bytes;
    they travel with the blobs they describe.
    """

    name: str
    bucket: str
    prefix: str
    kind: str
    kind_meta: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    created: datetime = field(default_factory=utcnow)
    modified: datetime = field(default_factory=utcnow)
    blobs: list[str] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    uri: str | None = None
    rev: str = field(default_factory=new_revision)
    checksums: dict[str, str] = field(default_factory=dict)
    signatures: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)

    def to_doc(self) -> dict[str, Any]:
        """The document stored in the metadata collection."""
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> "Metadata":
        """Build Metadata from a stored document, ignoring engine fields like ``_id``."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in known})

    def keep_blob_digests(self, source: "Metadata | None" = None) -> None:
        """Keep exactly the checksums, signatures and sizes of ``self.blobs`` (taken from ``source`` if given)."""
        source = source or self
        self.checksums = {b: source.checksums[b] for b in self.blobs if b in source.checksums}
        self.signatures = {b: source.signatures[b] for b in self.blobs if b in source.signatures}
        self.sizes = {b: source.sizes[b] for b in self.blobs if b in source.sizes}

    @property
    def size(self) -> int | None:
        """The bytes of this object's blobs, or None if a blob's size is not recorded (written before sizes
        were, or stored in collections or elsewhere)."""
        if not self.blobs or any(b not in self.sizes for b in self.blobs):
            return None
        return sum(self.sizes[b] for b in self.blobs)

    def locations(self) -> set[tuple[str, str]]:
        """Every storage location this object owns, as ``(type, name)`` pairs."""
        return {("blob", b) for b in self.blobs} | {("collection", c) for c in self.collections}

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.bucket, self.prefix, self.name)

    def __repr__(self) -> str:
        where = []
        if self.blobs:
            where.append(f"blobs={len(self.blobs)}")
        if self.collections:
            where.append(f"collections={self.collections!r}")
        if self.uri:
            where.append(f"uri={self.uri!r}")
        parts = [
            f"name={self.name!r}",
            f"bucket={self.bucket!r}",
            f"prefix={self.prefix!r}",
            f"kind={self.kind!r}",
            *where,
            f"attributes={self.attributes!r}",
            f"created={self.created:%Y-%m-%d %H:%M:%S}",
            f"modified={self.modified:%Y-%m-%d %H:%M:%S}",
        ]
        return f"Metadata({', '.join(parts)})"
