"""``om jobs run|runs|schedule``, ``om jobs list --schedule`` and ``om scheduler`` (the ``omegaml.cli`` entry point)."""
from __future__ import annotations

import argparse
import json
from typing import Any


def _omega(args: argparse.Namespace) -> Any:
    import omegaml_core

    omega = omegaml_core.defaults()
    return omega[args.bucket] if getattr(args, "bucket", None) else omega


def _parameters(args: argparse.Namespace) -> dict:
    from omegaml_core.cli import key_values

    return key_values(args.param)


def cmd_run(args: argparse.Namespace) -> int:
    runtime = _omega(args).runtime
    runtime = runtime.require(args.require) if args.require else runtime
    result = runtime.job(args.name).run(parameters=_parameters(args), timeout=args.timeout,
                                        cell_timeout=args.cell_timeout).get(timeout=args.wait)
    print(json.dumps(result, indent=2))
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    from .runner import runs

    for meta in runs(_omega(args), args.name):
        a = meta.attributes
        failure = f"  cell {a.get('cell')}: {a.get('ename')}: {a.get('evalue')}" if a.get("status") == "failed" else ""
        print(f"{meta.name}  {a.get('status')}  started {a.get('started')}  {a.get('duration')} s  "
              f"on {a.get('worker')}{failure}")
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    from . import schedule

    omega = _omega(args)
    if args.drop:
        print(f"{args.name}: schedule removed" if schedule.drop_schedule(omega, args.name)
              else f"{args.name} had no schedule")
        return 0
    if args.spec:
        schedule.set_schedule(omega, args.name, args.spec, args.tz, _parameters(args))
    current = schedule.get_schedule(omega, args.name)
    if current is None:
        print(f"{args.name} has no schedule; set one with: om jobs schedule {args.name} \"0 6 * * FRI\"")
        return 0
    print(f"{args.name} runs {current['explanation']} ({current['tz']}); cron: {current['cron']}")
    print(f"next run: {current['next_run']}")
    if args.next:
        print(f"next {args.next} times:")
        for moment in schedule.next_times(omega, args.name, args.next):
            print(f"  {moment}")
    return 0


def _list_with_schedule(kernel_list: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        if not args.schedule:
            return kernel_list(args)
        omega = _omega(args)
        for meta in omega.jobs.list(args.pattern, raw=True):
            current = meta.attributes.get("schedule") if meta.attributes.get("scheduled") else None
            if current:
                print(f"{meta.name}  next {current['next_run']}  cron '{current['cron']}' ({current['tz']}): "
                      f"{current['explanation']}")
        return 0

    return run


def cmd_scheduler(args: argparse.Namespace) -> int:
    from .scheduler import run_scheduler, tick

    omega = _omega(args)
    if args.once:
        for entry in tick(omega, skip_missed=args.skip_missed, grace=args.grace):
            print(json.dumps({k: v for k, v in entry.items() if k != "task"}))
        return 0
    print(f"om scheduler: storage {omega.engine.display_url}, every {args.interval} s", flush=True)
    run_scheduler(omega, args.interval, args.skip_missed, args.grace)
    return 0


def add_commands(cli: Any) -> None:
    """Add the notebook actions to ``om jobs`` and the ``om scheduler`` command."""
    run = cli.add_action("jobs", "run", help="run a notebook job (on a worker, or here without a broker)")
    runs = cli.add_action("jobs", "runs", help="list the stored runs of a notebook job, newest first")
    schedule = cli.add_action("jobs", "schedule", help="show, set or drop a notebook job's schedule")
    for parser in (run, runs, schedule):
        parser.add_argument("name", help="job name (report or report.ipynb)")
        parser.add_argument("--bucket", help="bucket (default: omega)")
    run.add_argument("--param", "-p", action="append", metavar="KEY=VALUE", help="a parameter (repeatable; JSON values)")
    run.add_argument("--timeout", type=float, help="seconds the whole run may take")
    run.add_argument("--cell-timeout", type=float, help="seconds one cell may take")
    run.add_argument("--require", help="run on workers with this label")
    run.add_argument("--wait", type=float, default=None, help="seconds to wait for the result (default: until done)")
    run.set_defaults(func=cmd_run)
    runs.set_defaults(func=cmd_runs)
    schedule.add_argument("spec", nargs="?", help="cron ('0 6 * * FRI') or e.g. 'fridays at 06:00'")
    schedule.add_argument("--tz", default="UTC", help="time zone of the schedule (default UTC)")
    schedule.add_argument("--param", "-p", action="append", metavar="KEY=VALUE", help="parameters of scheduled runs")
    schedule.add_argument("--show", action="store_true", help="show the schedule (the default without SPEC)")
    schedule.add_argument("--next", type=int, default=0, metavar="N", help="also print the next N run times")
    schedule.add_argument("--drop", action="store_true", help="remove the schedule")
    schedule.set_defaults(func=cmd_schedule)

    listing = cli.action("jobs", "list")
    listing.add_argument("--schedule", action="store_true", help="only scheduled jobs, with their next run times")
    listing.set_defaults(func=_list_with_schedule(listing.get_default("func")))

    scheduler = cli.add_command("scheduler", help="run scheduled notebook jobs when due (several may run at once)")
    scheduler.add_argument("--interval", type=float, default=0.5, help="seconds between checks (default 0.5)")
    scheduler.add_argument("--skip-missed", action="store_true",
                           help="skip runs more than --grace seconds late instead of running them once")
    scheduler.add_argument("--grace", type=float, default=60, help="seconds a run may be late and still run")
    scheduler.add_argument("--once", action="store_true", help="check once and exit")
    scheduler.set_defaults(func=cmd_scheduler)
