"""Run the real ``om`` console script in tests, against one fresh embedded store.

The ``om_cli`` pytest fixture (from the omegaml pytest plugin) gives an
``OmCommand``; plugins use it to test the commands and file formats they add::

    def test_put_csv(om_cli, tmp_path):
        result = om_cli("datasets", "put", str(csv), "sales")
        assert result.returncode == 0
        assert om_cli.omega().datasets.metadata("sales").kind == "pandas.columnar"
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

#: The ``om`` script of the interpreter running the tests.
OM = str(Path(sys.executable).with_name("om"))


class OmCommand:
    """``om_cli(*args)`` runs ``om`` with its own OMEGA_HOME and storage and returns the CompletedProcess."""

    def __init__(self, home: Path, storage_url: str | None = None) -> None:
        self.home = Path(home)
        self.storage_url = storage_url or f"sqlite:///{self.home / 'omega.db'}"
        self.env = {**os.environ, "OMEGA_HOME": str(self.home), "OMEGA_CONFIG": str(self.home / "none.toml"),
                    "OMEGA_MONGO_URL": self.storage_url, "OMEGA_PROGRESS": "0"}
        self.env.pop("OMEGA_BROKER", None)

    def __call__(self, *args: str, timeout: float = 120, **run: Any) -> subprocess.CompletedProcess:
        env = {**self.env, **run.pop("env", {})}
        run.setdefault("capture_output", True)
        return subprocess.run([OM, *args], text=True, env=env, timeout=timeout, **run)

    def omega(self, bucket: str = "omega") -> Any:
        """An Omega on the same storage, to set up or check what the command did."""
        from ..config import Config
        from ..omega import Omega

        return Omega(Config(storage_url=self.storage_url), bucket=bucket)
