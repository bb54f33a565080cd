"""get(put(df)) equals df exactly, for every case of the fidelity table, on both kinds."""
import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest

from conftest import KINDS

N = 6


def cases():
    idx = pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1), ("b", 2), ("c", 1), ("c", 2)], names=["k", "n"])
    cols = pd.MultiIndex.from_tuples([("m", "x"), ("m", "y"), ("n", "x")])
    return {
        "int-float-bool": pd.DataFrame({"i": range(N), "f": np.arange(N) / 3, "b": [True, False] * 3}),
        "float-with-nan": pd.DataFrame({"f": [1.0, np.nan, 3.0, np.nan, 5.0, 6.0]}),
        "nullable": pd.DataFrame({"I": pd.array([1, None, 3, 4, None, 6], dtype="Int64"),
                                  "B": pd.array([True, None, False, True, None, False], dtype="boolean"),
                                  "F": pd.array([1.5, None, 2.5, 3.5, None, 4.5], dtype="Float64"),
                                  "I8": pd.array([1, 2, None, 4, 5, 6], dtype="Int8")}),
        "text": pd.DataFrame({"s": pd.array(list("abcdef"), dtype="string"),
                              "o": pd.Series(["x", "y", None, "ü", "", "z"], dtype=object)}),
        "categories": pd.DataFrame({"c": pd.Categorical(list("abcabc")),
                                    "o": pd.Categorical(list("lmhlmh"), categories=["l", "m", "h"], ordered=True),
                                    "u": pd.Categorical(["a"] * 6, categories=["a", "never-seen"])}),
        "datetimes": pd.DataFrame({"naive": pd.date_range("2024-01-01 00:00:00.000000001", periods=N, freq="h"),
                                   "tz": pd.date_range("2024-03-30", periods=N, freq="D", tz="Europe/Zurich"),
                                   "td": pd.to_timedelta(np.arange(N) * 1_000_001, unit="us")}),
        "multiindex-rows": pd.DataFrame({"v": range(N)}, index=idx),
        "multiindex-columns": pd.DataFrame(np.arange(N * 3).reshape(N, 3), columns=cols),
        "named-index": pd.DataFrame({"v": range(N)}, index=pd.Index(list("uvwxyz"), name="key")),
        "duplicate-index": pd.DataFrame({"v": range(N)}, index=[1, 1, 2, 2, 3, 3]),
        "datetime-index": pd.DataFrame({"v": range(N)}, index=pd.date_range("2024-01-01", periods=N, freq="D")),
        "odd-column-names": pd.DataFrame({0: range(N), 1.5: range(N), "a.b": range(N), "$x": range(N),
                                          "with space": range(N)}),
        "more-types": pd.DataFrame({"date": [dt.date(2024, 1, d) for d in range(1, N + 1)],
                                    "bytes": [b"x", b"", b"\x00", b"y", b"z", b"w"],
                                    "seconds": pd.date_range("2024-01-01", periods=N, freq="s", unit="s"),
                                    "int-categories": pd.Categorical([3, 1, 2] * 2, categories=[3, 2, 1], ordered=True),
                                    "period": pd.period_range("2024-01", periods=N, freq="M"),
                                    "object-numbers": pd.Series([1.5, None, 2.0, 3.0, None, 4.0], dtype=object),
                                    "dicts": [{"k": i} for i in range(N)]}),
        "timedelta-index-with-freq": pd.DataFrame({"v": range(N)}, index=pd.timedelta_range("1D", periods=N, freq="h")),
        "unnamed-multiindex": pd.DataFrame({"v": range(N)}, index=pd.MultiIndex.from_product([[1, 2], ["a", "b", "c"]])),
        "empty-with-columns": pd.DataFrame({"a": pd.Series([], dtype="int64"), "b": pd.Series([], dtype="str")}),
    }


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(cases()))
def test_get_of_put_equals_the_frame_exactly(omega, kind, case):
    df = cases()[case]
    omega.datasets.put(df, "df", kind=kind)
    pd.testing.assert_frame_equal(omega.datasets.get("df"), df, check_exact=True)


@pytest.mark.parametrize("kind", KINDS)
def test_series_round_trip_with_name_and_index(omega, kind):
    s = pd.Series([1.5, None, 3.0], index=pd.Index(["a", "b", "c"], name="idx"), name="price")
    omega.datasets.put(s, "s", kind=kind)
    pd.testing.assert_series_equal(omega.datasets.get("s"), s, check_exact=True)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("df, message", [
    (pd.DataFrame({"lists": [[1, 2], [3]]}), "holds lists"),
    (pd.DataFrame({"complex": [1 + 2j, 3j]}), "losslessly"),
    (pd.DataFrame({"sparse": pd.arrays.SparseArray([0, 1])}), "losslessly"),
], ids=["lists", "complex", "sparse"])
def test_types_that_cannot_round_trip_are_refused_before_writing(omega, kind, df, message):
    with pytest.raises(TypeError, match=message):
        omega.datasets.put(df, "bad", kind=kind)
    assert omega.datasets.list() == [] and omega.engine.list_blobs() == [] and omega.engine.list_collections() == []


@pytest.mark.parametrize("df", [pd.DataFrame({"d": [decimal.Decimal("1.10")]}),
                                pd.DataFrame({"u": np.array([2**64 - 1], dtype="uint64")})], ids=["decimal", "uint64"])
def test_columnar_stores_what_row_documents_cannot(omega, df):
    with pytest.raises(TypeError, match="pandas.dfrows cannot store .* use pandas.columnar"):
        omega.datasets.put(df, "x", kind="pandas.dfrows")
    assert omega.engine.list_collections() == []
    omega.datasets.put(df, "x")
    pd.testing.assert_frame_equal(omega.datasets.get("x"), df, check_exact=True)


def test_a_frame_is_stored_as_the_columnar_kind_by_default(om):
    assert om.datasets.put(pd.DataFrame({"a": [1]}), "df").kind == "pandas.columnar"
    assert om.datasets.put(pd.Series([1]), "s").kind == "pandas.columnar"
