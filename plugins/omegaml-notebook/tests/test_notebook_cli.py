"""The om command for notebooks: put, get, run, runs, schedule, list --schedule, scheduler."""
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from notebook_helpers import notebook

OM = str(Path(sys.executable).with_name("om"))
pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def om_cli(tmp_path):
    env = {**os.environ, "OMEGA_HOME": str(tmp_path / "home"), "OMEGA_CONFIG": str(tmp_path / "none.toml"),
           "OMEGA_MONGO_URL": f"sqlite:///{tmp_path / 'omega.db'}"}
    env.pop("OMEGA_BROKER", None)

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([OM, *args], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
        assert (done.returncode == 0) == ok, done.stderr
        return done

    nbformat.write(notebook("print('n is', n)", parameters="n = 1"), str(tmp_path / "report.ipynb"))
    return run


def test_put_of_an_ipynb_file_stores_a_notebook_and_get_writes_it_back(om_cli, tmp_path):
    assert "kind='script.ipynb'" in om_cli("jobs", "put", "report.ipynb", "report").stdout
    assert om_cli("jobs", "list").stdout == "report.ipynb\n"
    om_cli("jobs", "get", "report", "--output", "copy.ipynb")
    assert nbformat.read(str(tmp_path / "copy.ipynb"), as_version=4).cells[1].source == "print('n is', n)"


def test_run_with_parameters_then_runs_lists_it(om_cli):
    om_cli("jobs", "put", "report.ipynb", "report")
    result = json.loads(om_cli("jobs", "run", "report", "-p", "n=3").stdout)
    assert result["status"] == "ok" and result["parameters"] == {"n": 3}
    assert om_cli("jobs", "runs", "report").stdout.startswith(f"{result['result']}  ok  started ")


def test_a_failing_run_exits_with_an_error_naming_the_cell(om_cli, tmp_path):
    nbformat.write(notebook("1 / 0"), str(tmp_path / "broken.ipynb"))
    om_cli("jobs", "put", "broken.ipynb", "broken")
    done = om_cli("jobs", "run", "broken", ok=False)
    assert "failed in cell 0: ZeroDivisionError" in done.stderr
    assert " failed  started " in om_cli("jobs", "runs", "broken").stdout


def test_schedule_shows_cron_explanation_and_next_times_and_list_shows_next_run(om_cli):
    om_cli("jobs", "put", "report.ipynb", "report")
    out = om_cli("jobs", "schedule", "report", "fridays at 06:00", "--tz", "Europe/Zurich", "--next", "5").stdout
    lines = out.splitlines()
    assert lines[0] == "report runs at 06:00, on Friday (Europe/Zurich); cron: 0 6 * * FRI"
    assert lines[1].startswith("next run: ") and len([l for l in lines if l.startswith("  ")]) == 5
    listed = om_cli("jobs", "list", "--schedule").stdout
    assert listed.startswith("report.ipynb  next ") and "cron '0 6 * * FRI' (Europe/Zurich)" in listed
    assert om_cli("jobs", "schedule", "report", "--drop").stdout == "report: schedule removed\n"
    assert om_cli("jobs", "list", "--schedule").stdout == ""


def test_a_schedule_that_cannot_be_read_is_an_error_that_says_what_to_write(om_cli):
    om_cli("jobs", "put", "report.ipynb", "report")
    done = om_cli("jobs", "schedule", "report", "now and then", ok=False)
    assert "cannot read the schedule 'now and then'" in done.stderr


def test_scheduler_once_with_nothing_due_does_nothing(om_cli):
    om_cli("jobs", "put", "report.ipynb", "report")
    om_cli("jobs", "schedule", "report", "0 6 * * *")
    assert om_cli("scheduler", "--once").stdout == ""
