"""A configuration handed to a child process through its environment."""
import dataclasses
import json
import os
import subprocess
import sys

from omegaml_core.config import Config


def test_a_child_process_resolves_the_same_configuration_from_to_environ(tmp_path):
    config = Config(storage_url=f"sqlite:///{tmp_path / 'o.db'}", broker_url="redis://127.0.0.1:6379/3",
                    result_backend="redis://127.0.0.1:6379/4")
    env = {**os.environ, "OMEGA_CONFIG": str(tmp_path / "none.toml"), **config.to_environ()}
    code = ("import dataclasses, json; from omegaml_core.config import Config; "
            "print(json.dumps(dataclasses.asdict(Config.resolve())))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == dataclasses.asdict(config)


def test_no_broker_in_the_configuration_means_none_in_the_child(tmp_path, monkeypatch):
    monkeypatch.setenv("OMEGA_CONFIG", str(tmp_path / "none.toml"))
    environ = Config(storage_url="sqlite:///x.db").to_environ()
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    assert Config.resolve().broker_url is None
