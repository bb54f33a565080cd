"""Real workers in subprocesses, on the local Redis and RabbitMQ servers."""
import time

import pytest

from omegaml_core.config import Config
from omegaml_core.errors import ContextNotServed, ObjectNotFound
from omegaml_core.omega import Omega
from omegaml_core.runtime.testing import start_worker
from omegaml_core.versioning import versions

pytestmark = pytest.mark.services


@pytest.fixture
def env(tiny_env, broker_url, monkeypatch, tmp_path):
    monkeypatch.setenv("OMEGA_BROKER", broker_url)
    # short enough for the kill -9 test, longer than any task here
    return {**tiny_env, "OMEGA_BROKER": broker_url, "OMEGA_VISIBILITY_TIMEOUT": "6", "TMPDIR": str(tmp_path)}


@pytest.fixture
def om(env):
    import tinymodel

    omega = Omega(Config.resolve())
    omega.models.put(tinymodel.TinyModel(), "tiny")
    omega.datasets.put([1, 2, 3], "X")
    omega.datasets.put([3, 6, 9], "Y")
    return omega


def test_a_worker_fits_and_predicts_by_dataset_name(env, om):
    with start_worker(env, name="fitter"):
        meta = om.runtime.model("tiny").fit("X", "Y").get(timeout=30)
        assert meta["attributes"]["fitted_on"]["X"] == "X"
        assert om.runtime.model("tiny").predict("X", rName="pred").get(timeout=30) == [6, 6, 6]
        assert om.runtime.model("tiny").predict([0]).get(timeout=30) == [6]
    assert om.datasets.get("pred") == [6, 6, 6]
    assert om.datasets.list(hidden=True) == ["X", "Y", "pred"]  # the in-memory input was removed


def test_worker_errors_come_back_with_type_and_message(env, om):
    with start_worker(env, name="errors"):
        with pytest.raises(ObjectNotFound, match="missing"):
            om.runtime.model("missing").predict("X").get(timeout=30)
        with pytest.raises(ValueError, match="not fitted"):
            om.runtime.model("tiny").predict("X").get(timeout=30)


def test_calls_are_routed_to_the_workers_of_their_label(env, om):
    om.models.put(om.models.get("tiny"), "pinned", attributes={"require": "gpu"})
    with start_worker(env, name="cpu-worker"), start_worker(env, labels=["gpu"], name="gpu-worker"):
        assert om.runtime.model("tiny").whoami().get(timeout=30)["worker"] == "cpu-worker"
        assert om.runtime.require("gpu").model("tiny").whoami().get(timeout=30)["worker"] == "gpu-worker"
        assert om.runtime.model("pinned").whoami().get(timeout=30)["worker"] == "gpu-worker"
        assert om.runtime.require("gpu").ping().get(timeout=30)["worker"] == "gpu-worker"


def test_one_worker_pool_serves_several_buckets(env, om):
    import tinymodel

    om["team"].models.put(tinymodel.TinyModel(mean=7), "tiny")
    with start_worker(env, name="shared"):
        assert om["team"].runtime.model("tiny").predict([1]).get(timeout=30) == [7]
        assert om.runtime.ping().get(timeout=30)["bucket"] == "omega"
        assert om["team"].runtime.ping().get(timeout=30)["bucket"] == "team"
    assert om["team"].datasets.list(hidden=True) == []


def test_storage_credentials_never_reach_the_broker_or_the_worker(env, om):
    secret_context = Omega(Config.resolve(mongo_url="mongodb://alice:s3cret-pw@127.0.0.1:1/omega"))
    with start_worker(env, name="quiet") as worker:
        with pytest.raises(ContextNotServed) as info:
            secret_context.runtime.require("default").ping().get(timeout=30)
        time.sleep(0.5)
        log = worker.output()
    assert "s3cret-pw" not in str(info.value)
    assert "s3cret-pw" not in log and "127.0.0.1:1" not in log


def test_a_task_of_a_killed_worker_is_redelivered_and_the_model_saved_once(env, om):
    import tinymodel

    om.models.put(tinymodel.TinyModel(fit_seconds=3), "slow")
    with start_worker(env, name="doomed") as doomed:
        result = om.runtime.model("slow").fit("X", "Y")
        deadline = time.monotonic() + 20
        while "omegaml.run" not in doomed.output() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # the fit is under way
        doomed.kill()
    assert len(versions(om.models, "slow")) == 1  # nothing was saved by the killed worker
    with start_worker(env, name="rescuer"):
        meta = result.get(timeout=60)
    assert meta["name"] == "slow" and om.models.get("slow").mean == 6
    assert len(versions(om.models, "slow")) == 2  # the initial put and exactly one fit
    assert om.engine.orphans() == set()
