"""Notebooks in om.jobs: kind script.ipynb, stored as <name>.ipynb, read back as NotebookNode."""
import nbformat
import pytest
from notebook_helpers import notebook


def test_a_notebook_put_as_report_is_stored_as_report_ipynb(omega):
    meta = omega.jobs.put(notebook("x = 1"), "report")
    assert (meta.name, meta.kind) == ("report.ipynb", "script.ipynb")
    assert omega.jobs.list() == ["report.ipynb"]


def test_report_and_report_ipynb_get_the_same_notebook(omega):
    omega.jobs.put(notebook("x = 1"), "report")
    for name in ("report", "report.ipynb"):
        nb = omega.jobs.get(name)
        assert isinstance(nb, nbformat.NotebookNode) and nb.cells[0].source == "x = 1"


def test_putting_again_replaces_and_keeps_attributes(omega):
    omega.jobs.put(notebook("x = 1"), "report", attributes={"owner": "ana"})
    omega.jobs.put(notebook("x = 2"), "report.ipynb")
    omega.jobs.put(notebook("x = 3"), "report")
    assert omega.jobs.get("report").cells[0].source == "x = 3"
    assert omega.jobs.metadata("report").attributes == {"owner": "ana"}
    assert omega.jobs.list() == ["report.ipynb"]
    assert len(omega.engine.list_blobs()) == 1  # replaced versions were freed


def test_an_ipynb_file_is_stored_as_a_notebook_without_naming_the_kind(omega, tmp_path):
    path = tmp_path / "report.ipynb"
    nbformat.write(notebook("y = 2"), str(path))
    meta = omega.jobs.put(str(path), "report")
    assert meta.kind == "script.ipynb" and omega.jobs.get("report").cells[0].source == "y = 2"


def test_a_file_that_is_not_a_notebook_is_refused_and_nothing_is_stored(omega, tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="is not a valid nbformat 4 notebook"):
        omega.jobs.put(str(path), "broken")
    assert omega.jobs.list() == [] and omega.engine.list_blobs() == []


def test_an_exact_stored_name_wins_over_the_notebook_name(omega):
    omega.jobs.put({"plain": True}, "config")
    omega.jobs.put(notebook("x = 1"), "config")
    assert omega.jobs.get("config") == {"plain": True}
    assert omega.jobs.get("config.ipynb").cells[0].source == "x = 1"


def test_dropping_report_drops_report_ipynb(omega):
    omega.jobs.put(notebook("x = 1"), "report")
    omega.jobs.drop("report")
    assert omega.jobs.list() == [] and not omega.jobs.exists("report.ipynb")


def test_notebooks_in_other_stores_keep_their_name(omega):
    assert omega.datasets.put(notebook("x = 1"), "nb").name == "nb"
