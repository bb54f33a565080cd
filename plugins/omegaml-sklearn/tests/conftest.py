import os

import pytest

from omegaml_core.config import Config
from omegaml_core.omega import Omega


@pytest.fixture
def om(tmp_path, monkeypatch):
    """An Omega on a fresh embedded database; no broker, so the runtime runs in-process."""
    monkeypatch.delenv("OMEGA_BROKER", raising=False)
    monkeypatch.delenv("OMEGA_REFUSE_PICKLES", raising=False)
    monkeypatch.delenv("OMEGA_SKOPS_TRUSTED", raising=False)
    omega = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'omega.db'}"))
    yield omega
    omega.engine.close()


@pytest.fixture
def frames(om):
    """X (two feature columns) and Y (one label column) stored as DataFrames by omegaml-pandas."""
    import pandas as pd

    X = pd.DataFrame({"a": [float(i % 7) for i in range(60)], "b": [float(i % 5) for i in range(60)]})
    Y = pd.DataFrame({"y": [int(a + b > 5) for a, b in zip(X["a"], X["b"])]})
    om.datasets.put(X, "X")
    om.datasets.put(Y, "Y")
    return X, Y


os.environ.setdefault("PYTHONWARNINGS", "ignore::sklearn.exceptions.ConvergenceWarning")
