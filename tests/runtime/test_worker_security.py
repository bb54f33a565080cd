"""Workers trust no message: only contexts they are configured for, only signed messages when signing is on.

The attacker here has access to the broker only: they publish raw messages with kombu
and have made their own SQLite store holding a pickle whose unpickling writes a marker file.
"""
import secrets
import time

import pytest

from omegaml_core.config import Config
from omegaml_core.errors import ContextNotServed
from omegaml_core.omega import Omega
from omegaml_core.runtime.celeryapp import queue_for
from omegaml_core.runtime.contexts import fingerprint
from omegaml_core.runtime.testing import purge_queues, service_up, start_worker

from forge import publish_forged, queued_bodies

pytestmark = pytest.mark.services


class WritesMarker:
    """Unpickling this creates the file ``path``: stands for any code a pickle can run."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.fixture
def redis_url():
    if not service_up("127.0.0.1", 6379):
        pytest.skip("redis is not running on 127.0.0.1:6379; start it (see .ci/run)")
    url = f"redis://127.0.0.1:6379/{secrets.randbelow(15) + 1}"
    purge_queues(url)
    return url


@pytest.fixture
def attack(tiny_env, tmp_path):
    """The attacker's store (outside anything a worker serves) with a booby-trapped model."""
    marker = tmp_path / "pwned"
    url = f"sqlite:///{tmp_path / 'attacker' / 'evil.db'}"
    evil = Omega(Config(storage_url=url))
    evil.models.put(WritesMarker(marker), "m", kind="tiny.pickle")
    evil.engine.close()
    forged_dir = tmp_path / "forged-dir"
    return {"marker": marker, "url": url, "forged_url": f"sqlite:///{forged_dir / 'new.db'}", "forged_dir": forged_dir}


@pytest.fixture
def env(tiny_env, redis_url, monkeypatch, tmp_path):
    monkeypatch.setenv("OMEGA_BROKER", redis_url)
    return {**tiny_env, "OMEGA_BROKER": redis_url, "TMPDIR": str(tmp_path)}


@pytest.fixture
def label():
    return f"sec{secrets.token_hex(4)}"


def forged_messages(attack):
    """Today's forged message (a storage URL in the context) and one naming the attacker's store by fingerprint."""
    return [["omegaml.model.predict", {"config": {"storage_url": url}, "bucket": "omega"}, ["m", "X"], {}]
            for url in (attack["url"], attack["forged_url"])] + [
           ["omegaml.model.predict", {"context": fingerprint(url), "bucket": "omega"}, ["m", "X"], {}]
            for url in (attack["url"], attack["forged_url"])]


def result_of(broker_url, task_id, timeout=30):
    """``(state, result)`` of a task as the result backend has it (a failed task's result is its exception)."""
    from celery import Celery

    result = Celery(broker=broker_url, backend=broker_url).AsyncResult(task_id)
    result.get(timeout=timeout, propagate=False)
    return result.state, result.result


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_the_attackers_pickle_runs_code_when_loaded(attack):
    """The bait works: whoever loads this model runs the attacker's code (so the tests below can fail)."""
    Omega(Config(storage_url=attack["url"])).models.get("m")
    assert attack["marker"].exists()


def test_a_forged_message_naming_another_store_runs_nothing_and_creates_nothing(env, attack, label):
    with start_worker(env, labels=[label], name="target"):
        for message in forged_messages(attack):
            state, error = result_of(env["OMEGA_BROKER"], publish_forged(env["OMEGA_BROKER"], queue_for(label), message))
            assert state == "FAILURE" and type(error).__name__ == "ContextNotServed"
            assert f"the worker on queue {queue_for(label)} does not serve context" in str(error)
    assert not attack["marker"].exists()
    assert not attack["forged_dir"].exists()


def test_a_client_gets_a_clear_error_for_a_context_the_worker_does_not_serve(env, label, tmp_path):
    other = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'unserved' / 'x.db'}", broker_url=env["OMEGA_BROKER"]))
    with start_worker(env, labels=[label], name="strict"):
        with pytest.raises(ContextNotServed, match=rf"the worker on queue {queue_for(label)} does not serve context "
                                                   rf"'{fingerprint(other.config.storage_url)}'"):
            other.runtime.require(label).ping().get(timeout=30)
    assert not (tmp_path / "unserved").exists()


def test_a_worker_serves_the_contexts_its_configuration_lists(env, tmp_path, monkeypatch):
    import tinymodel

    config_file = tmp_path / "worker.toml"
    config_file.write_text(f"[contexts.main]\nmongo_url = '{env['OMEGA_MONGO_URL']}'\n\n"
                           f"[contexts.team]\nmongo_url = 'sqlite:///{tmp_path / 'team.db'}'\n")
    monkeypatch.setenv("OMEGA_CONFIG", str(config_file))
    team = Omega(Config.resolve(context="team"), "b2")
    team.models.put(tinymodel.TinyModel(mean=42), "tiny")
    main = Omega(Config.resolve())  # unnamed: referred to by its URL's fingerprint
    main.models.put(tinymodel.TinyModel(mean=7), "tiny")
    worker_env = {**env, "OMEGA_CONFIG": str(config_file), "OMEGA_WORKER_CONTEXTS": "main,team"}
    with start_worker(worker_env, name="multi"):
        assert team.runtime.model("tiny").predict([1]).get(timeout=30) == [42]
        assert main.runtime.model("tiny").predict([1]).get(timeout=30) == [7]
        assert team.runtime.ping().get(timeout=30)["bucket"] == "b2"


def test_a_worker_with_an_unknown_context_in_its_list_does_not_start(env, tmp_path, monkeypatch):
    config_file = tmp_path / "worker.toml"
    config_file.write_text(f"[contexts.main]\nmongo_url = 'sqlite:///{tmp_path / 'main.db'}'\n")
    monkeypatch.setenv("OMEGA_CONFIG", str(config_file))
    with pytest.raises(RuntimeError, match=r"OMEGA_WORKER_CONTEXTS names nope"):
        with start_worker({**env, "OMEGA_CONFIG": str(config_file), "OMEGA_WORKER_CONTEXTS": "main,nope"}, name="bad",
                   timeout=20):
            pass


def test_message_bodies_on_the_broker_hold_no_password(tiny_env, broker_url, label):
    url = broker_url
    secret = Omega(Config(storage_url="mongodb://alice:s3cret-pw@127.0.0.1:1/omega", broker_url=url))
    secret.runtime.require(label, queue_anyway=True).submit("omegaml.ping", [], {})
    bodies = queued_bodies(url, queue_for(label))
    assert bodies, "the message was not found on the broker"
    assert all(b"s3cret-pw" not in body and b"alice" not in body for body in bodies)


# --- signed messages -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def signing_files(tmp_path_factory):
    from omegaml_core.runtime.keygen import init_signing

    return init_signing(tmp_path_factory.mktemp("signing"))


@pytest.fixture(scope="session")
def attacker_files(tmp_path_factory):
    from omegaml_core.runtime.keygen import init_signing

    return init_signing(tmp_path_factory.mktemp("attacker-signing"), name="attacker")


def signing_env(files):
    return {"OMEGA_SIGNING_KEY": str(files["key"]), "OMEGA_SIGNING_CERT": str(files["cert"]),
            "OMEGA_SIGNING_CA": str(files["ca"])}


@pytest.fixture
def signed_env(env, signing_files, monkeypatch):
    for key, value in signing_env(signing_files).items():
        monkeypatch.setenv(key, value)
    return {**env, **signing_env(signing_files)}


def signed_by(files, message):
    """A message body signed with ``files``' key (what a holder of another CA's key can make)."""
    from celery.security.certificate import Certificate
    from celery.security.key import PrivateKey
    from celery.security.serialization import SecureSerializer

    serializer = SecureSerializer(PrivateKey(files["key"].read_text()), Certificate(files["cert"].read_text()),
                                  digest="sha256")
    return serializer.serialize([message, {}, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}])


def test_with_signing_forged_messages_are_rejected_and_logged_and_nothing_runs(signed_env, attack, attacker_files,
                                                                               label, tmp_path):
    broker, queue = signed_env["OMEGA_BROKER"], queue_for(label)
    touched = tmp_path / "touched"
    served = {"context": fingerprint(signed_env["OMEGA_MONGO_URL"]), "bucket": "omega"}
    client = Omega(Config.resolve()).runtime.require(label)
    with start_worker(signed_env, labels=[label], name="signed") as worker:
        publish_forged(broker, queue, ["tiny.touch", served, [str(touched)], {}])  # unsigned, served context
        for message in forged_messages(attack):
            publish_forged(broker, queue, message)
        publish_forged(broker, queue, ["tiny.touch", served, [str(touched)], {}], content_type="application/data",
                       body=signed_by(attacker_files, ["tiny.touch", served, [str(touched)], {}]))
        assert client.ping().get(timeout=30)["worker"] == "signed"  # signed calls still work, after the forged ones
        assert wait_for(lambda: worker.output().count("Refusing to deserialize untrusted content") >= 5
                        and "Unknown certificate" in worker.output())
    assert not touched.exists() and not attack["marker"].exists() and not attack["forged_dir"].exists()


def test_without_signing_the_same_unsigned_message_runs(env, label, tmp_path):
    """The control for the test above: the forged message is one a worker without signing runs."""
    touched = tmp_path / "touched"
    served = {"context": fingerprint(env["OMEGA_MONGO_URL"]), "bucket": "omega"}
    with start_worker(env, labels=[label], name="unsigned"):
        task_id = publish_forged(env["OMEGA_BROKER"], queue_for(label), ["tiny.touch", served, [str(touched)], {}])
        assert result_of(env["OMEGA_BROKER"], task_id) == ("SUCCESS", str(touched))
    assert touched.exists()


def test_with_signing_a_client_refuses_a_forged_unsigned_result(signed_env):
    """Results are signed too: a result planted in the backend by someone without the key is refused."""
    from celery import Celery
    from kombu.exceptions import DecodeError

    from omegaml_core.runtime.celeryapp import app_for

    broker = signed_env["OMEGA_BROKER"]
    plain_app = Celery(broker=broker, backend=broker)
    plain_app.backend.store_result("forged-result", {"result": "attacker's answer"}, "SUCCESS")
    signed_app = app_for(Config.resolve())
    with pytest.raises(DecodeError, match="Unable to deserialize"):
        signed_app.AsyncResult("forged-result").get(timeout=10)


def test_with_signing_results_come_back_over_rabbitmq_rpc(tiny_env, signing_files, label, monkeypatch, tmp_path):
    """On RabbitMQ results travel as rpc:// messages: signed too, and accepted by a signing client."""
    if not service_up("127.0.0.1", 5672):
        pytest.skip("rabbitmq is not running on 127.0.0.1:5672; start it (see .ci/run)")
    url = "amqp://guest:guest@127.0.0.1:5672//"
    env = {**tiny_env, "OMEGA_BROKER": url, "TMPDIR": str(tmp_path), **signing_env(signing_files)}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    client = Omega(Config.resolve()).runtime.require(label)  # a queue of its own: other workers use the default one
    with start_worker(env, labels=[label], name="signed-rabbit"):
        assert client.ping().get(timeout=30)["worker"] == "signed-rabbit"
