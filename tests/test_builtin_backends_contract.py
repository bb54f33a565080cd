"""The kernel's own backends pass the contract every plugin runs."""
import io

from omegaml_core.testing import BackendContract


class TestPythonData(BackendContract):
    kind = "python.data"

    def samples(self):
        return [{"a": 1, "nested": {"b": [1, 2.5, None, True, "ü"]}}, [1, "two", {"three": 3}]]


class TestPythonFile(BackendContract):
    kind = "python.file"

    def samples(self):
        return [b"first file\x00\x01", bytes(range(256)) * 1000]

    def get(self, store, name):
        with store.get(name) as fh:
            return fh.read()


class TestPythonFileInModels(TestPythonFile):
    store = "models"


class TestNdarray(BackendContract):
    kind = "numpy.ndarray"

    def samples(self):
        import numpy as np

        return [np.arange(12, dtype="int16").reshape(3, 4), np.array([[1.5, np.nan], [-np.inf, 0.0]]),
                np.array(["ü", "text"]), np.zeros((2, 0, 3), dtype="<M8[ns]")]

    def assert_same(self, expected, actual):
        import numpy as np

        assert type(actual) is np.ndarray and actual.dtype == expected.dtype
        np.testing.assert_array_equal(actual, expected)
