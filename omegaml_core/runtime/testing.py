"""Start real workers for tests: ``with start_worker(env, labels=['gpu']) as worker: ...``."""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator


def service_up(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/{vhost}"


@contextlib.contextmanager
def rabbitmq_vhost(prefix: str = "omega-test") -> Iterator[str]:
    """An AMQP URL on a RabbitMQ virtual host of its own (deleted afterwards), so test runs that share one
    server never consume each other's tasks from the default queue; the default vhost if ``rabbitmqctl``
    is not available here (as on a machine where the tests do not run as root)."""
    ctl = shutil.which("rabbitmqctl")
    name = f"{prefix}-{secrets.token_hex(4)}"

    def run(*args: str) -> bool:
        try:
            return subprocess.run([ctl, *args], capture_output=True, timeout=60).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False

    if ctl is None or not run("add_vhost", name):
        yield RABBITMQ_URL.format(vhost="/")
        return
    try:
        if not run("set_permissions", "-p", name, "guest", ".*", ".*", ".*"):
            raise RuntimeError(f"rabbitmqctl could not give guest the permissions on vhost {name}")
        yield RABBITMQ_URL.format(vhost=name)
    finally:
        run("delete_vhost", name)


def purge_queues(broker_url: str, labels: list[str] | None = None) -> None:
    """Empty the runtime's queues (the default one and those of ``labels``) so no stale task leaks in.

    Only these queues: another test run may share the Redis database or RabbitMQ
    virtual host, and its own queues must survive.
    """
    from kombu import Connection

    from .celeryapp import queue_for

    if broker_url.startswith("redis"):
        import redis

        client = redis.Redis.from_url(broker_url)
        for label in [None, *(labels or [])]:
            queue = queue_for(label)
            # kombu keeps a queue's messages in a list per priority: the name, and name + '\x06\x16' + priority
            client.delete(queue, *client.scan_iter(match=f"{queue}\x06\x16*"))
        return
    with Connection(broker_url, connect_timeout=5) as conn:
        channel = conn.default_channel
        for label in [None, *(labels or [])]:
            with contextlib.suppress(Exception):
                channel.queue_purge(queue_for(label))


class Worker:
    def __init__(self, proc: subprocess.Popen, name: str, log: Path) -> None:
        self.proc, self.name, self.log = proc, name, log

    def kill(self) -> None:
        """kill -9 the worker and its pool processes."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _answers(liveness: Any, app: Any, node: str) -> bool:
    try:
        return bool(liveness.ask(app, [node], timeout=0.25))
    except Exception:  # the broker is not reachable (yet): asked again until the deadline
        time.sleep(0.2)
        return False


@contextlib.contextmanager
def start_worker(env: dict[str, str], labels: list[str] | None = None, name: str = "w1", concurrency: int = 1,
                 log_dir: Path | None = None, timeout: float = 60, pool: str = "prefork") -> Iterator[Worker]:
    """An ``om worker`` subprocess for ``env`` (which sets OMEGA_BROKER etc.), ready when it answers ping."""
    from celery.utils.nodenames import host_format

    import omegaml_core as om_module
    from omegaml_core.config import Config
    from omegaml_core.omega import Omega

    from . import liveness
    from .celeryapp import app_for

    labels = labels or []
    log_dir = log_dir or Path(os.environ.get("TMPDIR", "/tmp"))
    log = log_dir / f"worker-{name}-{os.getpid()}-{time.monotonic_ns()}.log"
    argv = [sys.executable, "-m", "omegaml_core.cli", "worker", "-n", f"{name}@%h", "-c", str(concurrency),
            "--pool", pool, "--loglevel", "INFO"]
    for label in labels:
        argv += ["--label", label]
    full_env = {**os.environ, **env, "OMEGA_WORKER_NAME": name}
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    worker = Worker(proc, name, log)
    try:
        served = [n.strip() for n in full_env.get("OMEGA_WORKER_CONTEXTS", "").split(",") if n.strip()]
        ping_context = served[0] if served and served != ["*"] else full_env.get("OMEGA_CONTEXT")
        config = Config.resolve(mongo_url=full_env.get("OMEGA_MONGO_URL"), broker=full_env["OMEGA_BROKER"],
                                context=ping_context)
        runtime = Omega(config).runtime
        runtime = runtime.require(labels[0]) if labels else runtime
        deadline = time.monotonic() + timeout
        # Ask this worker alone until it answers (in milliseconds once it is up; a ping before then would
        # wait a whole inspect broadcast for it), then ping it through its queue.
        node, app = host_format(f"{name}@%h"), app_for(config)
        while not _answers(liveness, app, node):
            if proc.poll() is not None:
                raise RuntimeError(f"worker {name} exited with {proc.returncode}:\n{worker.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker {name} did not answer within {timeout} s:\n{worker.output()[-3000:]}")
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"worker {name} exited with {proc.returncode}:\n{worker.output()[-3000:]}")
            try:
                if runtime.ping().get(timeout=2)["worker"] == name:
                    break
            except Exception:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"worker {name} did not answer within {timeout} s:\n{worker.output()[-3000:]}")
                time.sleep(0.2)
        yield worker
    finally:
        worker.stop()
    del om_module
