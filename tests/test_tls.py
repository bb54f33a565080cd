"""TLS on every connection, against real TLS servers started here with a throwaway CA.

Redis: a redis-server with a TLS port only. MongoDB: the nx-27017 stand-in behind a
socat TLS terminator. RabbitMQ: the local server (5672) behind a socat TLS terminator
(a second RabbitMQ listener would need a node restart). Each connection works with the
CA, and fails with one clear line naming the host and the reason without it, or when
the host name is not the certificate's (certificates are for 127.0.0.1; ``localhost``
is the wrong name).
"""
import secrets

import pytest

from omegaml_core.config import Config
from omegaml_core.errors import StorageUnavailable
from omegaml_core.omega import Omega
from omegaml_core.runtime.testing import service_up, start_worker
from omegaml_core.testing.tlsservers import redis_tls, throwaway_ca, tls_terminator
from omegaml_core.tls import InsecureTransportWarning, tls_status

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return throwaway_ca(tmp_path_factory.mktemp("ca"))


def need(program):
    import shutil

    if not shutil.which(program):
        pytest.skip(f"{program} is not installed (apt-get install {program}; .ci/run installs it)")


# --- MongoDB -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mongo_tls_port(certs, omega_mongo_base_url):
    need("socat")
    port = int(omega_mongo_base_url.split("://", 1)[1].split("/")[0].rsplit(":", 1)[1])
    with tls_terminator(port, certs) as tls_port:
        yield tls_port


def mongo(url, monkeypatch):
    monkeypatch.setenv("OMEGA_MONGO_TIMEOUT_MS", "3000")
    return Omega(Config(storage_url=url), bucket=f"t{secrets.token_hex(3)}")


def test_mongodb_over_tls_works_with_the_ca(certs, mongo_tls_port, monkeypatch):
    om = mongo(f"mongodb://127.0.0.1:{mongo_tls_port}/tls{secrets.token_hex(3)}?tls=true&tlsCAFile={certs.ca}",
               monkeypatch)
    try:
        om.datasets.put({"a": 1}, "x")
        assert om.datasets.get("x") == {"a": 1}
    finally:
        om.engine.close()


@pytest.mark.parametrize("host,ca,reason", [("127.0.0.1", "other_ca", "certificate verify failed"),
                                            ("localhost", "ca", "certificate verify failed")])
def test_mongodb_tls_fails_in_one_line_naming_host_and_reason(certs, mongo_tls_port, monkeypatch, host, ca, reason):
    om = mongo(f"mongodb://{host}:{mongo_tls_port}/x?tls=true&tlsCAFile={getattr(certs, ca)}", monkeypatch)
    with pytest.raises(StorageUnavailable) as info:
        om.datasets.list()
    message = str(info.value)
    assert f"{host}:{mongo_tls_port}" in message and reason in message and "\n" not in message


# --- Redis (broker and result backend) ---------------------------------------------------------------

@pytest.fixture(scope="module")
def redis_tls_port(certs):
    need("redis-server")
    with redis_tls(certs) as port:
        yield port


def rediss(host, port, ca):
    return f"rediss://{host}:{port}/0?ssl_cert_reqs=required&ssl_ca_certs={ca}"


def test_a_worker_round_trip_over_tls_redis(certs, redis_tls_port, monkeypatch, tmp_path):
    url = rediss("127.0.0.1", redis_tls_port, certs.ca)
    env = {"OMEGA_BROKER": url, "OMEGA_MONGO_URL": f"sqlite:///{tmp_path / 'omega.db'}",
           "OMEGA_HOME": str(tmp_path / "home")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    env["TMPDIR"] = str(tmp_path)
    with start_worker(env, name="tls-worker"):
        assert Omega(Config.resolve()).runtime.ping().get(timeout=30)["worker"] == "tls-worker"


@pytest.mark.parametrize("host,ca", [("127.0.0.1", "other_ca"), ("localhost", "ca")])
def test_redis_tls_fails_in_one_line_naming_host_and_reason(certs, redis_tls_port, tmp_path, host, ca):
    url = rediss(host, redis_tls_port, getattr(certs, ca))
    om = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'x.db'}", broker_url=url))
    with pytest.raises(ConnectionError) as info:
        om.runtime.submit("omegaml.ping", [], {})
    message = str(info.value)
    assert f"{host}:{redis_tls_port}" in message and "certificate verify failed" in message
    assert "\n" not in message.strip()


# --- RabbitMQ ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def amqps_port(certs):
    need("socat")
    if not service_up("127.0.0.1", 5672):
        pytest.skip("rabbitmq is not running on 127.0.0.1:5672; start it (see .ci/run)")
    with tls_terminator(5672, certs) as port:
        yield port


def amqps(host, port, ca):
    return f"amqps://guest:guest@{host}:{port}//?ssl_ca_certs={ca}"


def test_rabbitmq_over_tls_works_with_the_ca(certs, amqps_port, tmp_path):
    from omegaml_core.runtime.celeryapp import app_for

    config = Config(f"sqlite:///{tmp_path / 'x.db'}", broker_url=amqps("127.0.0.1", amqps_port, certs.ca))
    app = app_for(config)  # connects once, over TLS, with the CA
    assert app.conf.broker_use_ssl["ca_certs"] == str(certs.ca)
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.connected and conn.transport.driver_type == "amqp"


@pytest.mark.parametrize("host,ca,reason", [("127.0.0.1", "other_ca", "certificate verify failed"),
                                            ("localhost", "ca", "certificate verify failed")])
def test_rabbitmq_tls_fails_in_one_line_naming_host_and_reason(certs, amqps_port, tmp_path, host, ca, reason):
    config = Config(f"sqlite:///{tmp_path / 'x.db'}", broker_url=amqps(host, amqps_port, getattr(certs, ca)))
    with pytest.raises(ConnectionError) as info:
        Omega(config).runtime.submit("omegaml.ping", [], {})
    message = str(info.value)
    assert f"{host}:{amqps_port}" in message and reason in message and "\n" not in message
    assert "guest:guest" not in message


# --- what a URL says about TLS -------------------------------------------------------------------------

@pytest.mark.parametrize("url,protected", [
    ("mongodb://h/db?tls=true&tlsCAFile=/ca.pem", True), ("mongodb+srv://h/db", True),
    ("mongodb://h/db", False), ("mongodb://h/db?tls=true&tlsInsecure=true", False),
    ("rediss://h:6380/0?ssl_cert_reqs=required", True), ("rediss://h/0?ssl_cert_reqs=none", False),
    ("redis://h/0", False), ("amqps://h//", True), ("amqp://h//", False),
    ("postgresql://h/db?sslmode=verify-full", True), ("postgresql://h/db?sslmode=require", False),
    ("sqlite:///x.db", None)])
def test_tls_status_of_a_url(url, protected):
    assert tls_status(url)[0] is protected


def test_options_that_switch_verification_off_print_a_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("OMEGA_HOME", str(tmp_path))
    with pytest.warns(InsecureTransportWarning, match=r"storage mongodb://u:\*\*\*@h/db.*tlsinsecure=true"):
        Config.resolve(mongo_url="mongodb://u:pw@h/db?tls=true&tlsInsecure=true")
