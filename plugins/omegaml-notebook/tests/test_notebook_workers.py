"""Notebooks on real workers over Redis: parameters, failures, schedules fired by om scheduler, kill -9."""
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from notebook_helpers import notebook

from omegaml_core.config import Config
from omegaml_core.omega import Omega
from omegaml_core.runtime.testing import purge_queues, service_up, start_worker
from omegaml_notebook import NotebookRunError, jobs

pytestmark = [pytest.mark.services, pytest.mark.timeout(240)]
OM = str(Path(sys.executable).with_name("om"))
EVERY_2_SECONDS = "* * * * * */2"  # croniter's sixth field: seconds


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    if not service_up("127.0.0.1", 6379):
        pytest.skip("redis is not running on 127.0.0.1:6379; start it (see .ci/run)")
    tmp = tmp_path_factory.mktemp("nbworkers")
    broker = f"redis://127.0.0.1:6379/{secrets.randbelow(15) + 1}"
    purge_queues(broker)
    return {"OMEGA_BROKER": broker, "OMEGA_MONGO_URL": f"sqlite:///{tmp / 'omega.db'}", "OMEGA_HOME": str(tmp / "home"),
            "OMEGA_CONFIG": str(tmp / "none.toml"), "OMEGA_VISIBILITY_TIMEOUT": "12", "TMPDIR": str(tmp),
            "label": f"nb{secrets.token_hex(3)}"}


@pytest.fixture(scope="module")
def om(env):
    return Omega(Config.resolve(mongo_url=env["OMEGA_MONGO_URL"], broker=env["OMEGA_BROKER"]), f"b{secrets.token_hex(3)}")


@pytest.fixture(scope="module")
def worker(env):
    worker_env = {k: v for k, v in env.items() if k != "label"}
    with start_worker(worker_env, labels=[env["label"]], name="nbworker", log_dir=Path(env["TMPDIR"])) as w:
        yield w


def put(om, env, name, nb):
    om.jobs.put(nb, name, attributes={"require": env["label"]})


def test_a_worker_runs_a_notebook_with_parameters(om, env, worker):
    put(om, env, "params", notebook("om.datasets.put({'n': n, 'bucket': om.bucket}, 'out')", parameters="n = 1"))
    result = om.runtime.job("params").run(parameters={"n": 9}).get(timeout=120)
    assert result["status"] == "ok" and result["worker"] == "nbworker"
    assert om.datasets.get("out") == {"n": 9, "bucket": om.bucket}


def test_a_failing_notebook_on_a_worker_raises_naming_the_cell_and_is_stored(om, env, worker):
    put(om, env, "failing", notebook("x = 1", "raise KeyError('missing column')"))
    with pytest.raises(NotebookRunError, match=r"failed in cell 1: KeyError: 'missing column'"):
        om.runtime.job("failing").run().get(timeout=120)
    (run,) = jobs(om).runs("failing")
    assert (run.attributes["status"], run.attributes["worker"]) == ("failed", "nbworker")


def _scheduler(env):
    proc_env = {**os.environ, **{k: v for k, v in env.items() if k != "label"}}
    log = Path(env["TMPDIR"]) / f"scheduler-{secrets.token_hex(4)}.log"
    out = open(log, "w")
    proc = subprocess.Popen([OM, "scheduler", "--interval", "0.2"], env=proc_env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    return proc, log, out


def _stop(proc, out):
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(15)
    out.close()


def _wait_for_runs(om, name, n, timeout=120):
    deadline = time.monotonic() + timeout
    while len(jobs(om).runs(name)) < n and time.monotonic() < deadline:
        time.sleep(0.5)
    return jobs(om).runs(name)


def test_om_scheduler_fires_a_scheduled_notebook_on_a_worker(om, env, worker):
    put(om, env, "ticking", notebook("x = 1"))
    jobs(om).schedule("ticking", EVERY_2_SECONDS)
    proc, log, out = _scheduler(env)
    try:
        (run,) = _wait_for_runs(om, "ticking", 1)[-1:]
    finally:
        jobs(om).drop_schedule("ticking")
        _stop(proc, out)
    assert run.attributes["status"] == "ok" and run.attributes["scheduled_for"]
    assert f"{om.bucket}/ticking.ipynb due " in log.read_text()


def test_two_schedulers_racing_fire_each_due_run_exactly_once(om, env, worker):
    put(om, env, "raced", notebook("x = 1"))
    jobs(om).schedule("raced", EVERY_2_SECONDS)
    (p1, log1, out1), (p2, log2, out2) = _scheduler(env), _scheduler(env)
    try:
        time.sleep(7)
    finally:
        jobs(om).drop_schedule("raced")
        _stop(p1, out1)
        _stop(p2, out2)
    claims = re.findall(r"raced\.ipynb due (\S+): submitted", log1.read_text() + log2.read_text())
    assert len(claims) >= 2 and len(set(claims)) == len(claims)
    runs = _wait_for_runs(om, "raced", len(claims))
    assert sorted(r.attributes["scheduled_for"] for r in runs) == sorted(claims)


def test_a_worker_killed_mid_notebook_leaves_it_to_another_and_one_result_is_stored(om, env):
    label = f"kill{secrets.token_hex(3)}"  # only the two workers of this test serve it
    om.jobs.put(notebook("om.datasets.put({'started': True}, 'long-started')", "import time; time.sleep(4)",
                         "om.datasets.put({'done': True}, 'long-done')"), "long", attributes={"require": label})
    worker_env = {k: v for k, v in env.items() if k != "label"}
    with start_worker(worker_env, labels=[label], name="doomed", log_dir=Path(env["TMPDIR"])) as doomed:
        result = om.runtime.job("long").run()
        deadline = time.monotonic() + 60
        while not om.datasets.exists("long-started") and time.monotonic() < deadline:
            time.sleep(0.2)
        doomed.kill()
    assert not om.datasets.exists("long-done")
    with start_worker(worker_env, labels=[label], name="rescuer", log_dir=Path(env["TMPDIR"])):
        outcome = result.get(timeout=120)
    assert outcome["status"] == "ok" and outcome["worker"] == "rescuer"
    assert len(jobs(om).runs("long")) == 1 and om.datasets.get("long-done") == {"done": True}
