"""REST routes for scripts, on a minimal app with the kernel's ApiContext stand-in (no server here yet)."""
import pytest
from scripts_helpers import make_project

from omegaml_core.testing.api import ApiContextStandIn, app_with_routes
from omegaml_scripts.api import routes

pytestmark = pytest.mark.timeout(120)
RUNNER = {"Authorization": "ApiKey ana:k1"}


@pytest.fixture
def client(om, tmp_path):
    from fastapi.testclient import TestClient

    om.scripts.put(str(make_project(tmp_path, "echoer", "2.1")), "echo")
    return TestClient(app_with_routes(routes, ApiContextStandIn(om, {"ana:k1": {"read", "run"}})))


def test_post_run_returns_the_scripts_result(client):
    done = client.post("/api/v1/script/echo/run", json={"kwargs": {"a": 1}}, headers=RUNNER)
    assert done.status_code == 200
    assert done.json()["result"] == {"a": 1} and done.json()["script"] == "echo"


def test_get_describes_the_script(client):
    assert client.get("/api/v1/script/echo", headers=RUNNER).json()["version"] == "2.1"


def test_run_of_a_missing_script_is_a_404_problem(client):
    done = client.post("/api/v1/script/nothing/run", json={}, headers=RUNNER)
    assert done.status_code == 404 and "scripts/nothing does not exist" in done.json()["detail"]


def test_kwargs_that_are_not_an_object_are_a_400_problem(client):
    assert client.post("/api/v1/script/echo/run", json={"kwargs": [1]}, headers=RUNNER).status_code == 400
