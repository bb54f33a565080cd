"""The backend contract: tests every backend must pass, on every storage engine.

Subclass ``BackendContract`` in your plugin's tests::

    from omegaml_core.testing import BackendContract

    class TestMyKind(BackendContract):
        kind = "myplugin.thing"
        store = "datasets"                 # or "models", "jobs", "scripts"

        def samples(self):
            return [Thing(1), Thing(2)]    # at least two different objects

        def assert_same(self, expected, actual):
            assert expected == actual

The ``omega`` fixture (from the omegaml pytest plugin) runs every test on the
embedded engine and on MongoDB over the wire.
"""
from __future__ import annotations

import os
import random
import signal
import time
from typing import Any

import pytest

from ..errors import IntegrityError, InvalidNameError, ObjectNotFound
from ..names import MAX_NAME_LENGTH
from .tampering import flip_byte, truncate

BAD_NAMES = ["", "   ", "../escape", "a/../../b", "/abs", "a\x00b", "tab\there", "x" * (MAX_NAME_LENGTH + 1),
             "back\\slash", "a//b", "with[brackets]", "looks\u200blike", "clf@1", ".versions/clf/v1"]
GOOD_NAMES = ["plain", "folder/sub/name", "ünïcødé-名前", "n" * MAX_NAME_LENGTH, "dots.and $dollars and spaces"]


class BackendContract:
    """Contract tests for one backend kind. Override ``kind``, ``store``, ``samples``, ``assert_same``."""

    kind: str = ""
    store: str = "datasets"
    #: Set False for a kind that is only used with ``kind=...`` (never chosen automatically).
    auto_selected: bool = True
    #: How often ``test_killed_writers_leave_a_written_version_intact`` kills a writer.
    kills: int = 30

    def samples(self) -> list[Any]:
        raise NotImplementedError("return at least two different sample objects")

    def assert_same(self, expected: Any, actual: Any) -> None:
        assert expected == actual

    def put(self, store: Any, obj: Any, name: str, **kwargs: Any) -> Any:
        """How the contract puts objects; override to pass plugin-specific options."""
        return store.put(obj, name, kind=None if self.auto_selected else self.kind, **kwargs)

    def get(self, store: Any, name: str) -> Any:
        """How the contract reads objects back; override to e.g. read a stream."""
        return store.get(name)

    # --- helpers --------------------------------------------------------------
    def _store(self, omega: Any) -> Any:
        return getattr(omega, self.store)

    @staticmethod
    def storage_snapshot(omega: Any) -> tuple[list[str], list[str]]:
        return omega.engine.list_blobs(), omega.engine.list_collections()

    # --- the contract -----------------------------------------------------------
    def test_put_chooses_this_kind(self, omega: Any) -> None:
        for i, obj in enumerate(self.samples()):
            assert self.put(self._store(omega), obj, f"kind{i}").kind == self.kind

    def test_round_trip(self, omega: Any) -> None:
        store = self._store(omega)
        for i, obj in enumerate(self.samples()):
            self.put(store, obj, f"obj{i}")
            self.assert_same(obj, self.get(store, f"obj{i}"))

    def test_metadata_and_listing(self, omega: Any) -> None:
        store = self._store(omega)
        meta = self.put(store, self.samples()[0], "listed", attributes={"owner": "contract"})
        assert (meta.name, meta.kind, meta.bucket, meta.prefix) == ("listed", self.kind, omega.bucket, store.prefix)
        assert meta.attributes["owner"] == "contract"
        assert store.exists("listed") and "listed" in store.list() and store.list("list*") == ["listed"]
        assert store.metadata("listed").rev == meta.rev

    def test_kind_meta_is_json(self, omega: Any) -> None:
        import json

        for i, obj in enumerate(self.samples()):
            kind_meta = self.put(self._store(omega), obj, f"json{i}").kind_meta
            assert json.loads(json.dumps(kind_meta, allow_nan=False)) == kind_meta, "kind_meta must be plain JSON"

    def test_put_replaces_without_leftovers(self, omega: Any) -> None:
        store = self._store(omega)
        first, second = self.samples()[:2]
        self.put(store, first, "replaced")
        self.put(store, second, "replaced")
        self.assert_same(second, self.get(store, "replaced"))
        assert store.list("replaced") == ["replaced"]
        assert omega.engine.orphans() == set()

    def test_drop_leaves_nothing_behind(self, omega: Any) -> None:
        store = self._store(omega)
        before = self.storage_snapshot(omega)
        self.put(store, self.samples()[0], "dropped")
        assert store.drop("dropped") is True
        assert not store.exists("dropped")
        assert self.storage_snapshot(omega) == before
        with pytest.raises(ObjectNotFound):
            store.drop("dropped")
        assert store.drop("dropped", force=True) is False

    def test_promote_to_another_bucket(self, omega: Any) -> None:
        store, prod = self._store(omega), self._store(omega["prod" + omega.bucket[:20]])
        obj = self.samples()[0]
        self.put(store, obj, "promoted")
        meta = store.promote("promoted", prod)
        assert meta.bucket != omega.bucket and meta.kind == self.kind
        self.assert_same(obj, self.get(prod, "promoted"))
        store.drop("promoted")
        self.assert_same(obj, self.get(prod, "promoted"))  # the copy does not depend on the source
        prod.drop("promoted")
        assert omega.engine.orphans() == set()

    def test_promote_to_another_context(self, omega: Any, tmp_path: Any) -> None:
        from ..config import Config
        from ..omega import Omega

        other = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'other.db'}"), bucket=omega.bucket)
        store, target = self._store(omega), self._store(other)
        obj = self.samples()[0]
        self.put(store, obj, "crossing")
        self.put(store, self.samples()[1], "crossing")  # promotion copies the current version
        target_meta = store.promote("crossing", target)
        store.drop("crossing")
        self.assert_same(self.samples()[1], self.get(target, "crossing"))
        assert target_meta.kind == self.kind and other.engine.orphans() == set()

    def test_promote_under_another_name(self, omega: Any) -> None:
        store, prod = self._store(omega), self._store(omega["prod" + omega.bucket[:20]])
        obj = self.samples()[0]
        self.put(store, obj, "original")
        meta = store.promote("original", prod, asname="renamed")
        assert meta.name == "renamed" and not prod.exists("original")
        self.assert_same(obj, self.get(prod, "renamed"))
        prod.drop("renamed")

    def test_promote_onto_itself_is_refused(self, omega: Any) -> None:
        store = self._store(omega)
        self.put(store, self.samples()[0], "itself")
        with pytest.raises(ValueError, match="onto itself"):
            store.promote("itself", store)

    def test_unknown_keyword_is_refused_by_put_and_nothing_is_written(self, omega: Any) -> None:
        store = self._store(omega)
        before = self.storage_snapshot(omega)
        with pytest.raises(TypeError, match="bogus_option.*accepted"):
            self.put(store, self.samples()[0], "typo", bogus_option=1)
        assert not store.exists("typo") and self.storage_snapshot(omega) == before

    def test_unknown_keyword_is_refused_by_get_and_promote(self, omega: Any) -> None:
        store, prod = self._store(omega), self._store(omega["prod" + omega.bucket[:20]])
        self.put(store, self.samples()[0], "typo")
        with pytest.raises(TypeError, match="bogus_option.*accepted"):
            store.get("typo", bogus_option=1)
        with pytest.raises(TypeError, match="bogus_option.*accepted"):
            store.promote("typo", prod, bogus_option=1)
        assert not prod.exists("typo")

    @pytest.mark.parametrize("bad", BAD_NAMES, ids=repr)
    def test_bad_names_are_refused_and_nothing_is_written(self, omega: Any, bad: str) -> None:
        store = self._store(omega)
        before = self.storage_snapshot(omega)
        with pytest.raises(InvalidNameError):
            self.put(store, self.samples()[0], bad)
        assert store.list(hidden=True) == [] and self.storage_snapshot(omega) == before

    @pytest.mark.parametrize("good", GOOD_NAMES, ids=lambda n: repr(n[:30]))
    def test_long_unicode_and_odd_names_work(self, omega: Any, good: str) -> None:
        store = self._store(omega)
        obj = self.samples()[0]
        self.put(store, obj, good)
        self.assert_same(obj, self.get(store, good))
        assert good in store.list()

    def test_failed_put_keeps_previous_version(self, omega: Any, monkeypatch: Any) -> None:
        store = self._store(omega)
        first, second = self.samples()[:2]
        self.put(store, first, "survivor")
        before = self.storage_snapshot(omega)
        backend_cls = type(store.backend(self.kind))
        original = backend_cls.put

        def put_then_crash(self_: Any, *args: Any, **kwargs: Any) -> Any:
            original(self_, *args, **kwargs)
            raise RuntimeError("simulated crash after writing")

        monkeypatch.setattr(backend_cls, "put", put_then_crash)
        with pytest.raises(RuntimeError, match="simulated crash"):
            self.put(store, second, "survivor")
        monkeypatch.undo()
        self.assert_same(first, self.get(store, "survivor"))
        assert self.storage_snapshot(omega) == before

    # --- integrity ------------------------------------------------------------
    def _damaged(self, omega: Any, damage: Any) -> None:
        store = self._store(omega)
        meta = self.put(store, self.samples()[0], "damaged")
        if not meta.blobs:
            pytest.skip(f"{self.kind} stores no blobs")
        damage(omega.engine, meta.blobs[0])
        with pytest.raises(IntegrityError, match="does not match"):
            self.get(store, "damaged")

    def test_a_flipped_byte_raises_integrity_error(self, omega: Any) -> None:
        self._damaged(omega, flip_byte)

    def test_a_truncated_blob_raises_integrity_error(self, omega: Any) -> None:
        self._damaged(omega, truncate)

    def test_killed_writers_leave_a_written_version_intact(self, omega: Any) -> None:
        """A writer killed (SIGKILL) at a random point leaves a readable version and nothing fsck objects to."""
        from ..fsck import check

        store, samples = self._store(omega), self.samples()[:2]
        self.put(store, samples[0], "killed")
        started = time.perf_counter()
        self.put(store, samples[1], "killed")
        duration = time.perf_counter() - started
        for _ in range(self.kills):
            pid = os.fork()
            if pid == 0:  # the child writes until it is killed
                try:
                    for i in range(1000):
                        self.put(store, samples[i % 2], "killed")
                finally:
                    os._exit(0)
            time.sleep(random.uniform(0, duration * 2))
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        current = self.get(store, "killed")
        try:
            self.assert_same(samples[0], current)
        except AssertionError:
            self.assert_same(samples[1], current)
        omega.engine.collect_garbage(min_age_seconds=0)
        assert [str(f) for f in check(omega.engine) if f.is_problem] == []
