"""TLS servers for tests: a throwaway CA (``trustme``), a TLS Redis, and a TLS terminator (socat) in front of any port.

    with throwaway_ca(tmp) as certs, tls_terminator(27017, certs) as port: ...

Certificates are issued for ``127.0.0.1`` only, so connecting as ``localhost`` is
the wrong-host-name case.
"""
from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .servers import free_port


@dataclass(frozen=True)
class TestCerts:
    """Files of a throwaway CA and a server certificate for 127.0.0.1."""

    __test__ = False  # not a pytest test class
    ca: Path
    cert: Path  # the server's certificate chain
    key: Path
    other_ca: Path  # a CA that did not issue the server's certificate


def throwaway_ca(folder: Path) -> TestCerts:
    import trustme

    ca, other = trustme.CA(), trustme.CA()
    server = ca.issue_cert("127.0.0.1")
    files = TestCerts(folder / "ca.pem", folder / "server.pem", folder / "server.key", folder / "other-ca.pem")
    ca.cert_pem.write_to_path(str(files.ca))
    other.cert_pem.write_to_path(str(files.other_ca))
    server.private_key_pem.write_to_path(str(files.key))
    with open(files.cert, "wb") as fh:
        for blob in server.cert_chain_pems:
            fh.write(blob.bytes())
    return files


def _wait_listening(proc: subprocess.Popen, port: int, what: str, log: Path, timeout: float = 15) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout} s")


@contextlib.contextmanager
def _process(argv: list[str], port: int, what: str) -> Iterator[int]:
    folder = Path(tempfile.mkdtemp(prefix="omega-tls-"))
    log = folder / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    try:
        _wait_listening(proc, port, what, log)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def tls_terminator(target_port: int, certs: TestCerts) -> Iterator[int]:
    """A TLS port (socat) that forwards to the plain ``target_port`` on 127.0.0.1; yields the TLS port."""
    port = free_port()
    argv = ["socat", f"OPENSSL-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork,cert={certs.cert},key={certs.key},"
            "verify=0", f"TCP:127.0.0.1:{target_port}"]
    with _process(argv, port, "socat") as tls_port:
        yield tls_port


@contextlib.contextmanager
def redis_tls(certs: TestCerts) -> Iterator[int]:
    """A redis-server with TLS only (no plain port) on a free port; yields the port."""
    port = free_port()
    argv = ["redis-server", "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
            "--tls-cert-file", str(certs.cert), "--tls-key-file", str(certs.key), "--tls-ca-cert-file", str(certs.ca),
            "--tls-auth-clients", "no", "--save", "", "--appendonly", "no"]
    with _process(argv, port, "redis-server") as tls_port:
        yield tls_port
