"""``om users``, ``om keys``, ``om grants`` and ``om serve`` (the ``omegaml.cli`` entry point ``server``).

This module runs on every ``om`` call: it imports nothing heavy; each command
imports what it needs when it runs.
"""
from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

DEFAULT_BUCKET = "omega"
_DURATION_RE = re.compile(r"^(\d+)([dhm])$")


def _accounts(args: argparse.Namespace) -> Any:
    from .accounts import Accounts

    return Accounts(getattr(args, "accounts_url", None))


def parse_expiry(text: str | None) -> datetime | timedelta | None:
    """``30d``, ``12h``, ``45m`` (from now) or an ISO date/time (UTC unless it says otherwise)."""
    if not text:
        return None
    match = _DURATION_RE.match(text)
    if match:
        amount, unit = int(match[1]), match[2]
        return timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: amount})
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--expires {text!r} is not understood; use e.g. 30d, 12h, 45m or 2027-01-31") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def cmd_users_add(args: argparse.Namespace) -> int:
    accounts = _accounts(args)
    user = accounts.create_user(args.username, email=args.email)
    print(f"created user {user.username}")
    if not args.no_grant:
        grant = accounts.grant(user.username, args.bucket, args.role, context=args.context)
        print(f"granted {grant.role} on bucket {grant.bucket} (context {grant.context})")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    for user in _accounts(args).list_users():
        print(f"{user.username}\t{'active' if user.active else 'disabled'}\t{user.email or ''}\t"
              f"{user.created:%Y-%m-%d %H:%M}")
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    _accounts(args).disable_user(args.username)
    print(f"disabled {args.username}: their API keys fail from now on")
    return 0


def cmd_users_enable(args: argparse.Namespace) -> int:
    _accounts(args).enable_user(args.username)
    print(f"enabled {args.username}")
    return 0


def cmd_keys_create(args: argparse.Namespace) -> int:
    key = _accounts(args).create_key(args.username, label=args.label, expires=parse_expiry(args.expires),
                                     rules=args.rule)
    print(f"API key {key.key_id} for {key.username}" + (f", expires {key.expires:%Y-%m-%d %H:%M} UTC" if key.expires else ""),
          file=sys.stderr)
    print("This is shown only once; use it as the header  Authorization: ApiKey "
          f"{key.username}:<key>", file=sys.stderr)
    print(key.secret)
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    for key in _accounts(args).list_keys(args.username):
        state = "revoked" if key.revoked else ("expired" if not key.usable else "active")
        expires = f"expires {key.expires:%Y-%m-%d %H:%M}" if key.expires else "no expiry"
        rules = f"rules {','.join(key.rules)}" if key.rules else ""
        print(f"{key.key_id}\t{key.username}\t{state}\t{expires}\t{key.label or ''}\t{rules}".rstrip())
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    key = _accounts(args).revoke_key(args.key_id)
    print(f"revoked key {key.key_id} of {key.username}")
    return 0


def cmd_grants_add(args: argparse.Namespace) -> int:
    grant = _accounts(args).grant(args.username, args.bucket, args.role, context=args.context)
    print(f"granted {grant.username} {grant.role} on bucket {grant.bucket} (context {grant.context})")
    return 0


def cmd_grants_list(args: argparse.Namespace) -> int:
    for grant in _accounts(args).list_grants(args.username):
        print(f"{grant.username}\t{grant.context}\t{grant.bucket}\t{grant.role}")
    return 0


def cmd_grants_revoke(args: argparse.Namespace) -> int:
    removed = _accounts(args).revoke_grant(args.username, args.bucket, context=args.context)
    print(f"revoked {args.username}'s grant on {args.bucket}" if removed
          else f"{args.username} had no grant on {args.bucket}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    return serve(args)


def _with_accounts(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--accounts-url", help="accounts database (default: OMEGA_ACCOUNTS_URL or "
                                               "sqlite:///$OMEGA_HOME/accounts.db)")
    return parser


def add_commands(cli: Any) -> None:
    """Add the account commands and ``om serve``."""
    from .accounts.roles import ROLES

    cli.add_group("users", help="add, list, disable or enable users of the REST API")
    p = _with_accounts(cli.add_action("users", "add", help="add a user (granted --role on --bucket unless --no-grant)"))
    p.add_argument("username")
    p.add_argument("--email")
    p.add_argument("--bucket", default=DEFAULT_BUCKET, help=f"bucket of the initial grant (default {DEFAULT_BUCKET})")
    p.add_argument("--role", default="run", choices=ROLES, help="role of the initial grant (default run)")
    p.add_argument("--context", default="default", help="context of the initial grant (default: default)")
    p.add_argument("--no-grant", action="store_true", help="create the user without any grant")
    p.set_defaults(func=cmd_users_add)
    _with_accounts(cli.add_action("users", "list", help="list users")).set_defaults(func=cmd_users_list)
    for action, func, text in (("disable", cmd_users_disable, "disable a user: their keys fail at once"),
                               ("enable", cmd_users_enable, "enable a disabled user")):
        p = _with_accounts(cli.add_action("users", action, help=text))
        p.add_argument("username")
        p.set_defaults(func=func)

    cli.add_group("keys", help="create, list or revoke API keys")
    p = _with_accounts(cli.add_action("keys", "create", help="create an API key (printed once)"))
    p.add_argument("username")
    p.add_argument("--label", help="what the key is for")
    p.add_argument("--expires", help="30d, 12h, 45m or an ISO date (default: no expiry)")
    p.add_argument("--rule", action="append",
                   help="restrict the key to targets matching this regex, e.g. 'model/clf/predict' (repeatable)")
    p.set_defaults(func=cmd_keys_create)
    p = _with_accounts(cli.add_action("keys", "list", help="list keys (never their secrets)"))
    p.add_argument("username", nargs="?")
    p.set_defaults(func=cmd_keys_list)
    p = _with_accounts(cli.add_action("keys", "revoke", help="revoke a key by its id"))
    p.add_argument("key_id")
    p.set_defaults(func=cmd_keys_revoke)

    cli.add_group("grants", help="give users roles on buckets: " + " < ".join(ROLES))
    p = _with_accounts(cli.add_action("grants", "add", help="grant a role on a bucket ('*': every bucket)"))
    p.add_argument("username")
    p.add_argument("bucket")
    p.add_argument("role", choices=ROLES)
    p.add_argument("--context", default="default")
    p.set_defaults(func=cmd_grants_add)
    p = _with_accounts(cli.add_action("grants", "list", help="list grants"))
    p.add_argument("username", nargs="?")
    p.set_defaults(func=cmd_grants_list)
    p = _with_accounts(cli.add_action("grants", "revoke", help="remove a user's grant on a bucket"))
    p.add_argument("username")
    p.add_argument("bucket")
    p.add_argument("--context", default="default")
    p.set_defaults(func=cmd_grants_revoke)

    p = _with_accounts(cli.add_command("serve", help="serve the REST API (omega|ml resources, Open Inference "
                                                     "Protocol) and the web UI at /ui"))
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    p.add_argument("--certfile", help="TLS certificate (PEM); serves HTTPS")
    p.add_argument("--keyfile", help="TLS private key (PEM)")
    p.add_argument("--rules", nargs="+", metavar="REGEX",
                   help="expose only targets matching one of these, e.g. 'model/clf/predict' 'dataset/.*'")
    p.add_argument("--insecure", action="store_true",
                   help="allow plain HTTP on a non-loopback address (a TLS proxy in front terminates HTTPS; the web "
                        "UI's cookies are then marked Secure)")
    p.add_argument("--max-body", default="64M", help="largest request body (default 64M); larger ones get 413")
    p.add_argument("--context", default="default", help="the context name grants refer to (default: default)")
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=cmd_serve)
