"""The runtime pages in a real browser: live workers on a real Redis broker, tasks started through the server with
their states, a failed task's error and traceback, and clear pages when there is no broker or it does not answer."""
import os
import secrets
import time

import httpx
import pytest

from omegaml_core.runtime.testing import service_up, start_worker
from omegaml_server.testing import ServerProcess
from omegaml_server.testing_ui import browser_users, served_at

pytestmark = pytest.mark.browser
USERS = {"root": ("*", "admin"), "runner": ("omega", "run"), "reader": ("omega", "read")}


@pytest.fixture(scope="module")
def broker_stack(tmp_path_factory):
    """`om serve` with a Redis broker (a random database, a queue label of its own), users and a model that
    requires that label: (server, env, keys, label)."""
    if not service_up("127.0.0.1", 6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379; start it (see .ci/run)")
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    import omegaml_core as om
    from omegaml_server.accounts import Accounts

    home = tmp_path_factory.mktemp("runtime")
    label = f"ui-{secrets.token_hex(4)}"  # other sessions may share the Redis database: our tasks go to our queue
    env = {**{k: v for k, v in os.environ.items() if k != "OMEGA_BROKER"}, "OMEGA_HOME": str(home),
           "OMEGA_MONGO_URL": f"sqlite:///{home / 'omega.db'}", "OMEGA_ACCOUNTS_URL": f"sqlite:///{home / 'accounts.db'}",
           "OMEGA_BROKER": f"redis://127.0.0.1:6379/{secrets.randbelow(15) + 1}", "TMPDIR": str(home)}
    accounts = Accounts(env["OMEGA_ACCOUNTS_URL"])
    keys = {}
    for user, (bucket, role) in USERS.items():
        accounts.create_user(user)
        keys[user] = accounts.create_key(user).secret
        accounts.grant(user, bucket, role)
    accounts.close()
    omega = om.setup(mongo_url=env["OMEGA_MONGO_URL"])
    omega.datasets.put(pd.DataFrame({"x": [float(i) for i in range(20)], "y": [int(i >= 10) for i in range(20)]}), "sales")
    omega.datasets.put(pd.DataFrame({"y": [0, 1, 0]}), "short")
    omega.models.put(LogisticRegression(), "clf", attributes={"require": label})
    server = ServerProcess(env, log_path=home / "server.log").start()
    try:
        yield server, env, keys, label
    finally:
        server.stop()


@pytest.fixture
def stack_user(browser, broker_stack):
    server, _, keys, _ = broker_stack
    with browser_users(browser, served_at(server.url, keys)) as open_as:
        yield open_as


def start_fit(server, keys, user: str, datay: str) -> str:
    answer = httpx.post(f"{server.url}/api/v1/model/clf/fit", params={"datax": "sales[x]", "datay": datay, "async": 1},
                        headers={"Authorization": f"ApiKey {user}:{keys[user]}", "Bucket": "omega"}, timeout=30)
    assert answer.status_code == 202, answer.text
    return answer.json()["task_id"]


def wait_done(server, keys, user: str, task_id: str) -> httpx.Response:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answer = httpx.get(f"{server.url}/api/v1/task/{task_id}/result", timeout=30,
                           headers={"Authorization": f"ApiKey {user}:{keys[user]}", "Bucket": "omega"})
        if answer.status_code != 202:
            return answer
        time.sleep(0.2)
    raise AssertionError(f"task {task_id} did not finish")


def test_without_a_broker_the_page_says_how_to_get_workers(browser_user):
    user = browser_user("reader")
    response = user.goto("/ui/runtime")
    assert response.status == 200
    text = user.page.inner_text("main")
    assert "No broker is configured" in text and "om worker" in text and "OMEGA_BROKER" in text
    assert "No tasks yet" in text


def test_a_broker_that_does_not_answer_gives_a_message_not_a_hanging_page(browser, tmp_path, served):
    env = {**{k: v for k, v in os.environ.items() if k != "OMEGA_BROKER"}, "OMEGA_HOME": str(served.home),
           "OMEGA_MONGO_URL": f"sqlite:///{served.home / 'omega.db'}", "OMEGA_ACCOUNTS_URL": served.accounts_url,
           "OMEGA_BROKER": "redis://:hunter2@127.0.0.1:1/0"}
    server = ServerProcess(env, log_path=tmp_path / "server.log").start()
    try:
        with browser_users(browser, served_at(server.url, served.keys)) as open_as:
            user = open_as("reader")
            assert user.goto("/ui/runtime").status == 200
            alert = user.page.get_by_role("alert").inner_text()
            assert "127.0.0.1:1" in alert and "om doctor" in alert
            assert "hunter2" not in user.page.content()
    finally:
        server.stop()


def test_the_runtime_page_shows_a_live_worker_tasks_and_a_failed_tasks_error(stack_user, broker_stack):
    server, env, keys, label = broker_stack
    name = f"uiw{secrets.token_hex(3)}"
    with start_worker(env, labels=[label], name=name):
        good = start_fit(server, keys, "runner", "sales[y]")
        bad = start_fit(server, keys, "runner", "short[y]")  # 20 rows of X, 3 of Y: the worker's fit fails
        assert wait_done(server, keys, "runner", good).status_code == 200
        assert wait_done(server, keys, "runner", bad).status_code >= 400

        admin = stack_user("root")
        admin.page.get_by_role("link", name="Runtime").click()
        worker_row = admin.page.locator("tr", has_text=name)
        assert label in worker_row.inner_text()
        recent = admin.page.locator("table", has_text="Call")
        assert recent.locator("tr", has_text=good).locator(".badge").inner_text() == "SUCCESS"
        assert recent.locator("tr", has_text=bad).locator(".badge").inner_text() == "FAILURE"
        assert "runner" in recent.locator("tr", has_text=bad).inner_text()
        admin.screenshot("runtime")

        admin.page.get_by_role("link", name=bad).click()
        error = admin.page.get_by_role("alert").inner_text()
        assert error.startswith("ValueError") and "inconsistent numbers of samples" in error
        assert "Traceback" in admin.page.locator("pre.traceback").inner_text()
        admin.screenshot("runtime-task-failed")

    runner = stack_user("runner")
    runner.goto("/ui/runtime")
    assert runner.page.get_by_role("link", name=bad).is_visible()
    reader = stack_user("reader")
    reader.goto("/ui/runtime")
    assert reader.page.get_by_role("link", name=bad).count() == 0  # someone else's tasks are not listed
    assert reader.goto(f"/ui/runtime/task/{bad}").status == 404


def test_a_task_started_from_python_is_found_by_id_by_admins_only(stack_user, broker_stack):
    from omegaml_core.config import Config
    from omegaml_core.omega import Omega

    server, env, keys, label = broker_stack
    omega = Omega(Config.resolve(mongo_url=env["OMEGA_MONGO_URL"], broker=env["OMEGA_BROKER"]))
    with start_worker(env, labels=[label], name=f"uiw{secrets.token_hex(3)}"):
        result = omega.runtime.model("clf").fit("sales[x]", "short[y]")
        with pytest.raises(ValueError):
            result.get(timeout=120)
    admin = stack_user("root")
    admin.goto("/ui/runtime")
    admin.page.get_by_label("Task id").fill(result.id)
    admin.page.get_by_role("button", name="Show").click()
    admin.page.wait_for_load_state()
    assert "the result backend" in admin.page.inner_text("main")
    assert "inconsistent numbers of samples" in admin.page.get_by_role("alert").inner_text()
    assert stack_user("runner").goto(f"/ui/runtime/task/{result.id}").status == 404  # nobody's: admins only


def test_another_server_process_answers_a_task_result_only_to_its_owner(broker_stack):
    """With a broker, a result is read from the result backend by any server process (``om serve --workers N``):
    the owner recorded in the accounts database decides, not the process that happened to start the task."""
    server, env, keys, label = broker_stack
    other = ServerProcess(env, log_path=server.log_path).start()
    try:
        with start_worker(env, labels=[label], name=f"uiw{secrets.token_hex(3)}"):
            task_id = start_fit(server, keys, "runner", "sales[y]")
            assert wait_done(other, keys, "runner", task_id).status_code == 200  # the owner, on the other process
            for process in (server, other):
                for user in ("reader", "root"):  # root is admin of every bucket, yet not the owner
                    answer = httpx.get(f"{process.url}/api/v1/task/{task_id}/result", timeout=30,
                                       headers={"Authorization": f"ApiKey {user}:{keys[user]}", "Bucket": "omega"})
                    assert answer.status_code == 404, (process.url, user, answer.text)
            reader = {"Authorization": f"ApiKey reader:{keys['reader']}", "Bucket": "omega"}
            assert httpx.get(f"{other.url}/api/v1/task/not-a-task/result", headers=reader, timeout=30).status_code == 404
    finally:
        other.stop()


def test_a_task_id_that_is_not_one_is_refused_with_a_message(stack_user):
    user = stack_user("runner")
    response = user.goto("/ui/runtime/task/%3Cscript%3E")
    assert response.status == 400 and "is not a task id" in user.page.inner_text("main")
