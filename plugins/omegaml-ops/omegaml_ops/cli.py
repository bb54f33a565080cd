"""``om ops ...``: plans (services), deployments, commands and tasks, sign-up, usage and maintenance.

Registered as the ``omegaml.cli`` entry point ``ops``; this module runs on every
``om`` call, so it imports nothing heavy: each command imports what it needs.
The databases come from ``OMEGA_OPS_URL`` and ``OMEGA_ACCOUNTS_URL``.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _ops() -> Any:
    from .service import Ops

    return Ops()


def _json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def _load_json(text: str | None, what: str) -> Any:
    if text is None:
        return None
    try:
        if text.startswith("@"):
            with open(text[1:], encoding="utf-8") as fh:
                return json.load(fh)
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{what}: {exc}; give JSON, or @file.json") from None


def _print_command(command: Any, as_json: bool) -> None:
    if as_json:
        _json(command.as_dict())
        return
    print(f"command {command.id}\t{command.action}\t{command.plan}\tdeployment {command.deployment_id}\t"
          f"{command.username}\t{command.status.name} ({int(command.status)})"
          + (f"\t{command.message}" if command.message else ""))


def _finish(ops: Any, command: Any, args: argparse.Namespace) -> int:
    if getattr(args, "wait", False):
        command = ops.wait(command.id, timeout=args.timeout)
    _print_command(command, args.json)
    return 1 if int(command.status) == 9 else 0


def cmd_createservice(args: argparse.Namespace) -> int:
    ops = _ops()
    plan = ops.create_plan(args.name, args.description, _load_json(args.steps, "--steps") or [],
                           _load_json(args.settings, "--settings"))
    print(f"created plan {plan.name} with {len(plan.steps)} steps")
    return 0


def cmd_configureplan(args: argparse.Namespace) -> int:
    plan = _ops().configure_plan(args.name, _load_json(args.steps, "--steps"), action=args.action)
    print(f"plan {plan.name} has {len(plan.steps)} steps")
    return 0


def cmd_deleteservice(args: argparse.Namespace) -> int:
    print(f"plan {args.name} {_ops().delete_plan(args.name)}")
    return 0


def cmd_deployservice(args: argparse.Namespace) -> int:
    ops = _ops()
    command = ops.install(args.plan, args.user, issued_by=args.issued_by or "admin",
                          settings=_load_json(args.settings, "--settings"))
    return _finish(ops, command, args)


def cmd_configureservice(args: argparse.Namespace) -> int:
    ops = _ops()
    command = ops.configure(args.deployment, args.issued_by or "admin", _load_json(args.settings, "--settings"))
    return _finish(ops, command, args)


def cmd_removeservice(args: argparse.Namespace) -> int:
    ops = _ops()
    return _finish(ops, ops.remove(args.deployment, args.issued_by or "admin"), args)


def cmd_retry(args: argparse.Namespace) -> int:
    ops = _ops()
    return _finish(ops, ops.retry(args.command, args.issued_by or "admin"), args)


def cmd_listservices(args: argparse.Namespace) -> int:
    ops = _ops()
    if args.deployments or args.user:
        deployments = ops.list_deployments(username=args.user, include_removed=args.all)
        if args.json:
            _json([d.as_dict() for d in deployments])
        for d in [] if args.json else deployments:
            print(f"{d.id}\t{d.plan}\t{d.username}\t{d.bucket}\t{d.status.name} ({int(d.status)})")
        return 0
    plans = ops.list_plans(include_inactive=args.all)
    if args.json:
        _json([p.as_dict() for p in plans])
        return 0
    for plan in plans:
        print(f"{plan.name}\t{'active' if plan.active else 'inactive'}\t{plan.description}")
        for step in plan.steps:
            print(f"  {step.action}: {step.name} ({step.kind}) {step.target}")
    return 0


def cmd_commands(args: argparse.Namespace) -> int:
    ops = _ops()
    commands = [ops.get_command(args.id)] if args.id else ops.list_commands(args.user, args.deployment)
    if args.json:
        _json([c.as_dict() for c in commands])
        return 0
    for command in commands:
        _print_command(command, False)
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    command = _ops().get_command(args.command)
    if args.json:
        _json([t.as_dict() for t in command.tasks])
        return 0
    for task in command.tasks:
        print(f"{task.position + 1}\t{task.name}\t{task.kind}\t{task.status.name} ({int(task.status)})\t"
              f"attempts {task.attempts}\texit {task.exit_code}")
        if task.output and (args.output or task.status.name == "FAILED"):
            print("    " + task.output.strip().replace("\n", "\n    "))
    return 0


def cmd_signup(args: argparse.Namespace) -> int:
    from .users import signup

    ops = _ops()
    new = signup(ops, args.username, args.email)
    print(f"signed up {new.username}: bucket {new.bucket}, API key {new.key_id} (shown only once; use the header "
          f"Authorization: ApiKey {new.username}:<key>)", file=sys.stderr)
    print(new.apikey)
    command = ops.wait(new.command.id, timeout=args.timeout) if args.wait else new.command
    print(f"install command {command.id}: {command.status.name} ({int(command.status)})", file=sys.stderr)
    return 1 if int(command.status) == 9 else 0


def cmd_reset(args: argparse.Namespace) -> int:
    from .users import reset

    key = reset(_ops(), args.username)
    print(f"new API key {key.key_id} for {key.username}; every older key is revoked (shown only once)",
          file=sys.stderr)
    print(key.secret)
    return 0


def cmd_profile(args: argparse.Namespace) -> int:
    from . import users

    getattr(users, args.action)(_ops(), args.username)
    print(f"{args.action}d {args.username}" + (": their API keys fail from now on" if args.action == "deactivate" else ""))
    return 0


def cmd_usage(args: argparse.Namespace) -> int:
    from .usage import report

    found = report(_ops().engine, args.user, args.month)
    if args.json:
        _json(found)
        return 0
    print("day\ttask_seconds\trequests")
    for day in found["days"]:
        print(f"{day['day']}\t{day['task_seconds']}\t{day['requests']}")
    print(f"total\t{found['total']['task_seconds']}\t{found['total']['requests']}")
    return 0


def cmd_maintain(args: argparse.Namespace) -> int:
    from .maintain import maintain

    report = maintain(_ops(), gc_min_age=args.gc_min_age)
    if args.json:
        _json(report.as_dict())
    else:
        for line in report.unhealthy:
            print(f"unhealthy: {line}")
        for name in report.collected:
            print(f"gc removed {name}")
        for key_id in report.expired_keys:
            print(f"expired key {key_id} revoked")
        print("healthy" if report.ok else f"{len(report.unhealthy)} deployments need attention")
    return 0 if report.ok else 1


def add_commands(cli: Any) -> None:
    """The ``om ops`` group (``omegaml.cli`` entry point)."""
    cli.add_group("ops", help="operations: service plans, deployments, commands, sign-up, usage, maintenance")

    def action(name: str, help: str, func: Any, json_flag: bool = True) -> argparse.ArgumentParser:
        parser = cli.add_action("ops", name, help=help)
        if json_flag:
            parser.add_argument("--json", action="store_true", help="print JSON")
        parser.set_defaults(func=func)
        return parser

    def waits(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--wait", action="store_true", help="wait until the command completed or failed")
        parser.add_argument("--timeout", type=float, default=300, help="seconds to wait (default 300)")
        parser.add_argument("--issued-by", help="who issues the command (default admin)")

    p = action("createservice", "define a plan: name, description and its steps (JSON)", cmd_createservice, False)
    p.add_argument("name")
    p.add_argument("--description", default="")
    p.add_argument("--steps", help='JSON list or @file.json: [{"name", "kind": shell|python|script, "target", '
                                   '"params", "action": install|configure|remove, "timeout"}]')
    p.add_argument("--settings", help="JSON object: defaults for the steps' templates")
    p = action("configureplan", "replace a plan's steps (of one --action, or all)", cmd_configureplan, False)
    p.add_argument("name")
    p.add_argument("--steps", required=True, help="JSON list or @file.json (see createservice)")
    p.add_argument("--action", choices=["install", "configure", "remove"])
    p = action("deleteservice", "delete a plan (deactivate it if it has deployments)", cmd_deleteservice, False)
    p.add_argument("name")
    p = action("deployservice", "deploy a plan for a user (an install command)", cmd_deployservice)
    p.add_argument("plan")
    p.add_argument("--user", required=True)
    p.add_argument("--settings", help="JSON object of deployment settings")
    waits(p)
    p = action("configureservice", "run a deployment's configure steps (with new --settings)", cmd_configureservice)
    p.add_argument("deployment", type=int)
    p.add_argument("--settings", help="JSON object of settings to change")
    waits(p)
    p = action("removeservice", "remove a deployment (it is kept as REMOVED)", cmd_removeservice)
    p.add_argument("deployment", type=int)
    waits(p)
    p = action("retry", "run a FAILED command again from its failed task", cmd_retry)
    p.add_argument("command", type=int)
    waits(p)
    p = action("listservices", "list plans, or deployments (--deployments, --user)", cmd_listservices)
    p.add_argument("--deployments", action="store_true")
    p.add_argument("--user")
    p.add_argument("--all", action="store_true", help="include inactive plans and REMOVED deployments")
    p = action("commands", "list commands (newest first)", cmd_commands)
    p.add_argument("--user")
    p.add_argument("--deployment", type=int)
    p.add_argument("--id", type=int, help="just this command")
    p = action("tasks", "the tasks of a command: status, attempts, exit code (output of failed ones)", cmd_tasks)
    p.add_argument("command", type=int)
    p.add_argument("--output", action="store_true", help="show every task's output tail")
    p = action("signup", "sign a user up: user, API key (printed once) and the omegaml plan", cmd_signup, False)
    p.add_argument("username")
    p.add_argument("--email")
    p.add_argument("--wait", action="store_true", help="wait until the deployment completed")
    p.add_argument("--timeout", type=float, default=300)
    p = action("reset", "a new API key for a user; every older key is revoked", cmd_reset, False)
    p.add_argument("username")
    for name, help in (("deactivate", "deactivate a profile: the user's keys stop working at once"),
                       ("activate", "activate a profile again")):
        p = action(name, help, cmd_profile, False)
        p.add_argument("username")
    p = action("usage", "usage of a user in a month: task seconds and REST requests per day", cmd_usage)
    p.add_argument("--user", required=True)
    p.add_argument("--month", required=True, help="YYYY-MM")
    p = action("maintain", "health checks, om gc and key expiry (run it from cron or beat)", cmd_maintain)
    p.add_argument("--gc-min-age", type=float, default=3600)
