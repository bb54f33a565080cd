"""How dataset values become Keras inputs, and Keras results become JSON and datasets."""
import math

import numpy as np
import pandas as pd
import kerasmodels
from omegaml_keras.arrays import as_array, plain_history, plain_metrics, storable


def test_frames_series_and_lists_become_arrays_and_arrays_pass_through():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    np.testing.assert_array_equal(as_array(frame), [[1.0, 3.0], [2.0, 4.0]])
    np.testing.assert_array_equal(as_array(frame["a"]), [1.0, 2.0])
    assert as_array([[1, 2]]).shape == (1, 2)
    array = np.zeros(3)
    assert as_array(array) is array and as_array(None) is None


def test_a_dict_of_inputs_is_converted_per_key():
    converted = as_array({"left": pd.DataFrame({"a": [1.0]}), "right": [[2.0]]})
    assert sorted(converted) == ["left", "right"] and all(isinstance(v, np.ndarray) for v in converted.values())


def test_predictions_are_stored_as_the_array_keras_returned():
    array = np.arange(6, dtype="float32").reshape(3, 2)
    assert storable(array) is array


def test_the_outputs_of_a_multi_output_model_become_lists():
    assert storable([np.ones(1), np.zeros((1, 2))]) == [[1.0], [[0.0, 0.0]]]


def test_history_is_plain_floats_with_nan_and_inf_as_none():
    history = plain_history({"loss": [np.float32(0.5), math.nan], "val_loss": [math.inf, 1]})
    assert history == {"loss": [0.5, None], "val_loss": [None, 1.0]}
    assert all(type(v) is float for v in (history["loss"][0], history["val_loss"][1]))


def test_metrics_are_a_float_for_the_loss_alone_and_a_dict_otherwise():
    assert plain_metrics({"loss": np.float32(0.25)}) == 0.25
    assert plain_metrics({"loss": 0.25, "mae": np.float64(0.5)}) == {"loss": 0.25, "mae": 0.5}


def test_the_runtime_accepts_frames_in_memory_through_temporary_datasets(omega, frames):
    omega.models.put(kerasmodels.sequential(), "m")
    meta = omega.runtime.model("m").fit(*frames, epochs=2).get()
    assert all(name.startswith(".tmp/") for name in meta["attributes"]["fitted_on"].values())
    assert len(meta["attributes"]["history"]["loss"]) == 2
    assert omega.datasets.list(hidden=True) == []  # the temporary datasets were removed
