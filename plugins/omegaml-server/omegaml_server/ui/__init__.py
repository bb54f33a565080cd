"""The web UI of omegaml-server, served by ``om serve`` at ``/ui``.

Server-rendered pages (Jinja2, autoescaped) on the same accounts, grants and
Python API as the REST API; no JavaScript build step and nothing loaded from a
CDN. Signing in with a username and an API key opens a session (see
``omegaml_server.accounts.sessions``); every page and action checks the
user's grant on the bucket, like the REST API does.

Plugins add pages through the ``omegaml.ui`` entry-point group: the value is a
function ``pages(ui) -> fastapi.APIRouter``, called once at start-up, whose
router is mounted under ``/ui``. ``ui`` is a :class:`UiContext`; see its
docstring for the contract (pages, forms, templates, navigation and object views).
"""
from .context import Page, UiContext

__all__ = ["Page", "UiContext"]
