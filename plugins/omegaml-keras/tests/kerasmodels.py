"""Tiny Keras models for the tests (an importable module, so workers can load the subclassed one)."""
from __future__ import annotations

import keras


def sequential(seed: int = 1, compiled: bool = True) -> keras.Model:
    """Dense(4) -> Dense(1) on 2 inputs: 17 weights."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
    if compiled:
        model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    return model


def functional(seed: int = 2) -> keras.Model:
    """Two branches joined: a functional model that is not a plain stack."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((2,))
    joined = keras.layers.Concatenate()([keras.layers.Dense(3, activation="tanh")(inputs),
                                         keras.layers.Dense(2)(inputs)])
    model = keras.Model(inputs, keras.layers.Dense(1)(joined))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


@keras.saving.register_keras_serializable(package="omegaml_keras_tests")
class Residual(keras.Model):
    """A subclassed model Keras can save: registered, and its constructor arguments are in get_config."""

    def __init__(self, units: int = 4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = keras.layers.Dense(units, activation="relu")
        self.out = keras.layers.Dense(1)

    def call(self, inputs):
        return self.out(self.hidden(inputs)) + keras.ops.sum(inputs, axis=-1, keepdims=True)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def subclassed(seed: int = 3) -> keras.Model:
    keras.utils.set_random_seed(seed)
    model = Residual(units=4)
    model(keras.ops.zeros((1, 2)))  # build the weights
    model.compile(optimizer="adam", loss="mse")
    return model


class Unregistered(keras.Model):
    """Keras saves it, but could not find the class again when loading."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(1)

    def call(self, inputs):
        return self.dense(inputs)


@keras.saving.register_keras_serializable(package="omegaml_keras_tests")
class Unsavable(keras.Model):
    """Built from an argument that is not serializable and without get_config: Keras refuses to save it."""

    def __init__(self, helper, **kwargs):
        super().__init__(**kwargs)
        self.helper = helper
        self.dense = keras.layers.Dense(1)

    def call(self, inputs):
        return self.dense(inputs)


def built(model: keras.Model) -> keras.Model:
    model(keras.ops.zeros((1, 2)))
    return model


@keras.saving.register_keras_serializable(package="omegaml_keras_tests")
def squared_error(y_true, y_pred):
    """A custom loss: saved by registered name only."""
    return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)
