"""What results look like on the client: plain JSON values, whatever the model returned."""
import datetime

import numpy as np
import pytest

from omegaml_core.runtime.payloads import plain, round_trip


@pytest.mark.parametrize("value,expected", [
    (np.array([1, 2, 3]), [1, 2, 3]),
    (np.array([[0.5], [1.5]], dtype="float32"), [[0.5], [1.5]]),
    (np.array([True, False]), [True, False]),
    (np.float64(2.5), 2.5),
    (np.array(["2020-01-02"], dtype="datetime64[D]"), ["2020-01-02"]),
    (np.array([1 + 2j]), ["(1+2j)"]),
    ({"scores": np.array([1, 2]), 3: (np.int8(4),)}, {"scores": [1, 2], "3": [4]}),
    (datetime.date(2026, 1, 2), "2026-01-02"),
])
def test_results_become_plain_json_values(value, expected):
    result = plain(value)
    assert result == expected
    assert round_trip(result) == expected


def test_numeric_arrays_come_back_as_python_numbers_not_numpy_scalars():
    result = plain(np.arange(3, dtype="int64"))
    assert [type(x) for x in result] == [int, int, int]
