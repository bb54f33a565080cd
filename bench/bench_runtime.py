"""Runtime benchmark: a task round trip through a real worker vs a bare Celery task, same Redis broker."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from _common import Ratio, median_of, within

BROKER = os.environ.get("OMEGA_BENCH_BROKER", "redis://127.0.0.1:6379/14")
ROUNDS = int(os.environ.get("OMEGA_BENCH_ROUNDS", "200"))

BARE_APP = textwrap.dedent('''
    from celery import Celery
    app = Celery("bare", broker="{broker}", backend="{broker}")
    app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                    task_default_queue="bare-bench", worker_hijack_root_logger=False)

    @app.task(name="bare.echo")
    def echo(x):
        return x
''')


def bare_celery_round_trip(tmp: str) -> float:
    Path(tmp, "bare_app.py").write_text(BARE_APP.format(broker=BROKER))
    env = {**os.environ, "PYTHONPATH": tmp}
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "bare_app", "worker", "-Q", "bare-bench",
                               "-c", "1", "--pool", "solo", "--loglevel", "WARNING", "--without-gossip",
                               "--without-mingle"], env=env, cwd=tmp, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        sys.path.insert(0, tmp)
        import bare_app

        bare_app.echo.delay(1).get(timeout=60)  # warm up, and wait for the worker
        return median_of(lambda: bare_app.echo.delay(1).get(timeout=30), ROUNDS)
    finally:
        worker.terminate()
        worker.wait(15)


def omega_round_trip(tmp: str) -> float:
    from omegaml_core.runtime.testing import purge_queues, start_worker

    env = {"OMEGA_BROKER": BROKER, "OMEGA_MONGO_URL": f"sqlite:///{tmp}/omega.db", "OMEGA_HOME": tmp}
    os.environ.update(env)
    purge_queues(BROKER)
    import omegaml_core as om

    om.reset()
    with start_worker(env, name="bench", pool="solo", log_dir=Path(tmp)):
        runtime = om.runtime
        runtime.ping().get(timeout=30)
        return median_of(lambda: runtime.ping().get(timeout=30), ROUNDS)


def run() -> list[Ratio]:
    with tempfile.TemporaryDirectory() as tmp:
        base = bare_celery_round_trip(tmp)
    with tempfile.TemporaryDirectory() as tmp:
        ours = omega_round_trip(tmp)
    return [Ratio("om.runtime task round trip (median) vs bare Celery task, Redis", ours, base,
                  "report", True)]
