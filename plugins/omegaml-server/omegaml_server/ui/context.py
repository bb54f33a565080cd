"""``UiContext``: what the UI's pages, and plugins' pages, get from the server.

The contract for an ``omegaml.ui`` entry point ``pages(ui) -> APIRouter`` (mounted under ``/ui``):

- ``page: Page = Depends(ui.page("read"))`` signs the request in from its session
  cookie (a redirect to the sign-in page otherwise), checks the user's grant for
  the role on the path's ``{bucket}`` (403 page otherwise) and gives the route a
  :class:`Page` (``page.omega`` is the bucket's Omega, ``page.can("write")`` says
  whether to show a write button). ``ui.page(None)`` asks for a session only.
- ``page: Page = Depends(ui.form("write"))``: the same for a state-changing POST,
  plus its form fields in ``page.form``; the form's CSRF token and the request's
  ``Origin`` are checked (403 otherwise). Every form has ``{{ csrf_field() }}``.
- ``ui.render(page, "template.html", **values)`` renders a template that extends
  ``base.html``; ``ui.add_templates(folder)`` adds a plugin's template folder.
- ``ui.redirect(url, message)`` answers a POST with 303 and a one-time message.
- ``raise ui.problem(404, "what is wrong and what to do")`` shows an error page.
- ``ui.add_nav(label, href)`` adds a link to the navigation bar.
- ``@ui.object_view(store, kinds)`` renders the page of an object of those kinds
  (``/ui/b/{bucket}/{store}/{name}``); ``@ui.object_action(store, action, role)``
  handles ``POST`` of that form to the same URL with ``action=...``.
- ``ui.url(bucket, store, name, **query)`` builds a page URL (names are quoted).

Blocking work (the accounts database, the store) runs in worker threads.
"""

import base64
import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlencode, urlsplit

from jinja2 import pass_context
from markupsafe import Markup, escape

from ..accounts.roles import ANY_BUCKET, check_role, includes
from ..problems import Problem

log = logging.getLogger("omegaml_server.ui")
UI_PREFIX = "/ui"
STORES = ("datasets", "models", "jobs", "scripts")
SESSION_COOKIE = "omega_session"
FLASH_COOKIE = "omega_flash"
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


class SignInRequired(Exception):
    """No live session: the answer is a redirect to the sign-in page, coming back to ``next_url`` after."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


@dataclass
class Page:
    """One signed-in request: who, which bucket (if the path has one), their role on it and the form."""

    request: Any
    session: Any
    bucket: str | None = None
    omega: Any = None
    role: str | None = None
    form: dict[str, Any] = field(default_factory=dict)
    #: admin on every bucket (``*``): may administer users, grants and other users' keys
    admin: bool = False

    @property
    def username(self) -> str:
        return self.session.principal.username

    @property
    def csrf(self) -> str:
        return self.session.csrf

    def can(self, role: str) -> bool:
        """True if the user's grant on this page's bucket includes ``role``."""
        return self.role is not None and includes(self.role, role)


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    admin: bool = False


class UiContext:
    """Sessions, grants, templates, forms and object views of the web UI (see the module docstring)."""

    def __init__(self, api: Any, session_ttl: timedelta | None = None) -> None:
        from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

        from ..accounts.sessions import DEFAULT_TTL, Sessions

        self.api = api
        self.accounts = api.accounts
        self.sessions = Sessions(api.accounts, session_ttl or DEFAULT_TTL)
        self._loaders = [FileSystemLoader(str(TEMPLATES))]
        self.env = Environment(loader=ChoiceLoader(self._loaders), autoescape=select_autoescape(default=True),
                               trim_blocks=True, lstrip_blocks=True)
        from . import format as fmt

        self.env.filters.update(fmt.FILTERS)
        self.env.globals.update(url=self.url, stores=STORES, csrf_field=csrf_field)
        self.nav: list[NavLink] = []
        self.views: dict[tuple[str, str | None], Callable[..., Any]] = {}
        self.actions: dict[tuple[str, str], tuple[str, Callable[..., Any]]] = {}

    # --- pages and forms --------------------------------------------------------
    def page(self, role: str | None = "read") -> Callable[..., Any]:
        """A FastAPI dependency: the signed-in :class:`Page`, with ``role`` checked on the path's bucket."""
        from fastapi import Request

        if role is not None:
            check_role(role)

        async def signed_in_page(request: Request) -> Page:
            return await self.api.run_async(self._page, request, role)

        return signed_in_page

    def form(self, role: str | None = "read") -> Callable[..., Any]:
        """A FastAPI dependency for POSTs: like :meth:`page`, plus the form (``page.form``), CSRF-checked."""
        from fastapi import Request

        if role is not None:
            check_role(role)

        async def checked_form(request: Request) -> Page:
            form = await read_form(request)
            page = await self.api.run_async(self._page, request, role)
            check_same_origin(request)
            if not page.session.csrf_matches(form.get("csrf")):
                raise Problem(403, detail="the form is out of date (its CSRF token does not match your session); "
                                          "reload the page and submit it again")
            page.form = form
            return page

        return checked_form

    def _page(self, request: Any, role: str | None) -> Page:
        session = self.sessions.get(request.cookies.get(SESSION_COOKIE))
        if session is None:
            raise SignInRequired(_here(request))
        request.state.principal = session.principal
        bucket = request.path_params.get("bucket")
        page = Page(request, session)
        page.admin = self.is_admin(page)
        if bucket is None:
            return page
        granted = self.accounts.role_of(session.principal.username, bucket, self.api.settings.context)
        if role is not None and (granted is None or not includes(granted, role)):
            raise Problem(403, detail=f"you ({session.principal.username}) may not do this in bucket {bucket!r}: "
                                      f"it needs role {role!r}, you have {granted or 'none'}. Ask an admin for a "
                                      f"grant (om grants add {session.principal.username} {bucket} {role})")
        page.bucket, page.role = bucket, granted
        request.state.bucket = bucket
        page.omega = self.api.omega_for(bucket)
        return page

    def is_admin(self, page: Page) -> bool:
        """True if the user may administer accounts: admin on every bucket (``*``)."""
        role = self.accounts.role_of(page.username, ANY_BUCKET, self.api.settings.context)
        return role is not None and includes(role, "admin")

    def render(self, page: Page | None, template: str, status_code: int = 200, **values: Any) -> Any:
        """The HTML response of ``template`` with ``values`` and the layout's values (user, bucket, nav, CSRF)."""
        from fastapi.responses import HTMLResponse

        request = page.request if page is not None else values.pop("request")
        flash = read_flash(request)
        context = {"page": page, "user": page.username if page else None, "bucket": page.bucket if page else None,
                   "nav": self.nav, "is_admin": bool(page and page.admin), "flash": flash, "csrf": page.csrf if page else values.pop("csrf", ""),
                   "path": request.url.path, **values}
        html = self.env.get_template(template).render(context)
        response = HTMLResponse(html, status_code=status_code)
        if flash is not None:
            response.delete_cookie(FLASH_COOKIE, path=UI_PREFIX)
        return response

    def redirect(self, url: str, message: str | None = None, level: str = "info") -> Any:
        """303 to ``url`` (a POST's answer), showing ``message`` once on the next page."""
        from fastapi.responses import RedirectResponse

        response = RedirectResponse(url, status_code=303)
        if message:
            value = base64.urlsafe_b64encode(json.dumps({"level": level, "text": message[:2000]}).encode()).decode()
            response.set_cookie(FLASH_COOKIE, value, max_age=60, path=UI_PREFIX, httponly=True, samesite="lax")
        return response

    def sent_to_worker(self, page: Page, result: Any, back: str) -> Any | None:
        """For a runtime result that runs on a worker: keep it as the user's task (like ``?async=1``) and answer
        with a redirect to ``back`` that says so. None for a result that already ran in this process."""
        if not (hasattr(result, "id") and hasattr(result, "get")):
            return None
        task_id = self.api.keep_task(result, page.username, page.bucket or "", f"UI {page.request.url.path}")
        return self.redirect(back, f"sent to a worker as task {task_id}; the run shows here when it finishes",
                             "success")

    def problem(self, status: int, detail: str) -> Exception:
        """An exception that shows an error page with ``detail`` (say what is wrong and what to do)."""
        return Problem(status, detail=detail)

    # --- extension points ---------------------------------------------------------
    def add_templates(self, directory: str | Path) -> None:
        """Add a folder of templates (a plugin's); the UI's own templates win on a name clash."""
        from jinja2 import FileSystemLoader

        self._loaders.append(FileSystemLoader(str(directory)))

    def add_nav(self, label: str, href: str, admin: bool = False) -> None:
        """A link in the navigation bar (``admin=True``: shown to admins only)."""
        self.nav.append(NavLink(label, href, admin))

    def object_view(self, store: str, kinds: tuple[str, ...] | None = None) -> Callable[..., Any]:
        """Decorator: ``fn(ui, page, meta) -> response`` renders objects of ``kinds`` (None: any) in ``store``."""
        _check_store(store)

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            for kind in kinds or (None,):
                self.views[(store, kind)] = fn
            return fn

        return register

    def object_action(self, store: str, action: str, role: str) -> Callable[..., Any]:
        """Decorator: ``fn(ui, page, meta) -> response`` handles a POST of ``action=<action>`` on an object."""
        _check_store(store)
        check_role(role)

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.actions[(store, action)] = (role, fn)
            return fn

        return register

    def view_for(self, store: str, kind: str) -> Callable[..., Any] | None:
        return self.views.get((store, kind)) or self.views.get((store, None))

    # --- URLs ---------------------------------------------------------------------
    def url(self, bucket: str | None = None, store: str | None = None, name: str | None = None, **query: Any) -> str:
        """``/ui/b/<bucket>/<store>/<name>?query`` (each part optional from the right; names are quoted)."""
        path = UI_PREFIX
        if bucket is not None:
            path += f"/b/{quote(bucket, safe='')}"
            if store is not None:
                path += f"/{store}"
                if name is not None:
                    path += "/" + quote(name, safe="/")
        query = {k: v for k, v in query.items() if v not in (None, "")}
        return path + (f"?{urlencode(query)}" if query else "")


@pass_context
def csrf_field(context: Any) -> Markup:
    """The hidden CSRF field every state-changing form carries."""
    return Markup(f'<input type="hidden" name="csrf" value="{escape(context.get("csrf") or "")}">')


def _check_store(store: str) -> None:
    if store not in STORES:
        raise ValueError(f"store {store!r} is not one of {', '.join(STORES)}")


def _here(request: Any) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


async def read_form(request: Any) -> dict[str, Any]:
    """A POST's form fields (urlencoded or multipart); repeated fields become lists."""
    form = await request.form()
    values: dict[str, Any] = {}
    for key, value in form.multi_items():
        if key in values:
            values[key] = (values[key] if isinstance(values[key], list) else [values[key]]) + [value]
        else:
            values[key] = value
    return values


def check_same_origin(request: Any) -> None:
    """403 if the request says it comes from another origin (``Origin``, else ``Referer``)."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return  # older browsers send neither on same-origin POSTs; the CSRF token still protects the form
    parts = urlsplit(source)
    if (parts.scheme, parts.netloc) != (request.url.scheme, request.url.netloc):
        raise Problem(403, detail=f"this form was sent from another site ({parts.scheme}://{parts.netloc}); "
                                  "open the page on this server and submit it from there")


def read_flash(request: Any) -> dict[str, str] | None:
    """The one-time message a redirect left, or None."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(raw.encode()))
        level = value["level"] if value["level"] in ("info", "success", "error") else "info"
        return {"level": level, "text": str(value["text"])}
    except (ValueError, KeyError, TypeError):
        return None


def safe_next(url: str | None) -> str:
    """Where to go after signing in: only a path of this UI (no open redirect)."""
    if not url or not url.startswith(UI_PREFIX) or url.startswith("//") or "\\" in url:
        return UI_PREFIX
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return UI_PREFIX
    return url
