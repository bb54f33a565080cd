"""Promotion: a fitted model is copied; an unfitted one is refused by the plugin's hook."""
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from omegaml_core.errors import PromotionRefused

X = np.arange(20, dtype=float).reshape(10, 2)
Y = np.arange(10) % 2


def test_an_unfitted_model_is_not_promoted_and_nothing_is_copied(om):
    om.models.put(LogisticRegression(), "clf")
    prod = om["prod"].models
    with pytest.raises(PromotionRefused, match="'clf' .*LogisticRegression.* is not fitted.*fit\\('X', 'Y'\\)"):
        om.models.promote("clf", prod)
    assert prod.list(hidden=True) == []


def test_a_fitted_model_is_promoted_with_its_attributes(om):
    om.models.put(LogisticRegression().fit(X, Y), "clf", attributes={"owner": "ds-team"})
    meta = om.models.promote("clf", om["prod"].models)
    assert meta.bucket == "prod" and meta.attributes["owner"] == "ds-team" and meta.kind_meta["fitted"] is True
    np.testing.assert_array_equal(om["prod"].models.get("clf").predict(X), LogisticRegression().fit(X, Y).predict(X))


def test_the_check_is_a_hook_the_plugin_registers_through_entry_points(om):
    sklearn_plugin = next(p for p in om.plugins() if p["distribution"] == "omegaml-sklearn")
    assert sklearn_plugin["hooks"] == ["sklearn-promotion"] and sklearn_plugin["errors"] == []
    assert sklearn_plugin["tasks"] == ["sklearn"] and sklearn_plugin["kinds"] == ["sklearn.joblib"]
