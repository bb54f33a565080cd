"""Filters mean exactly the pandas boolean mask, keep the index, and never become operators."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import KINDS
from omegaml_pandas.filters import FilterError


@pytest.fixture
def sales():
    return pd.DataFrame({
        "region": ["EU", "US", "EU", "APAC", None, "EU"],
        "amount": [50.0, 150.0, 250.0, np.nan, 80.0, 120.0],
        "n": [1, 2, 3, 4, 5, 6],
        "day": pd.date_range("2024-01-01", periods=6, freq="D"),
    }, index=[10, 11, 12, 13, 14, 15])


CASES = [
    ({"region": "EU"}, lambda d: d.region == "EU"),
    ({"region__ne": "EU"}, lambda d: d.region != "EU"),
    ({"amount__lt": 100}, lambda d: d.amount < 100),
    ({"amount__lte": 150}, lambda d: d.amount <= 150),
    ({"amount__gt": 100}, lambda d: d.amount > 100),
    ({"amount__gte": 120}, lambda d: d.amount >= 120),
    ({"region__in": ["US", "APAC"]}, lambda d: d.region.isin(["US", "APAC"])),
    ({"region__nin": ["US", "APAC"]}, lambda d: ~d.region.isin(["US", "APAC"])),
    ({"n__between": (2, 4)}, lambda d: d.n.between(2, 4)),
    ({"amount__isnull": True}, lambda d: d.amount.isna()),
    ({"region__isnull": False}, lambda d: d.region.notna()),
    ({"region__contains": "P"}, lambda d: d.region.str.contains("P", regex=False).fillna(False).astype(bool)),
    ({"region__startswith": "E"}, lambda d: d.region.str.startswith("E").fillna(False).astype(bool)),
    ({"region__endswith": "S"}, lambda d: d.region.str.endswith("S").fillna(False).astype(bool)),
    ({"day__gte": pd.Timestamp("2024-01-04")}, lambda d: d.day >= pd.Timestamp("2024-01-04")),
    ({"region": "EU", "amount__gt": 100}, lambda d: (d.region == "EU") & (d.amount > 100)),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lookups, expected", CASES, ids=[str(c[0]) for c in CASES])
def test_each_operator_equals_the_pandas_mask(om, sales, kind, lookups, expected):
    om.datasets.put(sales, "sales", kind=kind, **({"chunk_rows": 2} if kind == "pandas.columnar" else {}))
    pd.testing.assert_frame_equal(om.datasets.get("sales", **lookups), sales[expected(sales).to_numpy(bool)],
                                  check_exact=True)


@pytest.mark.parametrize("kind", KINDS)
def test_a_filter_dict_and_a_projection_combine(om, sales, kind):
    om.datasets.put(sales, "sales", kind=kind)
    got = om.datasets.get("sales[n,region]", filter={"amount__gt": 100})
    pd.testing.assert_frame_equal(got, sales[sales.amount > 100][["n", "region"]], check_exact=True)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lookups, message", [
    ({"nope": 1}, "unknown keyword argument 'nope'.*column filters"),
    ({"amount__near": 1}, "unknown filter operator 'near'"),
    ({"region__in": "EU"}, "needs a list"),
    ({"n__between": 3}, "needs a \\(low, high\\) pair"),
])
def test_unknown_columns_and_operators_are_clear_errors(om, sales, kind, lookups, message):
    om.datasets.put(sales, "sales", kind=kind)
    with pytest.raises(FilterError, match=message):
        om.datasets.get("sales", **lookups)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("payload", [
    {"$where": "sleep(1000) || true"}, {"$ne": None}, {"$gt": ""}, "'; db.dropDatabase(); '", ".*", "^E",
])
def test_values_are_data_never_operators(omega, sales, kind, payload):
    omega.datasets.put(sales, "sales", kind=kind)
    for key in ("region", "region__contains", "region__startswith", "region__in"):
        value = [payload] if key.endswith("__in") else payload
        if isinstance(payload, dict) and not key.endswith("__in"):
            with pytest.raises(FilterError):
                omega.datasets.get("sales", **{key: value})
            continue
        got = omega.datasets.get("sales", **{key: value})
        assert len(got) == 0, f"{key}={value!r} matched rows: a value acted as an operator"
    pd.testing.assert_frame_equal(omega.datasets.get("sales"), sales, check_exact=True)


frames = st.integers(min_value=0, max_value=40).flatmap(lambda n: st.fixed_dictionaries({
    "a": st.lists(st.integers(-5, 5), min_size=n, max_size=n),
    "b": st.lists(st.one_of(st.none(), st.floats(-10, 10, allow_nan=False)), min_size=n, max_size=n),
    "c": st.lists(st.one_of(st.none(), st.sampled_from(["x", "xy", "y", "zx", ""])), min_size=n, max_size=n),
}))
lookup_keys = st.sampled_from(["a", "a__gt", "a__lte", "a__ne", "a__in", "a__between", "b__lt", "b__gte",
                               "b__isnull", "c", "c__startswith", "c__contains", "c__endswith", "c__nin"])


def value_for(key, draw_int, draw_text):
    if key.endswith(("__in", "__nin")):
        return [draw_text, "y"] if key.startswith("c") else [draw_int, 0]
    if key.endswith("__between"):
        return (draw_int, draw_int + 3)
    if key.endswith("__isnull"):
        return draw_int % 2 == 0
    return draw_text if key.startswith("c") else draw_int


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=frames, keys=st.lists(lookup_keys, min_size=1, max_size=3, unique=True),
       number=st.integers(-6, 6), text=st.sampled_from(["x", "y", "z", "xy", ""]))
def test_random_filters_on_random_frames_equal_the_pandas_mask(om, kind, data, keys, number, text):
    df = pd.DataFrame(data, index=pd.RangeIndex(len(data["a"])) * 3)
    df["b"] = df["b"].astype("float64")
    df["c"] = df["c"].astype("str")
    lookups = {k: value_for(k, number, text) for k in keys}
    om.datasets.put(df, "r", kind=kind, **({"chunk_rows": 7} if kind == "pandas.columnar" else {}))
    expected = pd.Series(True, index=df.index)
    for key, value in lookups.items():
        col, _, op = key.partition("__")
        s = df[col]
        expected &= {
            "": lambda: (s == value).fillna(False), "gt": lambda: (s > value).fillna(False),
            "lte": lambda: (s <= value).fillna(False), "ne": lambda: (s != value).fillna(True),
            "in": lambda: s.isin(value), "nin": lambda: ~s.isin(value),
            "between": lambda: s.between(*value).fillna(False), "lt": lambda: (s < value).fillna(False),
            "gte": lambda: (s >= value).fillna(False), "isnull": lambda: s.isna() if value else s.notna(),
            "startswith": lambda: s.str.startswith(value).fillna(False).astype(bool),
            "contains": lambda: s.str.contains(value, regex=False).fillna(False).astype(bool),
            "endswith": lambda: s.str.endswith(value).fillna(False).astype(bool),
        }[op]()
    got = om.datasets.get("r", **lookups)
    pd.testing.assert_frame_equal(got, df[expected.to_numpy(bool)], check_exact=True, check_index_type=False)


@pytest.mark.parametrize("kind", KINDS)
def test_filters_on_categorical_and_all_null_columns(om, kind):
    df = pd.DataFrame({"c": pd.Categorical(["a", "b", None, "a"], categories=["b", "a"], ordered=True),
                       "none": pd.Series([None, None, None, None], dtype="float64")})
    om.datasets.put(df, "t", kind=kind, **({"chunk_rows": 2} if kind == "pandas.columnar" else {}))
    for lookups, expected in [({"c": "a"}, df.c == "a"), ({"c__in": ["b"]}, df.c.isin(["b"])),
                              ({"c__ne": "a"}, df.c != "a"), ({"none__ne": 1.0}, df.none != 1.0),
                              ({"none__nin": [1.0]}, ~df.none.isin([1.0])), ({"none__gt": 0}, df.none > 0)]:
        pd.testing.assert_frame_equal(om.datasets.get("t", **lookups), df[expected.to_numpy(bool)], check_exact=True)


@pytest.mark.parametrize("kind", KINDS)
def test_comparing_a_tz_aware_column_with_a_naive_value_is_an_error(om, kind):
    df = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=4, freq="D", tz="UTC")})
    om.datasets.put(df, "t", kind=kind)
    with pytest.raises(FilterError, match="cannot filter column 't'"):
        om.datasets.get("t", t__gt=pd.Timestamp("2030-01-01"))  # no chunk could match, still an error


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rows", [[1, 4], [1, 3, 5], [1, 2, 4], [5], [], [2, 3, 4]])
def test_a_selection_keeps_the_index_frequency_as_pandas_does(om, kind, rows):
    df = pd.DataFrame({"v": range(8)}, index=pd.date_range("2024-01-01", periods=8, freq="D"))
    om.datasets.put(df, "t", kind=kind, **({"chunk_rows": 3} if kind == "pandas.columnar" else {}))
    got = om.datasets.get("t", v__in=rows)
    pd.testing.assert_frame_equal(got, df[df.v.isin(rows)], check_exact=True)
    assert got.index.freq == df[df.v.isin(rows)].index.freq


@pytest.mark.parametrize("kind", KINDS)
def test_chunks_combine_with_filters_and_projections(om, kind):
    df = pd.DataFrame({"a": range(100), "b": [f"s{i % 7}" for i in range(100)]}, index=range(100, 200))
    om.datasets.put(df, "t", kind=kind, **({"chunk_rows": 9} if kind == "pandas.columnar" else {}))
    parts = list(om.datasets.get("t[a]", b="s3", a__gte=20, chunksize=4))
    assert [len(p) for p in parts] == [4, 4, 3]
    pd.testing.assert_frame_equal(pd.concat(parts), df[(df.b == "s3") & (df.a >= 20)][["a"]])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bad", [{"chunksize": 0}, {"chunksize": "10"}, {"columns": "a"}, {"columns": ["nope"]}])
def test_bad_chunksize_or_columns_are_clear_errors(om, sales, kind, bad):
    om.datasets.put(sales, "sales", kind=kind)
    with pytest.raises((ValueError, TypeError, KeyError), match="chunksize|columns|no column"):
        om.datasets.get("sales", **bad)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lookups", [{"$where": "1"}, {"region__$ne": 1}, {"filter": {"$or": [{"n": 1}]}},
                                     {"filter": {"region": "EU", "$and": []}}])
def test_operator_shaped_keys_are_unknown_columns_or_operators(omega, sales, kind, lookups):
    omega.datasets.put(sales, "sales", kind=kind)
    with pytest.raises(FilterError, match="unknown"):
        omega.datasets.get("sales", **lookups)


IN_VALUES = {
    "generator": lambda: (r for r in ["US", "APAC"]),
    "iterator": lambda: iter(["US", "APAC"]),
    "set": lambda: {"US", "APAC"},
    "tuple": lambda: ("US", "APAC"),
    "numpy array": lambda: np.array(["US", "APAC"]),
    "pandas Index": lambda: pd.Index(["US", "APAC"]),
    "pandas Series": lambda: pd.Series(["US", "APAC"]),
    "dict keys": lambda: {"US": 1, "APAC": 2}.keys(),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("make", IN_VALUES.values(), ids=IN_VALUES.keys())
def test_in_and_nin_read_any_iterable_once_for_pruning_and_rows(om, sales, kind, make):
    om.datasets.put(sales, "sales", kind=kind, **({"chunk_rows": 2} if kind == "pandas.columnar" else {}))
    wanted = sales.region.isin(["US", "APAC"])
    pd.testing.assert_frame_equal(om.datasets.get("sales", region__in=make()), sales[wanted], check_exact=True)
    pd.testing.assert_frame_equal(om.datasets.get("sales", region__nin=make()), sales[~wanted], check_exact=True)


@pytest.mark.parametrize("kind", KINDS)
def test_in_with_numeric_numpy_values_prunes_and_filters_like_a_list(om, sales, kind):
    om.datasets.put(sales, "sales", kind=kind, **({"chunk_rows": 2} if kind == "pandas.columnar" else {}))
    got = om.datasets.get("sales", n__in=np.array([2, 5], dtype="int32"))
    pd.testing.assert_frame_equal(got, sales[sales.n.isin([2, 5])], check_exact=True)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", ["EU", b"EU", {"EU": 1}, 3], ids=repr)
def test_in_with_a_string_mapping_or_scalar_is_a_clear_error(om, sales, kind, value):
    om.datasets.put(sales, "sales", kind=kind)
    with pytest.raises(FilterError, match="region__in' needs a list of values"):
        om.datasets.get("sales", region__in=value)
