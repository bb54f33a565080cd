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


# --- the web UI in a real browser (omegaml_server.testing_ui), for test_ui.py ---------------------------------
#: users of the served UI and their role on bucket "omega"
UI_ROLES = {"reader": "read", "writer": "write", "runner": "run"}


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """`om serve` on a fresh store (``served.omega``) with users of UI_ROLES; no broker, so jobs run in the server."""
    pytest.importorskip("omegaml_server")
    from omegaml_server.testing_ui import serve_ui

    with serve_ui(tmp_path_factory.mktemp("served-ui"), UI_ROLES) as served:
        yield served


try:  # the browser fixtures; without omegaml-server installed the UI tests skip (test_ui.py)
    from omegaml_server.testing_ui import browser, browser_user  # noqa: E402,F401
except ImportError:
    pass


@pytest.fixture
def unique() -> str:
    import secrets

    return f"t{secrets.token_hex(4)}"
