"""The kernel's backend contract, for both serializers, on the embedded engine and MongoDB over the wire."""
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from omegaml_core.testing import BackendContract

X = np.arange(40, dtype=float).reshape(20, 2)
Y = (np.arange(20) % 3 == 0).astype(int)


class TestJoblib(BackendContract):
    kind = "sklearn.joblib"
    store = "models"

    def samples(self):
        return [LogisticRegression(C=0.5).fit(X, Y), make_pipeline(StandardScaler(), LogisticRegression()).fit(X, Y)]

    def assert_same(self, expected, actual):
        assert type(actual) is type(expected)
        np.testing.assert_array_equal(actual.predict_proba(X), expected.predict_proba(X))


class TestSkops(TestJoblib):
    def put(self, store, obj, name, **kwargs):
        meta = store.put(obj, name, serializer="skops", **kwargs)
        assert meta.kind_meta["serializer"] == "skops"
        return meta
