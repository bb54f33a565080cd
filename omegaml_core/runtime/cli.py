"""``om worker`` and ``om runtime ping|model|workers|tasks``.

Calls fail at once with ``no worker consumes queue ...`` when no live worker
serves the label (``--queue-anyway`` sends regardless); waiting for a result
stops after ``--timeout`` seconds (default ``DEFAULT_TIMEOUT``), revoking the
task so it never runs later. While waiting, a spinner shows on stderr when it
is a terminal.
"""
from __future__ import annotations

import argparse
import json
from typing import Any

from .results import DEFAULT_TIMEOUT


def cmd_worker(args: argparse.Namespace) -> int:
    from .worker import run_worker

    run_worker(args.label or [], args.concurrency, args.name, args.loglevel, args.pool)
    return 0


def _runtime(args: argparse.Namespace) -> Any:
    import omegaml_core as om

    omega = om.defaults()[args.bucket] if args.bucket else om.defaults()
    queue_anyway = getattr(args, "queue_anyway", False)
    if args.require or queue_anyway:
        return omega.runtime.require(args.require or "default", queue_anyway=queue_anyway)
    return omega.runtime


def _json_option(option: str, text: str | None, kind: type) -> Any:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{option}: not JSON: {exc}") from None
    if not isinstance(value, kind):
        raise ValueError(f"{option}: must be a JSON {'object' if kind is dict else kind.__name__}, got {text!r}")
    return value


def _wait(result: Any, timeout: float, what: str) -> Any:
    import sys

    from .progress import spinner

    try:
        with spinner(f"waiting for {what} (task {getattr(result, 'id', 'in-process')})"):
            return result.get(timeout=timeout)
    except KeyboardInterrupt:
        if hasattr(result, "id"):
            print(f"om: stopped waiting; task {result.id} was not revoked: om runtime tasks {result.id}",
                  file=sys.stderr)
        raise


def _print(value: Any) -> None:
    """JSON on stdout: dicts indented for reading, lists (e.g. predictions) on one line."""
    print(json.dumps(value, default=str, indent=2 if isinstance(value, dict) else None))


def cmd_ping(args: argparse.Namespace) -> int:
    _print(_wait(_runtime(args).ping(), args.timeout, "a worker"))
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    inputs = [x for x in (args.X, args.Y) if x is not None]
    param_grid = _json_option("--param-grid", args.param_grid, dict)
    if param_grid is not None:
        if len(inputs) != 2:
            raise ValueError("--param-grid needs both X and Y, e.g. om runtime model clf gridsearch X Y "
                             "--param-grid '{\"C\": [0.1, 1]}'")
        inputs.append(param_grid)
    kwargs = _json_option("--kwargs", args.kwargs, dict) or {}
    if args.result:
        kwargs["rName"] = args.result
    method = getattr(_runtime(args).model(args.name), args.method)
    _print(_wait(method(*inputs, **kwargs), args.timeout, f"{args.name}.{args.method}"))
    return 0


def cmd_workers(args: argparse.Namespace) -> int:
    runtime = _runtime(args)
    if runtime.local:
        raise ValueError("no broker configured (OMEGA_BROKER): tasks run in-process, there are no workers")
    workers = runtime.workers()
    if args.json:
        _print(workers)
        return 0
    if not workers:
        print("no live worker answered (start one with `om worker`)")
    for worker in workers:
        print(f"{worker['name']}  labels: {', '.join(worker['labels']) or '-'}  queues: {', '.join(worker['queues'])}")
        for context in worker.get("contexts") or []:
            print(f"  context {context}")
        for task in worker["active"]:
            print(f"  running {task['task']} {task['id']} for {task['running_for']} s")
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    runtime = _runtime(args)
    if args.ids:
        statuses = [runtime.task(task_id).status() for task_id in args.ids]
        _print(statuses)
        return 1 if any(s["state"] == "FAILURE" for s in statuses) else 0
    active = [{"worker": w["name"], **task} for w in runtime.workers() for task in w["active"]]
    if args.json:
        _print(active)
    for task in [] if args.json else active:
        print(f"{task['id']}  {task['task']}  on {task['worker']} for {task['running_for']} s")
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

    actions = cli.add_group("runtime", help="call models and tasks on the runtime; list workers and tasks")
    ping = actions.add_parser("ping", help="ask a worker to answer")
    model = actions.add_parser("model", help="call a model method, e.g. fit, predict or gridsearch")
    workers = actions.add_parser("workers", help="live workers: labels, queues, contexts, active tasks")
    tasks = actions.add_parser("tasks", help="state and result (or error) of tasks by id; without ids, running tasks "
                                             "(by id needs a result backend that stores results, e.g. Redis, "
                                             "not rpc://)")
    for parser in (ping, model, workers, tasks):
        parser.add_argument("--bucket", help="bucket (default: omega)")
        parser.add_argument("--require", help="route to workers with this label (om worker --label LABEL)")
    for parser in (ping, model):
        parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                            help="seconds to wait for the result; then the task is revoked (default: %(default)g)")
        parser.add_argument("--queue-anyway", action="store_true",
                            help="send even if no live worker consumes the queue (the task waits for one)")
    for parser in (workers, tasks):
        parser.add_argument("--json", action="store_true", help="print JSON")
    ping.set_defaults(func=cmd_ping)
    model.add_argument("name", help="model name")
    model.add_argument("method", help="fit, predict, score, ... or a plugin's method (gridsearch)")
    model.add_argument("X", nargs="?", help="input dataset name, e.g. 'sales[x1,x2]'")
    model.add_argument("Y", nargs="?", help="target dataset name")
    model.add_argument("--result", help="store the result as this dataset")
    model.add_argument("--param-grid", help="gridsearch: parameter grid as JSON, e.g. '{\"C\": [0.1, 1, 10]}'")
    model.add_argument("--kwargs", help="keyword arguments of the method as a JSON object, e.g. '{\"cv\": 3}'")
    model.set_defaults(func=cmd_model)
    workers.set_defaults(func=cmd_workers)
    tasks.add_argument("ids", nargs="*", metavar="ID", help="task ids (the .id of a result object)")
    tasks.set_defaults(func=cmd_tasks)
