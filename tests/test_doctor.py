"""``om doctor``: one line per protection, exit status 1 under --strict when something is unprotected."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from omegaml_core.config import Config
from omegaml_core.doctor import checks, unprotected

OM = str(Path(sys.executable).with_name("om"))
SECURITY_ENV = ("OMEGA_MONGO_URL", "OMEGA_BROKER", "OMEGA_RESULT_BACKEND", "OMEGA_SIGNING_KEY", "OMEGA_SIGNING_CERT",
                "OMEGA_SIGNING_CA", "OMEGA_STORE_KEY", "OMEGA_REFUSE_PICKLES", "OMEGA_WORKER_CONTEXTS", "OMEGA_CONTEXT")


@pytest.fixture
def env(tmp_path, monkeypatch):
    for name in SECURITY_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMEGA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OMEGA_CONFIG", str(tmp_path / "none.toml"))
    return tmp_path


def by_topic(config=None):
    return {c.topic: c for c in checks(config)}


def test_a_plain_broker_without_signing_is_reported_unprotected(env):
    lines = by_topic(Config("mongodb://u:pw@db.example/omega", broker_url="redis://127.0.0.1:6379/0"))
    assert lines["storage TLS"].protected is False and "u:***@" in lines["storage TLS"].detail
    assert lines["broker TLS"].protected is False and lines["result backend TLS"].protected is False
    assert lines["message signing"].protected is False
    assert "pw" not in " ".join(c.line() for c in lines.values()).replace("pwd", "")


def test_a_secured_configuration_has_nothing_unprotected(env, monkeypatch):
    from omegaml_core.runtime.keygen import init_signing

    keys = init_signing(env / "keys")
    for name, path in (("OMEGA_SIGNING_KEY", "key"), ("OMEGA_SIGNING_CERT", "cert"), ("OMEGA_SIGNING_CA", "ca")):
        monkeypatch.setenv(name, str(keys[path]))
    monkeypatch.setenv("OMEGA_STORE_KEY", "k" * 32)
    monkeypatch.setenv("OMEGA_REFUSE_PICKLES", "1")
    config = Config("mongodb://db.example/omega?tls=true&tlsCAFile=/ca.pem",
                    broker_url="rediss://h:6380/0?ssl_cert_reqs=required&ssl_ca_certs=/ca.pem")
    assert unprotected(checks(config)) == []


def test_a_misconfigured_setting_is_an_unprotected_line_not_a_crash(env, monkeypatch):
    monkeypatch.setenv("OMEGA_SIGNING_KEY", str(env / "missing.pem"))
    line = by_topic(Config("sqlite:///x.db", broker_url="redis://h/0"))["message signing"]
    assert line.protected is False and "misconfigured" in line.detail and "OMEGA_SIGNING_CERT" in line.detail


def om_doctor(env, *args, **extra):
    clean = {k: v for k, v in os.environ.items() if k not in SECURITY_ENV}
    return subprocess.run([OM, "doctor", *args], capture_output=True, text=True, timeout=120,
                          env={**clean, "OMEGA_HOME": str(env / "home"), "OMEGA_CONFIG": str(env / "none.toml"),
                               **extra})


def test_om_doctor_exits_1_under_strict_when_something_is_unprotected(env):
    result = om_doctor(env, "--strict")
    assert result.returncode == 1 and "UNPROTECTED  store key" in result.stdout
    assert om_doctor(env).returncode == 0


def test_om_doctor_strict_passes_a_protected_local_configuration(env):
    result = om_doctor(env, "--strict", OMEGA_STORE_KEY="k" * 32, OMEGA_REFUSE_PICKLES="yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "UNPROTECTED" not in result.stdout


def test_om_signing_init_creates_the_files_and_says_what_to_set(env):
    result = subprocess.run([OM, "signing", "init", str(env / "keys")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"export OMEGA_SIGNING_KEY={env / 'keys' / 'signing-key.pem'}" in result.stdout
    assert sorted(p.name for p in (env / "keys").iterdir()) == ["ca-key.pem", "ca.pem", "signing-cert.pem",
                                                                "signing-key.pem"]
    again = subprocess.run([OM, "signing", "init", str(env / "keys")], capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "already exist" in again.stderr
