"""The om command for scripts: put (the kernel's, with pkg://), run, list, gc."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scripts_helpers import make_project

OM = str(Path(sys.executable).with_name("om"))
pytestmark = pytest.mark.timeout(180)


def test_put_a_pkg_url_run_it_with_arguments_list_and_gc(tmp_path, script_env):
    env = {**os.environ, **script_env, "OMEGA_HOME": str(tmp_path / "home"), "OMEGA_CONFIG": str(tmp_path / "none.toml"),
           "OMEGA_MONGO_URL": f"sqlite:///{tmp_path / 'omega.db'}"}
    env.pop("OMEGA_BROKER", None)

    def om(*args: str) -> str:
        done = subprocess.run([OM, *args], capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    project = make_project(tmp_path, "hello", body="def run(om, who='world', n=1):\n    return f'hello {who}' * n\n")
    assert "kind='python.package'" in om("scripts", "put", f"pkg://{project}", "hello")
    assert om("scripts", "list") == "hello\n"
    result = json.loads(om("scripts", "run", "hello", "who=ana", "n=2"))
    assert result["result"] == "hello anahello ana" and result["kwargs"] == {"who": "ana", "n": 2}
    assert om("scripts", "gc").endswith("0 script environment(s) removed from " + script_env["OMEGA_SCRIPTS_ENVS"] + "\n")


def test_run_of_a_script_that_does_not_exist_names_it(tmp_path):
    env = {**os.environ, "OMEGA_HOME": str(tmp_path / "home"), "OMEGA_CONFIG": str(tmp_path / "none.toml"),
           "OMEGA_MONGO_URL": f"sqlite:///{tmp_path / 'omega.db'}"}
    env.pop("OMEGA_BROKER", None)
    done = subprocess.run([OM, "scripts", "run", "nothing"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1 and "scripts/nothing does not exist in bucket 'omega'" in done.stderr
