"""``om worker`` and ``om runtime ...`` commands."""
from __future__ import annotations

import argparse
import json
from typing import Any


def cmd_worker(args: argparse.Namespace) -> int:
    from .worker import run_worker

    run_worker(args.label or [], args.concurrency, args.name, args.loglevel, args.pool)
    return 0


def _runtime(args: argparse.Namespace) -> Any:
    import omegaml_core as om

    omega = om.defaults()[args.bucket] if args.bucket else om.defaults()
    return omega.runtime.require(args.require) if args.require else omega.runtime


def cmd_ping(args: argparse.Namespace) -> int:
    print(json.dumps(_runtime(args).ping(timeout=args.timeout)))
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    inputs = [x for x in (args.X, args.Y) if x is not None]
    kwargs = {"rName": args.result} if args.result else {}
    result = getattr(_runtime(args).model(args.name), args.method)(*inputs, **kwargs).get(timeout=args.timeout)
    print(json.dumps(result, default=str))
    return 0


def add_commands(cli: Any) -> None:
    """Add ``om worker`` and ``om runtime`` (registered as the ``omegaml.cli`` entry point ``runtime``)."""
    worker = cli.add_command("worker", help="start a Celery worker for the runtime")
    worker.add_argument("--label", action="append", help="consume this label's queue (repeatable; default queue if none)")
    worker.add_argument("--concurrency", "-c", type=int, help="worker processes (default: CPU count)")
    worker.add_argument("--name", "-n", help="worker node name")
    worker.add_argument("--pool", help="Celery pool: prefork (default), solo, threads")
    worker.add_argument("--loglevel", default="INFO")
    worker.set_defaults(func=cmd_worker)

    actions = cli.add_group("runtime", help="call models and tasks on the runtime")
    for parser in (ping := actions.add_parser("ping", help="ask a worker to answer"),
                   model := actions.add_parser("model", help="call a model method, e.g. fit or predict")):
        parser.add_argument("--bucket", help="bucket (default: omega)")
        parser.add_argument("--require", help="route to workers with this label")
        parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the result")
    ping.set_defaults(func=cmd_ping)
    model.add_argument("name", help="model name")
    model.add_argument("method", help="fit, predict, score, ... or a plugin's method")
    model.add_argument("X", nargs="?", help="input dataset name, e.g. 'sales[x1,x2]'")
    model.add_argument("Y", nargs="?", help="target dataset name")
    model.add_argument("--result", help="store the result as this dataset")
    model.set_defaults(func=cmd_model)
