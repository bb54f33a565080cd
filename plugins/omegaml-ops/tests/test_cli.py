"""`om ops ...` as an admin uses it: real `om` processes on one storage and accounts database."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import process_env


@pytest.fixture(scope="module")
def om(tmp_path_factory):
    home = tmp_path_factory.mktemp("cli")
    env = process_env(home)
    executable = str(Path(sys.executable).with_name("om"))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([executable, "ops", *args], env=env, capture_output=True, text=True, timeout=120)

    run.home = home
    return run


def test_signup_prints_only_the_key_on_stdout_and_the_user_can_use_it(om):
    from omegaml_server.accounts import Accounts

    done = om("signup", "alice", "--email", "alice@example.com", "--wait")
    assert done.returncode == 0, done.stderr
    assert "install command 1: COMPLETED (5)" in done.stderr
    accounts = Accounts(f"sqlite:///{om.home / 'accounts.db'}")
    try:
        assert accounts.verify_key("alice", done.stdout.strip()) is not None
        assert accounts.role_of("alice", "alice") == "run"
    finally:
        accounts.close()


def test_an_admin_defines_lists_deploys_and_removes_a_service(om, tmp_path):
    steps = tmp_path / "steps.json"
    steps.write_text(json.dumps([{"name": "hello", "kind": "shell", "target": "echo hello {username}"},
                                 {"name": "bye", "kind": "shell", "target": "echo bye", "action": "remove"}]))
    assert om("createservice", "greeter", "--description", "says hello", "--steps", f"@{steps}").returncode == 0
    listed = om("listservices").stdout
    assert "greeter\tactive\tsays hello" in listed and "install: hello (shell) echo hello {username}" in listed
    deployed = om("deployservice", "greeter", "--user", "alice", "--wait", "--json")
    command = json.loads(deployed.stdout)
    assert (command["status"], command["deployment_status"]) == (5, 5)
    assert "hello alice" in om("tasks", str(command["id"]), "--output").stdout
    removed = json.loads(om("removeservice", str(command["deployment_id"]), "--wait", "--json").stdout)
    assert removed["deployment_status"] == 8
    assert "REMOVED (8)" in om("listservices", "--deployments", "--all").stdout


def test_a_failing_deployment_exits_1_with_the_reason_and_retry_completes_it(om, tmp_path):
    flag = tmp_path / "flag"
    steps = json.dumps([{"name": "check", "kind": "shell", "target": f"test -f {flag}"}])
    om("createservice", "flagged", "--steps", steps)
    failed = om("deployservice", "flagged", "--user", "alice", "--wait")
    assert failed.returncode == 1 and "task 'check' (step 1) failed with exit code 1" in failed.stdout
    command_id = failed.stdout.split()[1]
    assert "FAILED (9)" in om("tasks", command_id).stdout
    flag.touch()
    retried = om("retry", command_id, "--wait")
    assert retried.returncode == 0 and "COMPLETED (5)" in retried.stdout


def test_bad_steps_are_refused_in_one_line_and_nothing_is_created(om):
    done = om("createservice", "broken", "--steps", '[{"name": "x", "kind": "perl", "target": "x"}]')
    assert done.returncode == 1 and "kind 'perl' is not one of shell, python, script" in done.stderr
    assert "broken" not in om("listservices", "--all").stdout
    done = om("createservice", "broken", "--steps", "[not json")
    assert done.returncode == 1 and "--steps" in done.stderr


def test_usage_and_maintenance_report(om):
    usage = om("usage", "--user", "alice", "--month", "2026-11", "--json")
    assert usage.returncode == 0 and json.loads(usage.stdout)["user"] == "alice"
    maintained = om("maintain")
    assert maintained.returncode == 0 and "healthy" in maintained.stdout


def test_a_plan_that_was_deployed_is_deactivated_not_deleted(om):
    om("createservice", "unused")
    assert "plan unused deleted" in om("deleteservice", "unused").stdout
    assert "plan greeter deactivated" in om("deleteservice", "greeter").stdout
