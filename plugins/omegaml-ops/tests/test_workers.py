"""Commands on a real Celery worker over the local Redis: sign-up end to end with the REST API, 50 concurrent
sign-ups, a failing task and its retry."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import redis_env
from omegaml_ops import OpsError, State, signup

pytestmark = pytest.mark.services
SIGNUPS = 50


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A worker (2 processes) and `om serve` on one storage, accounts database and Redis database."""
    import os

    from omegaml_core.config import Config
    from omegaml_core.omega import Omega
    from omegaml_core.runtime.testing import start_worker
    from omegaml_ops import Ops
    from omegaml_server.testing import ServerProcess

    home = tmp_path_factory.mktemp("stack")
    env = redis_env(home)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        patch.delenv("OMEGA_OPS_URL", raising=False)
        ops = Ops(omega=Omega(Config.resolve()))
        server = ServerProcess({**os.environ, **env}, log_path=home / "server.log")
        with start_worker(env, labels=[env["OMEGA_OPS_LABEL"]], name="ops-worker", concurrency=2, log_dir=home):
            server.start()
            try:
                yield ops, server
            finally:
                server.stop()
                ops.close()


def test_a_signed_up_user_s_key_works_on_their_bucket_and_nowhere_else(stack):
    import httpx

    ops, server = stack
    new = signup(ops, "alice", "alice@example.com")
    done = ops.wait(new.command.id, timeout=60)
    assert (done.status, done.deployment_status) == (State.COMPLETED, State.COMPLETED)
    signup(ops, "bob")
    headers = {"Authorization": f"ApiKey alice:{new.apikey}"}
    with httpx.Client(base_url=server.url, timeout=30) as http:
        put = http.put("/api/v1/dataset/hello", json=[{"a": 1}], headers={**headers, "Bucket": new.bucket})
        assert put.status_code in (200, 201), put.text
        listed = http.get("/api/v1/dataset/", headers={**headers, "Bucket": new.bucket}).json()["objects"]
        assert [o["name"] if isinstance(o, dict) else o for o in listed] == ["hello"]
        for bucket in ("omega", "bob"):
            assert http.get("/api/v1/dataset/", headers={**headers, "Bucket": bucket}).status_code == 403
        assert http.get("/api/v1/dataset/", headers={"Authorization": "ApiKey alice:wrong",
                                                      "Bucket": new.bucket}).status_code == 401


def test_fifty_concurrent_signups_give_fifty_users_and_fifty_completed_deployments(stack):
    ops, _ = stack
    names = [f"user{i:02d}" for i in range(SIGNUPS)]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda name: signup(ops, name), names))
    finished = [ops.wait(r.command.id, timeout=120) for r in results]
    assert all(c.status == State.COMPLETED and c.deployment_status == State.COMPLETED for c in finished)
    deployments = [d for d in ops.list_deployments() if d.username in names]
    assert sorted(d.username for d in deployments) == names  # one each, no duplicates
    assert len({d.bucket for d in deployments}) == SIGNUPS and len({r.key_id for r in results}) == SIGNUPS
    assert {u.username for u in ops.accounts.list_users()} >= set(names)
    assert all(ops.accounts.role_of(r.username, r.bucket) == "run" for r in results)


def test_concurrent_signups_of_one_name_make_one_user(stack):
    ops, _ = stack

    def attempt(_: int) -> object:
        try:
            return signup(ops, "carol")
        except OpsError as exc:
            return exc

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(attempt, range(4)))
    winners = [o for o in outcomes if not isinstance(o, OpsError)]
    assert len(winners) == 1 and all("exists already" in str(o) for o in outcomes if isinstance(o, OpsError))
    assert len(ops.list_deployments("carol")) == 1 and len(ops.accounts.list_keys("carol")) == 1


def test_a_failing_task_on_a_worker_fails_with_its_reason_and_a_retry_completes(stack, tmp_path):
    ops, _ = stack
    ops.accounts.create_user("dave")
    ops.create_plan("flagged", "", [{"name": "needs-flag", "kind": "shell",
                                     "target": "sh -c 'test -f {flag} || { echo no flag at {flag}; exit 3; }'"}])
    flag = tmp_path / "flag"
    failed = ops.wait(ops.install("flagged", "dave", settings={"flag": str(flag)}).id, timeout=60)
    assert (failed.status, failed.deployment_status) == (State.FAILED, State.FAILED)
    assert f"task 'needs-flag' (step 1) failed with exit code 3: no flag at {flag}" in failed.message
    flag.touch()
    retried = ops.wait(ops.retry(failed.id, "admin").id, timeout=60)
    assert (retried.status, retried.deployment_status) == (State.COMPLETED, State.COMPLETED)
    assert retried.tasks[0].attempts == 2


def test_task_seconds_on_a_worker_are_counted_for_the_owner_of_the_bucket(stack):
    import os
    from datetime import datetime, timezone

    from omegaml_ops.usage import report

    ops, _ = stack
    new = signup(ops, "erin")
    ops.wait(new.command.id, timeout=60)
    ops.omega[new.bucket].runtime.require(os.environ["OMEGA_OPS_LABEL"]).ping().get(timeout=60)
    usage = report(ops.engine, "erin", datetime.now(timezone.utc).strftime("%Y-%m"))
    assert usage["total"]["task_seconds"] > 0
