"""Sign-up, key reset and profile deactivation on the shared accounts (in-process runtime)."""
from __future__ import annotations

import pytest

from omegaml_ops import OpsError, State, activate, deactivate, reset, signup


def test_signup_makes_an_active_user_a_key_and_a_completed_deployment_with_a_run_grant(ops):
    new = signup(ops, "alice", "alice@example.com")
    assert ops.accounts.get_user("alice").active
    assert ops.accounts.verify_key("alice", new.apikey).key_id == new.key_id
    command = ops.get_command(new.command.id)
    assert (command.action, command.plan, command.status, command.deployment_status) == (
        "install", "omegaml", State.COMPLETED, State.COMPLETED)
    assert new.bucket == "alice" and ops.accounts.role_of("alice", "alice") == "run"
    assert ops.accounts.allows("alice", "alice", "write") and not ops.accounts.allows("alice", "omega", "read")


def test_the_key_secret_is_stored_only_as_a_hash(ops):
    new = signup(ops, "alice")
    with ops.engine.connect() as connection:
        dump = "\n".join(str(row) for table in ("omega_api_keys", "omega_ops_commands", "omega_ops_tasks")
                         for row in connection.exec_driver_sql(f"select * from {table}"))
    assert new.apikey not in dump


def test_a_taken_name_is_refused_and_nothing_else_is_created(ops):
    signup(ops, "alice")
    with pytest.raises(OpsError, match="user 'alice' exists already"):
        signup(ops, "alice")
    assert len(ops.accounts.list_keys("alice")) == 1 and len(ops.list_deployments("alice")) == 1


@pytest.mark.parametrize("username,email,message", [
    ("bad:name", None, "username 'bad:name' is invalid"),
    ("bob", "not-an-email", "email 'not-an-email' is not an email address"),
])
def test_bad_signup_input_is_refused_and_no_user_is_created(ops, username, email, message):
    with pytest.raises(OpsError, match=message):
        signup(ops, username, email)
    assert ops.accounts.list_users() == []


def test_a_name_that_is_not_a_bucket_name_gets_its_own_valid_bucket(ops):
    dotted, dashed = signup(ops, "a.b"), signup(ops, "a-b")
    assert dotted.bucket.startswith("a-b-") and dashed.bucket == "a-b"
    assert ops.accounts.role_of("a.b", dotted.bucket) == "run" and ops.accounts.role_of("a.b", "a-b") is None


def test_reset_issues_a_new_key_and_revokes_the_old_ones(ops):
    old = signup(ops, "alice").apikey
    new = reset(ops, "alice")
    assert ops.accounts.verify_key("alice", old) is None
    assert ops.accounts.verify_key("alice", new.secret).key_id == new.key_id


def test_a_deactivated_profile_s_keys_stop_working_at_once_and_come_back_on_activation(ops):
    key = signup(ops, "alice").apikey
    deactivate(ops, "alice")
    assert ops.accounts.verify_key("alice", key) is None
    activate(ops, "alice")
    assert ops.accounts.verify_key("alice", key) is not None


def test_removing_the_omegaml_deployment_takes_the_grant_away_and_keeps_the_data(ops, omega):
    new = signup(ops, "alice")
    omega["alice"].datasets.put({"a": 1}, "kept")
    removed = ops.remove(new.command.deployment_id, "alice")
    assert removed.deployment_status == State.REMOVED
    assert ops.accounts.role_of("alice", "alice") is None
    assert omega["alice"].datasets.list() == ["kept"]


def test_the_builtin_steps_are_idempotent(ops, omega):
    from omegaml_ops.steps import StepContext, grant_bucket, revoke_bucket

    ops.accounts.create_user("alice")
    ctx = StepContext(omega, ops.accounts, "alice", "alice")
    grant_bucket(ctx, "alice"), grant_bucket(ctx, "alice")
    assert [g.bucket for g in ops.accounts.list_grants("alice")] == ["alice"]
    revoke_bucket(ctx, "alice")
    assert "already gone" in revoke_bucket(ctx, "alice")


def test_a_signup_whose_command_cannot_be_sent_still_shows_the_key_and_can_be_retried(home, monkeypatch):
    from omegaml_core.config import Config
    from omegaml_core.omega import Omega
    from omegaml_ops import Ops

    unreachable = Ops(omega=Omega(Config.resolve(broker="amqp://guest:guest@127.0.0.1:1//")))
    new = signup(unreachable, "alice")
    assert unreachable.accounts.verify_key("alice", new.apikey) is not None
    assert new.command.status == State.FAILED and "did not run" in new.command.message
    unreachable.close()
    working = Ops(omega=Omega(Config.resolve()))
    assert working.retry(new.command.id, "admin").deployment_status == State.COMPLETED
    working.close()
