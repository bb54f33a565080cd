"""Storage locations never collide, blobs carry checksums and signatures, and damage is an error."""
import io

import pytest

from omegaml_core import integrity
from omegaml_core.errors import ConfigurationError, IntegrityError, LocationExistsError
from omegaml_core.names import storage_name, storage_name_age
from omegaml_core.testing.tampering import flip_byte

KEY = "k" * 32
OTHER_KEY = "o" * 32


def test_storage_names_carry_128_random_bits_and_their_creation_time():
    names = {storage_name("b", "data/", "x") for _ in range(100_000)}
    assert len(names) == 100_000
    assert all(0 <= storage_name_age(n) < 60 for n in list(names)[:10])


def test_thousands_of_blobs_written_in_a_burst_are_all_distinct_and_intact(omega, omega_engine):
    count = 2000 if omega_engine == "embedded" else 200  # the stand-in takes ~15 ms per GridFS file
    backend = omega.datasets.backend("python.data")
    meta = omega.datasets.draft("many", "python.data")
    for i in range(count):
        with backend.write_blob(meta) as (_, fh):
            fh.write(str(i).encode())
    assert len(set(meta.blobs)) == count
    backend.bind(meta)
    assert [int(backend.read_blob(b).read()) for b in meta.blobs] == list(range(count))


def test_a_second_writer_on_a_taken_blob_name_fails_and_leaves_the_first_untouched(omega, monkeypatch):
    monkeypatch.setattr("omegaml_core.backends.base.storage_name", lambda *args: "om_forced_same_name")
    omega.datasets.put([1, 2, 3], "first")
    with pytest.raises(LocationExistsError, match="om_forced_same_name"):
        omega.datasets.put([4, 5, 6], "second")
    assert omega.datasets.get("first") == [1, 2, 3]
    assert not omega.datasets.exists("second")
    assert omega.engine.list_blobs() == ["om_forced_same_name"]


def test_a_collection_is_created_exclusively(omega):
    omega.engine.create_collection("om_rows_taken").insert_one({"a": 1})
    with pytest.raises(LocationExistsError, match="om_rows_taken"):
        omega.engine.create_collection("om_rows_taken")
    assert [d["a"] for d in omega.engine.collection("om_rows_taken").find({})] == [1]


def test_every_blob_gets_a_checksum_in_its_metadata(omega):
    meta = omega.datasets.put({"a": 1}, "doc")
    assert list(meta.checksums) == meta.blobs
    assert meta.checksums[meta.blobs[0]].startswith("xxh3_128:") and meta.signatures == {}
    assert omega.datasets.metadata("doc").checksums == meta.checksums


def test_a_file_stream_raises_on_reaching_the_end_of_a_damaged_blob(omega):
    meta = omega.datasets.put(b"x" * 3_000_000, "file")
    flip_byte(omega.engine, meta.blobs[0])
    with omega.datasets.get("file") as fh:
        first = fh.read(1000)
        with pytest.raises(IntegrityError, match="file in bucket"):
            while fh.read(1 << 20):
                pass
    assert first == b"x" * 1000


def test_a_file_stream_read_out_of_order_is_still_verified_at_the_end(omega):
    meta = omega.datasets.put(b"abc" * 1000, "file")
    flip_byte(omega.engine, meta.blobs[0])
    with omega.datasets.get("file") as fh:
        fh.seek(2000)
        with pytest.raises(IntegrityError):
            fh.read()


def test_get_into_a_local_file_refuses_a_damaged_blob_and_leaves_no_file(omega, tmp_path):
    meta = omega.datasets.put(b"abc" * 1000, "file")
    flip_byte(omega.engine, meta.blobs[0])
    with pytest.raises(IntegrityError):
        omega.datasets.get("file", path=tmp_path / "out.bin")
    assert list(tmp_path.glob("*out.bin*")) == []


def test_objects_written_without_checksums_are_read_as_before(omega):
    meta = omega.datasets.put([1, 2], "old")
    doc = meta.to_doc()
    doc.pop("checksums")
    omega.engine.meta_commit(doc, meta.rev)
    assert omega.datasets.metadata("old").checksums == {}
    assert omega.datasets.get("old") == [1, 2]


def test_promotion_carries_checksums_within_an_engine_and_recomputes_them_across(omega, tmp_path):
    from omegaml_core.config import Config
    from omegaml_core.omega import Omega

    meta = omega.datasets.put({"a": 1}, "doc")
    assert omega.datasets.promote("doc", omega["prod"].datasets).checksums == meta.checksums
    other = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'other.db'}"))
    assert omega.datasets.promote("doc", other.datasets).checksums == meta.checksums
    flip_byte(omega.engine, meta.blobs[0])
    third = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'third.db'}"))  # a storage the blob was never copied to
    with pytest.raises(IntegrityError):
        omega.datasets.promote("doc", third.datasets)
    assert not third.datasets.exists("doc")


def test_a_blob_promoted_before_is_shared_by_the_next_promotion_to_that_storage(omega, tmp_path):
    from omegaml_core.config import Config
    from omegaml_core.omega import Omega

    meta = omega.models.put({"a": 1}, "m", kind="python.data")
    other = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'other.db'}"))
    omega.models.promote("m", other.models)
    again = omega.models.promote("m", other["b2"].models)
    assert again.blobs == meta.blobs and again.checksums == meta.checksums
    assert other["b2"].models.get("m") == {"a": 1} and other.models.get("m@1") == {"a": 1}


def test_model_versions_share_the_checksums_of_their_blobs(omega):
    meta = omega.models.put({"weights": [1]}, "m")
    omega.models.put({"weights": [2]}, "m")
    assert omega.models.metadata("m@1").checksums == meta.checksums
    flip_byte(omega.engine, meta.blobs[0])
    with pytest.raises(IntegrityError):
        omega.models.get("m@1")
    assert omega.models.get("m") == {"weights": [2]}


# --- keyed signatures ----------------------------------------------------------
def test_with_a_store_key_every_blob_is_signed_and_verified(omega, monkeypatch):
    monkeypatch.setenv("OMEGA_STORE_KEY", KEY)
    meta = omega.datasets.put({"a": 1}, "doc")
    assert meta.signatures[meta.blobs[0]].startswith("blake3:")
    assert omega.datasets.get("doc") == {"a": 1}


def test_unsigned_objects_are_refused_when_a_key_is_set_unless_allowed(omega, monkeypatch):
    omega.datasets.put({"a": 1}, "doc")
    monkeypatch.setenv("OMEGA_STORE_KEY", KEY)
    with pytest.raises(IntegrityError, match="not signed.*allow_unsigned=True"):
        omega.datasets.get("doc")
    assert omega.datasets.get("doc", allow_unsigned=True) == {"a": 1}


def test_a_signature_made_with_another_key_is_refused(omega, monkeypatch):
    monkeypatch.setenv("OMEGA_STORE_KEY", OTHER_KEY)
    omega.datasets.put({"a": 1}, "doc")
    monkeypatch.setenv("OMEGA_STORE_KEY", KEY)
    with pytest.raises(IntegrityError, match="key that is not in OMEGA_STORE_KEY"):
        omega.datasets.get("doc")


def test_a_forged_signature_is_refused_even_with_allow_unsigned(omega, monkeypatch):
    monkeypatch.setenv("OMEGA_STORE_KEY", KEY)
    meta = omega.datasets.put({"a": 1}, "doc")
    doc = meta.to_doc()
    blob = meta.blobs[0]
    algo, kid, value = doc["signatures"][blob].split(":")
    doc["signatures"][blob] = f"{algo}:{kid}:{'0' * len(value)}"
    omega.engine.meta_commit(doc, meta.rev)
    with pytest.raises(IntegrityError, match="does not match its signature"):
        omega.datasets.get("doc", allow_unsigned=True)


def test_keys_rotate_the_first_signs_and_the_others_are_still_accepted(omega, monkeypatch):
    monkeypatch.setenv("OMEGA_STORE_KEY", OTHER_KEY)
    omega.datasets.put({"old": 1}, "old")
    monkeypatch.setenv("OMEGA_STORE_KEY", f"{KEY},{OTHER_KEY}")
    new = omega.datasets.put({"new": 1}, "new")
    assert omega.datasets.get("old") == {"old": 1} and omega.datasets.get("new") == {"new": 1}
    assert new.signatures[new.blobs[0]].split(":")[1] == integrity.key_id(KEY.encode())


def test_a_short_store_key_is_a_configuration_error(omega, monkeypatch):
    monkeypatch.setenv("OMEGA_STORE_KEY", "short")
    with pytest.raises(ConfigurationError, match="shorter than 16"):
        omega.datasets.put({"a": 1}, "doc")


def test_each_blob_records_its_size_and_the_object_its_total(omega):
    data = b"x" * 300_000
    meta = omega.datasets.put(io.BytesIO(data), "sized", kind="python.file")
    assert meta.size == len(data) and sum(meta.sizes.values()) == len(data)
    promoted = omega.datasets.promote("sized", omega["other"].datasets)
    assert promoted.size == len(data)
    meta.sizes.clear()
    assert meta.size is None  # written before sizes were recorded
