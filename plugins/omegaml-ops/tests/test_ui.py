"""The operations pages of the web UI in a real browser: plans, deployments with their state, a deployment's
commands and a command's tasks, for admins only (others get 403 and see no link)."""
from __future__ import annotations

import time

import httpx
import pytest

from conftest import process_env

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """`om serve` (commands run in the server: no broker) with an admin, a user with a bucket, a plan that works and
    one whose second step fails, each installed for the user: (the served UI, ids)."""
    from omegaml_server.accounts import Accounts
    from omegaml_server.testing import ServerProcess
    from omegaml_server.testing_ui import served_at

    home = tmp_path_factory.mktemp("ui")
    env = process_env(home)
    accounts = Accounts(env["OMEGA_ACCOUNTS_URL"])
    keys = {}
    for user, bucket, role in (("root", "*", "admin"), ("alice", "alice", "admin")):
        accounts.create_user(user)
        keys[user] = accounts.create_key(user).secret
        accounts.grant(user, bucket, role)
    accounts.close()
    server = ServerProcess(env, log_path=home / "server.log").start()
    api = httpx.Client(base_url=f"{server.url}/api/v1/ops", timeout=60,
                       headers={"Authorization": f"ApiKey root:{keys['root']}"})
    try:
        for plan, steps in (("fine", [{"name": "hello", "kind": "shell", "target": "echo hello <b>ops</b>"}]),
                            ("broken", [{"name": "first", "kind": "shell", "target": "echo first"},
                                        {"name": "second", "kind": "shell", "target": "sh -c 'echo oops >&2; exit 3'"}])):
            assert api.post("/plans", json={"name": plan, "description": f"the {plan} plan", "steps": steps}).status_code == 201
        ids = {}
        for plan in ("fine", "broken"):
            answer = api.post("/commands", json={"action": "install", "plan": plan, "username": "alice"})
            assert answer.status_code == 202, answer.text
            ids[plan] = answer.json()
        for plan, command in ids.items():
            deadline = time.monotonic() + 60
            while api.get(f"/commands/{command['id']}").json()["status"] in (0, 1):
                assert time.monotonic() < deadline, f"command of {plan} did not finish"
                time.sleep(0.1)
        yield served_at(server.url, keys), ids
    finally:
        api.close()
        server.stop()


@pytest.fixture
def ops_user(browser, stack):
    from omegaml_server.testing_ui import browser_users

    served, _ = stack
    with browser_users(browser, served) as open_as:
        yield open_as


def test_an_admin_sees_plans_deployments_with_their_state_and_a_failed_commands_tasks(ops_user, stack):
    _, ids = stack
    admin = ops_user("root")
    admin.page.get_by_role("link", name="Operations").click()
    main = admin.page.locator("main")
    assert main.locator("tr", has_text="the broken plan").is_visible()
    deployments = admin.page.get_by_role("table", name="Deployments")
    broken = ids["broken"]["deployment_id"]
    assert "FAILED" in deployments.locator("tr", has_text="broken").inner_text()
    assert "COMPLETED" in deployments.locator("tr", has_text="fine").inner_text()
    admin.screenshot("ops")

    admin.page.get_by_role("link", name=f"Deployment {broken}", exact=True).click()
    assert admin.page.get_by_role("heading", name=f"Deployment {broken}").is_visible()
    admin.page.get_by_role("link", name=f"Command {ids['broken']['id']}", exact=True).click()
    second = admin.page.get_by_role("row", name="2 second shell")
    assert "FAILED" in second.inner_text() and "3" in second.locator("td").nth(5).inner_text()
    admin.page.get_by_text("Output of second").click()
    assert "oops" in admin.page.locator("pre", has_text="oops").inner_text()
    assert admin.page.get_by_role("button", name="Retry from the failed task").is_visible()
    admin.screenshot("ops-command")


def test_a_fine_commands_output_is_shown_as_text(ops_user, stack):
    _, ids = stack
    admin = ops_user("root")
    admin.goto(f"/ui/ops/commands/{ids['fine']['id']}")
    admin.page.get_by_text("Output of hello").click()
    assert "hello <b>ops</b>" in admin.page.locator("pre").inner_text()
    assert admin.page.get_by_role("button", name="Retry from the failed task").count() == 0


def test_operations_pages_and_retry_are_refused_to_non_admins_who_see_no_link(ops_user, stack):
    import re

    served, ids = stack
    user = ops_user("alice")
    assert user.page.get_by_role("link", name="Operations").count() == 0
    for path in ("/ui/ops", f"/ui/ops/deployments/{ids['fine']['deployment_id']}", f"/ui/ops/commands/{ids['broken']['id']}"):
        response = user.goto(path)
        assert response.status == 403, path
    cookie = user.session_cookie()["value"]
    csrf = re.search(r'name="csrf" value="([^"]+)"', httpx.get(f"{served.http.url}/ui", cookies={"omega_session": cookie}).text)[1]
    refused = httpx.post(f"{served.http.url}/ui/ops/commands/{ids['broken']['id']}/retry", data={"csrf": csrf},
                         cookies={"omega_session": cookie})
    assert refused.status_code == 403


def test_an_unknown_deployment_is_a_404_page_that_says_where_to_look(ops_user):
    admin = ops_user("root")
    assert admin.goto("/ui/ops/deployments/99999").status == 404
    assert "does not exist" in admin.page.inner_text("main")
