"""``om scripts run`` and ``om scripts gc`` (the ``omegaml.cli`` entry point); put/list/get are the kernel's."""
from __future__ import annotations

import argparse
import json
from typing import Any


def cmd_run(args: argparse.Namespace) -> int:
    import omegaml_core
    from omegaml_core.cli import key_values

    omega = omegaml_core.defaults()
    omega = omega[args.bucket] if args.bucket else omega
    runtime = omega.runtime.require(args.require) if args.require else omega.runtime
    kwargs = key_values(args.kwargs)
    if args.timeout:
        kwargs["__timeout"] = args.timeout
    print(json.dumps(runtime.script(args.name).run(**kwargs).get(timeout=args.wait), indent=2, default=str))
    return 0


def cmd_gc(args: argparse.Namespace) -> int:
    from .envs import collect, envs_root

    removed = collect(args.max_idle, failed=args.failed)
    for name in removed:
        print(f"removed environment {name}")
    print(f"{len(removed)} script environment(s) removed from {envs_root()}")
    return 0


def add_commands(cli: Any) -> None:
    """Add ``om scripts run`` and ``om scripts gc``."""
    run = cli.add_action("scripts", "run", help="run a script's run(om, **kwargs) (on a worker, or here without a broker)")
    run.add_argument("name", help="script name")
    run.add_argument("kwargs", nargs="*", metavar="KEY=VALUE", help="keyword arguments (JSON values)")
    run.add_argument("--bucket", help="bucket (default: omega)")
    run.add_argument("--require", help="run on workers with this label")
    run.add_argument("--timeout", type=float, help="seconds the script may run")
    run.add_argument("--wait", type=float, default=None, help="seconds to wait for the result (default: until done)")
    run.set_defaults(func=cmd_run)
    gc = cli.add_action("scripts", "gc", help="remove this machine's script environments unused for a while")
    gc.add_argument("--max-idle", type=float, default=7 * 86400, help="seconds unused (default: 7 days)")
    gc.add_argument("--failed", action="store_true", help="also remove remembered install failures, to retry them")
    gc.set_defaults(func=cmd_gc)
