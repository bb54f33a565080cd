"""Commands run their tasks in order on the (in-process) runtime; failures, retries, removal, one command at a time."""
from __future__ import annotations

import pytest

from conftest import counting_steps, runs
from omegaml_ops import DeploymentBusy, IllegalTransition, OpsError, State


@pytest.fixture
def alice(ops):
    ops.accounts.create_user("alice")
    return "alice"


def test_an_install_runs_every_step_in_order_and_completes_the_deployment(ops, alice, tmp_path):
    ops.create_plan("counter", "counts", counting_steps(tmp_path))
    command = ops.install("counter", alice)
    assert command.status == State.COMPLETED and command.deployment_status == State.COMPLETED
    assert [(t.name, t.status, t.attempts, t.exit_code) for t in command.tasks] == [
        ("one", State.COMPLETED, 1, 0), ("two", State.COMPLETED, 1, 0), ("three", State.COMPLETED, 1, 0)]
    assert [runs(tmp_path, n) for n in ("one", "two", "three")] == [1, 1, 1]


def test_a_failing_task_fails_command_and_deployment_naming_it_and_later_tasks_do_not_run(ops, alice, tmp_path):
    steps = counting_steps(tmp_path, ("one",)) + [
        {"name": "needs-flag", "kind": "shell", "target": f"sh -c 'echo missing flag >&2; test -f {tmp_path}/flag'"},
    ] + counting_steps(tmp_path, ("three",))
    ops.create_plan("flaky", "fails until flagged", steps)
    command = ops.install("flaky", alice)
    assert command.status == State.FAILED and command.deployment_status == State.FAILED
    assert "task 'needs-flag' (step 2) failed with exit code 1: missing flag" in command.message
    assert [t.status for t in command.tasks] == [State.COMPLETED, State.FAILED, State.INITIATED]
    assert runs(tmp_path, "three") == 0


def test_a_retry_resumes_from_the_failed_task(ops, alice, tmp_path):
    steps = counting_steps(tmp_path, ("one",)) + [
        {"name": "needs-flag", "kind": "shell", "target": f"test -f {tmp_path}/flag"}] + counting_steps(tmp_path, ("three",))
    ops.create_plan("flaky", "fails until flagged", steps)
    failed = ops.install("flaky", alice)
    (tmp_path / "flag").touch()
    retried = ops.retry(failed.id, "admin")
    assert retried.status == State.COMPLETED and retried.deployment_status == State.COMPLETED
    assert retried.message is None
    assert [t.attempts for t in retried.tasks] == [1, 2, 1]
    assert (runs(tmp_path, "one"), runs(tmp_path, "three")) == (1, 1)


def test_a_completed_command_cannot_be_retried(ops, alice, tmp_path):
    ops.create_plan("counter", "", counting_steps(tmp_path))
    command = ops.install("counter", alice)
    with pytest.raises(OpsError, match=f"only a FAILED command can be retried; command {command.id} is COMPLETED"):
        ops.retry(command.id)


def test_a_redelivered_command_that_finished_changes_nothing(ops, alice, tmp_path, omega):
    from omegaml_ops.tasks import run_ops_command

    ops.create_plan("counter", "", counting_steps(tmp_path))
    command = ops.install("counter", alice)
    again = run_ops_command(omega, command.id, ops_url=ops.url, accounts_url=ops.accounts.url)
    assert again["status"] == State.COMPLETED
    assert runs(tmp_path, "one") == 1 and ops.get_command(command.id).tasks[0].attempts == 1


def test_removing_a_deployment_runs_its_remove_steps_and_keeps_it_as_removed(ops, alice, tmp_path):
    steps = counting_steps(tmp_path, ("one",)) + [{**counting_steps(tmp_path, ("gone",))[0], "action": "remove"}]
    ops.create_plan("counter", "", steps)
    installed = ops.install("counter", alice)
    removed = ops.remove(installed.deployment_id, "alice")
    assert removed.status == State.COMPLETED and removed.deployment_status == State.REMOVED
    assert (runs(tmp_path, "one"), runs(tmp_path, "gone")) == (1, 1)
    assert ops.list_deployments("alice") == []
    assert [d.status for d in ops.list_deployments("alice", include_removed=True)] == [State.REMOVED]
    with pytest.raises(IllegalTransition, match="cannot go from REMOVED"):
        ops.remove(installed.deployment_id, "alice")


def test_a_removed_deployment_can_be_installed_again_but_a_live_one_not_twice(ops, alice, tmp_path):
    ops.create_plan("counter", "", counting_steps(tmp_path, ("one",)))
    first = ops.install("counter", alice)
    with pytest.raises(OpsError, match="has a deployment of plan 'counter' on that bucket already"):
        ops.install("counter", alice)
    ops.remove(first.deployment_id, "alice")
    assert ops.install("counter", alice).deployment_status == State.COMPLETED


def test_a_second_command_on_a_busy_deployment_is_refused(ops, alice, tmp_path):
    ops.create_plan("counter", "", counting_steps(tmp_path, ("one",)))
    pending = ops.install("counter", alice, run=False)
    with pytest.raises(DeploymentBusy, match=f"busy with command {pending.id}"):
        ops.remove(pending.deployment_id, "alice")


def test_templates_fill_arguments_without_a_shell(ops, alice, tmp_path):
    ops.create_plan("echo", "", [{"name": "echo", "kind": "shell", "target": "echo {username} {note}"}])
    command = ops.install("echo", alice, settings={"note": "$(touch pwned); x"})
    assert command.tasks[0].output.strip() == "alice $(touch pwned); x"
    assert not (tmp_path / "pwned").exists()


def test_a_template_naming_an_unknown_setting_fails_the_task_saying_which(ops, alice):
    ops.create_plan("echo", "", [{"name": "echo", "kind": "shell", "target": "echo {nope}"}])
    command = ops.install("echo", alice)
    assert command.status == State.FAILED and "{nope}, which is not set" in command.message


def test_a_python_step_failure_keeps_the_traceback_tail(ops, alice):
    ops.create_plan("py", "", [{"name": "boom", "kind": "python", "target": "omegaml_ops.steps:check_bucket",
                                "params": {"bucket": "not a bucket!"}}])
    command = ops.install("py", alice)
    assert command.status == State.FAILED
    assert "Traceback" in command.tasks[0].output and "bucket name 'not a bucket!' is invalid" in command.tasks[0].output


def test_a_script_step_without_omegaml_scripts_says_what_to_install(ops, alice):
    ops.create_plan("script", "", [{"name": "run", "kind": "script", "target": "setup"}])
    command = ops.install("script", alice)
    assert "omegaml-scripts" in command.message


def test_task_output_is_bounded_to_its_tail(ops, alice):
    from omegaml_ops.steps import OUTPUT_TAIL

    ops.create_plan("loud", "", [{"name": "loud", "kind": "shell",
                                  "target": "sh -c 'seq 1 20000; echo the-end'"}])
    output = ops.install("loud", alice).tasks[0].output
    assert len(output) == OUTPUT_TAIL and output.rstrip().endswith("the-end")


@pytest.mark.parametrize("steps,message", [
    ([{"name": "x", "kind": "perl", "target": "x"}], "kind 'perl' is not one of shell, python, script"),
    ([{"name": "x", "kind": "python", "target": "nocolon"}], "'module:function'"),
    ([{"name": "x", "kind": "shell", "target": "ls", "action": "scale"}], "action 'scale' is not one of"),
    ([{"name": "", "kind": "shell", "target": "ls"}], "needs a name"),
    ([{"name": "x", "kind": "shell", "target": "ls", "when": 1}], "unknown fields"),
    ([{"name": "x", "kind": "shell", "target": "ls", "params": [1]}], "params must be an object"),
])
def test_a_plan_with_a_bad_step_is_refused_and_not_created(ops, steps, message):
    with pytest.raises(OpsError, match=message):
        ops.create_plan("bad", "", steps)
    assert [p.name for p in ops.list_plans(include_inactive=True)] == []


def test_plan_names_are_unique_and_valid(ops):
    ops.create_plan("worker", "a worker")
    with pytest.raises(OpsError, match="exists already"):
        ops.create_plan("worker", "again")
    with pytest.raises(OpsError, match="plan name 'a b' is invalid"):
        ops.create_plan("a b")


def test_installing_an_unknown_plan_or_for_an_unknown_user_is_refused(ops, alice):
    from omegaml_server.accounts import AccountsError

    with pytest.raises(OpsError, match="plan 'nope' does not exist"):
        ops.install("nope", alice)
    ops.create_plan("worker")
    with pytest.raises(AccountsError, match="user 'bob' does not exist"):
        ops.install("worker", "bob")


def test_a_deployed_plan_is_deactivated_not_deleted_and_no_longer_installable(ops, alice):
    ops.create_plan("unused")
    ops.create_plan("used")
    ops.install("used", alice)
    assert (ops.delete_plan("unused"), ops.delete_plan("used")) == ("deleted", "deactivated")
    assert [p.name for p in ops.list_plans(include_inactive=True)] == ["used"]
    ops.accounts.create_user("bob")
    with pytest.raises(OpsError, match="no longer offered"):
        ops.install("used", "bob")


def test_reconfiguring_a_plan_does_not_change_a_command_issued_before(ops, alice, tmp_path):
    ops.create_plan("counter", "", counting_steps(tmp_path, ("one",)))
    pending = ops.install("counter", alice, run=False)
    ops.configure_plan("counter", counting_steps(tmp_path, ("other",)))
    assert [t.name for t in ops.get_command(pending.id).tasks] == ["one"]
    assert [s.name for s in ops.get_plan("counter").steps] == ["other"]


def test_a_deployment_cannot_take_another_users_bucket(ops, alice):
    ops.accounts.create_user("mallory")
    ops.create_plan("worker")
    ops.install("worker", alice, settings={"bucket": "shared"})
    with pytest.raises(OpsError, match="belongs to a deployment of another user"):
        ops.install("worker", "mallory", settings={"bucket": "shared"})


def test_a_runner_error_leaves_the_command_failed_and_retryable_not_pending(ops, alice, tmp_path, omega):
    from sqlalchemy import text

    from omegaml_ops.tasks import run_ops_command

    ops.create_plan("counter", "", counting_steps(tmp_path, ("one",)))
    pending = ops.install("counter", alice, run=False)
    with ops.engine.begin() as connection:  # as if another command had claimed the deployment
        connection.execute(text("update omega_ops_deployments set claimed_by = 999"))
    with pytest.raises(RuntimeError, match="claimed by command 999"):
        run_ops_command(omega, pending.id, ops_url=ops.url, accounts_url=ops.accounts.url)
    failed = ops.get_command(pending.id)
    assert failed.status == State.FAILED and "the runner failed" in failed.message
