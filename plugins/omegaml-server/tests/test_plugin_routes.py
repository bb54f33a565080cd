"""The ``omegaml.api`` contract: a plugin's routes mounted under /api/v1 and served by a real uvicorn
(in a thread of this process, so the plugin can be registered without installing a distribution)."""

import threading
import time

import pytest

from omegaml_core.testing.servers import free_port


class FinishedResult:
    """A runtime-like result: what a jobs plugin's ``om.runtime`` call would give."""

    def __init__(self, value):
        self.id, self.value = f"job-{id(self):x}", value

    def ready(self):
        return True

    def get(self, timeout=None):
        return self.value


def job_routes(api):
    """A minimal jobs plugin written only against the ApiContext contract."""
    from fastapi import APIRouter, Depends, Request

    router = APIRouter()

    @router.post("/testjob/{name}/run")
    async def run_job(request: Request, name: str, omega=Depends(api.omega("run"))):
        if name == "missing":
            raise api.problem(404, "Not Found", f"job {name} does not exist in bucket {omega.bucket}")
        loop_thread = threading.current_thread()
        ran_in = await api.run_async(lambda: threading.current_thread())
        value = {"job": name, "bucket": omega.bucket, "off_loop": ran_in is not loop_thread}
        if request.query_params.get("async"):
            return api.task_response(FinishedResult(value), request)
        if request.query_params.get("local"):  # like a local runtime's LocalResult: .get() but no .id
            from omegaml_core.runtime.results import LocalResult

            return api.task_response(LocalResult(value), request)
        return api.task_response(value, request)

    return router


@pytest.fixture(scope="module")
def plugin_server(tmp_path_factory):
    import uvicorn

    from omegaml_core.config import Config
    from omegaml_core.discovery import API, Registry
    from omegaml_core.omega import Omega
    from omegaml_server.accounts import Accounts
    from omegaml_server.app import create_app
    from omegaml_server.settings import Settings

    home = tmp_path_factory.mktemp("plugin")
    registry = Registry.discover()
    registry.register(API, "testjobs", job_routes)
    omega = Omega(Config(storage_url=f"sqlite:///{home / 'omega.db'}"), registry=registry)
    accounts = Accounts(f"sqlite:///{home / 'accounts.db'}")
    accounts.create_user("runner")
    accounts.grant("runner", "omega", "run")
    accounts.create_user("reader")
    accounts.grant("reader", "omega", "read")
    keys = {user: accounts.create_key(user).secret for user in ("runner", "reader")}
    app = create_app(Settings(rules=("testjob/.*", "task/.*", "dataset")), accounts, omega)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", {u: {"Authorization": f"ApiKey {u}:{k}"} for u, k in keys.items()}
    server.should_exit = True
    thread.join(10)
    accounts.close()


def test_plugin_route_is_mounted_under_api_v1_and_runs_off_the_event_loop(plugin_server):
    import httpx

    url, headers = plugin_server
    body = httpx.post(f"{url}/api/v1/testjob/nightly/run", headers=headers["runner"]).json()
    assert body == {"job": "nightly", "bucket": "omega", "off_loop": True}


def test_plugin_route_checks_the_role(plugin_server):
    import httpx

    url, headers = plugin_server
    assert httpx.post(f"{url}/api/v1/testjob/nightly/run", headers=headers["reader"]).status_code == 403
    assert httpx.post(f"{url}/api/v1/testjob/nightly/run").status_code == 401


def test_plugin_problem_is_problem_details(plugin_server):
    import httpx

    url, headers = plugin_server
    response = httpx.post(f"{url}/api/v1/testjob/missing/run", headers=headers["runner"])
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "job missing does not exist in bucket omega"


def test_plugin_task_response_is_202_with_a_location_that_answers(plugin_server):
    import httpx

    url, headers = plugin_server
    started = httpx.post(f"{url}/api/v1/testjob/nightly/run?async=1", headers=headers["runner"])
    assert started.status_code == 202
    result = httpx.get(url + started.headers["location"], headers=headers["runner"]).json()
    assert result["status"] == "SUCCESS" and result["response"]["job"] == "nightly"


def test_server_rules_hide_what_they_do_not_match(plugin_server):
    import httpx

    url, headers = plugin_server
    assert httpx.get(f"{url}/api/v1/dataset/", headers=headers["runner"]).status_code == 200
    refused = httpx.get(f"{url}/api/v1/model/", headers=headers["runner"])
    assert refused.status_code == 403 and "server's rules" in refused.json()["detail"]


def test_plugin_task_response_of_a_finished_local_result_is_its_value(plugin_server):
    import httpx

    url, headers = plugin_server
    response = httpx.post(f"{url}/api/v1/testjob/nightly/run?local=1", headers=headers["runner"])
    assert response.status_code == 200 and response.json()["job"] == "nightly"
