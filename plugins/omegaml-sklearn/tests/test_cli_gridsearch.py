"""om runtime model NAME gridsearch X Y --param-grid JSON, through the real om command (in-process runtime)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.linear_model import LogisticRegression

OM = str(Path(sys.executable).with_name("om"))


@pytest.fixture
def om_command(om, frames, tmp_path):
    """Runs ``om`` on the fixture's store, without a broker (tasks run in-process)."""
    om.models.put(LogisticRegression(), "clf")
    env = {**os.environ, "OMEGA_MONGO_URL": om.config.storage_url, "OMEGA_HOME": str(tmp_path),
           "OMEGA_CONFIG": str(tmp_path / "none.toml")}
    env.pop("OMEGA_BROKER", None)
    return lambda *args: subprocess.run([OM, *args], capture_output=True, text=True, env=env, timeout=120)


def test_gridsearch_from_the_command_line_passes_the_grid_and_options_through(om, om_command):
    done = om_command("runtime", "model", "clf", "gridsearch", "X", "Y", "--param-grid", '{"C": [0.01, 10.0]}',
                      "--kwargs", '{"cv": 4, "return_train_score": true}')
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [c["params"] for c in result["candidates"]] == [{"C": 0.01}, {"C": 10.0}]
    assert om.models.metadata("clf").attributes["gridsearch"]["best_params"] == result["best_params"]


def test_gridsearch_options_it_does_not_know_are_refused_by_name(om_command):
    done = om_command("runtime", "model", "clf", "gridsearch", "X", "Y", "--param-grid", '{"C": [1.0]}',
                      "--kwargs", '{"verbose": 2}')
    assert done.returncode == 1 and "unknown options verbose" in done.stderr
