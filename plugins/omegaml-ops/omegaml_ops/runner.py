"""Running a command: its tasks in order, each completion committed before the next starts.

``run_command`` is what the runtime task ``omegaml.ops.run_command`` calls on a
worker. Because the Celery app acknowledges a message only after the task
returned (acks late), a worker killed mid-command leaves the message to be
redelivered; the new run skips every task already COMPLETED in the database and
runs the interrupted one again (built-in steps are idempotent). A failing task
marks its command and the deployment FAILED with the task's name and output
tail; the tasks after it do not run; ``Ops.retry`` resumes from it.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import update

from .service import Ops, now
from .states import State, check_transition
from .steps import StepContext, run_step
from .tables import ServiceCommand, ServiceDeployment, ServiceTask

log = logging.getLogger(__name__)
#: what a command's message quotes of a failing task's output
MESSAGE_TAIL = 500


def run_command(ops: Ops, command_id: int, omega: Any) -> dict[str, Any]:
    """Run the PENDING command's remaining tasks; its final state and message (a no-op if it has finished)."""
    with ops.session() as session:
        command = ops._command(session, command_id)
        if command.status != State.PENDING:  # a duplicate delivery of a finished command
            return {"command": command_id, "status": int(command.status), "message": command.message}
        deployment = command.deployment
        if deployment.claimed_by != command_id:
            raise RuntimeError(f"deployment {deployment.id} is claimed by command {deployment.claimed_by}, "
                               f"not by command {command_id}")
        context = StepContext.of(ops, omega, command, deployment)
        positions = [t.position for t in command.tasks]
    for position in positions:
        task = _start(ops, command_id, position)
        if task is None:
            continue  # completed by an earlier delivery
        outcome = run_step(context, task)
        if not _finish(ops, command_id, position, outcome):
            name, tail = task["name"], (outcome.output or "")[-MESSAGE_TAIL:]
            message = f"task {name!r} (step {position + 1}) failed with exit code {outcome.exit_code}: {tail}"
            fail_command(ops, command_id, message)
            return {"command": command_id, "status": int(State.FAILED), "message": message}
    _complete(ops, command_id)
    return {"command": command_id, "status": int(State.COMPLETED), "message": None}


def _start(ops: Ops, command_id: int, position: int) -> dict[str, Any] | None:
    """Mark the task PENDING (one more attempt); None if it is COMPLETED already."""
    with ops.session() as session, session.begin():
        task = session.query(ServiceTask).filter_by(command_id=command_id, position=position).one()
        if task.status == State.COMPLETED:
            return None
        if task.status != State.PENDING:  # PENDING: an interrupted attempt, run again
            task.status = check_transition(f"task {task.name!r}", task.status, State.PENDING)
        task.attempts += 1
        task.started, task.finished, task.exit_code, task.output = now(), None, None, None
        return {"name": task.name, "kind": task.kind, "target": task.target, "params": task.params,
                "timeout": task.timeout, "position": position}


def _finish(ops: Ops, command_id: int, position: int, outcome: Any) -> bool:
    """Record the task's outcome (committed before the message is acknowledged); True if it succeeded."""
    with ops.session() as session, session.begin():
        task = session.query(ServiceTask).filter_by(command_id=command_id, position=position).one()
        task.status = check_transition(f"task {task.name!r}", task.status,
                                       State.COMPLETED if outcome.ok else State.FAILED)
        task.exit_code, task.output, task.finished = outcome.exit_code, outcome.output, now()
    return outcome.ok


def _complete(ops: Ops, command_id: int) -> None:
    with ops.session() as session, session.begin():
        command = ops._command(session, command_id)
        command.status = check_transition(f"command {command_id}", command.status, State.COMPLETED)
        command.finished = now()
        final = State.REMOVED if command.action == "remove" else State.COMPLETED
        _release(session, command, final)


def fail_command(ops: Ops, command_id: int, message: str) -> None:
    """Mark the command and its deployment FAILED with ``message`` and free the deployment."""
    log.warning("ops command %s failed: %s", command_id, message)
    with ops.session() as session, session.begin():
        command = ops._command(session, command_id)
        command.status = check_transition(f"command {command_id}", command.status, State.FAILED)
        command.message, command.finished = message, now()
        if command.deployment.claimed_by == command_id:  # else another command owns it: leave it alone
            _release(session, command, State.FAILED)


def _release(session: Any, command: ServiceCommand, final: State) -> None:
    deployment = command.deployment
    status = check_transition(f"deployment {deployment.id}", deployment.status, final)
    released = session.execute(update(ServiceDeployment).where(
        ServiceDeployment.id == deployment.id, ServiceDeployment.claimed_by == command.id).values(
        status=status, claimed_by=None, modified=now(),
        **({"live_key": None} if status == State.REMOVED else {})))
    if released.rowcount != 1:
        raise RuntimeError(f"deployment {deployment.id} is no longer claimed by command {command.id}")
