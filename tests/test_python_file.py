"""python.file streams both ways: a large file is never held in memory whole."""
import io
import tracemalloc

import pytest

SIZE = 40 << 20  # below nx-27017's 48 MB reply limit; see test_mongo_standin.py


@pytest.fixture
def big_file(tmp_path):
    path = tmp_path / "big.bin"
    with open(path, "wb") as fh:
        for i in range(SIZE >> 20):
            fh.write(bytes([i % 251]) * (1 << 20))
    return path


def peak_during(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_put_and_get_of_a_large_file_use_bounded_memory(om, big_file, tmp_path):
    # Embedded engine: MongoDB's pymongo buffers up to 32 MB of chunks per insert by design.
    store = om.datasets
    put_peak = peak_during(lambda: store.put(big_file, "big"))
    out = tmp_path / "out.bin"
    get_peak = peak_during(lambda: store.get("big", path=out))
    assert put_peak < SIZE / 4 and get_peak < SIZE / 4, (put_peak, get_peak)
    assert out.read_bytes() == big_file.read_bytes()
    assert store.metadata("big").kind_meta == {"size": SIZE, "source": "big.bin"}


@pytest.mark.parametrize("source", ["bytes", "bytearray", "stream", "path-str"])
def test_all_input_forms_round_trip(omega, tmp_path, source):
    data = b"\x00\x01omega" * 1000
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    obj = {"bytes": data, "bytearray": bytearray(data), "stream": io.BytesIO(data), "path-str": str(path)}[source]
    assert omega.datasets.put(obj, "f").kind == "python.file"
    with omega.datasets.get("f") as fh:
        assert fh.read() == data
        fh.seek(2)
        assert fh.read(5) == b"omega"


def test_a_text_stream_is_refused_and_nothing_is_written(omega, tmp_path):
    with pytest.raises(TypeError, match="binary mode"):
        omega.datasets.put(io.StringIO("text"), "t", kind="python.file")
    assert omega.datasets.list() == [] and omega.engine.list_blobs() == []


def test_a_str_that_is_not_an_existing_file_is_not_taken_for_a_file(omega):
    with pytest.raises(TypeError, match="no installed backend"):
        omega.datasets.put("/no/such/file.csv", "x")
