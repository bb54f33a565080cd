"""The om command: store commands, plugins, one-line errors with non-zero exit."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

OM = str(Path(sys.executable).with_name("om"))


@pytest.fixture
def run(tmp_path):
    env = {**os.environ, "OMEGA_HOME": str(tmp_path / "home"), "OMEGA_CONFIG": str(tmp_path / "none.toml")}
    env.pop("OMEGA_MONGO_URL", None)

    def run(*args):
        return subprocess.run([OM, *args], capture_output=True, text=True, env=env, timeout=120)
    return run


def test_put_list_get_metadata_drop_round_trip(run, tmp_path):
    doc = tmp_path / "doc.json"
    doc.write_text('{"a": [1, 2]}')
    assert run("datasets", "put", str(doc), "cfg", "--json").returncode == 0
    assert run("datasets", "put", str(doc), "raw", "--bucket", "prod", "--as-file").returncode == 0
    assert run("datasets", "list").stdout.split() == ["cfg"]
    assert run("datasets", "list", "--bucket", "prod").stdout.split() == ["raw"]
    assert json.loads(run("datasets", "get", "cfg").stdout) == {"a": [1, 2]}
    assert run("datasets", "get", "raw", "--bucket", "prod").stdout == '{"a": [1, 2]}'
    assert json.loads(run("datasets", "metadata", "cfg").stdout)["kind"] == "python.data"
    assert run("datasets", "drop", "cfg").returncode == 0
    assert run("datasets", "list").stdout == ""


def test_get_streams_a_file_to_output(run, tmp_path):
    source = tmp_path / "blob.bin"
    source.write_bytes(os.urandom(3 << 20))
    assert run("models", "put", str(source), "weights").returncode == 0
    assert run("models", "get", "weights", "-o", str(tmp_path / "out.bin")).returncode == 0
    assert (tmp_path / "out.bin").read_bytes() == source.read_bytes()


@pytest.mark.parametrize("args, message", [
    (("datasets", "get", "missing"), "does not exist"),
    (("datasets", "drop", "missing"), "does not exist"),
    (("datasets", "put", "/no/such/file", "x"), "no such local file"),
    (("jobs", "put", __file__, "../escape"), "path traversal"),
    (("scripts", "put", __file__, "x", "--kind", "no.kind"), "no installed plugin provides kind"),
])
def test_errors_are_one_line_without_traceback_and_exit_non_zero(run, args, message):
    result = run(*args)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("om: error:")]
    assert len(errors) == 1 and message in errors[0]
    assert "Traceback" not in result.stderr


def test_plugins_lists_the_kernel_builtins(run):
    result = run("plugins", "--json")
    core = [d for d in json.loads(result.stdout) if d["distribution"] == "omegaml-core"][0]
    assert {"python.data", "python.file"} <= set(core["kinds"]) and "sqlite" in core["engines"]
    assert "omegaml-core" in run("plugins").stdout


def test_every_store_has_help(run):
    for store in ("datasets", "models", "jobs", "scripts"):
        result = run(store, "--help")
        assert result.returncode == 0 and "list" in result.stdout and "drop" in result.stdout


def test_runtime_commands_work_in_local_mode(run, tmp_path):
    ping = run("runtime", "ping")
    assert ping.returncode == 0 and json.loads(ping.stdout)["message"] == "pong"
    doc = tmp_path / "model.json"
    doc.write_text('{"weights": [1, 2]}')
    assert run("models", "put", str(doc), "m", "--json").returncode == 0
    failed = run("runtime", "model", "m", "predict", "X")
    assert failed.returncode == 1 and "has no predict()" in failed.stderr and "Traceback" not in failed.stderr
    assert "--label" in run("worker", "--help").stdout


def test_key_values_parse_json_values_and_keep_other_text_as_strings():
    from omegaml_core.cli import key_values

    assert key_values(["n=3", "who=ana", "flags=[1, 2]", "empty="]) == {"n": 3, "who": "ana", "flags": [1, 2], "empty": ""}


def test_key_values_refuse_an_item_without_equals_sign():
    import pytest

    from omegaml_core.cli import key_values

    with pytest.raises(ValueError, match="expected NAME=VALUE, got 'n3'"):
        key_values(["n3"])


def test_extending_an_action_that_does_not_exist_names_it():
    import argparse

    import pytest

    from omegaml_core.cli import CommandLine

    cli = CommandLine(argparse.ArgumentParser().add_subparsers())
    cli.add_group("jobs", help="jobs")
    with pytest.raises(ValueError, match="om jobs rerun does not exist"):
        cli.action("jobs", "rerun")
