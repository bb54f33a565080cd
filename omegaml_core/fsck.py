"""Checking a store: every Metadata's locations exist and its blobs match their checksums.

``check`` walks the metadata of one bucket (or all), verifies each blob once
(blobs are shared by model versions and promoted copies), and reports what it
found as ``Finding``s: ``missing`` and ``damaged`` locations, ``unsigned``
blobs when ``OMEGA_STORE_KEY`` is set, ``unchecked`` blobs written before
checksums existed, and ``orphan`` locations no Metadata owns. ``repair=True``
records checksums for unchecked blobs and collects garbage; ``sign=True``
signs every blob that passed its check (and unchecked ones, which the person
signing vouches for) with the first store key.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from . import integrity
from .errors import ConcurrentWriteError, ConfigurationError, IntegrityError
from .metadata import Metadata, new_revision
from .names import storage_name_age

#: Findings of these kinds make ``om fsck`` exit non-zero.
PROBLEMS = ("missing", "damaged", "unsigned", "orphan", "conflict")


@dataclass
class Finding:
    """One thing ``check`` found: ``kind`` (see PROBLEMS; else informational), where, and what it means."""

    kind: str
    location: str
    message: str
    object: str | None = None

    @property
    def is_problem(self) -> bool:
        return self.kind in PROBLEMS

    def __str__(self) -> str:
        where = f"{self.object}: " if self.object else ""
        return f"{self.kind:9} {where}{self.location}: {self.message}"


def _label(meta: Metadata) -> str:
    return f"{meta.bucket}/{meta.prefix}{meta.name}"


class _BlobChecker:
    """Verifies each blob once per expected value (versions share blobs)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.present = set(engine.list_blobs())
        self.results: dict[tuple[str, str | None, str | None], Finding | None] = {}

    def check(self, meta: Metadata, blob: str) -> Finding | None:
        key = (blob, meta.checksums.get(blob), meta.signatures.get(blob))
        if key not in self.results:
            self.results[key] = self._check(meta, blob)
        finding = self.results[key]
        if finding is not None and finding.object is None:
            finding = Finding(finding.kind, finding.location, finding.message, _label(meta))
        return finding

    def _check(self, meta: Metadata, blob: str) -> Finding | None:
        if blob not in self.present:
            return Finding("missing", blob, "blob does not exist; the object cannot be read. Drop it, or put it "
                           "again (models: an older version 'name@N' may still be intact)")
        try:
            expect = integrity.expectation(meta, blob, allow_unsigned=True)
        except IntegrityError as exc:
            return Finding("damaged", blob, str(exc))
        if expect is None:
            if integrity.store_keys():
                return Finding("unsigned", blob, "no checksum and no signature (written before checksums existed); "
                               "check the object, then sign it with `om fsck --sign`")
            return Finding("unchecked", blob, "no checksum (written before checksums existed); "
                           "`om fsck --repair` records one")
        digest = expect.new_hash()
        with self.engine.blob_reader(blob) as stream:
            integrity.hash_stream(stream, digest)
        try:
            expect.check(digest)
        except IntegrityError as exc:
            return Finding("damaged", blob, str(exc).split(": ", 1)[-1])
        if expect.kind == "checksum" and integrity.store_keys():
            return Finding("unsigned", blob, "checksum matches but the blob is not signed; `om fsck --sign` signs it")
        return None


def check(engine: Any, bucket: str | None = None, repair: bool = False, sign: bool = False,
          min_age_seconds: float = 3600, progress: Callable[[int, int], None] | None = None) -> list[Finding]:
    """Check (and with ``repair``/``sign``, fix what can be fixed in) the store on ``engine``.

    Damaged and missing blobs cannot be repaired here: they are reported with
    what to do. Orphans are reported for the whole engine when ``bucket`` is
    None; those younger than ``min_age_seconds`` may be writes in flight and
    are reported as ``young-orphan`` (not a problem).
    """
    keys = integrity.store_keys()
    if sign and not keys:
        raise ConfigurationError("om fsck --sign needs OMEGA_STORE_KEY (the key to sign with) in the environment")
    docs = list(engine.meta_find({"bucket": bucket} if bucket else {}))
    blobs = _BlobChecker(engine)
    collections = set(engine.list_collections())
    findings: list[Finding] = []
    for done, doc in enumerate(docs, 1):
        meta = Metadata.from_doc(doc)
        for coll in meta.collections:
            if coll not in collections:
                findings.append(Finding("missing", coll, "collection does not exist; drop the object or put it again",
                                        _label(meta)))
        own = {blob: blobs.check(meta, blob) for blob in meta.blobs}
        fix = ("unchecked", "unsigned") if sign else ("unchecked",) if repair else ()
        todo = [b for b, f in own.items() if f is not None and f.kind in fix]
        if todo and all(f is None or f.kind in ("unchecked", "unsigned") for f in own.values()):
            fixed = _reseal(engine, meta, todo, keys if sign else [])
            if fixed[0].kind != "conflict":
                own.update({b: f for b, f in zip(todo, fixed)})
            else:
                findings += fixed
        findings += [f for f in own.values() if f is not None]
        if progress:
            progress(done, len(docs))
    if bucket is None:
        if repair:
            for name in engine.collect_garbage(min_age_seconds):
                findings.append(Finding("removed", name, "unowned leftover removed"))
        for what, name in sorted(engine.orphans()):
            age = storage_name_age(name)
            young = age is not None and age < min_age_seconds
            findings.append(Finding("young-orphan" if young else "orphan", name,
                                    f"{what} owned by no object" + (" (may be a write in flight)" if young else
                                                                    "; `om gc` (or `om fsck --repair`) removes it")))
    return findings


def _reseal(engine: Any, meta: Metadata, blobs: list[str], keys: list[bytes]) -> list[Finding]:
    """Record fresh checksums (and signatures with ``keys``) for ``blobs`` of ``meta``, atomically."""
    if not blobs:
        return []
    for blob in blobs:
        seal = integrity.Seal(keys)
        with engine.blob_reader(blob) as stream:
            integrity.hash_stream(stream, seal)
        seal.record(meta, blob)
    doc = meta.to_doc()
    expected = doc["rev"]
    doc["rev"] = new_revision()
    try:
        engine.meta_commit(doc, expected)
    except ConcurrentWriteError:
        return [Finding("conflict", ", ".join(blobs), "the object changed while it was checked; run om fsck again",
                        _label(meta))]
    done = "signed" if keys else "checksummed"
    return [Finding(done, blob, f"{done} now", _label(meta)) for blob in blobs]
