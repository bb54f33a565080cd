"""The script routes mounted by the real ``om serve`` (through the omegaml.api entry point), end to end."""
import pytest
from scripts_helpers import make_project

pytest.importorskip("omegaml_server")
pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    import omegaml_core as om
    from omegaml_server.testing import serve_store

    home = tmp_path_factory.mktemp("served")
    omega = om.setup(mongo_url=f"sqlite:///{home / 'omega.db'}")
    omega.scripts.put(str(make_project(home, "echoer", "2.1")), "echo")
    with serve_store(omega.config.storage_url, home, {"ana": "run", "bob": "read"}) as (url, headers):
        yield url, headers


def test_the_server_runs_a_script_and_returns_its_result(served):
    import httpx

    url, headers = served
    done = httpx.post(f"{url}/api/v1/script/echo/run", json={"kwargs": {"a": 1}}, headers=headers["ana"], timeout=240)
    assert done.status_code == 200, done.text
    assert done.json()["result"] == {"a": 1} and done.json()["script"] == "echo"


def test_a_reader_may_describe_but_not_run_a_script(served):
    import httpx

    url, headers = served
    assert httpx.get(f"{url}/api/v1/script/echo", headers=headers["bob"]).json()["version"] == "2.1"
    assert httpx.post(f"{url}/api/v1/script/echo/run", json={}, headers=headers["bob"]).status_code == 403
