"""Security benchmark: a predict round trip through a Redis worker with signed messages vs without, same run."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from _common import Ratio, median_of, within

BROKER = os.environ.get("OMEGA_BENCH_BROKER", "redis://127.0.0.1:6379/13")
ROUNDS = int(os.environ.get("OMEGA_BENCH_ROUNDS", "200"))
SIGNING_ENV = ("OMEGA_SIGNING_KEY", "OMEGA_SIGNING_CERT", "OMEGA_SIGNING_CA")


def predict_median(tmp: str, signing: dict[str, str]) -> float:
    import omegaml_core as om
    from omegaml_core.runtime.testing import purge_queues, start_worker

    for name in SIGNING_ENV:
        os.environ.pop(name, None)
    os.environ.update(signing)
    purge_queues(BROKER)
    om.reset()
    env = {"OMEGA_BROKER": BROKER, "OMEGA_MONGO_URL": f"sqlite:///{tmp}/omega.db", "OMEGA_HOME": tmp, **signing}
    with start_worker(env, name="bench-signed" if signing else "bench-plain", pool="solo", log_dir=Path(tmp)):
        model = om.runtime.model("clf")
        model.predict("X").get(timeout=60)  # warm: the worker loads and caches the model
        return median_of(lambda: model.predict("X").get(timeout=30), ROUNDS)


def run() -> list[Ratio]:
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    import omegaml_core as om
    from omegaml_core.runtime.keygen import init_signing

    saved = {k: os.environ.get(k) for k in ("OMEGA_BROKER", "OMEGA_MONGO_URL", "OMEGA_HOME", *SIGNING_ENV)}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update({"OMEGA_BROKER": BROKER, "OMEGA_MONGO_URL": f"sqlite:///{tmp}/omega.db", "OMEGA_HOME": tmp})
        om.reset()
        X = pd.DataFrame({"a": range(100), "b": [i % 7 for i in range(100)]}, dtype=float)
        om.datasets.put(X, "X")
        om.models.put(LogisticRegression().fit(X, X["b"] > 3), "clf")
        keys = init_signing(Path(tmp) / "keys")
        signing = {"OMEGA_SIGNING_KEY": str(keys["key"]), "OMEGA_SIGNING_CERT": str(keys["cert"]),
                   "OMEGA_SIGNING_CA": str(keys["ca"])}
        try:
            plain = predict_median(tmp, {})
            signed = predict_median(tmp, signing)
        finally:
            for key, value in saved.items():
                os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
            om.reset()
    return [Ratio("runtime predict, Redis worker, signed messages vs unsigned", signed, plain, "<= 1.3x",
                  within(signed, plain, 1.3))]
