import pytest

from omegaml_core.config import Config
from omegaml_core.omega import Omega


@pytest.fixture
def om(tmp_path):
    """An Omega on a fresh embedded database."""
    omega = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'omega.db'}"))
    yield omega
    omega.engine.close()


KINDS = ["pandas.columnar", "pandas.dfrows"]
