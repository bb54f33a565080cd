"""A real worker (a subprocess on the local Redis) fits and predicts Keras models by dataset name.

Each test runs on the embedded engine and on MongoDB over the wire (the kernel's nx-27017 stand-in).
"""
import os
import secrets
from pathlib import Path

import numpy as np
import pytest

import kerasmodels
from omegaml_core.config import Config
from omegaml_core.errors import ObjectNotFound
from omegaml_core.omega import Omega
from omegaml_core.runtime.testing import purge_queues, service_up, start_worker
from omegaml_core.testing.servers import test_database_url as fresh_database_url

pytestmark = pytest.mark.services
REDIS = ("127.0.0.1", 6379)
TESTS = Path(__file__).parent


@pytest.fixture(params=["embedded", "mongodb"])
def env(request, tmp_path, monkeypatch):
    """Environment shared by this process and the worker: a fresh store, a fresh Redis database."""
    if not service_up(*REDIS):
        pytest.skip("Redis is not running on 127.0.0.1:6379; start it to run the worker tests")
    broker = f"redis://{REDIS[0]}:{REDIS[1]}/{secrets.randbelow(15) + 1}"
    purge_queues(broker)
    if request.param == "mongodb":
        storage = fresh_database_url(request.getfixturevalue("omega_mongo_base_url"))
    else:
        storage = f"sqlite:///{tmp_path / 'omega.db'}"
    env = {"OMEGA_BROKER": broker, "OMEGA_MONGO_URL": storage,
           "OMEGA_HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path), "TF_CPP_MIN_LOG_LEVEL": "2",
           # the worker imports the module that registers the subclassed test model from here
           "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")]))}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def om(env, frames):
    omega = Omega(Config.resolve())
    omega.datasets.put(frames[0], "X")
    omega.datasets.put(frames[1], "Y")
    return omega


def test_a_worker_fits_and_predicts_by_dataset_name(env, om, xy):
    om.models.put(kerasmodels.sequential(), "m")
    with start_worker(env, name="keras-worker", timeout=120) as worker:
        meta = om.runtime.model("m").fit("X", "Y", epochs=3, batch_size=10,
                                         validation_data=("X", "Y")).get(timeout=120)
        predicted = om.runtime.model("m").predict("X", rName="predictions").get(timeout=60)
        score = om.runtime.model("m").score("X", "Y").get(timeout=60)
        with pytest.raises(ObjectNotFound, match="missing"):
            om.runtime.model("m").fit("missing", "Y").get(timeout=60)
    assert "keras-worker" in worker.output()
    assert len(meta["attributes"]["history"]["val_loss"]) == 3
    fitted = om.models.get("m")
    assert int(fitted.optimizer.iterations) == 3 * 2
    np.testing.assert_allclose(predicted, fitted.predict(xy[0], verbose=0), rtol=1e-5)
    np.testing.assert_allclose(om.datasets.get("predictions"), predicted, rtol=1e-6)
    assert score == pytest.approx(fitted.evaluate(*xy, verbose=0), rel=1e-5)


def test_a_worker_loads_a_subclassed_model_whose_module_it_can_import(env, om, xy):
    model = kerasmodels.subclassed()
    om.models.put(model, "residual")
    with start_worker(env, name="keras-sub", timeout=120):
        predicted = om.runtime.model("residual").predict("X").get(timeout=60)
    np.testing.assert_allclose(predicted, model.predict(xy[0], verbose=0), rtol=1e-5)
