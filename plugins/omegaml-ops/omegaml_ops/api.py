"""REST routes of omegaml-ops (the ``omegaml.api`` entry point ``ops``), mounted under ``/api/v1/ops``.

| route | who |
|---|---|
| ``POST /ops/signup`` | anyone (no key): creates the user, answers with the API key once |
| ``POST /ops/reset``, ``GET /ops/user`` | the user (their own key) |
| ``GET/POST /ops/commands``, ``GET /ops/commands/{id}``, ``POST /ops/commands/{id}/retry``, ``GET /ops/deployments``, ``GET /ops/usage`` | active users (their own deployments), admins (all) |
| ``GET/POST /ops/plans``, ``GET/DELETE /ops/plans/{name}``, ``PUT /ops/plans/{name}/configuration``, ``GET /ops/users/{name}``, ``POST /ops/users/{name}/activate|deactivate`` | admins |

An admin is a user with the ``admin`` role on every bucket (``om grants add NAME '*' admin``)
of the server's context. Users set only the settings their plan declares (never the bucket);
``OMEGA_OPS_SIGNUP=closed`` makes sign-up an admin route. A deactivated user's keys fail (401) like unknown keys.
State values in responses are the numbers of ``omegaml_ops.states.State``. (No ``from __future__ import
annotations`` here: FastAPI must resolve the body models defined inside ``routes()``.)
"""

import os
from typing import Any

from .states import IllegalTransition

PREFIX = "/ops"


class Caller:
    """Who calls: the user name and whether they are an admin."""

    def __init__(self, username: str, admin: bool) -> None:
        self.username, self.admin = username, admin


def routes(api: Any) -> Any:
    """The ops router for omegaml-server (``api`` is its ``ApiContext``)."""
    from fastapi import APIRouter, Depends, Request
    from fastapi.responses import JSONResponse
    from pydantic import BaseModel, ConfigDict, Field

    from omegaml_server.accounts import ANY_BUCKET, AccountsError

    from .service import DeploymentBusy, Ops, OpsError
    from .users import activate, deactivate, ensure_builtin_plans, reset, signup, user_resource
    from .usage import report
    from .usage_log import count_requests

    ops = Ops(accounts=api.accounts, omega=api.base)
    ensure_builtin_plans(ops)
    count_requests(ops.engine)
    router = APIRouter(prefix=PREFIX, tags=["ops"])

    def authenticate(request: Request) -> Caller:
        principal = api.principal(request)  # also names the user in the access log (and so in usage)
        admin = api.accounts.role_of(principal.username, ANY_BUCKET, api.settings.context) == "admin"
        return Caller(principal.username, admin)

    async def caller(request: Request) -> Caller:
        return await api.run_async(authenticate, request)

    async def admin(request: Request) -> Caller:
        found = await caller(request)
        if not found.admin:
            raise api.problem(403, "Forbidden", f"user {found.username!r} is not an operations admin (needs the admin "
                                                f"role on every bucket: om grants add {found.username} '*' admin)")
        return found

    async def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
        def guarded() -> Any:
            try:
                return fn(*args, **kwargs)
            except DeploymentBusy as exc:
                raise api.problem(409, "Conflict", str(exc)) from None
            except IllegalTransition as exc:
                raise api.problem(409, "Conflict", str(exc)) from None
            except (OpsError, AccountsError) as exc:
                status = 404 if "does not exist" in str(exc) else 409 if "exists already" in str(exc) else 400
                raise api.problem(status, "Bad Request" if status == 400 else "Not Found" if status == 404
                                  else "Conflict", str(exc)) from None

        return await api.run_async(guarded)

    def own_command(who: Caller, command_id: int) -> Any:
        command = ops.get_command(command_id)
        if not who.admin and command.username != who.username:
            raise OpsError(f"command {command_id} does not exist; see GET /api/v1/ops/commands")
        return command

    class SignupBody(BaseModel):
        model_config = ConfigDict(extra="forbid")
        username: str = Field(min_length=1, max_length=64)
        email: str | None = Field(default=None, max_length=320)

    class CommandBody(BaseModel):
        model_config = ConfigDict(extra="forbid")
        action: str = Field(description="install (with plan), configure or remove (with deployment)")
        plan: str | None = None
        deployment: int | None = None
        settings: dict | None = None
        username: str | None = Field(default=None, description="admins only: install for this user")

    class PlanBody(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str
        description: str = ""
        steps: list[dict] = []
        settings: dict | None = None

    class ConfigurationBody(BaseModel):
        model_config = ConfigDict(extra="forbid")
        steps: list[dict]
        action: str | None = None

    def check_settings(who: Caller, plan: str, settings: dict | None) -> None:
        """Users may set only the settings their plan declares (admins: any), and never the bucket."""
        if who.admin or not settings:
            return
        declared = set(ops.get_plan(plan).settings) - {"bucket"}
        extra = sorted(set(settings) - declared)
        if extra:
            raise api.problem(403, "Forbidden", f"settings {extra} cannot be set by users on plan {plan!r}; "
                                                f"settable: {sorted(declared) or 'none'}")

    def accepted(command: Any) -> Any:
        location = f"/api/v1{PREFIX}/commands/{command.id}"
        return JSONResponse(command.as_dict(), status_code=202, headers={"Location": location})

    # --- sign-up and the user resource ------------------------------------------------------------------
    @router.post("/signup", status_code=201, summary="sign up: a user, an API key (shown once) and the omegaml plan")
    async def signup_route(body: SignupBody, request: Request) -> Any:
        if os.environ.get("OMEGA_OPS_SIGNUP", "open") == "closed":
            await admin(request)  # sign-up by admins only
        new = await call(signup, ops, body.username, body.email)
        return JSONResponse(new.as_dict(), status_code=201)

    @router.post("/reset", summary="a new API key for the caller; every older key is revoked")
    async def reset_route(who: Caller = Depends(caller)) -> Any:
        key = await call(reset, ops, who.username)
        return {"username": key.username, "key_id": key.key_id, "apikey": key.secret}

    @router.get("/user", summary="the caller's profile, keys (no secrets) and deployments")
    async def user_route(who: Caller = Depends(caller)) -> Any:
        return await call(user_resource, ops, who.username)

    @router.get("/users/{username}", summary="a user's profile (admins)")
    async def get_user(username: str, who: Caller = Depends(admin)) -> Any:
        return await call(user_resource, ops, username)

    @router.post("/users/{username}/{change}", summary="activate or deactivate a profile (admins)")
    async def change_user(username: str, change: str, who: Caller = Depends(admin)) -> Any:
        if change not in ("activate", "deactivate"):
            raise api.problem(404, "Not Found", f"use /users/{username}/activate or /users/{username}/deactivate")
        await call(activate if change == "activate" else deactivate, ops, username)
        return await call(user_resource, ops, username)

    # --- commands and deployments -----------------------------------------------------------------------
    @router.post("/commands", status_code=202, summary="issue a command: install a plan, configure or remove a deployment")
    async def issue(body: CommandBody, who: Caller = Depends(caller)) -> Any:
        if body.action == "install":
            if not body.plan:
                raise api.problem(400, "Bad Request", "an install command needs a plan; see GET /api/v1/ops/plans")
            if body.username and body.username != who.username and not who.admin:
                raise api.problem(403, "Forbidden", "only admins install for other users")
            await call(check_settings, who, body.plan, body.settings)
            return accepted(await call(ops.install, body.plan, body.username or who.username,
                                       issued_by=who.username, settings=body.settings))
        if body.action not in ("configure", "remove"):
            raise api.problem(400, "Bad Request", f"action {body.action!r} is not one of install, configure, remove")
        if body.deployment is None:
            raise api.problem(400, "Bad Request", f"a {body.action} command needs a deployment id; "
                                                  "see GET /api/v1/ops/deployments")
        deployment = await call(ops.get_deployment, body.deployment)
        if deployment.username != who.username and not who.admin:
            raise api.problem(404, "Not Found", f"deployment {body.deployment} does not exist; "
                                                "see GET /api/v1/ops/deployments")
        if body.action == "remove":
            return accepted(await call(ops.remove, body.deployment, who.username))
        await call(check_settings, who, deployment.plan, body.settings)
        return accepted(await call(ops.configure, body.deployment, who.username, body.settings))

    @router.get("/commands", summary="commands, newest first (the caller's; admins: all or ?user=)")
    async def list_commands(user: str | None = None, deployment: int | None = None,
                            who: Caller = Depends(caller)) -> Any:
        username = user if who.admin else who.username
        return [c.as_dict() for c in await call(ops.list_commands, username, deployment)]

    @router.get("/commands/{command_id}", summary="a command and its tasks")
    async def get_command(command_id: int, who: Caller = Depends(caller)) -> Any:
        return (await call(own_command, who, command_id)).as_dict()

    @router.post("/commands/{command_id}/retry", status_code=202, summary="run a FAILED command again from its failed task")
    async def retry(command_id: int, who: Caller = Depends(caller)) -> Any:
        await call(own_command, who, command_id)
        return accepted(await call(ops.retry, command_id, who.username))

    @router.get("/deployments", summary="deployments (the caller's; admins: all or ?user=)")
    async def deployments(user: str | None = None, who: Caller = Depends(caller)) -> Any:
        username = user if who.admin else who.username
        return [d.as_dict() for d in await call(ops.list_deployments, username)]

    @router.get("/usage", summary="task seconds and requests per day of a month (the caller's; admins: ?user=)")
    async def usage(month: str, user: str | None = None, who: Caller = Depends(caller)) -> Any:
        if user and user != who.username and not who.admin:
            raise api.problem(403, "Forbidden", "only admins see other users' usage")
        try:
            return await api.run_async(report, ops.engine, user or who.username, month)
        except ValueError as exc:
            raise api.problem(400, "Bad Request", str(exc)) from None

    # --- plans and their configurations (admins) ----------------------------------------------------------
    @router.get("/plans", summary="plans (admins)")
    async def list_plans(all: bool = False, who: Caller = Depends(admin)) -> Any:
        return [p.as_dict() for p in await call(ops.list_plans, all)]

    @router.post("/plans", status_code=201, summary="define a plan with its steps (admins)")
    async def create_plan(body: PlanBody, who: Caller = Depends(admin)) -> Any:
        plan = await call(ops.create_plan, body.name, body.description, body.steps, body.settings)
        return JSONResponse(plan.as_dict(), status_code=201)

    @router.get("/plans/{name}", summary="a plan and its steps (admins)")
    async def get_plan(name: str, who: Caller = Depends(admin)) -> Any:
        return (await call(ops.get_plan, name)).as_dict()

    @router.put("/plans/{name}/configuration", summary="replace a plan's steps (admins)")
    async def configure_plan(name: str, body: ConfigurationBody, who: Caller = Depends(admin)) -> Any:
        return (await call(ops.configure_plan, name, body.steps, body.action)).as_dict()

    @router.delete("/plans/{name}", summary="delete a plan, or deactivate it if it was deployed (admins)")
    async def delete_plan(name: str, who: Caller = Depends(admin)) -> Any:
        return {"name": name, "result": await call(ops.delete_plan, name)}

    return router
