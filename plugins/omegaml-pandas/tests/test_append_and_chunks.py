"""Appends add data without rewriting it; filters and projections read only what they need."""
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from conftest import KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_append_equals_concat_with_dtypes_and_index(om, kind):
    df1 = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}, index=pd.Index([5, 6], name="id"))
    df2 = pd.DataFrame({"a": [3], "b": ["z"]}, index=pd.Index([7], name="id"))
    om.datasets.put(df1, "t", kind=kind)
    om.datasets.put(df2, "t", append=True)
    pd.testing.assert_frame_equal(om.datasets.get("t"), pd.concat([df1, df2]), check_exact=True)


def test_append_adds_chunks_and_never_rewrites_stored_ones(om):
    om.datasets.put(pd.DataFrame({"a": range(10)}), "t", chunk_rows=5)
    before = om.datasets.metadata("t").blobs
    om.datasets.put(pd.DataFrame({"a": range(3)}), "t", append=True)
    after = om.datasets.metadata("t").blobs
    assert after[:2] == before and len(after) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_append_with_other_columns_or_types_is_refused_and_changes_nothing(om, kind):
    om.datasets.put(pd.DataFrame({"a": [1]}), "t", kind=kind)
    with pytest.raises(TypeError, match="columns"):
        om.datasets.put(pd.DataFrame({"b": [1]}), "t", append=True)
    with pytest.raises(TypeError, match="types"):
        om.datasets.put(pd.DataFrame({"a": ["text"]}), "t", append=True)
    pd.testing.assert_frame_equal(om.datasets.get("t"), pd.DataFrame({"a": [1]}))


def test_put_replaces_an_appended_dataset(om):
    om.datasets.put(pd.DataFrame({"a": [1]}), "t")
    om.datasets.put(pd.DataFrame({"a": [2]}), "t", append=True)
    om.datasets.put(pd.DataFrame({"a": [3]}), "t")
    pd.testing.assert_frame_equal(om.datasets.get("t"), pd.DataFrame({"a": [3]}))
    assert len(om.engine.list_blobs()) == 1


APPENDER = """
import sys, pandas as pd, omegaml_core as om
o = om.setup(mongo_url=sys.argv[1])
me = int(sys.argv[2])
for i in range(5):
    o.datasets.put(pd.DataFrame({"v": [me * 100 + i]}), "log", append=True, kind=sys.argv[3])
"""


@pytest.mark.parametrize("kind", KINDS)
def test_concurrent_appends_from_processes_keep_every_row_exactly_once(omega, kind):
    url = omega.config.storage_url
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(APPENDER), url, str(n), kind],
                              stderr=subprocess.PIPE, text=True) for n in range(1, 4)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    values = sorted(omega["omega"].datasets.get("log")["v"])
    assert values == sorted(n * 100 + i for n in range(1, 4) for i in range(5))
    assert omega.engine.orphans() == set()


def test_a_filter_reads_only_chunks_whose_statistics_can_match(om, monkeypatch):
    df = pd.DataFrame({"k": np.arange(1000), "v": np.random.default_rng(1).random(1000)})
    om.datasets.put(df, "sorted", chunk_rows=100)
    backend_cls = type(om.datasets.backend("pandas.columnar"))
    read = []
    original = backend_cls._read_chunk
    monkeypatch.setattr(backend_cls, "_read_chunk", lambda self, chunk, *a: read.append(chunk) or original(self, chunk, *a))
    got = om.datasets.get("sorted", k__between=(250, 260))
    assert len(read) == 1 and list(got["k"]) == list(range(250, 261))
    read.clear()
    assert om.datasets.get("sorted", k__gt=5000).empty and read == []


def test_a_projection_reads_only_the_needed_columns(om, monkeypatch):
    import pyarrow.parquet as pq

    om.datasets.put(pd.DataFrame({"a": [1], "b": [2], "c": [3]}), "t")
    asked = []
    original = pq.ParquetFile.read
    monkeypatch.setattr(pq.ParquetFile, "read", lambda self, columns=None, **kw: asked.append(columns) or original(self, columns=columns, **kw))
    om.datasets.get("t[c]", a=1)
    assert asked == [["c2", "c0"]]


@pytest.mark.parametrize("kind", KINDS)
def test_chunksize_iterates_over_the_rows_in_order(om, kind):
    df = pd.DataFrame({"a": range(25)})
    om.datasets.put(df, "t", kind=kind, **({"chunk_rows": 10} if kind == "pandas.columnar" else {}))
    parts = list(om.datasets.get("t", chunksize=7))
    assert [len(p) for p in parts] == [7, 7, 7, 4]
    pd.testing.assert_frame_equal(pd.concat(parts), df)


def test_listing_with_the_plugin_installed_does_not_import_pandas(tmp_path):
    code = f"""
import sys, omegaml_core as om
o = om.setup(mongo_url="sqlite:///{tmp_path}/o.db")
o.datasets.put({{"a": 1}}, "x"); o.datasets.list(); o.datasets.get("x")
print("pandas" in sys.modules, "pyarrow" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "False"], out.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_appending_categoricals_needs_the_same_categories(om, kind):
    first = pd.DataFrame({"c": pd.Categorical(["a"], categories=["a", "b"])})
    om.datasets.put(first, "t", kind=kind)
    with pytest.raises(TypeError, match="categories"):
        om.datasets.put(pd.DataFrame({"c": pd.Categorical(["a"], categories=["a"])}), "t", append=True)
    second = pd.DataFrame({"c": pd.Categorical(["b"], categories=["a", "b"])}, index=[1])
    om.datasets.put(second, "t", append=True)
    pd.testing.assert_frame_equal(om.datasets.get("t"), pd.concat([first, second]), check_exact=True)


def test_every_chunk_gets_the_types_of_the_whole_frame(om):
    df = pd.DataFrame({"o": pd.Series([None, None, "x", "y"], dtype=object)})
    om.datasets.put(df, "t", chunk_rows=2)  # the first chunk alone would be typed as all-null
    pd.testing.assert_frame_equal(om.datasets.get("t"), df, check_exact=True)


def test_chunks_are_sized_by_bytes_for_wide_frames(om, monkeypatch):
    from omegaml_pandas import columnar

    monkeypatch.setattr(columnar, "CHUNK_BYTES", 8000)
    df = pd.DataFrame(np.zeros((1000, 10), dtype="float64"))  # 80 bytes a row: 100 rows a chunk
    meta = om.datasets.put(df, "wide")
    assert [c["rows"] for c in meta.kind_meta["chunks"]] == [100] * 10
    pd.testing.assert_frame_equal(om.datasets.get("wide"), df)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_chunk_rows_must_be_a_positive_int(om, bad):
    with pytest.raises(ValueError, match="chunk_rows"):
        om.datasets.put(pd.DataFrame({"a": [1]}), "t", chunk_rows=bad)
    assert om.datasets.list() == []
