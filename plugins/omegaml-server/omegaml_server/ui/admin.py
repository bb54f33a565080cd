"""Admin pages (``/ui/admin/...``): users (list, add, disable, enable) and grants (list, add, revoke).

Only admins (the ``admin`` role on every bucket, ``*``) see these pages and their
links; everyone else gets 403, for the pages and for their forms. Disabling a
user ends their sessions at once (and their keys fail on the REST API); an admin
may not disable themselves nor revoke their own ``*`` grant (they would lock
themselves out).
"""
from __future__ import annotations

from typing import Any

from ..accounts import AccountsError
from ..accounts.roles import ANY_BUCKET, ROLES
from ..problems import Problem
from .context import UI_PREFIX, Page, UiContext

USERS = f"{UI_PREFIX}/admin/users"
GRANTS = f"{UI_PREFIX}/admin/grants"


def admin_only(ui: UiContext, dependency: Any) -> Any:
    """A dependency: the page of ``dependency`` (``ui.page(None)`` or ``ui.form(None)``) if its user is an admin."""
    from fastapi import Depends

    async def checked(page: Page = Depends(dependency)) -> Page:
        if not page.admin:
            raise Problem(403, detail=f"only admins may manage users and grants; you ({page.username}) are not one. "
                                      f"An admin makes you one with: om grants add {page.username} '*' admin")
        return page

    return checked


def routes(ui: UiContext) -> Any:
    from fastapi import APIRouter, Depends

    router = APIRouter(include_in_schema=False)
    admin_page, admin_form = admin_only(ui, ui.page(None)), admin_only(ui, ui.form(None))
    # no navigation-bar links of their own: "Account" leads here, and the account pages show admins these tabs

    @router.get("/admin")
    async def admin_home(page: Page = Depends(admin_page)) -> Any:
        return ui.redirect(USERS)

    @router.get("/admin/users")
    async def users_page(page: Page = Depends(admin_page)) -> Any:
        users = await ui.api.run_async(_users, ui)
        return ui.render(page, "admin_users.html", users=users, roles=ROLES)

    @router.post("/admin/users")
    async def add_user(page: Page = Depends(admin_form)) -> Any:
        form = page.form
        username, email = str(form.get("username", "")).strip(), str(form.get("email", "")).strip() or None
        bucket, role = str(form.get("bucket", "")).strip(), str(form.get("role", "read"))

        def create() -> Any:
            from omegaml_core.names import validate_bucket

            if bucket and role not in ROLES:
                raise AccountsError(f"role {role!r} is not one of {', '.join(ROLES)}")
            if bucket and bucket != ANY_BUCKET:
                try:
                    validate_bucket(bucket)  # before the user is created, so a bad bucket creates nothing
                except ValueError as exc:
                    raise AccountsError(str(exc)) from None
            ui.accounts.create_user(username, email)
            if bucket:
                ui.accounts.grant(username, bucket, role, ui.api.settings.context)
            if form.get("create_key"):
                return ui.accounts.create_key(username, label="created in the web UI")
            return None

        try:
            key = await ui.api.run_async(create)
        except AccountsError as exc:
            return ui.redirect(USERS, f"user not added: {exc}", "error")
        granted = f" with {role} on bucket {bucket}" if bucket else " (no grant yet: add one on the grants page)"
        if key is not None:
            return ui.render(page, "key_created.html", key=key, back=USERS, note=f"Added user {username}{granted}.")
        return ui.redirect(USERS, f"added user {username}{granted}; they sign in with a key: create one with "
                                  f"`om keys create {username}`", "success")

    @router.post("/admin/users/{username}/{change}")
    async def change_user(username: str, change: str, page: Page = Depends(admin_form)) -> Any:
        if change not in ("disable", "enable"):
            raise ui.problem(404, f"users can be disabled or enabled, not {change!r}; use the buttons on {USERS}")
        if change == "disable" and username == page.username:
            return ui.redirect(USERS, "you cannot disable yourself: another admin must do it", "error")

        def apply() -> int:
            # disabling ends the user's sessions too; count them first, for the message
            ended = ui.sessions.end_all(username) if change == "disable" else 0
            ui.accounts.set_active(username, change == "enable")
            return ended

        try:
            ended = await ui.api.run_async(apply)
        except AccountsError as exc:
            return ui.redirect(USERS, str(exc), "error")
        if change == "disable":
            return ui.redirect(USERS, f"disabled {username}: their keys fail from now on and {ended} web session"
                                      f"{'' if ended == 1 else 's'} ended", "success")
        return ui.redirect(USERS, f"enabled {username}: their keys that are not revoked or expired work again",
                           "success")

    @router.get("/admin/grants")
    async def grants_page(page: Page = Depends(admin_page)) -> Any:
        grants, users = await ui.api.run_async(lambda: (ui.accounts.list_grants(), ui.accounts.list_users()))
        return ui.render(page, "admin_grants.html", grants=grants, users=users, roles=ROLES,
                         context_name=ui.api.settings.context)

    @router.post("/admin/grants")
    async def add_grant(page: Page = Depends(admin_form)) -> Any:
        username, bucket = str(page.form.get("username", "")).strip(), str(page.form.get("bucket", "")).strip()
        role = str(page.form.get("role", ""))
        try:
            if role not in ROLES:
                raise AccountsError(f"role {role!r} is not one of {', '.join(ROLES)}")
            grant = await ui.api.run_async(ui.accounts.grant, username, bucket, role, ui.api.settings.context)
        except AccountsError as exc:
            return ui.redirect(GRANTS, f"not granted: {exc}", "error")
        return ui.redirect(GRANTS, f"granted {grant.role} on bucket {grant.bucket} to {grant.username}", "success")

    @router.post("/admin/grants/revoke")
    async def revoke_grant(page: Page = Depends(admin_form)) -> Any:
        username, bucket = str(page.form.get("username", "")), str(page.form.get("bucket", ""))
        context = str(page.form.get("context", "")) or ui.api.settings.context
        if username == page.username and bucket == ANY_BUCKET and context == ui.api.settings.context:
            return ui.redirect(GRANTS, "you cannot revoke your own admin grant on every bucket: another admin must "
                                       "do it", "error")
        try:
            removed = await ui.api.run_async(ui.accounts.revoke_grant, username, bucket, context)
        except AccountsError as exc:
            return ui.redirect(GRANTS, str(exc), "error")
        if not removed:
            return ui.redirect(GRANTS, f"{username} had no grant on bucket {bucket} (context {context})", "error")
        return ui.redirect(GRANTS, f"revoked the grant of {username} on bucket {bucket}", "success")

    return router


def _users(ui: UiContext) -> list[dict[str, Any]]:
    """Each user with their grants (of this server's context) and how many usable keys they have."""
    context = ui.api.settings.context
    grants: dict[str, list[Any]] = {}
    for grant in ui.accounts.list_grants():
        if grant.context == context:
            grants.setdefault(grant.username, []).append(grant)
    usable: dict[str, int] = {}
    for key in ui.accounts.list_keys():
        usable[key.username] = usable.get(key.username, 0) + (1 if key.usable else 0)
    return [{"user": u, "grants": grants.get(u.username, []), "keys": usable.get(u.username, 0)}
            for u in ui.accounts.list_users()]
