"""Plugins add commands to ``om`` through the ``omegaml.cli`` entry point group."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import make_distribution

OM = str(Path(sys.executable).with_name("om"))

HELLO = """
    def add_commands(cli):
        hello = cli.add_command("hello", help="say hello")
        hello.add_argument("who")
        hello.set_defaults(func=lambda args: print(f"hello {args.who}"))
        rerun = cli.add_action("jobs", "rerun", help="run a job again")
        rerun.add_argument("name")
        rerun.set_defaults(func=lambda args: print(f"rerun {args.name}"))
"""


def om(site: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site), "OMEGA_HOME": str(tmp_path / "home"),
           "OMEGA_CONFIG": str(tmp_path / "none.toml")}
    return subprocess.run([OM, *args], capture_output=True, text=True, env=env, timeout=120)


def test_a_plugin_adds_a_command_and_an_action_to_an_existing_command(tmp_path):
    site = tmp_path / "site"
    make_distribution(site, "hello-plugin", "1.0", {"omegaml.cli": {"hello": "hellocli:add_commands"}},
                      {"hellocli": HELLO})
    assert om(site, tmp_path, "hello", "world").stdout == "hello world\n"
    assert om(site, tmp_path, "jobs", "rerun", "report").stdout == "rerun report\n"
    assert "hello" in om(site, tmp_path, "--help").stdout


def test_the_runtime_commands_come_from_the_kernels_own_entry_point(tmp_path):
    result = om(tmp_path / "empty", tmp_path, "plugins", "--json")
    assert result.returncode == 0, result.stderr
    assert '"runtime"' in result.stdout and '"commands"' in result.stdout
    assert "worker" in om(tmp_path / "empty", tmp_path, "--help").stdout


def test_a_broken_command_plugin_warns_and_the_other_commands_still_work(tmp_path):
    site = tmp_path / "site"
    make_distribution(site, "broken-cli", "0.1", {"omegaml.cli": {"broken": "brokencli:add_commands"}},
                      {"brokencli": "import a_module_that_does_not_exist\n"})
    result = om(site, tmp_path, "datasets", "list")
    assert result.returncode == 0
    assert "commands of plugin 'broken'" in result.stderr and "a_module_that_does_not_exist" in result.stderr


def test_a_plugin_cannot_redefine_an_existing_command(tmp_path):
    site = tmp_path / "site"
    make_distribution(site, "clash-cli", "0.1", {"omegaml.cli": {"clash": "clashcli:add_commands"}},
                      {"clashcli": "def add_commands(cli):\n    cli.add_command('datasets', help='mine')\n"})
    result = om(site, tmp_path, "datasets", "list")
    assert result.returncode == 0
    assert "om datasets is already defined" in result.stderr


LIST_OPTION = """
    def add_commands(cli):
        listing = cli.action("jobs", "list")
        kernel_list = listing.get_default("func")
        listing.add_argument("--shout", action="store_true")

        def run(args):
            if args.shout:
                print("LIST")
                return 0
            return kernel_list(args)

        listing.set_defaults(func=run)
"""


def test_a_plugin_adds_an_option_to_an_existing_action_and_keeps_its_handler(tmp_path):
    site = tmp_path / "site"
    make_distribution(site, "shout-plugin", "1.0", {"omegaml.cli": {"shout": "shoutcli:add_commands"}},
                      {"shoutcli": LIST_OPTION})
    assert om(site, tmp_path, "jobs", "list", "--shout").stdout == "LIST\n"
    assert om(site, tmp_path, "jobs", "list").returncode == 0
