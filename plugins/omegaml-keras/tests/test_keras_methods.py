"""fit, partial_fit, predict and score through the runtime (local mode: JSON on the way, like a worker)."""
import numpy as np
import pytest

import kerasmodels
from omegaml_core.errors import ObjectNotFound


def weights(model):
    return [w.copy() for w in model.get_weights()]


def test_fit_by_dataset_names_records_history_and_lineage(stored_data):
    om = stored_data
    om.models.put(kerasmodels.sequential(), "m")
    meta = om.runtime.model("m").fit("X", "Y", epochs=3, batch_size=5).get()
    history = meta["attributes"]["history"]
    assert list(history) == ["loss"] and len(history["loss"]) == 3
    assert all(isinstance(v, float) for v in history["loss"])
    assert meta["attributes"]["fitted_on"] == {"X": "X", "Y": "Y"}
    assert om.models.metadata("m").attributes["history"] == history
    assert int(om.models.get("m").optimizer.iterations) == 3 * 4  # 20 rows in batches of 5, 3 epochs


def test_fit_with_validation_data_records_validation_metrics(stored_data):
    om = stored_data
    om.models.put(kerasmodels.functional(), "m")
    meta = om.runtime.model("m").fit("X", "Y", epochs=2, validation_data=("Xval", "Yval")).get()
    assert sorted(meta["attributes"]["history"]) == ["loss", "mae", "val_loss", "val_mae"]
    assert all(len(v) == 2 for v in meta["attributes"]["history"].values())
    assert meta["attributes"]["fitted_on"]["validation"] == ["Xval", "Yval"]


def test_a_second_fit_replaces_the_history_and_keeps_other_attributes(stored_data):
    om = stored_data
    om.models.put(kerasmodels.sequential(), "m", attributes={"owner": "team"})
    om.runtime.model("m").fit("X", "Y", epochs=3).get()
    attributes = om.runtime.model("m").fit("X", "Y", epochs=1).get()["attributes"]
    assert len(attributes["history"]["loss"]) == 1 and attributes["owner"] == "team"


def test_fit_trains_the_stored_model(stored_data, xy):
    om = stored_data
    model = kerasmodels.sequential()
    om.models.put(model, "m")
    om.runtime.model("m").fit("X", "Y", epochs=30).get()
    fitted = om.models.get("m")
    assert fitted.evaluate(*xy, verbose=0) < model.evaluate(*xy, verbose=0)


def test_predict_by_name_returns_the_models_predictions(stored_data, xy):
    om = stored_data
    model = kerasmodels.sequential()
    om.models.put(model, "m")
    result = om.runtime.model("m").predict("X").get()
    np.testing.assert_allclose(result, model.predict(xy[0], verbose=0), rtol=1e-6)


def test_predict_with_rname_stores_the_predictions_as_an_array(stored_data, xy):
    om = stored_data
    model = kerasmodels.sequential()
    om.models.put(model, "m")
    om.runtime.model("m").predict("X", rName="predictions").get()
    stored = om.datasets.get("predictions")
    assert om.datasets.metadata("predictions").kind == "numpy.ndarray" and stored.shape == (len(xy[0]), 1)
    np.testing.assert_allclose(stored, model.predict(xy[0], verbose=0), rtol=1e-6)


def test_predict_accepts_a_list_of_rows(omega, xy):
    omega.models.put(kerasmodels.sequential(), "m")
    result = omega.runtime.model("m").predict([[0.5, 0.5]]).get()
    assert np.asarray(result).shape == (1, 1)


def test_score_calls_evaluate_and_returns_the_loss(stored_data, xy):
    om = stored_data
    model = kerasmodels.sequential()
    om.models.put(model, "m")
    score = om.runtime.model("m").score("X", "Y").get()
    assert isinstance(score, float)
    assert score == pytest.approx(model.evaluate(*xy, verbose=0), rel=1e-6)


def test_score_of_a_model_with_metrics_returns_every_metric(stored_data, xy):
    om = stored_data
    model = kerasmodels.functional()
    om.models.put(model, "m")
    score = om.runtime.model("m").score("X", "Y").get()
    expected = model.evaluate(*xy, verbose=0, return_dict=True)
    assert score == pytest.approx(expected, rel=1e-6) and sorted(score) == ["loss", "mae"]


def test_partial_fit_continues_from_the_stored_weights(stored_data, xy):
    om = stored_data
    om.models.put(kerasmodels.sequential(), "m")
    om.runtime.model("m").fit("X", "Y", epochs=2).get()
    before = om.models.get("m")
    losses = [om.runtime.model("m").partial_fit("X", "Y").get()["attributes"]["history"]["loss"][0]
              for _ in range(5)]
    after = om.models.get("m")
    assert int(after.optimizer.iterations) == int(before.optimizer.iterations) + 5  # one step per batch of 20
    assert not all(np.array_equal(a, b) for a, b in zip(weights(before), weights(after)))
    assert losses[-1] < losses[0] and after.evaluate(*xy, verbose=0) < before.evaluate(*xy, verbose=0)


def test_partial_fit_records_the_batch_it_trained_on(stored_data):
    om = stored_data
    om.models.put(kerasmodels.sequential(), "m")
    attributes = om.runtime.model("m").partial_fit("Xval", "Yval").get()["attributes"]
    assert attributes["fitted_on"] == {"X": "Xval", "Y": "Yval"} and len(attributes["history"]["loss"]) == 1


# --- unhappy paths --------------------------------------------------------------
@pytest.mark.parametrize("args", [("missing", "Y"), ("X", "missing")], ids=["X", "Y"])
def test_fit_with_a_missing_dataset_raises_object_not_found_and_keeps_the_model(stored_data, args):
    om = stored_data
    om.models.put(kerasmodels.sequential(), "m")
    rev = om.models.metadata("m").rev
    with pytest.raises(ObjectNotFound, match="missing does not exist"):
        om.runtime.model("m").fit(*args).get()
    assert om.models.metadata("m").rev == rev


def test_fit_with_missing_validation_data_raises_object_not_found(stored_data):
    om = stored_data
    om.models.put(kerasmodels.sequential(), "m")
    with pytest.raises(ObjectNotFound, match="nowhere does not exist"):
        om.runtime.model("m").fit("X", "Y", validation_data=("nowhere", "Yval")).get()


def test_validation_data_that_is_not_a_pair_of_names_is_refused(stored_data):
    om = stored_data
    om.models.put(kerasmodels.sequential(), "m")
    with pytest.raises(ValueError, match=r"validation_data must be \(Xname, Yname\)"):
        om.runtime.model("m").fit("X", "Y", validation_data="Xval").get()


def test_fitting_a_model_of_another_name_raises_object_not_found(stored_data):
    with pytest.raises(ObjectNotFound, match="nomodel does not exist"):
        stored_data.runtime.model("nomodel").fit("X", "Y").get()


@pytest.mark.parametrize("method", ["fit", "partial_fit", "score"])
def test_an_uncompiled_model_cannot_train_or_score(stored_data, method):
    om = stored_data
    om.models.put(kerasmodels.sequential(compiled=False), "m")
    with pytest.raises(ValueError, match=r"'m' .* is not compiled.*model.compile\(optimizer=..., loss=...\)"):
        getattr(om.runtime.model("m"), method)("X", "Y").get()


def test_an_uncompiled_model_still_predicts(stored_data):
    om = stored_data
    om.models.put(kerasmodels.sequential(compiled=False), "m")
    assert len(om.runtime.model("m").predict("X").get()) == 20


@pytest.mark.parametrize("method", ["predict_proba", "decision_function", "transform", "fit_transform"])
def test_methods_keras_models_do_not_have_are_refused_with_the_alternative(stored_data, method):
    om = stored_data
    om.models.put(kerasmodels.sequential(), "m")
    with pytest.raises(TypeError, match="is a Keras model, which has no .*; use"):
        getattr(om.runtime.model("m"), method)("X").get()


def test_data_of_the_wrong_shape_fails_with_the_keras_error(stored_data):
    om = stored_data
    om.datasets.put([[1.0, 2.0, 3.0]], "three")
    om.models.put(kerasmodels.sequential(), "m")
    with pytest.raises(ValueError, match="shape"):
        om.runtime.model("m").predict("three").get()


def test_predict_accepts_an_in_memory_array(omega, xy):
    model = kerasmodels.sequential()
    omega.models.put(model, "m")
    result = omega.runtime.model("m").predict(xy[0][:3]).get()
    np.testing.assert_allclose(result, model.predict(xy[0][:3], verbose=0), rtol=1e-6)
    assert omega.datasets.list(hidden=True) == []  # the temporary input dataset is gone
