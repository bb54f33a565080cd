"""Fixtures: an operations + accounts database per test on SQLite, an in-process runtime, plans of shell steps."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from omegaml_core.runtime.testing import service_up


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty OMEGA_HOME with its own storage, accounts database and no broker (in-process runtime)."""
    monkeypatch.setenv("OMEGA_HOME", str(tmp_path))
    monkeypatch.setenv("OMEGA_MONGO_URL", f"sqlite:///{tmp_path / 'omega.db'}")
    monkeypatch.setenv("OMEGA_ACCOUNTS_URL", f"sqlite:///{tmp_path / 'accounts.db'}")
    for name in ("OMEGA_BROKER", "OMEGA_OPS_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def omega(home: Path):
    from omegaml_core.config import Config
    from omegaml_core.omega import Omega

    return Omega(Config.resolve())


@pytest.fixture
def ops(home: Path, omega):
    from omegaml_ops import Ops

    ops = Ops(omega=omega)
    yield ops
    ops.close()


@pytest.fixture
def unique() -> str:
    return f"t{secrets.token_hex(4)}"


def counting_steps(folder: Path, names: tuple[str, ...] = ("one", "two", "three")) -> list[dict]:
    """Shell steps that each append a line to ``folder/<name>`` (so a test can count how often each ran)."""
    return [{"name": name, "kind": "shell", "target": f"sh -c 'echo ran >> {folder}/{name}'"} for name in names]


def runs(folder: Path, name: str) -> int:
    path = folder / name
    return len(path.read_text().splitlines()) if path.exists() else 0


def process_env(home: Path) -> dict[str, str]:
    """The complete environment of an `om` process on storage and accounts in ``home``, without a broker."""
    import os

    skip = ("OMEGA_BROKER", "OMEGA_OPS_URL", "OMEGA_OPS_LABEL")
    return {**{k: v for k, v in os.environ.items() if k not in skip}, "OMEGA_HOME": str(home),
            "OMEGA_MONGO_URL": f"sqlite:///{home / 'omega.db'}", "OMEGA_ACCOUNTS_URL": f"sqlite:///{home / 'accounts.db'}"}


def redis_env(home: Path) -> dict[str, str]:
    """The environment of a test stack on its own Redis database and SQLite files in ``home``."""
    if not service_up("127.0.0.1", 6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379; start it (see .ci/run)")
    # other sessions may use the same Redis database: a queue of our own (a label) keeps our tasks ours
    broker = f"redis://127.0.0.1:6379/{secrets.randbelow(15) + 1}"
    return {"OMEGA_OPS_LABEL": f"ops-{secrets.token_hex(4)}", "OMEGA_HOME": str(home),
            "OMEGA_MONGO_URL": f"sqlite:///{home / 'omega.db'}", "OMEGA_ACCOUNTS_URL": f"sqlite:///{home / 'accounts.db'}", "OMEGA_BROKER": broker,
            "OMEGA_VISIBILITY_TIMEOUT": "6", "TMPDIR": str(home)}


# --- the web UI in a real browser (omegaml-server's fixtures) -------------------------------------------------
from omegaml_server.testing_ui import browser  # noqa: E402,F401
