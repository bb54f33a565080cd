"""The kinds of steps a configuration has, and the built-in steps of the ``omegaml`` plan.

- ``shell``: a command line, split like a POSIX shell does and run without a
  shell; each argument is templated (``{username}``, ``{bucket}``, ``{plan}``,
  ``{deployment_id}``, ``{command_id}``, the plan's and the deployment's settings
  and the step's params), so a value never becomes shell syntax.
- ``python``: ``module:function``, called as ``function(ctx, **params)`` with a
  ``StepContext``; an exception fails the step with its traceback as output.
- ``script``: a script stored in the user's bucket (``om.scripts``), run through
  the runtime task ``omegaml.script.run`` that omegaml-scripts registers; without
  it the step fails and says so (this is the extension point for omegaml-scripts:
  the task is called as ``fn(om, name, **params)``).

Built-in steps are idempotent: running one again after an interrupted attempt
has the same effect as running it once.
"""
from __future__ import annotations

import importlib
import json
import re
import shlex
import subprocess
import traceback
from dataclasses import dataclass, field
from typing import Any

#: how much of a step's output is kept (the tail)
OUTPUT_TAIL = 4000
SCRIPT_TASK = "omegaml.script.run"
_TEMPLATE_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_BUCKET_CHARS = re.compile(r"[^A-Za-z0-9_-]")


def bucket_for(username: str) -> str:
    """The bucket a user's ``omegaml`` deployment gets: the name, made a valid bucket name without collisions."""
    import hashlib

    clean = _BUCKET_CHARS.sub("-", username).lstrip("-_") or "u"
    if clean != username:  # 'a.b' and 'a-b' must not share a bucket
        clean = f"{clean[:55]}-{hashlib.sha256(username.encode()).hexdigest()[:8]}"
    return clean[:64]


def template(value: Any, variables: dict[str, Any]) -> Any:
    """``value`` with ``{name}`` replaced from ``variables`` (strings, and strings in lists/dicts)."""
    if isinstance(value, str):
        def replace(match: re.Match) -> str:
            name = match[1]
            if name not in variables:
                raise KeyError(f"template {value!r} names {{{name}}}, which is not set; known: "
                               f"{', '.join(sorted(variables))}")
            return str(variables[name])

        return _TEMPLATE_RE.sub(replace, value)
    if isinstance(value, list):
        return [template(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: template(v, variables) for k, v in value.items()}
    return value


@dataclass
class StepContext:
    """What a step sees: the runtime's Omega, the accounts, the deployment's user, bucket and settings."""

    omega: Any
    accounts: Any
    username: str
    bucket: str
    variables: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, ops: Any, omega: Any, command: Any, deployment: Any) -> "StepContext":
        plan = deployment.plan
        settings = {**json.loads(plan.settings), **json.loads(deployment.settings)}
        bucket = deployment.bucket
        variables = {**settings, "username": deployment.username, "bucket": bucket, "plan": plan.name,
                     "deployment_id": deployment.id, "command_id": command.id}
        return cls(omega, ops.accounts, deployment.username, bucket, variables)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    exit_code: int
    output: str


def _tail(text: str) -> str:
    return text[-OUTPUT_TAIL:]


def run_step(ctx: StepContext, task: dict[str, Any]) -> Outcome:
    """Run one task (a dict of kind, target, params, timeout); never raises: failures are Outcomes."""
    try:
        params = template(json.loads(task["params"] or "{}"), ctx.variables)
        variables = {**ctx.variables, **{k: v for k, v in params.items() if isinstance(v, (str, int, float))}}
        runner = {"shell": _shell, "python": _python, "script": _script}[task["kind"]]
        return runner(ctx, task["target"], params, variables, task["timeout"])
    except Exception as exc:
        return Outcome(False, 1, _tail(f"{type(exc).__name__}: {exc}"))


def _shell(ctx: StepContext, target: str, params: dict, variables: dict, timeout: float) -> Outcome:
    argv = [template(arg, variables) for arg in shlex.split(target)]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return Outcome(False, 127, f"command not found: {argv[0]}")
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or "") if isinstance(exc.stdout, str) else (exc.stdout or b"").decode(errors="replace")
        return Outcome(False, 124, _tail(f"{output}\ntimed out after {timeout} s"))
    return Outcome(done.returncode == 0, done.returncode, _tail(done.stdout + done.stderr))


def _python(ctx: StepContext, target: str, params: dict, variables: dict, timeout: float) -> Outcome:
    module, _, name = target.partition(":")
    try:
        fn = getattr(importlib.import_module(module), name)
        result = fn(ctx, **params)
    except Exception:
        return Outcome(False, 1, _tail(traceback.format_exc()))
    return Outcome(True, 0, _tail("" if result is None else str(result)))


def _script(ctx: StepContext, target: str, params: dict, variables: dict, timeout: float) -> Outcome:
    from omegaml_core.runtime.taskdefs import load_tasks

    definition = load_tasks().get(SCRIPT_TASK)
    if definition is None:
        return Outcome(False, 1, f"script steps need omegaml-scripts on the worker (runtime task {SCRIPT_TASK!r} "
                                 "is not installed); install it, or use a shell or python step")
    try:
        result = definition.fn(ctx.omega[ctx.bucket], template(target, variables), **params)
    except Exception:
        return Outcome(False, 1, _tail(traceback.format_exc()))
    return Outcome(True, 0, _tail("" if result is None else json.dumps(result, default=str)))


# --- the built-in steps of the omegaml plan (idempotent) -------------------------------------------------
def grant_bucket(ctx: StepContext, bucket: str, role: str = "run") -> str:
    """Give the deployment's user ``role`` on ``bucket`` (``run`` includes ``write``); a repeat changes nothing."""
    grant = ctx.accounts.grant(ctx.username, bucket, role)
    return f"granted {grant.role} on {grant.context}/{grant.bucket} to {grant.username}"


def check_bucket(ctx: StepContext, bucket: str) -> str:
    """Fail unless the bucket's storage answers (a list of its datasets)."""
    names = ctx.omega[bucket].datasets.list()
    return f"bucket {bucket} is reachable ({len(names)} datasets)"


def revoke_bucket(ctx: StepContext, bucket: str) -> str:
    """Take the user's grant on ``bucket`` away (their data stays); a repeat changes nothing."""
    removed = ctx.accounts.revoke_grant(ctx.username, bucket)
    return f"grant on {bucket} {'revoked' if removed else 'was already gone'}"


#: the built-in plan: a bucket with a run (and so write) grant; the API key is made at sign-up
OMEGAML_PLAN = "omegaml"
OMEGAML_STEPS = [
    {"name": "grant-bucket", "kind": "python", "target": "omegaml_ops.steps:grant_bucket",
     "params": {"bucket": "{bucket}", "role": "run"}},
    {"name": "check-bucket", "kind": "python", "target": "omegaml_ops.steps:check_bucket",
     "params": {"bucket": "{bucket}"}},
    {"name": "revoke-bucket", "kind": "python", "target": "omegaml_ops.steps:revoke_bucket",
     "params": {"bucket": "{bucket}"}, "action": "remove"},
]
