import pytest

from omegaml_core.config import Config
from omegaml_core.omega import Omega


@pytest.fixture
def om(tmp_path, monkeypatch):
    """An Omega on a fresh embedded database; no broker, so the runtime runs in-process."""
    monkeypatch.setenv("OMEGA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("OMEGA_BROKER", raising=False)
    omega = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'omega.db'}"))
    yield omega
    omega.engine.close()


def notebook(*sources: str, parameters: str | None = None):
    """A notebook of code cells; ``parameters`` becomes a first cell tagged 'parameters'."""
    from nbformat.v4 import new_code_cell, new_notebook

    cells = [new_code_cell(s) for s in sources]
    if parameters is not None:
        tagged = new_code_cell(parameters)
        tagged.metadata["tags"] = ["parameters"]
        cells.insert(0, tagged)
    return new_notebook(cells=cells)
