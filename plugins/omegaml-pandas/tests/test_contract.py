"""Both kinds pass the kernel's backend contract, on both storage engines."""
import numpy as np
import pandas as pd

from omegaml_core.testing import BackendContract


class FrameContract(BackendContract):
    def samples(self):
        return [
            pd.DataFrame({"x": [1, 2, 3], "label": ["a", "b", None]}),
            pd.DataFrame({"y": np.linspace(0, 1, 50)}, index=pd.date_range("2024-01-01", periods=50, name="day")),
            pd.Series([1.5, None, 3.0], name="s"),
        ]

    def assert_same(self, expected, actual):
        if isinstance(expected, pd.Series):
            pd.testing.assert_series_equal(expected, actual, check_exact=True)
        else:
            pd.testing.assert_frame_equal(expected, actual, check_exact=True)


class TestColumnarContract(FrameContract):
    kind = "pandas.columnar"


class TestRowsContract(FrameContract):
    kind = "pandas.dfrows"
    auto_selected = False
