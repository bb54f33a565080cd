"""Storing scikit-learn models: kind selection, serializers and the trust rules for reading them."""
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from omegaml_sklearn.serializers import PickleRefused, UntrustedTypes

X = np.arange(40, dtype=float).reshape(20, 2)
Y = (X[:, 0] > 20).astype(int)


class MajorityClassifier(ClassifierMixin, BaseEstimator):
    """A user's own estimator: a type skops does not trust by default."""

    def fit(self, X, y):
        self.majority_ = int(np.bincount(y).argmax())
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


def halve(X):
    return X / 2


@pytest.mark.parametrize("model", [LogisticRegression(), make_pipeline(StandardScaler(), LogisticRegression()),
                                   MajorityClassifier()], ids=["estimator", "pipeline", "own-estimator"])
def test_any_estimator_or_pipeline_is_stored_as_sklearn_joblib(om, model):
    meta = om.models.put(model, "m")
    assert meta.kind == "sklearn.joblib"
    assert meta.kind_meta["serializer"] == "joblib" and meta.kind_meta["estimator"].endswith(type(model).__name__)
    assert type(om.models.get("m")) is type(model)


def test_support_is_decided_by_type_not_by_name(om):
    class LooksLikeSklearn:
        __module__ = "sklearn.linear_model"

        def fit(self, X, y):
            return self

    with pytest.raises(TypeError, match="no installed backend"):
        om.models.put(LooksLikeSklearn(), "impostor")


def test_kind_meta_says_whether_the_model_is_fitted(om):
    assert om.models.put(LogisticRegression(), "m").kind_meta["fitted"] is False
    assert om.models.put(LogisticRegression().fit(X, Y), "m").kind_meta["fitted"] is True


def test_a_put_keeps_the_serializer_the_model_was_stored_with(om):
    om.models.put(LogisticRegression(), "m", serializer="skops")
    meta = om.models.put(LogisticRegression().fit(X, Y), "m")  # what a fit does
    assert meta.kind_meta["serializer"] == "skops"
    assert om.models.put(LogisticRegression(), "m", serializer="joblib").kind_meta["serializer"] == "joblib"


def test_an_unknown_serializer_is_refused_and_nothing_is_written(om):
    with pytest.raises(ValueError, match="serializer='pickle' is not known; use one of joblib, skops"):
        om.models.put(LogisticRegression(), "m", serializer="pickle")
    assert not om.models.exists("m") and om.engine.list_blobs() == []


def test_unexpected_put_options_are_refused(om):
    with pytest.raises(TypeError, match="unknown keyword argument 'compress'; accepted: serializer"):
        om.models.put(LogisticRegression(), "m", compress=3)
    assert not om.models.exists("m")


def test_append_and_column_selection_make_no_sense_for_a_model(om):
    om.models.put(LogisticRegression(), "m")
    with pytest.raises(ValueError, match="does not support append"):
        om.models.put(LogisticRegression(), "m", append=True)
    with pytest.raises(ValueError, match="no columns to select"):
        om.models.get("m[a,b]")


def test_skops_loads_scikit_learn_types_without_being_told(om):
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, Y)
    om.models.put(model, "m", serializer="skops")
    np.testing.assert_array_equal(om.models.get("m").predict(X), model.predict(X))


def test_skops_refuses_types_nobody_trusted_and_names_them(om):
    om.models.put(MajorityClassifier().fit(X, Y), "own", serializer="skops")
    om.models.put(make_pipeline(FunctionTransformer(halve), LogisticRegression()).fit(X, Y), "fn", serializer="skops")
    with pytest.raises(UntrustedTypes, match=r"'own' holds types that are not trusted: test_storage.MajorityClassifier"):
        om.models.get("own")
    with pytest.raises(UntrustedTypes, match=r"test_storage.halve"):
        om.models.get("fn")


def test_trusted_types_come_from_the_call_or_the_environment(om, monkeypatch):
    om.models.put(MajorityClassifier().fit(X, Y), "own", serializer="skops")
    assert om.models.get("own", trusted=["test_storage.MajorityClassifier"]).majority_ == 0
    monkeypatch.setenv("OMEGA_SKOPS_TRUSTED", "other.Type, test_storage.MajorityClassifier")
    assert om.models.get("own").majority_ == 0


def test_a_reader_who_refuses_pickles_cannot_load_a_joblib_model(om, monkeypatch):
    om.models.put(LogisticRegression().fit(X, Y), "pickled")
    with pytest.raises(PickleRefused, match="'pickled' is stored as a joblib pickle.*serializer='skops'"):
        om.models.get("pickled", allow_pickle=False)
    monkeypatch.setenv("OMEGA_REFUSE_PICKLES", "1")
    with pytest.raises(PermissionError):
        om.models.get("pickled")
    assert om.models.get("pickled", allow_pickle=True).coef_.shape == (1, 2)


@pytest.mark.parametrize("value", ["2", "y", "enabled"])
def test_a_refuse_pickles_value_that_is_not_a_boolean_fails_closed_with_an_error(om, monkeypatch, value):
    from omegaml_core.errors import ConfigurationError

    om.models.put(LogisticRegression().fit(X, Y), "pickled")
    monkeypatch.setenv("OMEGA_REFUSE_PICKLES", value)
    with pytest.raises(ConfigurationError, match=f"OMEGA_REFUSE_PICKLES='{value}' is not a boolean"):
        om.models.get("pickled")


def test_refusing_pickles_makes_skops_the_default_for_new_models(om, monkeypatch):
    monkeypatch.setenv("OMEGA_REFUSE_PICKLES", "yes")
    assert om.models.put(LogisticRegression(), "m").kind_meta["serializer"] == "skops"
    assert isinstance(om.models.get("m"), LogisticRegression)


def test_a_model_skops_cannot_store_gets_a_clear_error_and_nothing_is_written(om):
    from sklearn.cluster import Birch

    with pytest.raises(TypeError, match="skops cannot store this Birch.*serializer='joblib'"):
        om.models.put(Birch().fit(X), "birch", serializer="skops")
    assert not om.models.exists("birch") and om.engine.list_blobs() == []


def test_listing_models_does_not_import_scikit_learn(tmp_path):
    code = ("import sys, omegaml_core as om; om.models.list(); om.datasets.put({'a': 1}, 'd'); "
            "assert 'sklearn' not in sys.modules and 'joblib' not in sys.modules and 'skops' not in sys.modules, "
            "sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'joblib', 'skops'))")
    env = {"OMEGA_MONGO_URL": f"sqlite:///{tmp_path / 'o.db'}", "OMEGA_HOME": str(tmp_path), "PATH": "/usr/bin"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
