"""Shared fixtures for the kernel tests (the ``omega`` fixture comes from omegaml_core.testing)."""
from __future__ import annotations

import pytest

from omegaml_core.config import Config
from omegaml_core.omega import Omega


@pytest.fixture
def om(tmp_path, monkeypatch):
    """An Omega on a fresh embedded database (for tests that need only one engine)."""
    monkeypatch.setenv("OMEGA_HOME", str(tmp_path / "home"))
    omega = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'omega.db'}"))
    yield omega
    omega.engine.close()
