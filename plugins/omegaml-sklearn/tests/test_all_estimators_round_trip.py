"""Every estimator scikit-learn lists comes back predicting and transforming exactly as before."""
import warnings

import pytest

from estimator_recipes import assert_same_outputs, assert_same_state, fitted, outputs

sklearn_utils = pytest.importorskip("sklearn.utils")
ESTIMATORS = sklearn_utils.all_estimators()
#: estimators skops cannot store (it raises UnsupportedTypeException for a type inside them)
SKOPS_UNSUPPORTED = {"Birch"}


@pytest.mark.parametrize("serializer", ["joblib", "skops"])
@pytest.mark.parametrize("name,cls", ESTIMATORS, ids=[name for name, _ in ESTIMATORS])
def test_fitted_estimator_round_trips_exactly(om, name, cls, serializer):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator, inputs = fitted(name, cls)
        expected = outputs(estimator, inputs)
        if serializer == "skops" and name in SKOPS_UNSUPPORTED:
            with pytest.raises(TypeError, match="skops cannot store .* serializer='joblib'"):
                om.models.put(estimator, name, serializer=serializer)
            assert not om.models.exists(name) and om.engine.list_blobs() == []
            return
        meta = om.models.put(estimator, name, serializer=serializer)
        restored = om.models.get(name, trusted=_untrusted(om, name) if serializer == "skops" else None)
        actual = outputs(restored, inputs)
    assert meta.kind == "sklearn.joblib" and meta.kind_meta["fitted"] is True
    assert type(restored) is cls
    assert_same_state(estimator, restored, name)
    assert_same_outputs(expected, actual, name)


def _untrusted(om, name):
    """Types beyond skops' defaults that this test trusts explicitly (trust rules are tested elsewhere)."""
    import skops.io

    with om.engine.blob_reader(om.models.metadata(name).blobs[0]) as fh:
        return skops.io.get_untrusted_types(data=fh.read())
