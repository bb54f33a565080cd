"""``om worker``: a thin wrapper over Celery's worker."""
from __future__ import annotations

import os
import socket
from typing import Sequence

from ..config import Config, redact_url
from .celeryapp import app_for, queue_for


def worker_argv(labels: Sequence[str], concurrency: int | None, name: str | None, loglevel: str,
                pool: str | None) -> list[str]:
    queues = ",".join(queue_for(label) for label in (labels or [None]))
    argv = ["worker", "-Q", queues, "-n", name or f"omegaml-{'-'.join(labels) or 'default'}@{socket.gethostname()}",
            "--loglevel", loglevel, "--without-gossip", "--without-mingle"]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    if pool:
        argv += ["--pool", pool]
    return argv


def run_worker(labels: Sequence[str] = (), concurrency: int | None = None, name: str | None = None,
               loglevel: str = "INFO", pool: str | None = None) -> None:
    """Consume the queues of ``labels`` (the default queue if none) until stopped."""
    from .contexts import worker_contexts
    from .signing import signing_config
    from .monitor import register_inspect_command
    from .taskdefs import load_tasks

    config = Config.resolve()
    app = app_for(config)
    served = worker_contexts()  # read the served contexts before forking: a bad list stops the start
    load_tasks()  # import every omegaml.tasks module before the first message arrives
    register_inspect_command(served.describe())  # om runtime workers
    argv = worker_argv(labels, concurrency, name, loglevel, pool)
    os.environ.setdefault("OMEGA_WORKER_NAME", argv[argv.index("-n") + 1])
    print(f"om worker: broker {redact_url(config.broker_url)}, queues {argv[2]}", flush=True)
    print(f"om worker: serves {'; '.join(served.describe())}", flush=True)
    signing = signing_config()
    accepts = f"only messages signed by a certificate of {signing.ca}" if signing else "unsigned messages (signing off)"
    print(f"om worker: accepts {accepts}", flush=True)
    app.worker_main(argv)
