"""The operations API: plans and their configurations, deployments, commands and their tasks.

    from omegaml_ops import Ops
    ops = Ops()                                   # OMEGA_OPS_URL, else the accounts database
    ops.create_plan("worker", "a labelled worker", steps=[{"name": "start", "kind": "shell",
                                                           "target": "echo {username}"}])
    command = ops.install("worker", username="alice", issued_by="admin")
    ops.wait(command.id).status                   # State.COMPLETED

Every status change goes through ``states.check_transition``. A deployment runs
one command at a time: issuing a command moves the deployment to PENDING with a
compare-and-set UPDATE (``... WHERE status = <what was read>``), so a second
command on a busy deployment is refused with ``DeploymentBusy``.
"""
from __future__ import annotations

import json
import os
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import create_engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from . import migrate
from .states import State, check_transition
from .tables import ServiceCommand, ServiceConfiguration, ServiceDeployment, ServicePlan, ServiceTask

ACTIONS = ("install", "configure", "remove")
STEP_KINDS = ("shell", "python", "script")
from .tasks import RUN_TASK
UNFINISHED = (State.INITIATED, State.PENDING)
#: open Ops by (operations URL, accounts URL): the in-process runtime runs commands with the caller's own
_OPEN: "weakref.WeakValueDictionary[tuple[str, str], Ops]" = weakref.WeakValueDictionary()


class OpsError(ValueError):
    """A refused operations request (unknown plan, bad step, wrong state); the message says what to do."""


class DeploymentBusy(OpsError):
    """Another command is running on the deployment."""


def now() -> datetime:
    return datetime.now(timezone.utc)


def aware(value: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back; every stored time is UTC
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def default_url(accounts: Any = None) -> str:
    """``OMEGA_OPS_URL``, else the accounts database's URL."""
    url = os.environ.get("OMEGA_OPS_URL")
    if url:
        return url
    if accounts is not None:
        return accounts.url
    from omegaml_server.accounts import default_url as accounts_url

    return accounts_url()


# --- plain views of the rows (what the CLI prints and the REST API returns) ------------------------------
@dataclass(frozen=True)
class StepInfo:
    name: str
    kind: str
    target: str
    params: dict
    action: str = "install"
    timeout: float = 600.0

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class PlanInfo:
    name: str
    description: str
    active: bool
    settings: dict
    steps: tuple[StepInfo, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {**{k: v for k, v in vars(self).items() if k != "steps"}, "steps": [s.as_dict() for s in self.steps]}


@dataclass(frozen=True)
class DeploymentInfo:
    id: int
    plan: str
    username: str
    bucket: str
    settings: dict
    status: State
    created: datetime
    modified: datetime

    def as_dict(self) -> dict[str, Any]:
        return {**vars(self), "status": int(self.status), "created": self.created.isoformat(),
                "modified": self.modified.isoformat()}


@dataclass(frozen=True)
class TaskInfo:
    id: int
    position: int
    name: str
    kind: str
    status: State
    attempts: int
    exit_code: int | None
    output: str | None
    started: datetime | None
    finished: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {**vars(self), "status": int(self.status),
                "started": self.started.isoformat() if self.started else None,
                "finished": self.finished.isoformat() if self.finished else None}


@dataclass(frozen=True)
class CommandInfo:
    id: int
    action: str
    deployment_id: int
    plan: str
    username: str
    issued_by: str
    issued: datetime
    status: State
    message: str | None
    finished: datetime | None
    deployment_status: State
    tasks: tuple[TaskInfo, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {**vars(self), "status": int(self.status), "deployment_status": int(self.deployment_status),
                "issued": self.issued.isoformat(), "finished": self.finished.isoformat() if self.finished else None,
                "tasks": [t.as_dict() for t in self.tasks]}


def check_steps(steps: Iterable[dict | StepInfo]) -> list[StepInfo]:
    """Steps as StepInfo; OpsError naming the bad one (kind, action, target form, params)."""
    checked = []
    for i, step in enumerate(steps):
        data = step.as_dict() if isinstance(step, StepInfo) else dict(step)
        where = f"step {i + 1} ({data.get('name', '?')!r})"
        unknown = set(data) - {"name", "kind", "target", "params", "action", "timeout"}
        if unknown:
            raise OpsError(f"{where} has unknown fields {sorted(unknown)}; use name, kind, target, params, action, timeout")
        if not data.get("name") or not isinstance(data["name"], str) or len(data["name"]) > 64:
            raise OpsError(f"{where} needs a name of 1-64 characters")
        if data.get("kind") not in STEP_KINDS:
            raise OpsError(f"{where}: kind {data.get('kind')!r} is not one of {', '.join(STEP_KINDS)}")
        action = data.get("action", "install")
        if action not in ACTIONS:
            raise OpsError(f"{where}: action {action!r} is not one of {', '.join(ACTIONS)}")
        target = data.get("target")
        if not isinstance(target, str) or not target.strip():
            raise OpsError(f"{where} needs a target (a command line, module:function or a script name)")
        if data["kind"] == "python" and (":" not in target or target.startswith(":") or target.endswith(":")):
            raise OpsError(f"{where}: a python step's target is 'module:function', not {target!r}")
        params = data.get("params") or {}
        if not isinstance(params, dict):
            raise OpsError(f"{where}: params must be an object of name: value")
        timeout = float(data.get("timeout", 600.0))
        if timeout <= 0:
            raise OpsError(f"{where}: timeout must be positive seconds")
        checked.append(StepInfo(data["name"], data["kind"], target, params, action, timeout))
    return checked


class Ops:
    """Plans, deployments, commands and tasks in the operations database (see the module docstring).

    ``accounts`` is omegaml-server's ``Accounts`` (users, keys, grants); ``omega``
    the context whose runtime executes commands (default ``om.defaults()``);
    ``label`` (default ``OMEGA_OPS_LABEL``) routes commands to workers started
    with ``om worker --label LABEL``.
    """

    def __init__(self, url: str | None = None, accounts: Any = None, omega: Any = None, upgrade: bool = True,
                 label: str | None = None, **engine_options: Any) -> None:
        if accounts is None:
            from omegaml_server.accounts import Accounts

            accounts = Accounts(**_sqlite_options(os.environ.get("OMEGA_ACCOUNTS_URL")))
        self.accounts = accounts
        self.url = url or default_url(accounts)
        engine_options = {**_sqlite_options(self.url), **engine_options}
        self.engine = create_engine(self.url, pool_pre_ping=True, **engine_options)
        if self.engine.dialect.name == "sqlite":
            _use_wal(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._omega = omega
        self.label = label or os.environ.get("OMEGA_OPS_LABEL") or None
        if upgrade:
            migrate.upgrade(self.engine)
        _OPEN[(self.url, accounts.url)] = self

    @property
    def omega(self) -> Any:
        if self._omega is None:
            import omegaml_core as om

            self._omega = om.defaults()
        return self._omega

    def close(self) -> None:
        """Release the database connections (of the operations and the accounts database)."""
        _OPEN.pop((self.url, self.accounts.url), None)
        self.engine.dispose()
        self.accounts.close()

    def session(self) -> Session:
        return self._sessions()

    # --- plans and configurations --------------------------------------------------------------------
    def create_plan(self, name: str, description: str = "", steps: Iterable[dict | StepInfo] = (),
                    settings: dict | None = None) -> PlanInfo:
        """A new plan with its ordered steps (``action`` install/configure/remove, default install)."""
        if not isinstance(name, str) or not name or len(name) > 64 or not name.replace("-", "").replace("_", "").isalnum():
            raise OpsError(f"plan name {name!r} is invalid: use 1-64 letters, digits, '-' or '_'")
        checked = check_steps(steps)
        if settings is not None and not isinstance(settings, dict):
            raise OpsError("plan settings must be an object of name: value")
        try:
            with self.session() as session, session.begin():
                plan = ServicePlan(name=name, description=description or "", active=True,
                                   settings=json.dumps(settings or {}), created=now())
                session.add(plan)
                _add_steps(plan, checked)
        except IntegrityError:
            raise OpsError(f"plan {name!r} exists already; see `om ops listservices`") from None
        return self.get_plan(name)

    def configure_plan(self, name: str, steps: Iterable[dict | StepInfo], action: str | None = None) -> PlanInfo:
        """Replace the plan's steps (of one ``action``, or all); deployments already running keep theirs."""
        checked = check_steps(steps)
        if action is not None and action not in ACTIONS:
            raise OpsError(f"action {action!r} is not one of {', '.join(ACTIONS)}")
        if action is not None and any(s.action != action for s in checked):
            raise OpsError(f"every step must have action {action!r} when replacing the {action} steps")
        with self.session() as session, session.begin():
            plan = self._plan(session, name)
            for step in list(plan.steps):
                if action is None or step.action == action:
                    plan.steps.remove(step)
            session.flush()
            _add_steps(plan, checked)
        return self.get_plan(name)

    def get_plan(self, name: str) -> PlanInfo:
        with self.session() as session:
            return _plan_info(self._plan(session, name))

    def list_plans(self, include_inactive: bool = False) -> list[PlanInfo]:
        with self.session() as session:
            query = select(ServicePlan).order_by(ServicePlan.name)
            if not include_inactive:
                query = query.where(ServicePlan.active.is_(True))
            return [_plan_info(p) for p in session.scalars(query)]

    def delete_plan(self, name: str) -> str:
        """Delete a plan that was never deployed, else deactivate it (its deployments are kept). Says which."""
        with self.session() as session, session.begin():
            plan = self._plan(session, name)
            used = session.scalar(select(ServiceDeployment.id).where(ServiceDeployment.plan_id == plan.id).limit(1))
            if used is None:
                session.delete(plan)
                return "deleted"
            plan.active = False
            return "deactivated"

    def _plan(self, session: Session, name: str) -> ServicePlan:
        plan = session.scalar(select(ServicePlan).where(ServicePlan.name == name))
        if plan is None:
            raise OpsError(f"plan {name!r} does not exist; see `om ops listservices`")
        return plan

    def ensure_plan(self, name: str, description: str, steps: Iterable[dict | StepInfo],
                    settings: dict | None = None) -> PlanInfo:
        """The plan ``name``, created with these steps if it does not exist (safe when called concurrently)."""
        try:
            return self.get_plan(name)
        except OpsError:
            pass
        try:
            return self.create_plan(name, description, steps, settings)
        except OpsError:
            return self.get_plan(name)  # created by someone else in the meantime

    # --- deployments ---------------------------------------------------------------------------------
    def list_deployments(self, username: str | None = None, plan: str | None = None,
                         include_removed: bool = False) -> list[DeploymentInfo]:
        with self.session() as session:
            query = select(ServiceDeployment).order_by(ServiceDeployment.id)
            if username is not None:
                query = query.where(ServiceDeployment.username == username)
            if plan is not None:
                query = query.where(ServiceDeployment.plan_id == self._plan(session, plan).id)
            if not include_removed:
                query = query.where(ServiceDeployment.status != State.REMOVED)
            return [_deployment_info(d) for d in session.scalars(query)]

    def get_deployment(self, deployment_id: int) -> DeploymentInfo:
        with self.session() as session:
            return _deployment_info(self._deployment(session, deployment_id))

    def _deployment(self, session: Session, deployment_id: int) -> ServiceDeployment:
        deployment = session.get(ServiceDeployment, deployment_id)
        if deployment is None:
            raise OpsError(f"deployment {deployment_id} does not exist; see `om ops listservices --deployments`")
        return deployment

    # --- commands ------------------------------------------------------------------------------------
    def install(self, plan: str, username: str, issued_by: str | None = None, settings: dict | None = None,
                run: bool = True) -> CommandInfo:
        """Deploy ``plan`` for ``username``: a new deployment and its ``install`` command (run unless ``run=False``)."""
        self.accounts.get_user(username)  # AccountsError if unknown
        if settings is not None and not isinstance(settings, dict):
            raise OpsError("deployment settings must be an object of name: value")
        try:
            command_id = self._create_deployment(plan, username, issued_by, settings)
        except IntegrityError:
            raise OpsError(f"{username!r} has a deployment of plan {plan!r} on that bucket already; see "
                           f"`om ops listservices --deployments --user {username}`") from None
        return self.submit(command_id) if run else self.get_command(command_id)

    def _create_deployment(self, plan: str, username: str, issued_by: str | None, settings: dict | None) -> int:
        with self.session() as session, session.begin():
            found = self._plan(session, plan)
            if not found.active:
                raise OpsError(f"plan {plan!r} is no longer offered; see `om ops listservices`")
            stamp = now()
            settings = {**json.loads(found.settings), **(settings or {})}
            settings["bucket"] = _bucket_of(username, settings)
            other = session.scalar(select(ServiceDeployment.username).where(
                ServiceDeployment.bucket == settings["bucket"], ServiceDeployment.username != username,
                ServiceDeployment.status != State.REMOVED).limit(1))
            if other is not None:
                raise OpsError(f"bucket {settings['bucket']!r} belongs to a deployment of another user; choose another")
            deployment = ServiceDeployment(plan_id=found.id, username=username, bucket=settings["bucket"],
                                           live_key=f"{found.id}:{settings['bucket']}",
                                           settings=json.dumps(settings),
                                           status=State.INITIATED, created=stamp, modified=stamp)
            session.add(deployment)
            command = self._new_command(session, "install", deployment, found, issued_by or username)
            deployment.status = check_transition("deployment", deployment.status, State.PENDING)
            deployment.claimed_by = command.id
            return command.id

    def configure(self, deployment_id: int, issued_by: str, settings: dict | None = None,
                  run: bool = True) -> CommandInfo:
        """Change a deployment's settings and run the plan's ``configure`` steps."""
        return self._issue("configure", deployment_id, issued_by, settings, run)

    def remove(self, deployment_id: int, issued_by: str, run: bool = True) -> CommandInfo:
        """Run the plan's ``remove`` steps; the deployment ends REMOVED (kept for history)."""
        return self._issue("remove", deployment_id, issued_by, None, run)

    def _issue(self, action: str, deployment_id: int, issued_by: str, settings: dict | None, run: bool) -> CommandInfo:
        if settings is not None and not isinstance(settings, dict):
            raise OpsError("deployment settings must be an object of name: value")
        with self.session() as session, session.begin():
            deployment = self._deployment(session, deployment_id)
            if settings and settings.get("bucket", deployment.bucket) != deployment.bucket:
                raise OpsError(f"the bucket of deployment {deployment_id} cannot change; remove it and install anew")
            seen = deployment.status
            if seen in UNFINISHED:
                raise DeploymentBusy(self._busy_message(session, deployment))
            check_transition(f"deployment {deployment_id}", seen, State.PENDING)
            command = self._new_command(session, action, deployment, deployment.plan, issued_by)
            values: dict[str, Any] = {"status": State.PENDING, "claimed_by": command.id, "modified": now()}
            if settings:
                values["settings"] = json.dumps({**json.loads(deployment.settings), **settings})
            # compare-and-set: only one of two concurrent commands finds the status it read
            claimed = session.execute(update(ServiceDeployment).where(
                ServiceDeployment.id == deployment_id, ServiceDeployment.status == seen).values(**values))
            if claimed.rowcount != 1:
                raise DeploymentBusy(f"deployment {deployment_id} is busy with another command; wait for it "
                                     f"(`om ops commands --deployment {deployment_id}`) and issue yours again")
            command_id = command.id
        return self.submit(command_id) if run else self.get_command(command_id)

    def _busy_message(self, session: Session, deployment: ServiceDeployment) -> str:
        running = deployment.claimed_by
        return (f"deployment {deployment.id} is busy with command {running} "
                f"({State(deployment.status).name}); wait until it finished (`om ops commands --id {running}`) "
                "and issue yours again")

    def _new_command(self, session: Session, action: str, deployment: ServiceDeployment, plan: ServicePlan,
                     issued_by: str) -> ServiceCommand:
        command = ServiceCommand(action=action, deployment=deployment, issued_by=issued_by, issued=now(),
                                 status=State.INITIATED)
        session.add(command)
        command.status = check_transition("command", command.status, State.PENDING)
        # the steps are copied into the command's tasks: changing the plan later does not change this command
        for position, step in enumerate(s for s in plan.steps if s.action == action):
            command.tasks.append(ServiceTask(position=position, name=step.name, kind=step.kind, target=step.target,
                                             params=step.params, timeout=step.timeout, status=State.INITIATED,
                                             attempts=0))
        session.flush()
        return command

    def retry(self, command_id: int, issued_by: str | None = None, run: bool = True) -> CommandInfo:
        """Run a FAILED command again from its failed task (the tasks that completed are not repeated)."""
        with self.session() as session, session.begin():
            command = self._command(session, command_id)
            if command.status != State.FAILED:
                raise OpsError(f"only a FAILED command can be retried; command {command_id} is "
                               f"{State(command.status).name}")
            deployment = command.deployment
            if deployment.claimed_by not in (None, command.id):
                raise DeploymentBusy(self._busy_message(session, deployment))
            seen = deployment.status
            check_transition(f"deployment {deployment.id}", seen, State.PENDING)
            claimed = session.execute(update(ServiceDeployment).where(
                ServiceDeployment.id == deployment.id, ServiceDeployment.status == seen).values(
                status=State.PENDING, claimed_by=command.id, modified=now()))
            if claimed.rowcount != 1:
                raise DeploymentBusy(f"deployment {deployment.id} is busy with another command; retry later")
            command.status = check_transition(f"command {command_id}", command.status, State.PENDING)
            command.message, command.finished = None, None
        return self.submit(command_id) if run else self.get_command(command_id)

    def submit(self, command_id: int) -> CommandInfo:
        """Send a PENDING command to the runtime (run in this process when no broker is configured).

        If it cannot be sent, the command is marked FAILED with the reason (``retry`` it later) and the error raised.
        """
        runtime = self.omega.runtime.require(self.label) if self.label else self.omega.runtime
        kwargs = {"ops_url": self.url, "accounts_url": self.accounts.url} if runtime.local else {}
        try:
            result = runtime.submit(RUN_TASK, [command_id], kwargs)
            if runtime.local:
                result.get()  # it ran here: let an error in the runner surface
        except Exception as exc:  # no broker: the command cannot run; say so in the command
            from .runner import fail_command

            if self.get_command(command_id).status == State.PENDING:
                fail_command(self, command_id, f"did not run: {type(exc).__name__}: {exc}")
            raise
        return self.get_command(command_id)

    def get_command(self, command_id: int) -> CommandInfo:
        with self.session() as session:
            return _command_info(self._command(session, command_id))

    def _command(self, session: Session, command_id: int) -> ServiceCommand:
        command = session.get(ServiceCommand, command_id)
        if command is None:
            raise OpsError(f"command {command_id} does not exist; see `om ops commands`")
        return command

    def list_commands(self, username: str | None = None, deployment_id: int | None = None,
                      limit: int = 100) -> list[CommandInfo]:
        with self.session() as session:
            query = select(ServiceCommand).join(ServiceDeployment).order_by(ServiceCommand.id.desc()).limit(limit)
            if username is not None:
                query = query.where(ServiceDeployment.username == username)
            if deployment_id is not None:
                query = query.where(ServiceCommand.deployment_id == deployment_id)
            return [_command_info(c) for c in session.scalars(query)]

    def wait(self, command_id: int, timeout: float = 60, interval: float = 0.05) -> CommandInfo:
        """The command once it is COMPLETED or FAILED; TimeoutError (naming its state) after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            command = self.get_command(command_id)
            if command.status not in UNFINISHED:
                return command
            if time.monotonic() > deadline:
                raise TimeoutError(f"command {command_id} is still {command.status.name} after {timeout} s; "
                                   "is a worker running (`om worker`)? see `om ops tasks " f"{command_id}`")
            time.sleep(interval)


def _bucket_of(username: str, settings: dict) -> str:
    from omegaml_core.names import validate_bucket

    from .steps import bucket_for

    try:
        return validate_bucket(settings.get("bucket") or bucket_for(username))
    except ValueError as exc:
        raise OpsError(f"deployment setting 'bucket': {exc}") from None


def _use_wal(url: str) -> None:
    """Readers do not block the writer in WAL mode (workers, servers and pollers share the file); it persists."""
    if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
        return
    engine = create_engine(url, **_sqlite_options(url))
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    finally:
        engine.dispose()


def _sqlite_options(url: str | None) -> dict[str, Any]:
    # many writers (server threads, workers) share one SQLite file: wait for the lock instead of failing
    if url is None or url.startswith("sqlite"):
        return {"connect_args": {"check_same_thread": False, "timeout": 60}}
    return {}


def _add_steps(plan: ServicePlan, steps: list[StepInfo]) -> None:
    positions: dict[str, int] = {}
    for step in steps:
        position = positions.get(step.action, 0)
        positions[step.action] = position + 1
        plan.steps.append(ServiceConfiguration(action=step.action, position=position, name=step.name, kind=step.kind,
                                               target=step.target, params=json.dumps(step.params),
                                               timeout=step.timeout))


def _plan_info(plan: ServicePlan) -> PlanInfo:
    steps = tuple(StepInfo(s.name, s.kind, s.target, json.loads(s.params), s.action, s.timeout)
                  for s in sorted(plan.steps, key=lambda s: (ACTIONS.index(s.action), s.position)))
    return PlanInfo(plan.name, plan.description, bool(plan.active), json.loads(plan.settings), steps)


def _deployment_info(deployment: ServiceDeployment) -> DeploymentInfo:
    return DeploymentInfo(deployment.id, deployment.plan.name, deployment.username, deployment.bucket, json.loads(deployment.settings),
                          State(deployment.status), aware(deployment.created), aware(deployment.modified))


def _command_info(command: ServiceCommand) -> CommandInfo:
    tasks = tuple(TaskInfo(t.id, t.position, t.name, t.kind, State(t.status), t.attempts, t.exit_code, t.output,
                           aware(t.started), aware(t.finished)) for t in command.tasks)
    deployment = command.deployment
    return CommandInfo(command.id, command.action, deployment.id, deployment.plan.name, deployment.username,
                       command.issued_by, aware(command.issued), State(command.status), command.message,
                       aware(command.finished), State(deployment.status), tasks)
