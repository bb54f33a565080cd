"""``om fsck``: check the store's integrity (registered as the kernel's ``omegaml.cli`` entry point ``fsck``)."""
from __future__ import annotations

import argparse
import sys
from typing import Any


def cmd_fsck(args: argparse.Namespace) -> int:
    import omegaml_core as om

    from .fsck import check

    def progress(done: int, total: int) -> None:
        print(f"\rchecked {done}/{total} objects", end="" if done < total else "\n", file=sys.stderr, flush=True)

    findings = check(om.defaults().engine, bucket=args.bucket, repair=args.repair, sign=args.sign,
                     min_age_seconds=args.min_age, progress=progress if sys.stderr.isatty() else None)
    for finding in findings:
        print(finding)
    problems = sum(f.is_problem for f in findings)
    print(f"{problems} problem(s)" if problems else "no problems found")
    return 1 if problems else 0


def add_commands(cli: Any) -> None:
    """Add ``om fsck``."""
    fsck = cli.add_command("fsck", help="check that every object's storage exists and matches its checksum")
    fsck.add_argument("--bucket", help="check only this bucket (default: every bucket, and unowned storage)")
    fsck.add_argument("--repair", action="store_true",
                      help="record checksums for objects written before checksums existed, and remove "
                           "unowned leftovers older than --min-age (damaged objects are only reported)")
    fsck.add_argument("--sign", action="store_true",
                      help="sign every object that passes its check with the first key of OMEGA_STORE_KEY")
    fsck.add_argument("--min-age", type=float, default=3600,
                      help="unowned storage younger than this many seconds may be a write in flight (default 3600)")
    fsck.set_defaults(func=cmd_fsck)
