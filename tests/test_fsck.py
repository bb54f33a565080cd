"""`om fsck` finds missing, damaged, unchecked and unowned storage, through the real `om` command."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from omegaml_core.testing.tampering import flip_byte

KEY = "k" * 32
OM = str(Path(sys.executable).with_name("om"))


def om(omega, *args, key=None):
    env = {**os.environ, "OMEGA_MONGO_URL": omega.config.storage_url}
    env.pop("OMEGA_STORE_KEY", None)
    if key:
        env["OMEGA_STORE_KEY"] = key
    return subprocess.run([OM, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def store(omega):
    """The default bucket of the test's storage (what `om` uses)."""
    return omega["omega"]


def test_a_clean_store_passes(omega, store):
    store.datasets.put({"a": 1}, "doc")
    store.models.put({"w": 1}, "m")
    result = om(omega, "fsck")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("no problems found") and result.stderr == ""


def test_a_damaged_blob_is_reported_with_its_object_and_fails(omega, store):
    meta = store.datasets.put(b"abc" * 100, "file")
    flip_byte(omega.engine, meta.blobs[0])
    result = om(omega, "fsck")
    assert result.returncode == 1
    assert f"damaged   omega/data/file: {meta.blobs[0]}" in result.stdout


def test_a_missing_blob_is_reported_and_fails(omega, store):
    meta = store.datasets.put([1], "gone")
    omega.engine.blob_delete(meta.blobs[0])
    result = om(omega, "fsck")
    assert result.returncode == 1 and "missing   omega/data/gone" in result.stdout


def test_unowned_storage_is_an_orphan_and_om_gc_removes_it(omega):
    with omega.engine.blob_writer("om_left_by_a_killed_writer") as fh:
        fh.write(b"x")
    result = om(omega, "fsck")
    assert result.returncode == 1 and "orphan    om_left_by_a_killed_writer" in result.stdout
    assert om(omega, "gc", "--min-age", "0").returncode == 0
    assert om(omega, "fsck").returncode == 0


def _strip_checksums(omega, store, name):
    meta = store.datasets.metadata(name)
    doc = meta.to_doc()
    doc["checksums"] = {}
    omega.engine.meta_commit(doc, meta.rev)


def test_objects_without_checksums_are_listed_and_repair_records_them(omega, store):
    store.datasets.put([1, 2], "old")
    _strip_checksums(omega, store, "old")
    result = om(omega, "fsck")
    assert result.returncode == 0 and "unchecked omega/data/old" in result.stdout
    assert "checksummed" in om(omega, "fsck", "--repair").stdout
    assert store.datasets.metadata("old").checksums
    assert "unchecked" not in om(omega, "fsck").stdout


def test_with_a_key_unsigned_objects_fail_until_fsck_signs_them(omega, store):
    store.datasets.put([1, 2], "doc")
    assert om(omega, "fsck", key=KEY).returncode == 1
    signed = om(omega, "fsck", "--sign", key=KEY)
    assert signed.returncode == 0 and "signed    omega/data/doc" in signed.stdout
    assert om(omega, "fsck", key=KEY).returncode == 0
    os.environ["OMEGA_STORE_KEY"] = KEY
    try:
        assert store.datasets.get("doc") == [1, 2]
    finally:
        del os.environ["OMEGA_STORE_KEY"]


def test_sign_does_not_sign_a_damaged_object(omega, store):
    meta = store.datasets.put([1, 2], "doc")
    flip_byte(omega.engine, meta.blobs[0])
    result = om(omega, "fsck", "--sign", key=KEY)
    assert result.returncode == 1 and "signed" not in result.stdout
    assert store.datasets.metadata("doc").signatures == {}


def test_sign_without_a_key_is_a_clear_error(omega):
    result = om(omega, "fsck", "--sign")
    assert result.returncode == 1 and "needs OMEGA_STORE_KEY" in result.stderr


def test_a_bucket_is_checked_alone(omega, store):
    meta = omega["other"].datasets.put([1], "broken")
    flip_byte(omega.engine, meta.blobs[0])
    store.datasets.put([1], "fine")
    assert om(omega, "fsck", "--bucket", "omega").returncode == 0
    assert om(omega, "fsck", "--bucket", "other").returncode == 1
