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
