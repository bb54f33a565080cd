"""Running notebooks in-process: parameters, om inside the notebook, every run stored, failures, timeouts."""
import json

import pytest
from notebook_helpers import notebook

from omegaml_notebook import NotebookRunError, jobs

pytestmark = pytest.mark.timeout(120)


def test_parameters_are_injected_after_the_parameters_cell_and_used(om):
    om.jobs.put(notebook("om.datasets.put({'n': n, 'label': label}, 'out')", parameters="n = 1\nlabel = 'a'"),
                "report")
    result = jobs(om).run("report", parameters={"n": 5})
    assert om.datasets.get("out") == {"n": 5, "label": "a"}
    cells = om.jobs.get(result.name).cells
    assert [c.metadata.get("tags") for c in cells] == [["parameters"], ["injected-parameters"], None]
    assert cells[1].source == "# Parameters\nn = 5"


def test_om_in_the_notebook_is_the_callers_bucket_and_no_configuration_is_stored(om):
    team = om["team"]
    team.jobs.put(notebook("om.datasets.put({'bucket': om.bucket}, 'where')"), "report")
    result = jobs(team).run("report")
    assert team.datasets.get("where") == {"bucket": "team"}
    stored = json.dumps(team.jobs.get(result.name))
    assert om.config.storage_url not in stored and "OMEGA_MONGO_URL" not in stored


def test_a_run_is_stored_with_its_status_times_parameters_and_worker(om):
    om.jobs.put(notebook("print(n * 2)", parameters="n = 1"), "report")
    result = jobs(om).run("report", parameters={"n": 21})
    assert result.name.startswith("results/report_") and result.name.endswith("Z.ipynb")
    attrs = result.attributes
    assert attrs["status"] == "ok" and attrs["parameters"] == {"n": 21} and attrs["source_job"] == "report.ipynb"
    assert attrs["started"] <= attrs["finished"] and attrs["duration"] >= 0 and attrs["worker"]
    assert om.jobs.get(result.name).cells[2].outputs[0]["text"] == "42\n"


def test_a_failing_cell_stores_the_partial_run_and_raises_naming_the_cell(om):
    om.jobs.put(notebook("a = 1", "1 / 0", "b = 2"), "report")
    with pytest.raises(NotebookRunError, match=r"failed in cell 1: ZeroDivisionError: division by zero; "
                                               r"the partial run is stored as 'results/report_"):
        jobs(om).run("report")
    (run,) = jobs(om).runs("report")
    assert run.attributes["status"] == "failed"
    assert (run.attributes["cell"], run.attributes["ename"]) == (1, "ZeroDivisionError")
    cells = om.jobs.get(run.name).cells
    assert cells[1].outputs[0]["ename"] == "ZeroDivisionError" and cells[2].outputs == []


def test_a_cell_running_too_long_is_stopped_by_the_cell_timeout(om):
    om.jobs.put(notebook("import time; time.sleep(60)"), "slow")
    with pytest.raises(NotebookRunError, match="failed in cell 0: CellTimeoutError"):
        jobs(om).run("slow", cell_timeout=1)


def test_a_notebook_running_too_long_is_stopped_by_the_run_timeout(om):
    om.jobs.put(notebook("import time", "time.sleep(60)"), "slow")
    with pytest.raises(NotebookRunError, match=r"failed in cell 1: TimeoutError: the notebook ran longer than 2 s"):
        jobs(om).run("slow", timeout=2)
    assert jobs(om).runs("slow")[0].attributes["status"] == "failed"


def test_a_kernel_that_is_not_installed_is_a_failed_run_that_says_what_to_install(om, monkeypatch):
    monkeypatch.setenv("OMEGA_NOTEBOOK_KERNEL", "no-such-kernel")
    om.jobs.put(notebook("x = 1"), "report")
    with pytest.raises(NotebookRunError, match="failed in kernel start-up: NoSuchKernel: no Jupyter kernel "
                                               "'no-such-kernel' is installed"):
        jobs(om).run("report")
    assert jobs(om).runs("report")[0].attributes["status"] == "failed"


def test_runs_lists_every_run_of_the_job_newest_first_and_only_its_own(om):
    om.jobs.put(notebook("x = 1"), "report")
    om.jobs.put(notebook("x = 1"), "report_2")
    first, second = jobs(om).run("report"), jobs(om).run("report")
    jobs(om).run("report_2")
    assert [m.name for m in jobs(om).runs("report")] == [second.name, first.name]


@pytest.mark.parametrize("parameters, message", [
    ({"not valid": 1}, "is not a Python identifier"),
    ({"class": 1}, "is not a Python identifier"),
    ({"when": object()}, "is not a JSON value"),
    ([1], "must be a dict"),
])
def test_bad_parameters_are_refused_before_anything_runs(om, parameters, message):
    om.jobs.put(notebook("x = 1"), "report")
    with pytest.raises((TypeError, ValueError), match=message):
        jobs(om).run("report", parameters=parameters)
    assert jobs(om).runs("report") == []


def test_running_a_job_that_is_not_a_notebook_says_so(om):
    om.jobs.put({"not": "a notebook"}, "plain")
    with pytest.raises(TypeError, match="is of kind 'python.data', not a notebook"):
        jobs(om).run("plain")


def test_the_runtime_job_proxy_runs_the_notebook(om):
    om.jobs.put(notebook("om.datasets.put({'n': n}, 'out')", parameters="n = 1"), "report")
    result = om.runtime.job("report").run(parameters={"n": 3}).get()
    assert result["status"] == "ok" and result["job"] == "report.ipynb" and om.datasets.get("out") == {"n": 3}
    assert result["result"] == jobs(om).runs("report")[0].name
