"""Scripts tests: tiny projects written here, a local wheel folder for their requirements, no package index."""
from __future__ import annotations

from pathlib import Path

import pytest

from omegaml_core.config import Config
from omegaml_core.omega import Omega
from omegaml_scripts.build import build_wheel
from scripts_helpers import make_project


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory) -> Path:
    """A folder of wheels: the dependency ``omtest_greeting`` in versions 1.0 and 2.0 (never installed here)."""
    house = tmp_path_factory.mktemp("wheelhouse")
    src = tmp_path_factory.mktemp("greeting-src")
    for version in ("1.0", "2.0"):
        project = make_project(src, "omtest_greeting", version,
                               body=f"VERSION = {version!r}\n\ndef greet(who):\n    return f'hello {{who}}'\n")
        build_wheel(project, house)
    return house


@pytest.fixture(scope="session")
def envs_dir(tmp_path_factory) -> Path:
    """Script environments shared by the session's tests (each script version gets its own)."""
    return tmp_path_factory.mktemp("script-envs")


@pytest.fixture
def script_env(wheelhouse, envs_dir, monkeypatch) -> dict[str, str]:
    env = {"OMEGA_SCRIPTS_FIND_LINKS": str(wheelhouse), "OMEGA_SCRIPTS_NO_INDEX": "1",
           "OMEGA_SCRIPTS_ENVS": str(envs_dir)}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def om(tmp_path, monkeypatch, script_env):
    """An Omega on a fresh embedded database; no broker, so the runtime runs in-process."""
    monkeypatch.setenv("OMEGA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("OMEGA_BROKER", raising=False)
    omega = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'omega.db'}"))
    yield omega
    omega.engine.close()


# --- the web UI in a real browser (omegaml_server.testing_ui), for test_ui.py ---------------------------------
#: users of the served UI and their role on bucket "omega"
UI_ROLES = {"reader": "read", "runner": "run"}


@pytest.fixture(scope="session")
def served(tmp_path_factory, wheelhouse, envs_dir):
    """`om serve` on a fresh store (``served.omega``) with users of UI_ROLES; no broker, so scripts run in the server."""
    pytest.importorskip("omegaml_server")
    from omegaml_server.testing_ui import serve_ui

    env = {"OMEGA_SCRIPTS_FIND_LINKS": str(wheelhouse), "OMEGA_SCRIPTS_NO_INDEX": "1",
           "OMEGA_SCRIPTS_ENVS": str(envs_dir)}
    with serve_ui(tmp_path_factory.mktemp("served-ui"), UI_ROLES, env=env) as served:
        yield served


try:  # the browser fixtures; without omegaml-server installed the UI tests skip (test_ui.py)
    from omegaml_server.testing_ui import browser, browser_user  # noqa: E402,F401
except ImportError:
    pass


@pytest.fixture
def unique() -> str:
    import secrets

    return f"t{secrets.token_hex(4)}"
