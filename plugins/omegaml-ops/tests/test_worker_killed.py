"""A worker killed (kill -9) in the middle of a command: the command is redelivered and completes once."""
from __future__ import annotations

import time

import pytest

from conftest import redis_env, runs

pytestmark = pytest.mark.services


def test_a_command_of_a_killed_worker_completes_once_without_repeating_completed_steps(tmp_path, monkeypatch):
    from omegaml_core.config import Config
    from omegaml_core.omega import Omega
    from omegaml_core.runtime.testing import start_worker
    from omegaml_ops import Ops, State

    env = redis_env(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("OMEGA_OPS_URL", raising=False)
    ops = Ops(omega=Omega(Config.resolve()))
    ops.accounts.create_user("alice")
    ops.create_plan("slow", "", [
        {"name": "one", "kind": "shell", "target": f"sh -c 'echo ran >> {tmp_path}/one'"},
        {"name": "two", "kind": "shell", "target": f"sh -c 'echo ran >> {tmp_path}/two; sleep 4'"},
        {"name": "three", "kind": "shell", "target": f"sh -c 'echo ran >> {tmp_path}/three'"},
    ])
    label = [env["OMEGA_OPS_LABEL"]]
    try:
        with start_worker(env, labels=label, name="doomed", log_dir=tmp_path) as doomed:
            command = ops.install("slow", "alice")
            deadline = time.monotonic() + 30
            while runs(tmp_path, "two") == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            doomed.kill()  # in the middle of step two
        assert ops.get_command(command.id).status == State.PENDING
        assert (runs(tmp_path, "one"), runs(tmp_path, "two"), runs(tmp_path, "three")) == (1, 1, 0)
        with start_worker(env, labels=label, name="rescuer", log_dir=tmp_path):
            done = ops.wait(command.id, timeout=90)
        assert (done.status, done.deployment_status) == (State.COMPLETED, State.COMPLETED)
        assert [t.attempts for t in done.tasks] == [1, 2, 1]
        assert (runs(tmp_path, "one"), runs(tmp_path, "two"), runs(tmp_path, "three")) == (1, 2, 1)
        assert len(ops.list_deployments("alice")) == 1
    finally:
        ops.close()
