"""fit, predict and gridsearch on a real worker, over the local Redis broker."""
import secrets

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from omegaml_core.config import Config
from omegaml_core.omega import Omega
from omegaml_core.runtime.testing import purge_queues, service_up, start_worker

pytestmark = pytest.mark.services


@pytest.fixture
def env(tmp_path, monkeypatch):
    if not service_up("127.0.0.1", 6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379; start it (see .ci/run)")
    broker = f"redis://127.0.0.1:6379/{secrets.randbelow(15) + 1}"
    purge_queues(broker)
    env = {"OMEGA_BROKER": broker, "OMEGA_MONGO_URL": f"sqlite:///{tmp_path / 'omega.db'}",
           "OMEGA_HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path)}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def om(env):
    omega = Omega(Config.resolve())
    X = pd.DataFrame({"a": [float(i % 7) for i in range(60)], "b": [float(i % 5) for i in range(60)]})
    omega.datasets.put(X, "X")
    omega.datasets.put(pd.DataFrame({"y": (X["a"] + X["b"] > 5).astype(int)}), "Y")
    omega.models.put(LogisticRegression(), "clf")
    return omega


def test_a_worker_fits_predicts_and_gridsearches_by_dataset_name(env, om):
    X, Y = om.datasets.get("X"), om.datasets.get("Y")["y"]
    with start_worker(env, name="sk-worker"):
        meta = om.runtime.model("clf").fit("X", "Y").get(timeout=60)
        assert meta["attributes"]["fitted_on"] == {"X": "X", "Y": "Y"}
        expected = LogisticRegression().fit(X, Y).predict(X).tolist()
        assert om.runtime.model("clf").predict("X[a,b]", rName="pred").get(timeout=60) == expected
        assert om.runtime.model("clf").score("X", "Y").get(timeout=60) == pytest.approx(
            LogisticRegression().fit(X, Y).score(X, Y))
        result = om.runtime.model("clf").gridsearch("X", "Y", {"C": [0.1, 10.0]}, cv=3).get(timeout=60)
    assert om.datasets.get("pred").tolist() == expected
    assert result["best_params"]["C"] in (0.1, 10.0)
    assert om.models.get("clf").C == result["best_params"]["C"]
    np.testing.assert_array_equal(om.models.metadata("clf").attributes["gridsearch"]["best_params"]["C"],
                                  result["best_params"]["C"])


def test_a_worker_that_refuses_pickles_does_not_load_a_joblib_model(env, om, monkeypatch):
    with start_worker({**env, "OMEGA_REFUSE_PICKLES": "1"}, name="strict-worker"):
        with pytest.raises(PermissionError, match="refuses pickles"):
            om.runtime.model("clf").fit("X", "Y").get(timeout=60)
        om.models.put(LogisticRegression(), "safe", serializer="skops")
        assert om.runtime.model("safe").fit("X", "Y").get(timeout=60)["kind_meta"]["serializer"] == "skops"
