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
    ({"nope": 1}, "unknown column 'nope'"),
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
