"""omegaml-ops benchmark (report only, no goal yet): time from sign-up to a usable key and bucket.

- in-process (no broker): ``signup()`` until the deployment is COMPLETED and the key is granted on the bucket,
  against the bare accounts calls with the same effect (create user, create key, grant);
- through a Redis worker: the same, against the bare accounts calls plus one runtime round trip (ping);
- 50 concurrent sign-ups through the worker: total and p95 per sign-up, against 50 bare accounts sign-ups.
"""
from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import Ratio

BROKER = os.environ.get("OMEGA_BENCH_BROKER", "redis://127.0.0.1:6379/12")
ROUNDS = int(os.environ.get("OMEGA_BENCH_ROUNDS", "10"))
CONCURRENT = 50


def _environment(home: Path, broker: str | None) -> dict[str, str]:
    env = {"OMEGA_HOME": str(home), "OMEGA_MONGO_URL": f"sqlite:///{home / 'omega.db'}",
           "OMEGA_ACCOUNTS_URL": f"sqlite:///{home / 'accounts.db'}", "OMEGA_OPS_LABEL": f"bench-{secrets.token_hex(3)}"}
    if broker:
        env["OMEGA_BROKER"] = broker
    return env


def _apply(env: dict[str, str]) -> None:
    for name in ("OMEGA_BROKER", "OMEGA_OPS_URL"):
        os.environ.pop(name, None)
    os.environ.update(env)


def _usable(ops, username: str) -> float:
    """Seconds from sign-up until the key verifies and has run on the user's bucket."""
    from omegaml_ops import State, signup

    start = time.perf_counter()
    new = signup(ops, username)
    command = ops.wait(new.command.id, timeout=120, interval=0.05)
    assert command.deployment_status == State.COMPLETED, command.message
    assert ops.accounts.verify_key(username, new.apikey) and ops.accounts.allows(username, new.bucket, "run")
    return time.perf_counter() - start


def _bare(accounts, username: str) -> float:
    start = time.perf_counter()
    accounts.create_user(username)
    key = accounts.create_key(username)
    accounts.grant(username, username, "run")
    assert accounts.verify_key(username, key.secret) and accounts.allows(username, username, "run")
    return time.perf_counter() - start


def _ops(env: dict[str, str]):
    from omegaml_core.config import Config
    from omegaml_core.omega import Omega
    from omegaml_ops import Ops

    _apply(env)
    return Ops(omega=Omega(Config.resolve()))


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def run() -> list[Ratio]:
    from omegaml_core.runtime.testing import service_up, start_worker

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        env = _environment(Path(tmp, "local"), None)
        Path(tmp, "local").mkdir()
        ops = _ops(env)
        ours = _median([_usable(ops, f"local{i}") for i in range(ROUNDS)])
        base = _median([_bare(ops.accounts, f"bare{i}") for i in range(ROUNDS)])
        ops.close()
        results.append(Ratio("ops: sign-up to usable key+bucket, in-process (median)", ours, base, "report", True))

        if not service_up("127.0.0.1", 6379):
            print("   Redis is not running: the worker figures are skipped")
            return results
        home = Path(tmp, "redis")
        home.mkdir()
        env = _environment(home, BROKER)
        ops = _ops(env)
        with start_worker(env, labels=[env["OMEGA_OPS_LABEL"]], name="bench-ops", concurrency=2, log_dir=home):
            _usable(ops, "warmup")
            ours = _median([_usable(ops, f"remote{i}") for i in range(ROUNDS)])

            def bare_with_round_trip(i: int) -> float:
                start = time.perf_counter()
                _bare(ops.accounts, f"rt{i}")
                ops.omega.runtime.require(env["OMEGA_OPS_LABEL"]).ping().get(timeout=60)
                return time.perf_counter() - start

            base = _median([bare_with_round_trip(i) for i in range(ROUNDS)])
            results.append(Ratio("ops: sign-up to usable key+bucket, Redis worker (median)", ours, base, "report", True))

            start = time.perf_counter()
            with ThreadPoolExecutor(16) as pool:
                each = list(pool.map(lambda i: _usable(ops, f"many{i}"), range(CONCURRENT)))
            total = time.perf_counter() - start
            start = time.perf_counter()
            with ThreadPoolExecutor(16) as pool:
                bare_each = list(pool.map(lambda i: _bare(ops.accounts, f"manybare{i}"), range(CONCURRENT)))
            bare_total = time.perf_counter() - start
        ops.close()
        results.append(Ratio(f"ops: {CONCURRENT} concurrent sign-ups, Redis worker, total", total, bare_total,
                             "report", True))
        results.append(Ratio(f"ops: {CONCURRENT} concurrent sign-ups, Redis worker, p95", _p95(each), _p95(bare_each),
                             "report", True))
    return results
