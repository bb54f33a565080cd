"""The notebook routes mounted by the real ``om serve`` (through the omegaml.api entry point), end to end."""
import pytest
from notebook_helpers import notebook

pytest.importorskip("omegaml_server")
pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    import omegaml_core as om
    from omegaml_server.testing import serve_store

    home = tmp_path_factory.mktemp("served")
    omega = om.setup(mongo_url=f"sqlite:///{home / 'omega.db'}")
    omega.jobs.put(notebook("print(n)", parameters="n = 1"), "report")
    with serve_store(omega.config.storage_url, home, {"ana": "run", "bob": "read"}) as (url, headers):
        yield url, headers, omega


def test_the_server_runs_a_job_with_parameters_and_lists_the_run(served):
    import httpx

    url, headers, omega = served
    done = httpx.post(f"{url}/api/v1/job/report/run", json={"parameters": {"n": 4}}, headers=headers["ana"],
                      timeout=120)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "ok" and done.json()["parameters"] == {"n": 4}
    runs = httpx.get(f"{url}/api/v1/job/report/runs", headers=headers["bob"]).json()
    assert done.json()["result"] in [r["name"] for r in runs]
    assert omega.jobs.exists(done.json()["result"])


def test_a_reader_may_list_runs_but_not_run_a_job(served):
    import httpx

    url, headers, _ = served
    assert httpx.get(f"{url}/api/v1/job/report/runs", headers=headers["bob"]).status_code == 200
    refused = httpx.post(f"{url}/api/v1/job/report/run", json={}, headers=headers["bob"])
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
