"""The UI's core pages: sign-in and sign-out, the buckets, a bucket's stores, listings and object pages."""

import logging
import secrets
from typing import Any

from ..accounts.roles import ANY_BUCKET, includes
from ..problems import Problem
from .context import SESSION_COOKIE, STORES, UI_PREFIX, Page, UiContext, check_same_origin, read_form, safe_next

log = logging.getLogger("omegaml_server.ui")
SIGNIN_COOKIE = "omega_signin"  # the sign-in form's CSRF token (there is no session yet)
PER_PAGE = 50
#: the REST resource of each store, for the access rules (``dataset/sales``)
RESOURCES = {"datasets": "dataset", "models": "model", "jobs": "job", "scripts": "script"}


def routes(ui: UiContext) -> Any:
    from fastapi import APIRouter, Depends, Query, Request
    from fastapi.responses import RedirectResponse

    router = APIRouter(include_in_schema=False)

    @router.get("/signin")
    async def signin_form(request: Request, next: str | None = None) -> Any:
        return _signin_page(ui, request, next)

    @router.post("/signin")
    async def signin(request: Request) -> Any:
        form = await read_form(request)
        check_same_origin(request)
        expected = request.cookies.get(SIGNIN_COOKIE)
        if not expected or not secrets.compare_digest(expected, str(form.get("csrf", ""))):
            return _signin_page(ui, request, form.get("next"), status=403,
                                error="the sign-in form is out of date; please sign in again")
        username, secret = str(form.get("username", "")).strip(), str(form.get("apikey", "")).strip()
        started = await ui.api.run_async(ui.sessions.start, username, secret) if username and secret else None
        if started is None:
            log.warning("UI sign-in failed for user %r from %s", username[:64],
                        request.client.host if request.client else "?")
            return _signin_page(ui, request, form.get("next"), status=401, username=username,
                                error="the username or API key is not valid (unknown, revoked or expired key, or "
                                      "disabled user); create a key with `om keys create <username>`")
        token, session = started
        response = RedirectResponse(safe_next(form.get("next")), status_code=303)
        response.set_cookie(SESSION_COOKIE, token, max_age=int(ui.sessions.ttl.total_seconds()), path=UI_PREFIX,
                            httponly=True, samesite="lax", secure=_secure(ui, request))
        response.delete_cookie(SIGNIN_COOKIE, path=UI_PREFIX)
        return response

    @router.post("/signout")
    async def signout(request: Request, page: Page = Depends(ui.form(None))) -> Any:
        await ui.api.run_async(ui.sessions.end, request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse(f"{UI_PREFIX}/signin", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=UI_PREFIX, httponly=True, samesite="lax",
                               secure=_secure(ui, request))
        return response

    @router.get("")
    @router.get("/")
    async def home(page: Page = Depends(ui.page(None))) -> Any:
        buckets = await ui.api.run_async(_visible_buckets, ui, page)
        return ui.render(page, "home.html", buckets=buckets, any_bucket=any(b["wildcard"] for b in buckets))

    @router.get("/b")
    async def open_bucket(name: str = Query(..., max_length=64), page: Page = Depends(ui.page(None))) -> Any:
        return RedirectResponse(ui.url(name.strip()), status_code=303)

    @router.get("/b/{bucket}")
    async def bucket_page(bucket: str, page: Page = Depends(ui.page("read"))) -> Any:
        counts = await ui.api.run_async(lambda: {s: len(getattr(page.omega, s).list()) for s in STORES})
        return ui.render(page, "bucket.html", counts=counts)

    @router.get("/b/{bucket}/{store}")
    async def listing(bucket: str, store: str, q: str | None = Query(None, max_length=200),
                      p: int = Query(1, ge=1), page: Page = Depends(ui.page("read"))) -> Any:
        _known_store(store)
        found = await ui.api.run_async(ui.api.call, list_page, getattr(page.omega, store), q, p, PER_PAGE)
        return ui.render(page, "objects.html", store=store, q=q or "", **found)

    @router.get("/b/{bucket}/{store}/{name:path}")
    async def object_page(bucket: str, store: str, name: str, page: Page = Depends(ui.page("read"))) -> Any:
        meta = await ui.api.run_async(_metadata, ui, page, store, name)
        view = ui.view_for(store, meta.kind) or generic_view
        return await ui.api.run_async(view, ui, page, meta)

    @router.post("/b/{bucket}/{store}/{name:path}")
    async def object_action(bucket: str, store: str, name: str, page: Page = Depends(ui.form(None))) -> Any:
        action = str(page.form.get("action", ""))
        registered = ui.actions.get((store, action))
        if registered is None:
            raise Problem(400, detail=f"{store} have no action {action!r}; use the buttons on the object's page")
        role, handler = registered
        if not page.can(role):
            raise Problem(403, detail=f"you ({page.username}) may not {action} in bucket {bucket!r}: it needs role "
                                      f"{role!r}, you have {page.role or 'none'}")
        meta = await ui.api.run_async(_metadata, ui, page, store, name, action)
        return await ui.api.run_async(handler, ui, page, meta)

    for store in STORES:
        ui.object_action(store, "drop", "write")(drop_object)

    return router


def _secure(ui: UiContext, request: Any) -> bool:
    return request.url.scheme == "https" or ui.api.settings.secure_cookies


def _signin_page(ui: UiContext, request: Any, next_url: str | None, status: int = 200, error: str | None = None,
                 username: str = "") -> Any:
    token = secrets.token_urlsafe(32)
    response = ui.render(None, "signin.html", status_code=status, request=request, csrf=token, error=error,
                         next=safe_next(next_url), username=username)
    response.set_cookie(SIGNIN_COOKIE, token, max_age=3600, path=UI_PREFIX, httponly=True, samesite="strict",
                        secure=_secure(ui, request))
    return response


def _known_store(store: str) -> None:
    if store not in STORES:
        raise Problem(404, detail=f"there is no store {store!r}; the stores are {', '.join(STORES)}")


def _metadata(ui: UiContext, page: Page, store: str, name: str, action: str | None = None) -> Any:
    """The object's Metadata, if the access rules expose it; 404 page otherwise."""
    from ..rules import allowed

    _known_store(store)
    target = f"{RESOURCES[store]}/{name}" + (f"/{action}" if action else "")
    if not allowed(target, ui.api.rules, ui.api._key_rules(page.session.principal.rules)):
        raise Problem(403, detail=f"{target!r} is not exposed by this server's or your API key's rules")
    return ui.api.call(getattr(page.omega, store).metadata, name)


def _visible_buckets(ui: UiContext, page: Page) -> list[dict[str, Any]]:
    """The buckets the user has a grant on (with a ``*`` grant: every bucket that holds objects)."""
    context = ui.api.settings.context
    grants = {g.bucket: g.role for g in ui.accounts.list_grants(page.username) if g.context == context}
    wildcard = grants.pop(ANY_BUCKET, None)
    names = set(grants)
    if wildcard is not None:
        names |= set(ui.api.base.buckets()) | {ui.api.base.bucket}
    visible = []
    for name in sorted(names):
        role = grants.get(name)
        if wildcard is not None and (role is None or includes(wildcard, role)):
            role = wildcard
        visible.append({"name": name, "role": role, "wildcard": name not in grants})
    return visible


def list_page(store: Any, pattern: str | None, page_no: int, per_page: int) -> dict[str, Any]:
    """One page of a store's listing: names from the index, then the metadata of the shown ones only."""
    names = store.list(pattern or None)
    pages = max(1, -(-len(names) // per_page))
    page_no = min(page_no, pages)
    shown = names[(page_no - 1) * per_page: page_no * per_page]
    metas = []
    for name in shown:
        try:
            metas.append(store.metadata(name))
        except Exception:  # dropped since it was listed
            continue
    return {"objects": metas, "total": len(names), "page_no": page_no, "pages": pages}


def generic_view(ui: UiContext, page: Page, meta: Any) -> Any:
    """An object page for kinds without a view of their own: kind, times and attributes."""
    store = page.request.path_params["store"]
    return ui.render(page, "object.html", store=store, meta=meta)


def drop_object(ui: UiContext, page: Page, meta: Any) -> Any:
    """``action=drop``: drop the object (the form asks to confirm by typing its name)."""
    store = page.request.path_params["store"]
    if page.form.get("confirm") != meta.name:
        return ui.redirect(ui.url(page.bucket, store, meta.name), f"not dropped: type the name {meta.name!r} to "
                                                                  "confirm", "error")
    ui.api.call(getattr(page.omega, store).drop, meta.name)
    return ui.redirect(ui.url(page.bucket, store), f"dropped {meta.name}", "success")
