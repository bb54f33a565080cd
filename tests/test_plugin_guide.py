"""The plugin author's guide is true: its example backend works and passes the contract."""
import re
from pathlib import Path

import pytest

from omegaml_core.discovery import registry
from omegaml_core.testing import BackendContract

np = pytest.importorskip("numpy")
GUIDE = (Path(__file__).parents[1] / "docs" / "plugins.md").read_text(encoding="utf-8")


def guide_backend():
    code = re.search(r"### A complete third-party backend.*?```python\n(.*?)```", GUIDE, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/plugins.md", "exec"), namespace)
    return code, namespace["NpyBackend"]


CODE, NpyBackend = guide_backend()


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    reg = registry()
    reg.register("omegaml.backends", "mycompany.npy", NpyBackend, dist="docs-example")
    yield
    reg.entries[:] = [e for e in reg.entries if e.name != "mycompany.npy"]


def test_the_example_backend_is_about_forty_lines():
    assert 25 <= len([line for line in CODE.splitlines() if line.strip()]) <= 45


def test_the_example_backend_stores_and_projects_arrays(om):
    array = np.arange(6).reshape(2, 3)
    assert om.datasets.put(array, "a").kind == "mycompany.npy"
    np.testing.assert_array_equal(om.datasets.get("a[0,2]"), array[:, [0, 2]])


class TestGuideBackendContract(BackendContract):
    kind = "mycompany.npy"

    def samples(self):
        return [np.arange(6).reshape(2, 3), np.eye(3)]

    def assert_same(self, expected, actual):
        np.testing.assert_array_equal(expected, actual)


def test_the_guides_file_format_example_registers_a_working_format(tmp_path):
    import argparse

    from omegaml_core.cli import CommandLine

    code = re.search(r"## Command line: commands, file formats, progress.*?```python\n(.*?)```", GUIDE, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/plugins.md", "exec"), namespace)
    cli = CommandLine(argparse.ArgumentParser().add_subparsers())
    namespace["add_commands"](cli)
    array = np.arange(6).reshape(2, 3)
    path = tmp_path / "a.npy"
    with open(path, "wb") as fh:
        cli.formats.writer("npy", array).write(array, fh)
    np.testing.assert_array_equal(cli.formats.reader(str(path)).read(str(path)), array)
