"""pandas.dfrows: appends stay exactly-once under retries and failures; queries and indexes are native."""
import pandas as pd
import pytest

from omegaml_core.errors import ConcurrentWriteError
from omegaml_pandas import dfrows
from omegaml_pandas.filters import FilterError


def rows_in_storage(omega, name):
    meta = omega.datasets.metadata(name)
    return omega.engine.collection(meta.collections[0]).count_documents({})


def test_an_append_retried_after_a_conflict_shows_its_rows_once(omega, monkeypatch):
    omega.datasets.put(pd.DataFrame({"v": [1, 2]}), "t", kind="pandas.dfrows")
    original, calls = omega.engine.meta_commit, []

    def commit_conflicting_once(doc, expected_rev):
        calls.append(doc["name"])
        if len(calls) == 1:
            raise ConcurrentWriteError("simulated: another writer committed first")
        return original(doc, expected_rev)

    monkeypatch.setattr(omega.engine, "meta_commit", commit_conflicting_once)
    omega.datasets.put(pd.DataFrame({"v": [3]}), "t", append=True)
    assert len(calls) == 2, "the store should have retried the append"
    assert rows_in_storage(omega, "t") == 4  # the first attempt's row is still stored ...
    pd.testing.assert_frame_equal(omega.datasets.get("t"), pd.DataFrame({"v": [1, 2, 3]}, index=[0, 1, 0]))
    assert list(omega.datasets.get("t", v=3)["v"]) == [3]  # ... and invisible to reads, filtered or not


def test_an_append_failing_midway_leaves_the_previous_rows_unchanged(omega, monkeypatch):
    omega.datasets.put(pd.DataFrame({"v": [1, 2]}), "t", kind="pandas.dfrows")
    monkeypatch.setattr(dfrows, "BATCH", 2)
    coll_type = type(omega.engine.collection(omega.datasets.metadata("t").collections[0]))
    original, calls = coll_type.insert_many, []

    def fail_second_batch(self, docs, *args, **kwargs):
        calls.append(len(docs))
        if len(calls) == 2:
            raise OSError("simulated: connection lost")
        return original(self, docs, *args, **kwargs)

    monkeypatch.setattr(coll_type, "insert_many", fail_second_batch)
    with pytest.raises(OSError, match="connection lost"):
        omega.datasets.put(pd.DataFrame({"v": [3, 4, 5, 6]}), "t", append=True)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(omega.datasets.get("t"), pd.DataFrame({"v": [1, 2]}))
    omega.datasets.put(pd.DataFrame({"v": [7]}), "t", append=True)
    assert list(omega.datasets.get("t")["v"]) == [1, 2, 7]


def test_a_replacing_put_starts_a_new_collection_and_frees_the_old_one(omega):
    omega.datasets.put(pd.DataFrame({"v": [1]}), "t", kind="pandas.dfrows")
    old = omega.datasets.metadata("t").collections
    omega.datasets.put(pd.DataFrame({"v": [2]}), "t")
    assert omega.datasets.metadata("t").collections != old
    assert not set(old) & set(omega.engine.list_collections())
    assert list(omega.datasets.get("t")["v"]) == [2]


def test_index_option_creates_database_indexes(omega):
    df = pd.DataFrame({"region": ["EU", "US"], "amount": [1.0, 2.0]})
    omega.datasets.put(df, "t", kind="pandas.dfrows", index=["region"])
    coll = omega.engine.collection(omega.datasets.metadata("t").collections[0])
    keys = [[k[0] if isinstance(k, (tuple, list)) else k for k in spec["key"]]
            for spec in coll.index_information().values()]
    assert ["f0"] in keys, keys  # 'region' is the first stored field
    pd.testing.assert_frame_equal(omega.datasets.get("t", region="US"), df.iloc[[1]])


def test_an_index_on_an_unknown_column_is_refused_before_anything_is_written(omega):
    with pytest.raises(FilterError, match="unknown column 'nope'"):
        omega.datasets.put(pd.DataFrame({"a": [1]}), "t", kind="pandas.dfrows", index=["nope"])
    assert omega.datasets.list() == [] and omega.engine.list_collections() == []


def test_timestamp_filters_are_pushed_down_and_exact(omega):
    day = pd.date_range("2024-01-01", periods=10, freq="D", unit="us", tz="UTC")
    df = pd.DataFrame({"day": day, "v": range(10)})
    omega.datasets.put(df, "t", kind="pandas.dfrows")
    lo, hi = pd.Timestamp("2024-01-03 12:00", tz="UTC"), pd.Timestamp("2024-01-06", tz="UTC")
    pd.testing.assert_frame_equal(omega.datasets.get("t", day__between=(lo, hi)), df[df.day.between(lo, hi)])
    pd.testing.assert_frame_equal(omega.datasets.get("t", day__gt=hi), df[df.day > hi])
    pd.testing.assert_frame_equal(omega.datasets.get("t", day=day[4]), df.iloc[[4]])


def test_the_query_is_built_from_fixed_operators_around_literal_values(om):
    from omegaml_pandas.filters import parse
    import pyarrow as pa

    schema = pa.schema([("c0", pa.string()), ("c1", pa.int64())])
    assert dfrows._pushdown(parse({"a": "$where"}, ["a", "b"])[0], schema) == [{"f0": {"$eq": "$where"}}]
    assert dfrows._pushdown(parse({"a__startswith": ".*$"}, ["a", "b"])[0], schema) == \
        [{"f0": {"$regex": "^\\.\\*\\$"}}]
    for value in ({"$gt": ""}, [{"$ne": 1}], True, float("nan"), 2**70):
        op = "in" if isinstance(value, list) else "eq"
        assert dfrows._pushdown(parse({f"b__{op}": value}, ["a", "b"])[0], schema) == []  # left to pandas


def test_unknown_put_options_are_refused(om):
    with pytest.raises(TypeError, match="unknown keyword argument 'chunk_rows'; accepted: index"):
        om.datasets.put(pd.DataFrame({"a": [1]}), "t", kind="pandas.dfrows", chunk_rows=5)
    with pytest.raises(TypeError, match="unknown keyword argument 'indx'"):
        om.datasets.put(pd.DataFrame({"a": [1]}), "t", indx=["a"])
    assert om.datasets.list() == [] and om.engine.list_blobs() == []
