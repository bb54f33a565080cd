"""Scripts on a real worker over Redis: a requirement the worker does not have, and a failing script."""
import importlib.util
import secrets
from pathlib import Path

import pytest
from scripts_helpers import make_project

from omegaml_core.config import Config
from omegaml_core.omega import Omega
from omegaml_core.runtime.testing import purge_queues, service_up, start_worker

pytestmark = [pytest.mark.services, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def setup(tmp_path_factory, wheelhouse):
    if not service_up("127.0.0.1", 6379):
        pytest.skip("redis is not running on 127.0.0.1:6379; start it (see .ci/run)")
    tmp = tmp_path_factory.mktemp("scriptworkers")
    broker = f"redis://127.0.0.1:6379/{secrets.randbelow(15) + 1}"
    purge_queues(broker)
    label = f"sc{secrets.token_hex(3)}"
    env = {"OMEGA_BROKER": broker, "OMEGA_MONGO_URL": f"sqlite:///{tmp / 'omega.db'}", "OMEGA_HOME": str(tmp / "home"),
           "OMEGA_CONFIG": str(tmp / "none.toml"), "TMPDIR": str(tmp), "OMEGA_SCRIPTS_FIND_LINKS": str(wheelhouse),
           "OMEGA_SCRIPTS_NO_INDEX": "1", "OMEGA_SCRIPTS_ENVS": str(tmp / "worker-envs")}
    om = Omega(Config.resolve(mongo_url=env["OMEGA_MONGO_URL"], broker=broker), "scripts")
    with start_worker(env, labels=[label], name="scriptworker", log_dir=tmp):
        yield om, label, tmp


def test_a_worker_runs_a_script_whose_requirement_it_does_not_have(setup):
    om, label, tmp = setup
    assert importlib.util.find_spec("omtest_greeting") is None
    body = ("import omtest_greeting\n\ndef run(om, who='x'):\n"
            "    om.datasets.put({'bucket': om.bucket}, 'seen')\n    return omtest_greeting.greet(who)\n")
    om.scripts.put(str(make_project(tmp, "worker_greeter", requires=["omtest_greeting==1.0"], body=body)), "greeter")
    out = om.runtime.require(label).script("greeter").run(who="ana").get(timeout=180)
    assert (out["script"], out["kwargs"], out["result"]) == ("greeter", {"who": "ana"}, "hello ana")
    assert out["runtime"] > 0 and out["started"] and om.datasets.get("seen") == {"bucket": "scripts"}
    assert list((tmp / "worker-envs").glob("worker_greeter-1.0-*/.ready"))  # the worker's own cache


def test_a_failing_script_on_a_worker_raises_its_type_and_message_on_the_client(setup):
    om, label, tmp = setup
    body = "def run(om, **kwargs):\n    raise LookupError(f'no customer {kwargs}')\n"
    om.scripts.put(str(make_project(tmp, "worker_failing", body=body)), "failing")
    with pytest.raises(LookupError, match=r"no customer \{'id': 7\}"):
        om.runtime.require(label).script("failing").run(id=7).get(timeout=180)
