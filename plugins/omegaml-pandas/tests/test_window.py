"""A window of rows: ``get(name, offset=N, limit=M)`` equals ``get(name).iloc[N:N + M]`` and reads only
the chunks (and, within a chunk, the row batches) that cover it."""
import numpy as np
import pandas as pd
import pytest

from conftest import KINDS


def _frame(rows: int = 95) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({"n": np.arange(rows), "x": rng.normal(size=rows),
                         "cat": pd.Categorical(rng.choice(["a", "b", "c"], size=rows)),
                         "text": [f"row {i}" if i % 7 else None for i in range(rows)]},
                        index=pd.Index(np.arange(rows) * 10, name="id"))


def _put(om, kind: str, df: pd.DataFrame, name: str = "t") -> None:
    om.datasets.put(df, name, kind=kind, **({"chunk_rows": 20} if kind == "pandas.columnar" else {}))


WINDOWS = [(0, 5), (0, 20), (15, 10), (19, 2), (20, 20), (37, 41), (90, 50), (94, 1), (0, None), (60, None)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("offset,limit", WINDOWS)
def test_a_window_equals_iloc_of_the_whole_get_across_chunk_boundaries(om, kind, offset, limit):
    _put(om, kind, _frame())
    whole = om.datasets.get("t")
    end = None if limit is None else offset + limit
    pd.testing.assert_frame_equal(om.datasets.get("t", offset=offset, limit=limit), whole.iloc[offset:end],
                                  check_exact=True)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("offset,limit", [(0, 5), (3, 10), (10, 100), (0, None), (12, None)])
def test_with_filters_the_window_is_taken_from_the_filtered_rows(om, kind, offset, limit):
    _put(om, kind, _frame())
    filtered = om.datasets.get("t", x__gt=0, cat__in=["a", "b"])
    end = None if limit is None else offset + limit
    got = om.datasets.get("t", x__gt=0, cat__in=["a", "b"], offset=offset, limit=limit)
    pd.testing.assert_frame_equal(got, filtered.iloc[offset:end], check_exact=True)


@pytest.mark.parametrize("kind", KINDS)
def test_a_window_combines_with_a_projection_and_chunksize(om, kind):
    _put(om, kind, _frame())
    pd.testing.assert_frame_equal(om.datasets.get("t[x,n]", offset=18, limit=5), om.datasets.get("t[x,n]").iloc[18:23])
    parts = list(om.datasets.get("t", offset=18, limit=25, chunksize=10))
    assert [len(p) for p in parts] == [10, 10, 5]
    pd.testing.assert_frame_equal(pd.concat(parts), om.datasets.get("t").iloc[18:43])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("offset,limit", [(0, 0), (95, 10), (1000, 5), (50, 0)])
def test_an_empty_window_has_the_columns_and_dtypes(om, kind, offset, limit):
    df = _frame()
    _put(om, kind, df)
    got = om.datasets.get("t", offset=offset, limit=limit)
    assert got.empty and list(got.columns) == list(df.columns)
    pd.testing.assert_series_equal(got.dtypes, df.dtypes)
    assert om.datasets.get("t", n__gt=1000, offset=0, limit=5).empty


@pytest.mark.parametrize("kind", KINDS)
def test_a_series_comes_back_as_a_series(om, kind):
    s = pd.Series(np.arange(50.0), name="v")
    _put(om, kind, s)
    pd.testing.assert_series_equal(om.datasets.get("t", offset=15, limit=10), s.iloc[15:25])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bad", [{"offset": -1}, {"limit": -5}, {"offset": "3"}, {"limit": 2.5}, {"offset": True}])
def test_bad_window_values_are_refused_with_a_clear_error(om, kind, bad):
    _put(om, kind, _frame())
    what = next(iter(bad))
    with pytest.raises(ValueError, match=f"{what} must be an int >= 0"):
        om.datasets.get("t", **bad)


def test_numpy_ints_are_valid_window_values(om):
    _put(om, "pandas.columnar", _frame())
    assert len(om.datasets.get("t", offset=np.int64(3), limit=np.int32(4))) == 4


def test_a_window_opens_only_the_chunks_that_cover_it_and_stops_early(om, monkeypatch):
    import pyarrow.parquet as pq

    om.datasets.put(pd.DataFrame({"a": np.arange(1000)}), "big", chunk_rows=100)
    blobs = om.datasets.metadata("big").kind_meta["chunks"]
    opened, batches = [], []
    backend_cls = type(om.datasets.backend("pandas.columnar"))
    source = backend_cls.blob_source
    monkeypatch.setattr(backend_cls, "blob_source", lambda self, blob: opened.append(blob) or source(self, blob))
    iterate = pq.ParquetFile.iter_batches

    def counted(self, *args, **kwargs):
        for batch in iterate(self, *args, **kwargs):
            batches.append(batch.num_rows)
            yield batch

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", counted)
    got = om.datasets.get("big", offset=250, limit=100)
    assert list(got["a"]) == list(range(250, 350))
    assert opened == [blobs[2]["blob"], blobs[3]["blob"]]
    assert sum(batches) <= 200  # rows decoded: at most the two chunks, not the other eight
    opened.clear(), batches.clear()
    assert list(om.datasets.get("big", limit=3)["a"]) == [0, 1, 2]
    assert opened == [blobs[0]["blob"]] and batches == [3]


def test_a_filtered_window_stops_reading_when_it_is_full(om, monkeypatch):
    om.datasets.put(pd.DataFrame({"a": np.arange(1000)}), "big", chunk_rows=100)
    opened = []
    backend_cls = type(om.datasets.backend("pandas.columnar"))
    source = backend_cls.blob_source
    monkeypatch.setattr(backend_cls, "blob_source", lambda self, blob: opened.append(blob) or source(self, blob))
    got = om.datasets.get("big", a__gte=150, offset=10, limit=60)  # chunk 0 is pruned by its statistics
    assert list(got["a"]) == list(range(160, 220))
    assert len(opened) == 2


def test_a_column_named_limit_is_filtered_with_the_filter_option(om):
    om.datasets.put(pd.DataFrame({"limit": [1, 2, 3]}), "t")
    assert list(om.datasets.get("t", filter={"limit": 2})["limit"]) == [2]
    assert list(om.datasets.get("t", limit=2)["limit"]) == [1, 2]
