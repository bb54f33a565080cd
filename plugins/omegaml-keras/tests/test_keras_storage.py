"""Storing Keras models: native .keras blobs, equal predictions after get, clear refusals."""
import numpy as np
import pytest

import kerasmodels


def predictions(model, X):
    return model.predict(X, verbose=0)


@pytest.mark.parametrize("make", [kerasmodels.sequential, kerasmodels.functional, kerasmodels.subclassed],
                         ids=["sequential", "functional", "subclassed"])
def test_get_returns_a_model_whose_predictions_equal_the_original(omega, xy, make):
    model = make()
    omega.models.put(model, "m")
    loaded = omega.models.get("m")
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(predictions(model, xy[0]), predictions(loaded, xy[0]))


def test_a_model_is_one_native_keras_archive_described_in_kind_meta(omega):
    import zipfile

    meta = omega.models.put(kerasmodels.sequential(), "m")
    assert meta.kind == "keras.model" and len(meta.blobs) == 1
    with omega.engine.blob_reader(meta.blobs[0]) as fh:
        assert set(zipfile.ZipFile(fh).namelist()) >= {"config.json", "metadata.json", "model.weights.h5"}
    facts = meta.kind_meta
    assert (facts["format"], facts["backend"], facts["params"]) == ("keras_v3", "tensorflow", 17)
    assert facts["class"] == "keras.src.models.sequential.Sequential" and facts["modules"] == []


def test_a_subclassed_model_records_the_module_that_registers_its_class(omega):
    meta = omega.models.put(kerasmodels.subclassed(), "m")
    assert meta.kind_meta["modules"] == ["kerasmodels"]


def test_a_model_with_a_custom_loss_records_the_module_of_the_function(omega, xy):
    model = kerasmodels.sequential(compiled=False)
    model.compile(optimizer="sgd", loss=kerasmodels.squared_error)
    assert omega.models.put(model, "m").kind_meta["modules"] == ["kerasmodels"]
    loaded = omega.models.get("m")
    assert loaded.evaluate(*xy, verbose=0) == model.evaluate(*xy, verbose=0)


def test_the_compiled_state_and_trained_optimizer_survive_a_round_trip(omega, xy):
    model = kerasmodels.sequential()
    model.fit(*xy, epochs=2, verbose=0)
    omega.models.put(model, "m")
    loaded = omega.models.get("m")
    assert loaded.compiled and loaded.loss == "mse"
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 2
    np.testing.assert_array_equal(model.evaluate(*xy, verbose=0), loaded.evaluate(*xy, verbose=0))


def test_an_unregistered_subclassed_model_is_refused_and_nothing_is_written(omega):
    before = omega.engine.list_blobs(), omega.engine.list_collections()
    with pytest.raises(TypeError, match=r"not registered: .*Unregistered.*register_keras_serializable"):
        omega.models.put(kerasmodels.built(kerasmodels.Unregistered()), "m")
    assert not omega.models.exists("m")
    assert (omega.engine.list_blobs(), omega.engine.list_collections()) == before


def test_a_model_keras_cannot_save_is_refused_and_nothing_is_written(omega):
    before = omega.engine.list_blobs()
    with pytest.raises(TypeError, match=r"Keras cannot save it: .*get_config\(\)"):
        omega.models.put(kerasmodels.built(kerasmodels.Unsavable(helper=object())), "m")
    assert not omega.models.exists("m") and omega.engine.list_blobs() == before


def test_a_refused_model_leaves_the_stored_version_in_place(omega, xy):
    model = kerasmodels.sequential()
    omega.models.put(model, "m")
    with pytest.raises(TypeError):
        omega.models.put(kerasmodels.built(kerasmodels.Unregistered()), "m")
    np.testing.assert_array_equal(predictions(model, xy[0]), predictions(omega.models.get("m"), xy[0]))
    assert omega.engine.orphans() == set()


def test_forcing_the_kind_on_something_else_is_a_clear_type_error(omega):
    with pytest.raises(TypeError, match="keras.model stores keras.Model objects; 'm' is a builtins.dict"):
        omega.models.put({"not": "a model"}, "m", kind="keras.model")
    assert not omega.models.exists("m")


def test_selecting_columns_of_a_model_is_refused(omega):
    omega.models.put(kerasmodels.sequential(), "m")
    with pytest.raises(ValueError, match="cannot select columns"):
        omega.models.get("m[a,b]")


def test_get_passes_load_options_to_keras(omega):
    omega.models.put(kerasmodels.sequential(), "m")
    assert omega.models.get("m", compile=False).compiled is False


def test_a_class_unknown_where_the_model_is_loaded_gives_a_hint(omega, monkeypatch):
    import keras

    omega.models.put(kerasmodels.subclassed(), "m")
    registered = keras.saving.get_registered_name(kerasmodels.Residual)
    monkeypatch.delitem(keras.saving.get_custom_objects(), registered)
    with pytest.raises(TypeError, match="not registered in this process.*custom_objects"):
        omega.models.get("m")
    loaded = omega.models.get("m", custom_objects={registered: kerasmodels.Residual})
    assert isinstance(loaded, kerasmodels.Residual)


def test_a_module_that_cannot_be_imported_is_named(omega, monkeypatch):
    meta = omega.models.put(kerasmodels.subclassed(), "m")
    backend = omega.models.backend("keras.model")
    meta.kind_meta["modules"] = ["no_such_module_for_keras_models"]
    with pytest.raises(ImportError, match="'no_such_module_for_keras_models', which cannot be imported"):
        backend.get("m", meta)


def test_other_objects_are_not_keras_models():
    from omegaml_keras.backend import KerasBackend

    assert not KerasBackend.supports({"a": 1}, "x")
    assert not KerasBackend.supports(object(), "x")
