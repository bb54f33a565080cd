"""The om command as a user meets it: versions, options named in errors, CLI terms, pipes, progress, promote."""
import json
import os
import pty
import subprocess

import pytest

from omegaml_core.testing.cli import OM


def test_version_prints_the_kernel_and_every_installed_plugin(om_cli):
    import importlib.metadata

    from omegaml_core import __version__

    result = om_cli("--version")
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and lines[0] == f"omegaml-core {__version__}"
    plugins = {d.metadata["Name"] for d in importlib.metadata.distributions()
               if any(ep.group.startswith("omegaml.") for ep in d.entry_points)} - {"omegaml-core"}
    assert {line.split()[0] for line in lines[1:]} == plugins


def test_attributes_that_are_not_json_name_the_option(om_cli, tmp_path):
    result = om_cli("datasets", "put", __file__, "x", "--attributes", "{oops")
    assert result.returncode == 2 and "argument --attributes: not JSON: Expecting property name" in result.stderr
    assert om_cli.omega().datasets.list() == []


def test_attributes_must_be_an_object(om_cli):
    result = om_cli("datasets", "put", __file__, "x", "--attributes", "[1]")
    assert result.returncode == 2 and "--attributes: must be a JSON object" in result.stderr


def test_an_empty_bucket_is_refused(om_cli):
    result = om_cli("datasets", "list", "--bucket", "")
    assert result.returncode == 2 and "argument --bucket: bucket name '' is invalid" in result.stderr


def test_a_missing_object_is_reported_in_cli_terms(om_cli):
    result = om_cli("models", "get", "nope", "--bucket", "prod")
    assert result.returncode == 1
    assert result.stderr.strip() == ("om: error: models 'nope' does not exist in bucket 'prod'; "
                                     "see: om models list --bucket prod")


def test_a_kind_change_is_refused_in_cli_terms(om_cli):
    om_cli.omega().datasets.put({"a": 1}, "cfg")
    result = om_cli("datasets", "put", __file__, "cfg")
    assert result.returncode == 1 and "kind 'python.data'" in result.stderr
    assert "--kind KIND" in result.stderr and "om datasets drop cfg" in result.stderr and "kind=" not in result.stderr
    assert om_cli.omega().datasets.get("cfg") == {"a": 1}


def test_an_unreachable_storage_is_named_by_its_url(om_cli):
    result = om_cli("datasets", "list", env={"OMEGA_MONGO_URL": "mongodb://127.0.0.1:9/x",
                                             "OMEGA_MONGO_TIMEOUT_MS": "300"})
    assert result.returncode == 1 and "mongodb://127.0.0.1:9/x" in result.stderr and "Traceback" not in result.stderr


def test_list_piped_into_head_stops_quietly(om_cli):
    store = om_cli.omega().datasets
    for i in range(300):  # ~150 kB of names: more than a pipe buffers
        store.put([i], f"{i:04d}" + "n" * 500)
    result = subprocess.run(f"'{OM}' datasets list | head -1", shell=True, capture_output=True, text=True,
                            env=om_cli.env, timeout=120)
    assert result.stdout.startswith("0000n") and result.stderr == ""


def test_put_stores_bytes_of_a_file_no_format_reads(om_cli, tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(b"\x00\x01raw")
    assert om_cli("datasets", "put", str(path), "blob").returncode == 0
    meta = om_cli.omega().datasets.metadata("blob")
    assert meta.kind == "python.file" and meta.kind_meta == {"size": 5, "source": "blob.bin"}


def test_as_file_keeps_the_bytes_of_a_readable_format(om_cli, tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text("a,b\n1,2\n")
    assert om_cli("datasets", "put", str(path), "sales", "--as-file").returncode == 0
    assert om_cli("datasets", "get", "sales").stdout == "a,b\n1,2\n"


def test_get_format_json_writes_a_document_to_a_file(om_cli, tmp_path):
    om_cli.omega().datasets.put({"a": [1, 2]}, "cfg")
    out = tmp_path / "cfg.out"
    assert om_cli("datasets", "get", "cfg", "--format", "json", "-o", str(out)).returncode == 0
    assert json.loads(out.read_text()) == {"a": [1, 2]}


def test_get_format_the_object_cannot_take_names_the_option(om_cli, tmp_path):
    om_cli.omega().datasets.put({"a": 1}, "cfg")
    result = om_cli("datasets", "get", "cfg", "--format", "parquet", "-o", str(tmp_path / "x"))
    assert result.returncode == 1 and "--format parquet: cannot write a dict as parquet; formats for it: json" \
        in result.stderr
    assert not (tmp_path / "x").exists()


def test_filter_and_param_on_a_kind_without_them_name_the_option(om_cli):
    om_cli.omega().datasets.put({"a": 1}, "cfg")
    result = om_cli("datasets", "get", "cfg", "--filter", "a__gt=1")
    assert result.returncode == 1 and "--filter: datasets 'cfg' does not take it" in result.stderr
    result = om_cli("datasets", "get", "cfg", "--param", "region=EU")
    assert result.returncode == 1 and "--param: datasets 'cfg' does not take it" in result.stderr


def test_filter_needs_name_equals_value(om_cli):
    result = om_cli("datasets", "get", "cfg", "--filter", "amount")
    assert result.returncode == 2 and "argument --filter: expected NAME=VALUE" in result.stderr


def test_promote_to_another_bucket_under_another_name(om_cli):
    om_cli.omega().models.put({"w": 1}, "m")
    om_cli.omega().models.put({"w": 2}, "m")
    result = om_cli("models", "promote", "m", "--to-bucket", "prod", "--as", "champion")
    assert result.returncode == 0 and "name='champion'" in result.stdout
    prod = om_cli.omega("prod").models
    assert prod.get("champion") == {"w": 2} and prod.get("champion@1") == {"w": 1}


def test_promote_to_another_storage(om_cli, tmp_path):
    om_cli.omega().datasets.put({"a": 1}, "cfg")
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    assert om_cli("datasets", "promote", "cfg", "--to-context", url, "--to-bucket", "prod").returncode == 0
    from omegaml_core.config import Config
    from omegaml_core.omega import Omega

    assert Omega(Config(storage_url=url), bucket="prod").datasets.get("cfg") == {"a": 1}


def test_promote_needs_a_target(om_cli):
    om_cli.omega().datasets.put({"a": 1}, "cfg")
    result = om_cli("datasets", "promote", "cfg")
    assert result.returncode == 1 and "--to-bucket or --to-context" in result.stderr


def test_promote_onto_itself_is_refused(om_cli):
    om_cli.omega().datasets.put({"a": 1}, "cfg")
    result = om_cli("datasets", "promote", "cfg", "--to-bucket", "omega")
    assert result.returncode == 1 and "onto itself" in result.stderr


def _stderr_on_a_terminal(om_cli, *args):
    """Run om with stderr on a pseudo-terminal; returns (returncode, what the terminal showed)."""
    master, slave = pty.openpty()
    env = {**om_cli.env}
    env.pop("OMEGA_PROGRESS")
    proc = subprocess.Popen([OM, *args], stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    shown = b""
    while True:  # read while it runs: Linux drops unread terminal output once the writer closes it
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return proc.wait(timeout=120), shown.decode(errors="replace")


@pytest.fixture
def big_file(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(4 << 20))
    return path


def test_put_and_get_show_progress_on_a_terminal(om_cli, big_file, tmp_path):
    code, shown = _stderr_on_a_terminal(om_cli, "datasets", "put", str(big_file), "big")
    assert code == 0 and "put big" in shown and "4.00M" in shown  # the total, in bytes scaled to M
    code, shown = _stderr_on_a_terminal(om_cli, "datasets", "get", "big", "-o", str(tmp_path / "out.bin"))
    assert code == 0 and "get big" in shown
    assert (tmp_path / "out.bin").read_bytes() == big_file.read_bytes()


def test_no_progress_when_stderr_is_not_a_terminal(om_cli, big_file):
    env = {k: v for k, v in om_cli.env.items() if k != "OMEGA_PROGRESS"}
    result = subprocess.run([OM, "datasets", "put", str(big_file), "big"], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0 and result.stderr == ""
