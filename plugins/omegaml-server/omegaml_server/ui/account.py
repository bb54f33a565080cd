"""The account pages: the signed-in user's API keys (create, shown once; revoke) and grants; admin pages under it.

A new key's secret is rendered once, in the answer to the POST that created it
(``Cache-Control: no-store``): never in a URL, a cookie, a redirect or a log.
A revoked key fails at once everywhere, and revoking the key this session was
opened with ends the session. The admin pages (users, grants) live in
:mod:`.admin` and are mounted here.
"""
from __future__ import annotations

from typing import Any

from ..accounts import AccountsError
from .context import UI_PREFIX, Page, UiContext

ACCOUNT = f"{UI_PREFIX}/account"
MAX_LABEL = 100


def routes(ui: UiContext) -> Any:
    from fastapi import APIRouter, Depends

    from . import admin

    router = APIRouter(include_in_schema=False)

    @router.get("/account")
    async def account_page(page: Page = Depends(ui.page(None))) -> Any:
        keys, grants = await ui.api.run_async(
            lambda: (ui.accounts.list_keys(page.username), ui.accounts.list_grants(page.username)))
        return ui.render(page, "account.html", keys=keys, grants=grants, session_key=page.session.principal.key_id)

    @router.post("/account/keys")
    async def create_key(page: Page = Depends(ui.form(None))) -> Any:
        from ..cli import parse_expiry

        label = str(page.form.get("label", "")).strip()[:MAX_LABEL] or None
        try:
            expires = parse_expiry(str(page.form.get("expires", "")).strip() or None)
            key = await ui.api.run_async(ui.accounts.create_key, page.username, label=label, expires=expires)
        except (ValueError, AccountsError) as exc:
            return ui.redirect(ACCOUNT, f"no key created: {str(exc).replace('--expires', 'expiry')}", "error")
        return ui.render(page, "key_created.html", key=key, back=ACCOUNT)

    @router.post("/account/keys/{key_id}/revoke")
    async def revoke_key(key_id: str, page: Page = Depends(ui.form(None))) -> Any:
        own = await ui.api.run_async(ui.accounts.list_keys, page.username)
        if key_id not in {k.key_id for k in own}:
            raise ui.problem(404, f"you ({page.username}) have no API key {key_id!r}; see your keys on the account page")
        await ui.api.run_async(ui.accounts.revoke_key, key_id)
        if key_id == page.session.principal.key_id:
            from .context import SESSION_COOKIE

            await ui.api.run_async(ui.sessions.end, page.request.cookies.get(SESSION_COOKIE))
            response = ui.redirect(f"{UI_PREFIX}/signin", f"revoked key {key_id}, the key you signed in with, so "
                                                          "this session ended; sign in with another key")
            response.delete_cookie(SESSION_COOKIE, path=UI_PREFIX)
            return response
        return ui.redirect(ACCOUNT, f"revoked key {key_id}: it no longer works", "success")

    router.include_router(admin.routes(ui))
    return router
