"""A local MongoDB wire-protocol server for tests: real pymongo over a real socket.

No MongoDB server can be installed on every developer machine, so the tests
start ``nx-27017`` (MongoDB's wire protocol on SQLite). Set
``OMEGA_TEST_MONGO_URL`` to run the same tests against a real MongoDB instead.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def with_database(url: str, database: str) -> str:
    """``url`` pointing at ``database`` (replaces any database in the URL, keeps options)."""
    scheme, rest = url.split("://", 1)
    hosts, _, tail = rest.partition("/")
    _, _, options = tail.partition("?")
    return f"{scheme}://{hosts}/{database}" + (f"?{options}" if options else "")


#: What to install when the stand-in is missing.
NX_MISSING = ("the MongoDB half of the omega fixture needs the nx-27017 server, which is not installed: "
              "pip install 'omegaml-core[test]' (or pip install nx-27017), or set OMEGA_TEST_MONGO_URL "
              "to a real MongoDB; --omega-engines=embedded runs only the embedded half")


def find_nx_27017() -> str | None:
    """The nx-27017 executable (on PATH or beside this Python), or None if it is not installed."""
    beside = Path(sys.executable).with_name("nx-27017")
    return shutil.which("nx-27017") or (str(beside) if beside.exists() else None)


class MongoStandIn:
    """Start and stop an nx-27017 server on a free port in a temporary folder."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="omega-nx-"))
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/omega"

    def start(self, timeout: float = 20) -> "MongoStandIn":
        exe = find_nx_27017()
        if exe is None:
            raise FileNotFoundError(NX_MISSING)
        log = open(self.dir / "server.log", "wb")
        self.proc = subprocess.Popen(
            [exe, "--data-dir", str(self.dir / "data"), "-p", str(self.port),
             "--pid-file", str(self.dir / "nx.pid"), "--log-file", str(self.dir / "nx.log")],
            stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nx-27017 exited with {self.proc.returncode}; see {self.dir / 'server.log'}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nx-27017 did not listen on port {self.port} within {timeout} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def test_database_url(base_url: str) -> str:
    """A fresh database on the server of ``base_url``, so tests never share state."""
    return with_database(base_url, f"t{secrets.token_hex(6)}")


def real_mongo_url() -> str | None:
    """``OMEGA_TEST_MONGO_URL`` if set: the same tests then run against a real MongoDB."""
    return os.environ.get("OMEGA_TEST_MONGO_URL") or None


def standin_deviation(request, reason: str) -> None:
    """Mark the running test as an expected failure on the nx-27017 stand-in only.

    Strict: if the stand-in is fixed, the test starts passing and the mark must go.
    Against a real MongoDB (``OMEGA_TEST_MONGO_URL``) the test must pass.
    """
    import pytest

    if not real_mongo_url():
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"nx-27017 deviation: {reason}"))
