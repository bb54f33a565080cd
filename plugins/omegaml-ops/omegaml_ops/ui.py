"""Operations pages of the web UI (the ``omegaml.ui`` entry point ``ops``), at ``/ui/ops``, for admins only.

- ``/ui/ops``: plans, deployments with their state, the newest commands;
- ``/ui/ops/deployments/{id}``: a deployment and its commands;
- ``/ui/ops/commands/{id}``: a command and its tasks (exit code, output); a FAILED one can be retried.

Admins are users with the ``admin`` role on every bucket (``*``), as for the ops REST API.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).parent / "templates"
OPS = "/ui/ops"
RECENT_COMMANDS = 20


def pages(ui: Any) -> Any:
    """The ops router for omegaml-server's web UI (``ui`` is its ``UiContext``)."""
    from fastapi import APIRouter, Depends

    from omegaml_server.ui.admin import admin_only

    from .service import Ops, OpsError

    ui.add_templates(TEMPLATES)
    ui.add_nav("Operations", OPS, admin=True)
    router = APIRouter(include_in_schema=False)
    admin_page, admin_form = admin_only(ui, ui.page(None)), admin_only(ui, ui.form(None))
    opened: list[Ops] = []

    def ops() -> Ops:
        if not opened:  # opened on first use: the server starts without touching the operations database
            opened.append(Ops(accounts=ui.accounts, omega=ui.api.base))
        return opened[0]

    def found(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except OpsError as exc:
            raise ui.problem(404, str(exc)) from None

    @router.get("/ops")
    async def ops_home(removed: bool = False, page: Any = Depends(admin_page)) -> Any:
        values = await ui.api.run_async(lambda: {
            "plans": ops().list_plans(include_inactive=True),
            "deployments": ops().list_deployments(include_removed=removed),
            "commands": ops().list_commands(limit=RECENT_COMMANDS)})
        return ui.render(page, "ops_home.html", removed=removed, **values)

    @router.get("/ops/deployments/{deployment_id}")
    async def deployment_page(deployment_id: int, page: Any = Depends(admin_page)) -> Any:
        values = await ui.api.run_async(lambda: {
            "deployment": found(ops().get_deployment, deployment_id),
            "commands": ops().list_commands(deployment_id=deployment_id)})
        return ui.render(page, "ops_deployment.html", **values)

    @router.get("/ops/commands/{command_id}")
    async def command_page(command_id: int, page: Any = Depends(admin_page)) -> Any:
        command = await ui.api.run_async(found, ops().get_command, command_id)
        return ui.render(page, "ops_command.html", command=command)

    @router.post("/ops/commands/{command_id}/retry")
    async def retry(command_id: int, page: Any = Depends(admin_form)) -> Any:
        try:
            command = await ui.api.run_async(ops().retry, command_id, page.username)
        except (OpsError, ValueError) as exc:
            return ui.redirect(f"{OPS}/commands/{command_id}", f"not retried: {exc}", "error")
        return ui.redirect(f"{OPS}/commands/{command.id}", f"command {command_id} runs again from its failed task",
                           "success")

    return router
