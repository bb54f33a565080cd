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
