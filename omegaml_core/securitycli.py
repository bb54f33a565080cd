"""``om doctor`` and ``om signing init`` (registered as the kernel's ``omegaml.cli`` entry point ``security``)."""
from __future__ import annotations

import argparse
from typing import Any


def cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import checks, unprotected

    lines = checks()
    for check in lines:
        print(check.line())
    weak = unprotected(lines)
    if weak:
        print(f"{len(weak)} unprotected: {', '.join(c.topic for c in weak)}")
    return 1 if weak and args.strict else 0


def cmd_signing_init(args: argparse.Namespace) -> int:
    from .runtime.keygen import init_signing

    paths = init_signing(args.folder, name=args.name)
    print(f"created {', '.join(str(p) for p in paths.values())}")
    print(f"keep {paths['ca_key']} offline (it issues new signers). On clients and workers set:")
    print(f"  export OMEGA_SIGNING_KEY={paths['key'].absolute()}")
    print(f"  export OMEGA_SIGNING_CERT={paths['cert'].absolute()}")
    print(f"  export OMEGA_SIGNING_CA={paths['ca'].absolute()}")
    return 0


def add_commands(cli: Any) -> None:
    """Add ``om doctor`` and ``om signing init``."""
    doctor = cli.add_command("doctor", help="show what the current configuration protects and what it does not")
    doctor.add_argument("--strict", action="store_true", help="exit with status 1 if anything is unprotected")
    doctor.set_defaults(func=cmd_doctor)
    signing = cli.add_group("signing", help="keys for signed task messages")
    init = signing.add_parser("init", help="create a CA and a signing key pair in FOLDER (no openssl needed)")
    init.add_argument("folder", help="an empty or new folder")
    init.add_argument("--name", default="omegaml", help="name in the certificates (default: omegaml)")
    init.set_defaults(func=cmd_signing_init)
