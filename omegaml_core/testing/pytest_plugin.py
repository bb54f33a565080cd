"""pytest fixtures for omegaml plugin authors (registered through ``pytest11``).

``omega``: a fresh Omega context in a fresh bucket, once per storage engine:
the embedded engine on a temporary file, and MongoDB over the wire (a local
nx-27017 stand-in the fixture starts itself, or ``OMEGA_TEST_MONGO_URL``).
Select one engine with ``-m "not mongo"`` or ``--omega-engines=embedded``.

Tests run with ``OMEGA_GRACE_SECONDS=0`` unless it is set: replaced and
dropped versions are freed at once, so a test can check that nothing is left
behind. Tests of concurrent readers set a grace period themselves.
"""
from __future__ import annotations

import os
import secrets

import pytest

ENGINES = ("embedded", "mongodb")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--omega-engines", default=",".join(ENGINES),
                     help="comma-separated storage engines to run omega fixtures on (embedded,mongodb)")


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("OMEGA_GRACE_SECONDS", "0")
    config.addinivalue_line("markers", "mongo: test runs against the MongoDB engine")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "omega_engine" in metafunc.fixturenames:
        wanted = [e.strip() for e in metafunc.config.getoption("--omega-engines").split(",") if e.strip()]
        params = [pytest.param(e, marks=[pytest.mark.mongo] if e == "mongodb" else [], id=e) for e in wanted]
        metafunc.parametrize("omega_engine", params, indirect=True)


@pytest.fixture
def omega_engine(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def omega_mongo_base_url() -> str:
    """A MongoDB URL for the test session: ``OMEGA_TEST_MONGO_URL`` or a stand-in started here."""
    from . import servers

    url = servers.real_mongo_url()
    if url:
        yield url
        return
    if servers.find_nx_27017() is None:
        pytest.skip(servers.NX_MISSING)
    server = servers.MongoStandIn().start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def omega_url(omega_engine: str, tmp_path, request: pytest.FixtureRequest) -> str:
    """A storage URL of a fresh, empty store on the engine under test."""
    if omega_engine == "mongodb":
        from .servers import test_database_url

        return test_database_url(request.getfixturevalue("omega_mongo_base_url"))
    return f"sqlite:///{tmp_path / 'omega.db'}"


@pytest.fixture
def omega(omega_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path):
    """A fresh Omega context on each engine, in local runtime mode."""
    from ..config import Config
    from ..omega import Omega

    monkeypatch.setenv("OMEGA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("OMEGA_BROKER", raising=False)
    om = Omega(Config(storage_url=omega_url), bucket=f"t{secrets.token_hex(3)}")
    yield om
    om.engine.close()


@pytest.fixture
def om_cli(tmp_path):
    """Runs the real ``om`` command against a fresh embedded store (see omegaml_core.testing.cli)."""
    from .cli import OmCommand

    home = tmp_path / "om-cli"
    home.mkdir()
    return OmCommand(home)
