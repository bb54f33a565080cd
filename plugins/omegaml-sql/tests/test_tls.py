"""PostgreSQL over TLS with ``sslmode=verify-full``, against a throwaway cluster started here with ``ssl=on``.

The cluster runs as the ``postgres`` user (PostgreSQL refuses to run as root) on a free
port, with a server certificate from a throwaway CA (``trustme``) for 127.0.0.1 only.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from omegaml_sql import SQLConnectionError

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(*argv: str) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *argv], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def tls_postgres():
    """``(port, certs)`` of a PostgreSQL cluster that accepts TLS connections (trust auth)."""
    from omegaml_core.testing.servers import free_port
    from omegaml_core.testing.tlsservers import throwaway_ca

    if not (PG_BIN / "initdb").exists() or (os.geteuid() == 0 and not shutil.which("runuser")):
        pytest.skip("PostgreSQL 15 server binaries (or runuser) are not installed here")
    folder = Path(tempfile.mkdtemp(prefix="omega-pgtls-"))
    certs = throwaway_ca(folder)
    data, port = folder / "data", free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        for path in (certs.cert, certs.key):
            shutil.chown(path, "postgres")
    certs.key.chmod(0o600)
    init = _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    assert init.returncode == 0, init.stderr
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file={certs.cert} "
               f"-c ssl_key_file={certs.key} -c fsync=off")
    start = _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w",
                         "start")
    assert start.returncode == 0, start.stderr + (folder / "log").read_text()
    try:
        yield port, certs
    finally:
        from omegaml_sql.engines import dispose_all

        dispose_all()
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def url(host: str, port: int, ca: Path) -> str:
    return f"postgresql+psycopg://postgres@{host}:{port}/postgres?sslmode=verify-full&sslrootcert={ca}"


def test_postgres_with_verify_full_works_with_the_ca(om, tls_postgres):
    port, certs = tls_postgres
    om.datasets.put(url("127.0.0.1", port, certs.ca), "pg", sql="select ssl from pg_stat_ssl where pid = pg_backend_pid()")
    assert bool(om.datasets.get("pg")["ssl"][0]) is True


@pytest.mark.parametrize("host,ca,reason", [("127.0.0.1", "other_ca", "certificate verify failed"),
                                            ("localhost", "ca", 'does not match host name "localhost"')])
def test_postgres_tls_fails_in_one_line_naming_host_and_reason(om, tls_postgres, host, ca, reason):
    port, certs = tls_postgres
    om.datasets.put(url(host, port, getattr(certs, ca)), "pg", sql="select 1")
    with pytest.raises(SQLConnectionError) as info:
        om.datasets.get("pg")
    message = str(info.value)
    assert host in message and reason in message
    assert "\n" not in message
