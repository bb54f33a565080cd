"""om runtime through the real om command, in-process (no broker): options, defaults and errors."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

OM = str(Path(sys.executable).with_name("om"))


@pytest.fixture
def run(tiny_env):
    import tinymodel
    from omegaml_core.config import Config
    from omegaml_core.omega import Omega

    omega = Omega(Config.resolve())
    omega.models.put(tinymodel.TinyModel(mean=2), "tiny")
    omega.datasets.put([1, 2, 3], "X")
    env = {**os.environ, **tiny_env, "OMEGA_CONFIG": os.devnull + ".toml"}
    env.pop("OMEGA_BROKER", None)

    def run(*args):
        return subprocess.run([OM, *args], capture_output=True, text=True, env=env, timeout=120)
    return run


@pytest.mark.parametrize("action", ["ping", "model"])
def test_help_states_the_default_timeout_and_that_the_task_is_revoked(run, action):
    shown = " ".join(run("runtime", action, "--help").stdout.split())
    assert "then the task is revoked (default: 300)" in shown and "--queue-anyway" in shown


def test_a_model_method_runs_and_prints_json(run):
    done = run("runtime", "model", "tiny", "predict", "X")
    assert done.returncode == 0 and json.loads(done.stdout) == [2, 2, 2]
    assert done.stderr == ""  # no spinner when stderr is not a terminal


@pytest.mark.parametrize("option,value,error", [
    ("--param-grid", "{C: 1}", "om: error: --param-grid: not JSON: Expecting property name"),
    ("--param-grid", "[1, 2]", "om: error: --param-grid: must be a JSON object"),
    ("--kwargs", "cv=3", "om: error: --kwargs: not JSON"),
])
def test_bad_json_options_are_named(run, option, value, error):
    done = run("runtime", "model", "tiny", "gridsearch", "X", "X", option, value)
    assert done.returncode == 1 and done.stderr.startswith(error)


def test_workers_and_tasks_say_there_is_no_broker(run):
    for args in (("workers",), ("tasks", "some-id")):
        done = run("runtime", *args)
        assert done.returncode == 1 and "no broker" in done.stderr


def test_while_waiting_a_spinner_shows_on_a_terminal_and_clears_its_line(monkeypatch):
    import pty
    import time

    from omegaml_core.runtime.progress import spinner

    master, replica = pty.openpty()
    with os.fdopen(replica, "w") as terminal:
        monkeypatch.setattr(sys, "stderr", terminal)
        with spinner("waiting for clf.fit", interval=0.01):
            time.sleep(0.2)
    shown = os.read(master, 65536).decode()
    os.close(master)
    assert "waiting for clf.fit (0 s)" in shown and shown.endswith("\r\x1b[K")
