"""`om serve` with several worker processes: the options reach every worker."""
from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="module")
def two_workers(served):
    from omegaml_server.testing import ServerProcess

    env = {**{k: v for k, v in os.environ.items() if k != "OMEGA_BROKER"}, "OMEGA_HOME": str(served.home),
           "OMEGA_MONGO_URL": f"sqlite:///{served.home / 'omega.db'}", "OMEGA_ACCOUNTS_URL": served.accounts_url}
    server = ServerProcess(env, ["--workers", "2", "--rules", "dataset.*", "--max-body", "1k"],
                           log_path=served.home / "two-workers.log")
    try:
        yield server.start()
    finally:
        server.stop()


def test_every_worker_applies_the_rules_and_the_body_limit(two_workers, served):
    import httpx

    headers = served.headers("admin")
    with httpx.Client(base_url=two_workers.url, headers=headers, timeout=30) as http:
        for _ in range(6):  # new connections, spread over both workers
            assert http.get("/api/v1/dataset/", headers={"Connection": "close"}).status_code == 200
            assert http.get("/api/v1/model/", headers={"Connection": "close"}).status_code == 403
        too_big = http.put("/api/v1/dataset/x", content=b"a\n" + b"1\n" * 1000, headers={"Content-Type": "text/csv"})
        assert too_big.status_code == 413
