"""``om serve``: check the options, then run uvicorn with the app factory in each worker process."""
from __future__ import annotations

import argparse
import os
import sys

from .rules import compile_rules
from .settings import ENV, Settings, is_loopback, parse_size


def check_options(args: argparse.Namespace) -> str | None:
    """A message saying what is wrong with the options, or None."""
    if bool(args.certfile) != bool(args.keyfile):
        return "give both --certfile and --keyfile for HTTPS (or neither for HTTP on a loopback address)"
    if not args.certfile and not is_loopback(args.host) and not args.insecure:
        return (f"refusing to serve plain HTTP on {args.host}: API keys would cross the network unencrypted. "
                "Give --certfile and --keyfile for HTTPS, bind to 127.0.0.1, or pass --insecure if a TLS proxy "
                "in front of this server terminates HTTPS")
    for path in filter(None, (args.certfile, args.keyfile)):
        if not os.path.isfile(path):
            return f"no such file: {path}"
    if args.workers < 1:
        return "--workers must be at least 1"
    return None


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    problem = check_options(args)
    if problem:
        print(f"om serve: {problem}", file=sys.stderr)
        return 2
    compile_rules(args.rules)
    settings = Settings(accounts_url=args.accounts_url, rules=tuple(args.rules) if args.rules else None,
                        max_body=parse_size(args.max_body), context=args.context,
                        secure_cookies=bool(args.insecure))
    os.environ[ENV] = settings.to_env()
    # migrate once here, so that several workers do not race to create the schema
    from .accounts import Accounts

    Accounts(settings.accounts_url).close()
    uvicorn.run("omegaml_server.app:create_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, ssl_certfile=args.certfile, ssl_keyfile=args.keyfile,
                log_level=args.log_level, access_log=False, proxy_headers=False, server_header=False)
    return 0
