"""The ``om`` command: plugins, store commands and (from the runtime) worker and runtime commands.

    om plugins
    om gc [--min-age SECONDS]
    om datasets list [PATTERN] [--bucket B]
    om datasets put LOCAL_PATH NAME [--kind K] [--json] [--attributes JSON]
    om datasets get NAME [--output PATH]
    om datasets drop NAME [--force]
    om datasets metadata NAME

``models``, ``jobs`` and ``scripts`` take the same commands. Errors print one
line and exit with status 1 (set OMEGA_DEBUG=1 for a traceback).

Plugins add commands through the ``omegaml.cli`` entry point group: the value
is a function ``add_commands(cli: CommandLine)`` that calls
``cli.add_command('serve', help=...)`` for a new command or
``cli.add_action('jobs', 'run', help=...)`` to extend an existing one (``cli.action('jobs',
'list')`` returns an existing action's parser, to add an option), and sets
``func=`` on the parser it gets back (``parser.set_defaults(func=...)``). The
kernel's own runtime commands are registered the same way.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from datetime import datetime
from typing import Any, Sequence

STORES = ("datasets", "models", "jobs", "scripts")


def _omega(args: argparse.Namespace) -> Any:
    import omegaml_core as om

    return om.defaults()[args.bucket] if getattr(args, "bucket", None) else om.defaults()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value)


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=_json_default, ensure_ascii=False))


def key_values(items: Sequence[str] | None) -> dict[str, Any]:
    """``['n=3', 'who=ana']`` as ``{'n': 3, 'who': 'ana'}``: each value is JSON if it parses, else a string."""
    parsed: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"{item!r} is not KEY=VALUE, e.g. n=3 or who=ana")
        try:
            parsed[key] = json.loads(value)
        except ValueError:
            parsed[key] = value
    return parsed


def cmd_plugins(args: argparse.Namespace) -> int:
    report = _omega(args).plugins()
    if args.json:
        _print_json(report)
        return 0
    for dist in report:
        print(f"{dist['distribution']} {dist['version']}")
        for label in ("kinds", "hooks", "tasks", "engines"):
            if dist[label]:
                print(f"  {label}: {', '.join(dist[label])}")
        for error in dist["errors"]:
            print(f"  ERROR {error}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    store = getattr(_omega(args), args.store)
    for name in store.list(args.pattern, hidden=args.hidden):
        print(name)
    return 0


def cmd_put(args: argparse.Namespace) -> int:
    store = getattr(_omega(args), args.store)
    attributes = json.loads(args.attributes) if args.attributes else None
    if args.json:
        with open(args.path, encoding="utf-8") as fh:
            obj: Any = json.load(fh)
    else:
        if not (os.path.exists(args.path) or "://" in args.path):
            raise FileNotFoundError(f"no such local file or folder: {args.path}")
        obj = args.path
    meta = store.put(obj, args.name, attributes=attributes, kind=args.kind)
    print(repr(meta))
    return 0


def cmd_get(args: argparse.Namespace) -> int:
    obj = getattr(_omega(args), args.store).get(args.name)
    if hasattr(obj, "read"):
        with obj:
            if args.output:
                with open(args.output, "wb") as out:
                    shutil.copyfileobj(obj, out, 1 << 20)
            else:
                shutil.copyfileobj(obj, sys.stdout.buffer, 1 << 20)
        return 0
    text = json.dumps(obj, default=_json_default, ensure_ascii=False, indent=2) if isinstance(obj, (dict, list)) else str(obj)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        print(text)
    return 0


def cmd_drop(args: argparse.Namespace) -> int:
    dropped = getattr(_omega(args), args.store).drop(args.name, force=args.force)
    print(f"dropped {args.name}" if dropped else f"{args.name} did not exist")
    return 0


def cmd_metadata(args: argparse.Namespace) -> int:
    _print_json(getattr(_omega(args), args.store).metadata(args.name).to_doc())
    return 0


def cmd_gc(args: argparse.Namespace) -> int:
    engine = _omega(args).engine
    for name in engine.collect_garbage(args.min_age):
        print(f"removed {name}")
    for what, name in sorted(engine.orphans()):
        if what == "collection":
            print(f"unowned collection {name} (not removed: too young, or its name has no creation time; "
                  "drop it by hand if no write is running)")
    return 0


class CommandLine:
    """What an ``omegaml.cli`` plugin gets: a way to add commands and actions to ``om``."""

    def __init__(self, sub: Any) -> None:
        self._sub = sub
        self._actions: dict[str, Any] = {}

    def add_command(self, name: str, help: str, **kwargs: Any) -> argparse.ArgumentParser:
        """A new top-level command ``om NAME``; set ``func`` on the returned parser."""
        if name in self._sub.choices:
            raise ValueError(f"om {name} is already defined")
        return self._sub.add_parser(name, help=help, **kwargs)

    def add_group(self, name: str, help: str) -> Any:
        """A new command with actions (``om NAME ACTION``); returns its subparsers for ``add_action``."""
        parser = self.add_command(name, help)
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        self._actions[name] = actions
        return actions

    def action(self, command: str, name: str) -> argparse.ArgumentParser:
        """The parser of an existing action, to add options to it (``parser.get_default('func')`` is its handler)."""
        try:
            return self._actions[command].choices[name]
        except KeyError:
            raise ValueError(f"om {command} {name} does not exist") from None

    def add_action(self, command: str, name: str, help: str, **kwargs: Any) -> argparse.ArgumentParser:
        """A new action ``om COMMAND NAME`` of an existing command group (``om jobs run``, say)."""
        if command not in self._actions:
            raise ValueError(f"om {command} has no actions to extend; known: {', '.join(sorted(self._actions))}")
        actions = self._actions[command]
        if name in actions.choices:
            raise ValueError(f"om {command} {name} is already defined")
        return actions.add_parser(name, help=help, **kwargs)


def _add_plugin_commands(cli: CommandLine) -> list[str]:
    """Let every ``omegaml.cli`` plugin add its commands; one that fails is reported, not fatal."""
    from .discovery import registry

    problems = []
    for name, add_commands in registry().cli_extensions():
        try:
            add_commands(cli)
        except Exception as exc:  # a broken plugin must not take the om command down
            problems.append(f"om: warning: commands of plugin {name!r} failed to load: {type(exc).__name__}: {exc}")
    for entry in registry().in_group("omegaml.cli"):
        if entry.error:
            problems.append(f"om: warning: commands of plugin {entry.name!r} ({entry.describe()}) failed to load: "
                            f"{entry.error}")
    return problems


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="om", description="omegaml: store and run data-science objects.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plugins = sub.add_parser("plugins", help="list installed plugins, their kinds, versions and load errors")
    plugins.add_argument("--json", action="store_true", help="print JSON")
    plugins.set_defaults(func=cmd_plugins)

    gc = sub.add_parser("gc", help="remove bytes left behind by killed writers")
    gc.add_argument("--min-age", type=float, default=3600,
                    help="only remove leftovers older than this many seconds (default 3600), so writes in flight are safe")
    gc.set_defaults(func=cmd_gc)

    cli = CommandLine(sub)
    for store in STORES:
        actions = cli.add_group(store, f"list, put, get, drop or inspect {store}")

        def add(name: str, func: Any, help: str) -> argparse.ArgumentParser:
            p = actions.add_parser(name, help=help)
            p.add_argument("--bucket", help="bucket to use (default: omega)")
            p.set_defaults(func=func, store=store)
            return p

        p = add("list", cmd_list, f"list {store}")
        p.add_argument("pattern", nargs="?", help="glob pattern, e.g. 'sales*'")
        p.add_argument("--hidden", action="store_true", help="include hidden objects (names starting with '.')")
        p = add("put", cmd_put, "store a local file (or its JSON content with --json)")
        p.add_argument("path", help="local file")
        p.add_argument("name", help="object name")
        p.add_argument("--kind", help="force a backend kind, e.g. python.file")
        p.add_argument("--json", action="store_true", help="parse the file as JSON and store the document")
        p.add_argument("--attributes", help="attributes as a JSON object")
        p = add("get", cmd_get, "print an object, or write it to --output")
        p.add_argument("name")
        p.add_argument("--output", "-o", help="write to this local file instead of stdout")
        p = add("drop", cmd_drop, "remove an object and its storage")
        p.add_argument("name")
        p.add_argument("--force", action="store_true", help="no error if the object does not exist")
        p = add("metadata", cmd_metadata, "print an object's metadata as JSON")
        p.add_argument("name")

    parser.set_defaults(plugin_problems=_add_plugin_commands(cli))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``om`` console script."""
    args = build_parser().parse_args(argv)
    for problem in getattr(args, "plugin_problems", []):
        print(problem, file=sys.stderr)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("OMEGA_DEBUG"):
            raise
        message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"om: error: {message or type(exc).__name__}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
