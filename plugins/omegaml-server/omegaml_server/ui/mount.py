"""Mounting the web UI on the server's app: its pages, plugins' pages, static files and error pages."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .context import STATIC, UI_PREFIX, SignInRequired, UiContext

def mount_ui(app: Any, api: Any) -> UiContext:
    """Mount the UI at ``/ui`` (``/`` redirects there); returns its :class:`UiContext`."""
    from fastapi.responses import RedirectResponse
    from fastapi.staticfiles import StaticFiles

    from ..plugins import include_plugin_routers
    from . import account, datasets, models, pages, runtime
    from .security import UiSecurityHeaders

    ui = UiContext(api)
    app.state.ui = ui
    for module in (datasets, models, runtime, account):
        app.include_router(module.routes(ui), prefix=UI_PREFIX)
    include_plugin_routers(app, api.base.registry.ui_extensions(), ui, UI_PREFIX, "UI pages")
    app.include_router(pages.routes(ui), prefix=UI_PREFIX)
    app.mount(f"{UI_PREFIX}/static", StaticFiles(directory=str(STATIC)), name="ui-static")

    @app.get("/", include_in_schema=False)
    def root() -> Any:
        return RedirectResponse(UI_PREFIX, status_code=307)

    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Any, exc: SignInRequired) -> Any:
        return RedirectResponse(f"{UI_PREFIX}/signin?next={quote(exc.next_url, safe='')}", status_code=303)

    app.add_middleware(UiSecurityHeaders)
    return ui


def error_page(ui: UiContext, request: Any, status: int, title: str, detail: str) -> Any:
    """An HTML error page that says what went wrong and what to do (signed in or not)."""
    session = ui.sessions.get(request.cookies.get("omega_session"))
    user = session.principal.username if session else None
    html = ui.env.get_template("error.html").render(
        page=None, user=user, bucket=request.path_params.get("bucket"), nav=ui.nav, flash=None, is_admin=False,
        csrf=session.csrf if session else "", path=request.url.path, status=status, title=title, detail=detail)
    from fastapi.responses import HTMLResponse

    return HTMLResponse(html, status_code=status)
