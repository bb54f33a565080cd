"""keras.model passes the kernel's backend contract, on both storage engines."""
import functools

import numpy as np

import kerasmodels
from omegaml_core.testing import BackendContract

PROBE = np.linspace(-1, 1, 10, dtype="float32").reshape(5, 2)


@functools.lru_cache(maxsize=None)
def _samples():
    # built once: the contract calls samples() many times and never changes them
    return [kerasmodels.sequential(seed=1), kerasmodels.functional(seed=2)]


class TestKerasContract(BackendContract):
    kind = "keras.model"
    store = "models"

    def samples(self):
        return list(_samples())

    def assert_same(self, expected, actual):
        assert type(actual) is type(expected)
        np.testing.assert_array_equal(expected.predict(PROBE, verbose=0), actual.predict(PROBE, verbose=0))
