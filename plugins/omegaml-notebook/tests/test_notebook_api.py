"""REST routes for notebook jobs, on a minimal app with the kernel's ApiContext stand-in (no server here yet)."""
import pytest
from notebook_helpers import notebook

from omegaml_core.testing.api import ApiContextStandIn, app_with_routes
from omegaml_notebook.api import routes

pytestmark = pytest.mark.timeout(120)
RUNNER = {"Authorization": "ApiKey ana:k1"}
READER = {"Authorization": "ApiKey bob:k2"}


@pytest.fixture
def client(om):
    from fastapi.testclient import TestClient

    om.jobs.put(notebook("print(n)", parameters="n = 1"), "report")
    api = ApiContextStandIn(om, {"ana:k1": {"read", "run", "write"}, "bob:k2": {"read"}})
    return TestClient(app_with_routes(routes, api))


def test_post_run_runs_the_job_with_parameters_and_runs_lists_it(client):
    done = client.post("/api/v1/job/report/run", json={"parameters": {"n": 4}}, headers=RUNNER)
    assert done.status_code == 200 and done.json()["status"] == "ok" and done.json()["parameters"] == {"n": 4}
    listed = client.get("/api/v1/job/report/runs", headers=READER).json()
    assert [r["name"] for r in listed] == [done.json()["result"]]


def test_run_of_a_missing_job_is_a_404_problem(client):
    done = client.post("/api/v1/job/nothing/run", json={}, headers=RUNNER)
    assert done.status_code == 404 and "jobs/nothing does not exist" in done.json()["detail"]


def test_bad_parameters_are_a_400_problem_and_nothing_runs(client):
    done = client.post("/api/v1/job/report/run", json={"parameters": {"not valid": 1}}, headers=RUNNER)
    assert done.status_code == 400 and "not a Python identifier" in done.json()["detail"]
    assert client.get("/api/v1/job/report/runs", headers=READER).json() == []


def test_run_needs_the_run_grant(client):
    assert client.post("/api/v1/job/report/run", json={}, headers=READER).status_code == 403


def test_schedule_put_get_delete(client):
    put = client.put("/api/v1/job/report/schedule", json={"spec": "weekdays at 06:30", "tz": "Europe/Zurich"},
                     headers=RUNNER)
    assert put.status_code == 200 and put.json()["cron"] == "30 6 * * MON-FRI"
    shown = client.get("/api/v1/job/report/schedule", headers=READER).json()
    assert shown["explanation"] == "at 06:30, on Monday to Friday" and len(shown["next_times"]) == 5
    assert client.delete("/api/v1/job/report/schedule", headers=RUNNER).json() == {"dropped": True}
    assert client.get("/api/v1/job/report/schedule", headers=READER).status_code == 404


def test_a_schedule_that_cannot_be_read_is_a_400_problem(client):
    done = client.put("/api/v1/job/report/schedule", json={"spec": "now and then"}, headers=RUNNER)
    assert done.status_code == 400 and "cannot read the schedule" in done.json()["detail"]
