"""Fixtures for runtime tests: a tiny model plugin installed through entry points, and real workers."""
import contextlib
import os
import secrets
import shutil
import sys
from pathlib import Path

import pytest

from omegaml_core.runtime.testing import purge_queues, rabbitmq_vhost, service_up

HERE = Path(__file__).parent
BROKERS = {
    "redis": ("127.0.0.1", 6379, "redis://127.0.0.1:6379/{db}"),
    "rabbitmq": ("127.0.0.1", 5672, None),  # None: this run's own virtual host (rabbitmq_url)
}


@pytest.fixture(scope="session")
def rabbitmq_url():
    """This test run's own RabbitMQ virtual host (other runs on the same server cannot take its tasks)."""
    host, port, _ = BROKERS["rabbitmq"]
    if not service_up(host, port):
        pytest.skip(f"rabbitmq is not running on {host}:{port}; start it (see .ci/run)")
    with rabbitmq_vhost() as url:
        yield url


@pytest.fixture(scope="session")
def tiny_site(tmp_path_factory):
    """A site folder holding the tinymodel plugin as an installed distribution."""
    site = tmp_path_factory.mktemp("site")
    shutil.copy(HERE / "tinymodel.py", site / "tinymodel.py")
    shutil.copy(HERE / "tinyerrors.py", site / "tinyerrors.py")
    info = site / "tinymodel-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tinymodel\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[omegaml.backends]\ntiny.model = tinymodel:TinyModelBackend\ntiny.pickle = tinymodel:PickledModelBackend\n\n[omegaml.tasks]\ntiny = tinymodel\n")
    return site


@contextlib.contextmanager
def tiny_plugin(site, tmp_path, monkeypatch, **extra):
    """This process sees the tiny plugin too (fresh discovery), and an empty embedded store; yields the env."""
    from omegaml_core import discovery, hooks
    from omegaml_core.runtime import taskdefs

    monkeypatch.syspath_prepend(str(site))
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
           "OMEGA_MONGO_URL": f"sqlite:///{tmp_path / 'omega.db'}", "OMEGA_HOME": str(tmp_path / "home"), **extra}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if "OMEGA_BROKER" not in extra:
        monkeypatch.delenv("OMEGA_BROKER", raising=False)
    previous = discovery.set_registry(None)
    hooks.reset()
    monkeypatch.setattr(taskdefs, "_loaded", False)
    try:
        yield env
    finally:
        discovery.set_registry(previous)
        hooks.reset()
        sys.modules.pop("tinymodel", None)


@pytest.fixture(scope="session")
def with_tiny_plugin():
    """``tiny_plugin`` for fixtures of other scopes: ``with with_tiny_plugin(site, tmp, monkeypatch) as env``."""
    return tiny_plugin


@pytest.fixture
def tiny_env(tiny_site, tmp_path, monkeypatch):
    """This process sees the tiny plugin too (fresh discovery), and an empty embedded store."""
    with tiny_plugin(tiny_site, tmp_path, monkeypatch) as env:
        yield env


@pytest.fixture(params=list(BROKERS), ids=list(BROKERS))
def broker_url(request):
    host, port, url = BROKERS[request.param]
    if not service_up(host, port):
        pytest.skip(f"{request.param} is not running on {host}:{port}; start it (see .ci/run)")
    url = request.getfixturevalue("rabbitmq_url") if url is None else url.format(db=secrets.randbelow(15) + 1)
    purge_queues(url, ["gpu"])
    return url
