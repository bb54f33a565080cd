"""A real ``om serve`` process for tests and benchmarks: started on a free port, stopped with ``stop()``."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator, Sequence

from omegaml_core.testing.servers import free_port


class ServerProcess:
    """``om serve`` in a subprocess with the environment ``env`` (complete, not merged); ``url`` once started."""

    def __init__(self, env: dict[str, str], args: Sequence[str] = (), log_path: Path | None = None,
                 certfile: str | None = None, keyfile: str | None = None) -> None:
        self.port = free_port()
        self.env = dict(env)  # the complete environment of the server process
        self.args = list(args)
        self.tls = certfile is not None
        if certfile:
            self.args += ["--certfile", certfile, "--keyfile", keyfile or ""]
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60, verify: Any = True) -> "ServerProcess":
        import httpx

        om = str(Path(sys.executable).with_name("om"))
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen([om, "serve", "--port", str(self.port), *self.args], env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"om serve exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/v2/health/live", verify=verify, timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"om serve did not answer within {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@contextlib.contextmanager
def serve_store(storage_url: str, home: Path, roles: dict[str, str], bucket: str = "omega",
                env: dict[str, str] | None = None) -> Iterator[tuple[str, dict[str, dict[str, str]]]]:
    """``om serve`` on the store at ``storage_url`` with one user per entry of ``roles`` (user -> role on
    ``bucket``): yields the server's URL and each user's request headers. For plugins' end-to-end tests."""
    from .accounts import Accounts

    accounts_url = f"sqlite:///{home / 'accounts.db'}"
    accounts = Accounts(accounts_url)
    headers = {}
    try:
        for user, role in roles.items():
            accounts.create_user(user)
            headers[user] = {"Authorization": f"ApiKey {user}:{accounts.create_key(user).secret}", "Bucket": bucket}
            accounts.grant(user, bucket, role)
    finally:
        accounts.close()
    full_env = {**{k: v for k, v in os.environ.items() if k != "OMEGA_BROKER"}, **(env or {}),
                "OMEGA_HOME": str(home), "OMEGA_MONGO_URL": storage_url, "OMEGA_ACCOUNTS_URL": accounts_url}
    server = ServerProcess(full_env, log_path=home / "server.log").start()
    try:
        yield server.url, headers
    finally:
        server.stop()
