"""What a user sees of remote tasks: no silent hangs, honest Celery states, short logs, workers and tasks.

Real workers on the local Redis (a random database), each test on its own label
(queue), so concurrent test runs never take each other's tasks. One worker
serves the whole module; tests that need their own start one.
"""
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from omegaml_core.config import Config
from omegaml_core.omega import Omega
from omegaml_core.runtime import NoWorkerError, RemoteError
from omegaml_core.runtime.celeryapp import app_for
from omegaml_core.runtime.testing import purge_queues, service_up, start_worker

pytestmark = pytest.mark.services
OM = str(Path(sys.executable).with_name("om"))
LABEL = f"fb{secrets.token_hex(3)}"


@pytest.fixture(scope="module")
def env(tiny_site, tmp_path_factory, with_tiny_plugin):
    """Environment of this module's clients and workers: the tiny plugin, an embedded store, Redis."""
    if not service_up("127.0.0.1", 6379):
        pytest.skip("redis is not running on 127.0.0.1:6379; start it (see .ci/run)")
    tmp = tmp_path_factory.mktemp("feedback")
    broker = f"redis://127.0.0.1:6379/{secrets.randbelow(15) + 1}"
    purge_queues(broker)
    extra = {"OMEGA_BROKER": broker, "TMPDIR": str(tmp), "OMEGA_CONFIG": str(tmp / "none.toml")}
    with pytest.MonkeyPatch.context() as mp, with_tiny_plugin(tiny_site, tmp, mp, **extra) as env:
        yield env


@pytest.fixture(scope="module")
def worker(env):
    with start_worker(env, labels=[LABEL], name="feedback") as worker:
        yield worker


@pytest.fixture
def om(env):
    import tinymodel

    omega = Omega(Config.resolve())
    omega.models.put(tinymodel.TinyModel(mean=123456.5), "tiny")
    omega.datasets.put(list(range(50)), "X50")
    return omega


def om_command(env, *args, timeout=120):
    return subprocess.run([OM, *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=timeout)


def raw_meta(om, task_id):
    """The task's state as the result backend stores it (what Flower and monitors read)."""
    import redis

    return json.loads(redis.Redis.from_url(om.config.broker_url).get(f"celery-task-meta-{task_id}"))


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


# -- no worker for a label: no silent hang --------------------------------------------------------------------

def test_a_call_no_worker_would_take_fails_at_once_naming_the_queue_and_the_live_workers(om, worker):
    import redis

    with pytest.raises(NoWorkerError, match=f"no worker consumes queue omegaml.tpu{LABEL}") as info:
        om.runtime.require(f"tpu{LABEL}").model("tiny").predict("X50")
    assert "feedback@" in str(info.value) and f"omegaml.{LABEL}" in str(info.value)
    assert redis.Redis.from_url(om.config.broker_url).llen(f"omegaml.tpu{LABEL}") == 0  # nothing was sent


def test_a_known_consumer_is_trusted_for_a_while_then_asked_alone(om, worker, monkeypatch):
    from omegaml_core.runtime import liveness

    app = app_for(om.config)
    liveness.forget(app)
    asked = []
    inspect = app.control.inspect
    monkeypatch.setattr(app.control, "inspect", lambda **kw: asked.append(kw.get("destination")) or inspect(**kw))
    for _ in range(3):
        om.runtime.require(LABEL).ping().get()
    assert asked == [None]  # one broadcast to every worker, then the cached answer
    monkeypatch.setattr(liveness, "LIVENESS_TTL", 0)
    om.runtime.require(LABEL).ping().get()
    assert len(asked) == 2 and asked[1][0].startswith("feedback@")  # a stale answer: only the known consumer


def test_a_models_require_attribute_routes_as_a_string_or_a_dict(om, worker):
    om.models.put(om.models.get("tiny"), "as-string", attributes={"require": LABEL})
    om.models.put(om.models.get("tiny"), "as-dict", attributes={"require": {"label": LABEL}})
    assert om.runtime.model("as-string").whoami().get()["worker"] == "feedback"
    assert om.runtime.model("as-dict").whoami().get()["worker"] == "feedback"
    om.models.put(om.models.get("tiny"), "nowhere", attributes={"require": {"label": f"none{LABEL}"}})
    with pytest.raises(NoWorkerError, match=f"omegaml.none{LABEL}"):
        om.runtime.model("nowhere").whoami()


def test_a_malformed_require_attribute_is_refused_naming_the_model(om):
    om.models.put(om.models.get("tiny"), "bad", attributes={"require": {"label": "no spaces"}})
    with pytest.raises(ValueError, match="model 'bad': attribute 'require'"):
        om.runtime.model("bad").whoami()


def test_a_timed_out_call_is_revoked_and_never_runs(om, worker):
    import tinymodel

    om.models.put(tinymodel.TinyModel(fit_seconds=3), "slow")
    busy = om.runtime.require(LABEL).model("slow").fit("X50", "X50")
    assert wait_for(lambda: busy.state == "STARTED")
    waiting = om.runtime.require(LABEL).ping()
    with pytest.raises(TimeoutError, match="did not start within 0.5 s and was revoked"):
        waiting.get(timeout=0.5)
    busy.get(timeout=30)
    assert wait_for(lambda: f"Discarding revoked task: omegaml.run[{waiting.id}]" in worker.output())
    assert raw_meta(om, waiting.id)["status"] == "REVOKED"
    assert f"omegaml.run[{waiting.id}] succeeded" not in worker.output()


def test_queue_anyway_waits_for_a_worker_and_a_timeout_still_keeps_it_from_running_later(om, env, worker):
    label = f"later{LABEL}"
    queued = om.runtime.require(label, queue_anyway=True).ping()
    with pytest.raises(TimeoutError, match="revoked"):
        queued.get(timeout=0.5)
    with start_worker(env, labels=[label], name="late") as late:
        answered = om.runtime.require(label).ping().get()  # the queue's older message went first
        log = late.output()
    assert answered["worker"] == "late"
    assert raw_meta(om, queued.id)["status"] == "REVOKED"
    assert f"omegaml.run[{queued.id}] succeeded" not in log


# -- failed tasks are FAILURE -----------------------------------------------------------------------------------

def test_a_failed_call_is_a_celery_failure_with_type_message_and_remote_traceback(om, worker):
    om.models.put(__import__("tinymodel").TinyModel(), "unfitted")
    result = om.runtime.require(LABEL).model("unfitted").predict("X50")
    with pytest.raises(ValueError, match="TinyModel is not fitted") as info:
        result.get()
    assert "tinymodel.py" in info.value.remote_traceback
    meta = raw_meta(om, result.id)
    assert meta["status"] == "FAILURE" and result.state == "FAILURE"
    assert meta["result"]["exc_type"] == "ValueError" and meta["result"]["exc_module"] == "builtins"
    assert meta["result"]["exc_message"] == ["TinyModel is not fitted"]
    assert 'raise ValueError("TinyModel is not fitted")' in meta["traceback"]
    assert wait_for(lambda: f"omegaml.run[{result.id}] raised unexpected: ValueError" in worker.output())


def test_an_error_class_the_client_lacks_comes_back_as_a_lookalike_with_its_builtin_bases(om, worker):
    result = om.runtime.require(LABEL).model("tiny").fail()
    with pytest.raises(LookupError, match="tiny failed on purpose") as info:
        result.get()
    assert isinstance(info.value, RemoteError) and type(info.value).__name__ == "RemoteOnlyError"
    assert type(info.value).__module__ == "tinyerrors" and "tinyerrors" not in sys.modules
    assert raw_meta(om, result.id)["result"]["exc_bases"] == ["LookupError", "Exception"]


# -- worker logs summarize results ------------------------------------------------------------------------------

def test_worker_logs_say_what_a_result_is_never_its_values(om, worker):
    result = om.runtime.require(LABEL).model("tiny").predict("X50")
    assert result.get() == [123456.5] * 50
    line = f"omegaml.run[{result.id}] succeeded"
    assert wait_for(lambda: line in worker.output())
    logged = next(entry for entry in worker.output().splitlines() if line in entry)
    assert logged.endswith(": list[50]") and "123456" not in worker.output()


def test_task_succeeded_events_for_monitors_carry_no_result_data(om, worker):
    import threading

    from omegaml_core.runtime.workerrequest import EVENT_RESULT

    app = app_for(om.config)
    app.control.enable_events()
    events, stop = [], threading.Event()

    def listen():
        with app.connection_for_read() as connection:
            receiver = app.events.Receiver(connection, handlers={"task-succeeded": events.append})
            receiver.should_stop = False
            for _ in receiver.itercapture(limit=None, timeout=0.5, wakeup=False):
                if stop.is_set():
                    break

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    try:
        sent = []
        assert wait_for(lambda: sent.append(om.runtime.require(LABEL).model("tiny").predict("X50").get())
                        or any(e["uuid"] for e in events), seconds=20)
    finally:
        stop.set()
        app.control.disable_events()
    assert {e["result"] for e in events} == {EVENT_RESULT} and "123456" not in str(events)


# -- workers and tasks ------------------------------------------------------------------------------------------

def test_workers_lists_live_workers_with_labels_queues_contexts_and_active_tasks(om, worker):
    import tinymodel

    om.models.put(tinymodel.TinyModel(fit_seconds=2), "slow")
    running = om.runtime.require(LABEL).model("slow").fit("X50", "X50")
    assert wait_for(lambda: running.state == "STARTED")
    workers = {w["name"]: w for w in om.runtime.workers()}
    running.get(timeout=30)
    mine = next(w for name, w in workers.items() if name.startswith("feedback@"))
    assert mine["labels"] == [LABEL] and mine["queues"] == [f"omegaml.{LABEL}"]
    assert mine["active"][0]["id"] == running.id and mine["active"][0]["task"] == "omegaml.model.fit"
    from omegaml_core.runtime.contexts import reference

    assert mine["contexts"] == [f"{reference(om.config)}: {om.config.storage_url}"]


def test_a_task_is_found_by_id_with_its_state_and_result_or_error(om, worker):
    done = om.runtime.require(LABEL).model("tiny").predict([1, 2])
    failed = om.runtime.require(LABEL).model("nope").predict([1])
    assert done.get() == [123456.5, 123456.5]
    assert om.runtime.task(done.id).state == "SUCCESS" and om.runtime.task(done.id).get() == [123456.5, 123456.5]
    with pytest.raises(KeyError):
        failed.get()
    status = om.runtime.task(failed.id).status()
    assert status["state"] == "FAILURE" and status["error"]["type"] == "ObjectNotFound"
    assert "nope" in status["error"]["message"] and "Traceback" in status["error"]["traceback"]


# -- om.setup(celeryconf=...) -----------------------------------------------------------------------------------

def test_setup_with_old_style_celeryconf_keys_runs_on_workers(env, worker, tmp_path):
    other = Omega(Config.resolve(mongo_url=env["OMEGA_MONGO_URL"], celeryconf={
        "BROKER_URL": env["OMEGA_BROKER"], "CELERY_RESULT_BACKEND": env["OMEGA_BROKER"], "result_expires": 120}))
    assert not other.runtime.local
    assert app_for(other.config).conf.result_expires == 120
    assert other.runtime.require(LABEL).ping().get()["worker"] == "feedback"


# -- the om command ---------------------------------------------------------------------------------------------

def test_om_runtime_ping_without_a_worker_for_the_label_fails_at_once_without_noise(env, worker):
    done = om_command(env, "runtime", "ping", "--require", f"tpu{LABEL}")
    assert done.returncode == 1
    assert done.stderr.startswith(f"om: error: no worker consumes queue omegaml.tpu{LABEL} (workers: feedback@")
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr


def test_om_runtime_ping_queued_anyway_times_out_revoked_without_noise(env):
    done = om_command(env, "runtime", "ping", "--require", f"tpu{LABEL}", "--queue-anyway", "--timeout", "1")
    assert done.returncode == 1
    assert "did not start within 1 s and was revoked" in done.stderr
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr


def test_om_runtime_workers_and_tasks(env, om, worker):
    workers = json.loads(om_command(env, "runtime", "workers", "--json").stdout)
    assert [w["labels"] for w in workers if w["name"].startswith("feedback@")] == [[LABEL]]
    done = om_command(env, "runtime", "model", "tiny", "predict", "X50", "--require", LABEL)
    assert done.returncode == 0 and json.loads(done.stdout) == [123456.5] * 50
    result = om.runtime.require(LABEL).model("tiny").fail()
    with pytest.raises(LookupError):
        result.get()
    shown = om_command(env, "runtime", "tasks", result.id)
    assert shown.returncode == 1
    [status] = json.loads(shown.stdout)
    assert status["state"] == "FAILURE" and status["error"]["type"] == "RemoteOnlyError"


def test_om_interrupted_while_waiting_says_the_task_lives_on_without_noise(env, om):
    import signal

    import redis

    queue = f"omegaml.int{LABEL}"
    proc = subprocess.Popen([OM, "runtime", "ping", "--require", f"int{LABEL}", "--queue-anyway"],
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: redis.Redis.from_url(om.config.broker_url).llen(queue) == 1)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "was not revoked: om runtime tasks" in stderr
    assert "Exception ignored" not in stderr and "Traceback" not in stderr
