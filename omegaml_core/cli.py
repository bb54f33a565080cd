"""The ``om`` command: plugins, store commands and (from the runtime) worker and runtime commands.

    om --version
    om plugins
    om gc [--min-age SECONDS]
    om datasets list [PATTERN] [--bucket B]
    om datasets put LOCAL_PATH NAME [--kind K] [--json | --as-file] [--attributes JSON]
    om datasets get NAME [--format F] [--output PATH] [--filter COL__OP=VALUE]... [--param NAME=VALUE]...
    om datasets drop NAME [--force]
    om datasets metadata NAME
    om datasets promote NAME --to-bucket B [--to-context URL] [--as NEWNAME]

``models``, ``jobs`` and ``scripts`` take the same commands. Errors print one
line and exit with status 1 (set OMEGA_DEBUG=1 for a traceback); bad options
exit with status 2 naming the option. Long puts and gets show a progress bar
on stderr when it is a terminal (``omegaml_core.progress``).

Plugins add commands through the ``omegaml.cli`` entry point group: the value
is a function ``add_commands(cli: CommandLine)`` that calls
``cli.add_command('serve', help=...)`` for a new command or
``cli.add_action('jobs', 'run', help=...)`` to extend an existing one (``cli.action('jobs',
'list')`` returns an existing action's parser, to add an option), and sets
``func=`` on the parser it gets back (``parser.set_defaults(func=...)``);
``cli.add_file_format(FileFormat(...))`` teaches ``put``/``get --format`` a file
format. The kernel's own runtime commands are registered the same way.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from datetime import datetime
from typing import Any, Sequence

from .fileformats import FileFormat, FileFormats, builtin_formats

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


# --- option types: a bad value is an argparse error naming the option ----------------
def json_object(text: str) -> dict:
    """``--attributes``: a JSON object."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"must be a JSON object such as '{{\"owner\": \"me\"}}', "
                                         f"got {type(value).__name__}")
    return value


def bucket_name(text: str) -> str:
    """``--bucket``/``--to-bucket``: a valid, non-empty bucket name."""
    from .names import validate_bucket

    try:
        return validate_bucket(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def assignment(text: str) -> tuple[str, Any]:
    """``--filter col__gt=1`` / ``--param name=value``: the value is JSON if it parses, else the text."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.strip(), value


# --- commands --------------------------------------------------------------------------
def cmd_version(args: argparse.Namespace) -> int:
    from . import __version__
    from .discovery import registry

    print(f"omegaml-core {__version__}")
    for dist in registry().report(load=False):
        if dist["distribution"] != "omegaml-core":
            print(f"{dist['distribution']} {dist['version']}".rstrip())
    return 0


def key_values(items: Sequence[str] | None) -> dict[str, Any]:
    """``['n=3', 'who=ana']`` as ``{'n': 3, 'who': 'ana'}``: each value is JSON if it parses, else a string."""
    parsed: dict[str, Any] = {}
    for item in items or []:
        try:
            key, value = assignment(item)
        except argparse.ArgumentTypeError as exc:
            raise ValueError(f"{exc}, e.g. n=3 or who=ana") from None
        parsed[key] = value
    return parsed


def cmd_plugins(args: argparse.Namespace) -> int:
    report = _omega(args).plugins()
    if args.json:
        _print_json(report)
        return 0
    for dist in report:
        print(f"{dist['distribution']} {dist['version']}")
        for label in ("kinds", "hooks", "tasks", "engines", "commands", "api", "ui"):
            if dist.get(label):
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
    from .errors import KindChangeError

    store = getattr(_omega(args), args.store)
    try:
        meta = _put_file(store, args)
    except KindChangeError:
        current = store.metadata(args.name).kind
        raise KindChangeError(f"{args.store} {args.name!r} is of kind {current!r}, which cannot store what {args.path} "
                              f"holds; nothing was written. Pass --kind KIND to replace it anyway, or drop it first "
                              f"(om {args.store} drop {args.name})") from None
    print(repr(meta))
    return 0


def _claims_the_path(store: Any, args: argparse.Namespace) -> bool:
    """True if a backend other than ``python.file`` stores the path itself, as ``store.put(path, name)`` would."""
    from .errors import UnsupportedObjectError

    if args.json or args.as_file:
        return False
    if args.kind:
        return args.kind != "python.file" and store.backend(args.kind).supports(args.path, args.name)
    try:
        return store.select_kind(args.path, args.name) != "python.file"
    except UnsupportedObjectError:
        return False


def _put_file(store: Any, args: argparse.Namespace) -> Any:
    """Put the local file ``args.path``: as a JSON document, through a file format, or its bytes."""
    from .progress import ReadProgress, progress

    if not (os.path.exists(args.path) or "://" in args.path):
        raise FileNotFoundError(f"no such local file or folder: {args.path}")
    if _claims_the_path(store, args):  # a notebook, a package folder or pkg:// URL: the backend reads the path
        return store.put(args.path, args.name, attributes=args.attributes, kind=args.kind)
    if not os.path.isfile(args.path):
        raise IsADirectoryError(f"{args.path} is a folder, and no installed backend stores folders as {args.store}")
    if args.json:
        with open(args.path, encoding="utf-8") as fh:
            try:
                obj: Any = json.load(fh)
            except json.JSONDecodeError as exc:
                raise ValueError(f"--json: {args.path} is not JSON: {exc}") from None
        return store.put(obj, args.name, attributes=args.attributes, kind=args.kind)
    if (fmt := None if args.as_file or args.kind == "python.file" else args.formats.reader(args.path)):
        try:
            obj = fmt.read(args.path)  # type: ignore[misc]
        except Exception as exc:
            raise ValueError(f"cannot read {args.path} as {fmt.name} ({fmt.provider}): {type(exc).__name__}: {exc}. "
                             "Pass --as-file to store the file's bytes as they are") from None
        return store.put(obj, args.name, attributes=args.attributes, kind=args.kind)
    size = os.path.getsize(args.path)
    with open(args.path, "rb") as fh, progress(total=size, desc=f"put {args.name}") as bar:
        return store.put(ReadProgress(fh, bar), args.name, attributes=args.attributes, kind=args.kind)


def _get_options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = dict(args.filter or [])
    if args.param:
        options["sqlvars"] = dict(args.param)
    return options


def cmd_get(args: argparse.Namespace) -> int:
    from .progress import copy_stream

    store = getattr(_omega(args), args.store)
    options = _get_options(args)
    try:
        obj = store.get(args.name, **options)
    except TypeError as exc:
        if options and "unknown keyword argument" in str(exc):
            used = " and ".join(o for o, given in (("--filter", args.filter), ("--param", args.param)) if given)
            raise TypeError(f"{used}: {args.store} {args.name!r} does not take it ({exc})") from None
        raise
    if hasattr(obj, "read"):
        if args.format:
            raise ValueError(f"--format: {args.store} {args.name!r} is a stored file; get writes its bytes as they are "
                             "(leave out --format)")
        size = store.metadata(args.name).kind_meta.get("size")
        with obj:
            if args.output:
                with _atomic_output(args.output) as out:
                    copy_stream(obj, out, size, f"get {args.name}")
            else:
                copy_stream(obj, sys.stdout.buffer, size, f"get {args.name}")
        return 0
    fmt_name = args.format or (args.formats.by_suffix(args.output) if args.output else None)
    if fmt_name:
        try:
            fmt = args.formats.writer(fmt_name, obj)
        except ValueError as exc:
            if args.format:
                raise ValueError(f"--format {fmt_name}: {exc}") from None
            fmt = None  # the suffix only suggested a format: write text as before
        if fmt is not None:
            return _write_formatted(fmt, obj, args.output)
    text = json.dumps(obj, default=_json_default, ensure_ascii=False, indent=2) if isinstance(obj, (dict, list)) \
        else str(obj)
    if args.output:
        with _atomic_output(args.output) as out:
            out.write(text.encode())
    else:
        print(text)
    return 0


def _write_formatted(fmt: FileFormat, obj: Any, output: str | None) -> int:
    if output:
        with _atomic_output(output) as out:
            fmt.write(obj, out)  # type: ignore[misc]
        return 0
    if fmt.binary and sys.stdout.isatty():
        raise ValueError(f"--format {fmt.name} is binary: write it to a file with -o FILE, or pipe it")
    fmt.write(obj, sys.stdout.buffer)  # type: ignore[misc]
    sys.stdout.buffer.flush()
    return 0


class _atomic_output:
    """Write to ``PATH.part`` and rename it to ``PATH`` only if the block succeeds."""

    def __init__(self, path: str) -> None:
        self.path, self.part = path, f"{path}.part"

    def __enter__(self) -> Any:
        self.fh = open(self.part, "wb")
        return self.fh

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self.fh.close()
        if exc_type is None:
            os.replace(self.part, self.path)
        else:
            os.unlink(self.part)


def cmd_drop(args: argparse.Namespace) -> int:
    dropped = getattr(_omega(args), args.store).drop(args.name, force=args.force)
    print(f"dropped {args.name}" if dropped else f"{args.name} did not exist")
    return 0


def cmd_metadata(args: argparse.Namespace) -> int:
    _print_json(getattr(_omega(args), args.store).metadata(args.name).to_doc())
    return 0


def cmd_promote(args: argparse.Namespace) -> int:
    source = _omega(args)
    if args.to_context:
        from .config import Config
        from .omega import Omega

        target = Omega(Config(storage_url=args.to_context), bucket=args.to_bucket or source.bucket)
    elif args.to_bucket:
        target = source[args.to_bucket]
    else:
        raise ValueError("--to-bucket or --to-context: say where to promote to, e.g. --to-bucket prod")
    meta = getattr(source, args.store).promote(args.name, getattr(target, args.store), asname=args.asname)
    print(repr(meta))
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
    """What an ``omegaml.cli`` plugin gets: a way to add commands, actions and file formats to ``om``."""

    def __init__(self, sub: Any, formats: FileFormats | None = None) -> None:
        self._sub = sub
        self._actions: dict[str, Any] = {}
        self.formats = formats or builtin_formats()

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

    def add_file_format(self, fmt: FileFormat) -> None:
        """Teach ``put`` to read, and ``get --format`` to write, a file format (see omegaml_core.fileformats)."""
        self.formats.add(fmt)


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


class _VersionAction(argparse.Action):
    """``om --version``: the kernel's and every installed plugin distribution's version."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the versions of omegaml-core and its plugins")

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: str | None = None) -> None:
        cmd_version(namespace)
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="om", description="omegaml: store and run data-science objects.")
    parser.add_argument("--version", action=_VersionAction)
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
        actions = cli.add_group(store, f"list, put, get, drop, promote or inspect {store}")

        def add(name: str, func: Any, help: str) -> argparse.ArgumentParser:
            p = actions.add_parser(name, help=help, description=help)
            p.add_argument("--bucket", type=bucket_name, help="bucket to use (default: omega)")
            p.set_defaults(func=func, store=store, formats=cli.formats)
            return p

        p = add("list", cmd_list, f"list {store}")
        p.add_argument("pattern", nargs="?", help="glob pattern, e.g. 'sales*'")
        p.add_argument("--hidden", action="store_true", help="include hidden objects (names starting with '.')")
        p = add("put", cmd_put, "store a local file: a DataFrame from .csv/.parquet/.json/.xlsx when omegaml-pandas "
                                "is installed, else the file's bytes")
        p.add_argument("path", help="local file")
        p.add_argument("name", help="object name")
        p.add_argument("--kind", help="force a backend kind, e.g. python.file")
        how = p.add_mutually_exclusive_group()
        how.add_argument("--json", action="store_true", help="parse the file as JSON and store the document")
        how.add_argument("--as-file", action="store_true", help="store the file's bytes as they are")
        p.add_argument("--attributes", type=json_object, help="attributes as a JSON object")
        p = add("get", cmd_get, "print an object, or write it to --output")
        p.add_argument("name")
        p.add_argument("--output", "-o", help="write to this local file instead of stdout")
        p.add_argument("--format", "-f", help="write as this format (e.g. csv, parquet, json; "
                                              "default: from the --output suffix, else text)")
        p.add_argument("--filter", action="append", type=assignment, metavar="COL__OP=VALUE",
                       help="row filter, e.g. --filter amount__gt=10 (repeatable; values are JSON or text)")
        p.add_argument("--param", action="append", type=assignment, metavar="NAME=VALUE",
                       help="a SQL query variable (sqlvars), e.g. --param region=EU (repeatable)")
        p = add("drop", cmd_drop, "remove an object and its storage")
        p.add_argument("name")
        p.add_argument("--force", action="store_true", help="no error if the object does not exist")
        p = add("metadata", cmd_metadata, "print an object's metadata as JSON")
        p.add_argument("name")
        p = add("promote", cmd_promote, "copy an object (with its model versions) to another bucket or storage")
        p.add_argument("name")
        p.add_argument("--to-bucket", type=bucket_name, help="target bucket, e.g. prod")
        p.add_argument("--to-context", metavar="URL", help="target storage URL (default: the same storage)")
        p.add_argument("--as", dest="asname", metavar="NEWNAME", help="name in the target (default: the same)")

    parser.set_defaults(plugin_problems=_add_plugin_commands(cli))
    return parser


def cli_message(exc: BaseException, args: argparse.Namespace) -> str:
    """The error as one line in the command line's terms (``--kind``, ``om datasets list``), not Python calls."""
    from .errors import ObjectNotFound

    if isinstance(exc, ObjectNotFound) and getattr(args, "store", None) and getattr(args, "name", None):
        bucket = getattr(args, "bucket", None) or "omega"
        return (f"{args.store} {args.name!r} does not exist in bucket {bucket!r}; "
                f"see: om {args.store} list" + (f" --bucket {bucket}" if getattr(args, "bucket", None) else ""))
    message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    for python, cli in (("pass kind=", "pass --kind "), ("kind=...", "--kind KIND")):
        message = message.replace(python, cli)
    return message or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``om`` console script."""
    try:
        args = build_parser().parse_args(argv)
        for problem in getattr(args, "plugin_problems", []):
            print(problem, file=sys.stderr)
        try:
            code = int(args.func(args) or 0)
            sys.stdout.flush()
            return code
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:
            raise
        except Exception as exc:
            if os.environ.get("OMEGA_DEBUG"):
                raise
            print(f"om: error: {cli_message(exc, args)}", file=sys.stderr)
            return 1
    except BrokenPipeError:
        # the reader went away (om datasets list | head -1): stop quietly, as other Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
