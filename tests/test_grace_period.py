"""Replaced and dropped versions stay readable for a grace period, so readers never fail mid-read."""
import pytest

from omegaml_core.engines.base import grace_seconds
from omegaml_core.errors import ConfigurationError


@pytest.fixture
def graceful(omega, monkeypatch):
    monkeypatch.setenv("OMEGA_GRACE_SECONDS", "600")
    return omega


def test_a_reader_of_a_replaced_version_reads_it_to_the_end(graceful):
    store = graceful.datasets
    store.put({"version": 1}, "doc")
    meta = store.metadata("doc")  # a reader read the Metadata ...
    store.put({"version": 2}, "doc")  # ... then a writer replaced the object
    assert store.backend(meta.kind).bind(meta).get("doc", meta) == {"version": 1}
    assert store.get("doc") == {"version": 2}


def test_an_open_file_stream_survives_a_replace_and_a_drop(graceful):
    store = graceful.datasets
    store.put(b"1" * 2_000_000, "file")
    with store.get("file") as fh:
        head = fh.read(1000)
        store.put(b"2" * 2_000_000, "file")
        store.drop("file")
        rest = fh.read()
    assert head + rest == b"1" * 2_000_000


def test_replaced_storage_is_freed_only_after_the_grace_period(graceful, monkeypatch):
    first = graceful.datasets.put([1], "doc")
    graceful.datasets.put([2], "doc")
    assert first.blobs[0] in graceful.engine.list_blobs()
    assert graceful.engine.orphans() == set()  # waiting, not lost
    assert graceful.engine.collect_garbage(min_age_seconds=0) == []  # om gc respects the grace period
    assert graceful.engine.free_retired(grace=0) == first.blobs
    assert first.blobs[0] not in graceful.engine.list_blobs()


def test_dropped_storage_waits_for_the_grace_period_too(graceful):
    meta = graceful.datasets.put([1], "doc")
    graceful.datasets.drop("doc")
    assert graceful.engine.list_blobs() == meta.blobs
    graceful.engine.free_retired(grace=0)
    assert graceful.engine.list_blobs() == []


def test_storage_still_owned_by_another_object_is_never_freed(graceful):
    meta = graceful.models.put({"w": 1}, "m")  # version 1 shares the blob
    graceful.models.put({"w": 2}, "m")
    graceful.engine.free_retired(grace=0)
    assert meta.blobs[0] in graceful.engine.list_blobs()
    assert graceful.models.get("m@1") == {"w": 1}


def test_later_puts_free_what_is_past_the_grace_period(omega, monkeypatch):
    monkeypatch.setenv("OMEGA_GRACE_SECONDS", "0")
    first = omega.datasets.put([1], "doc")
    omega.datasets.put([2], "doc")
    assert first.blobs[0] not in omega.engine.list_blobs()


@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_a_bad_grace_period_is_a_configuration_error(monkeypatch, value):
    monkeypatch.setenv("OMEGA_GRACE_SECONDS", value)
    with pytest.raises(ConfigurationError, match="OMEGA_GRACE_SECONDS"):
        grace_seconds()


def test_the_default_grace_period_is_ten_minutes(monkeypatch):
    monkeypatch.delenv("OMEGA_GRACE_SECONDS", raising=False)
    assert grace_seconds() == 600
