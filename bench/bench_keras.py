"""omegaml-keras benchmark: put+get of a ~1M-parameter trained model (Adam state included) on the embedded engine
vs ``model.save(path)`` + ``keras.models.load_model(path)`` on a local file (best of 5 each).

Size: ``OMEGA_BENCH_KERAS_UNITS`` (1000: Dense(1000) on 1000 inputs, then Dense(1) = 1,002,001 weights).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from _common import Ratio, best_of, within

UNITS = int(os.environ.get("OMEGA_BENCH_KERAS_UNITS", "1000"))


def make_model():
    import keras
    import numpy as np

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((UNITS,)), keras.layers.Dense(UNITS, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    # one training step, so the archive holds the optimizer state too (as a trained model's does)
    model.fit(rng.random((32, UNITS), dtype="float32"), rng.random((32, 1), dtype="float32"), verbose=0)
    return model


def put_get_vs_save_load() -> Ratio:
    import keras

    import omegaml_core as om_module

    model = make_model()
    with tempfile.TemporaryDirectory() as tmp:
        om = om_module.setup(mongo_url=f"sqlite:///{tmp}/omega.db")
        path = Path(tmp) / "baseline.keras"

        def ours() -> None:
            om.models.get(om.models.put(model, "bench").name)

        def baseline() -> None:
            model.save(path)
            keras.models.load_model(path)

        ours(), baseline()  # warm up both: first saves and loads build Keras' internals
        ours_s = best_of(ours, repeat=5)
        base_s = best_of(baseline, repeat=5)
    return Ratio(f"keras.model put+get {model.count_params():,} params vs model.save + load_model",
                 ours_s, base_s, "within 1.5x", within(ours_s, base_s, 1.5))


def run() -> list[Ratio]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return [put_get_vs_save_load()]
