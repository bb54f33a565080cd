"""The FastAPI application: the server's resources, the plugins' routes, problems and observability.

``create_app()`` is what ``om serve`` runs in each uvicorn worker (settings from
the environment); tests and embedders pass ``settings``, ``accounts`` and ``omega``.
"""
from __future__ import annotations

import logging
from typing import Any

from .settings import Settings

log = logging.getLogger("omegaml_server")
API_PREFIX = "/api/v1"
PROBLEM_SCHEMA = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
ERROR_RESPONSES = {status: {"description": text, "content": PROBLEM_SCHEMA} for status, text in (
    (400, "bad input"), (401, "no or wrong API key"), (403, "not granted, or not exposed by the rules"),
    (404, "no such object"), (405, "method not allowed"), (406, "not acceptable"), (409, "conflict"),
    (413, "body too large"), (415, "unsupported media type"))}


def create_app(settings: Settings | None = None, accounts: Any = None, omega: Any = None) -> Any:
    """The ASGI app of omegaml-server."""
    from fastapi import FastAPI

    from . import __version__
    from .accounts import Accounts
    from .observability import ObservabilityMiddleware
    from .plugins import ApiContext, include_plugin_routers
    from .routes import datasets, inference, models, tasks

    if settings is None:  # started by `om serve` (uvicorn's factory): log to stderr
        settings = Settings.from_env()
        _log_to_stderr()
    accounts = accounts or Accounts(settings.accounts_url)
    api = ApiContext(accounts, settings, omega)
    app = FastAPI(title="omegaml", version=__version__, responses=ERROR_RESPONSES, docs_url=None, redoc_url=None,
                  description="omega|ml's REST resources and the Open Inference Protocol. Authenticate with "
                              "`Authorization: ApiKey <username>:<apikey>`; choose a bucket with `Bucket: <name>`.")
    app.state.api = api
    for module in (datasets, models, tasks):
        app.include_router(module.routes(api), prefix=API_PREFIX)
    include_plugin_routers(app, api.base.registry.api_extensions(), api, API_PREFIX, "routes")
    app.include_router(inference.routes(api))
    from .ui.mount import mount_ui

    mount_ui(app, api)
    _add_api_docs(app)
    _add_metrics(app)
    _add_problem_handlers(app)
    _add_security_scheme(app)
    app.add_middleware(ObservabilityMiddleware, max_body=settings.max_body)
    return app


def _log_to_stderr() -> None:
    logger = logging.getLogger("omegaml_server")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def _add_api_docs(app: Any) -> None:
    """``/docs``: Swagger UI from the swagger-ui-bundle package, served by this server (no CDN)."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs/assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> Any:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} API",
                                   swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/assets/swagger-ui.css", swagger_favicon_url="data:,")


def _add_metrics(app: Any) -> None:
    from fastapi.responses import Response

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics() -> Any:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _add_problem_handlers(app: Any) -> None:
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    from .problems import PROBLEM_TYPE, Problem, problem_for
    from .ui.mount import error_page
    from .ui.security import is_ui_path

    def respond(request: Any, problem: Problem) -> Any:
        ui = getattr(request.app.state, "ui", None)
        if ui is not None and is_ui_path(request.url.path) and not request.url.path.startswith("/ui/static/"):
            return error_page(ui, request, problem.status, problem.title, problem.detail)
        body = problem.body(request.url.path)
        if request.url.path.startswith("/v2/"):
            body["error"] = problem.detail  # the Open Inference Protocol's error member
        return JSONResponse(body, status_code=problem.status, headers=problem.headers, media_type=PROBLEM_TYPE)

    @app.exception_handler(Problem)
    async def on_problem(request: Any, exc: Problem) -> JSONResponse:
        return respond(request, exc)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Any, exc: RequestValidationError) -> JSONResponse:
        details = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return respond(request, Problem(400, detail=f"invalid request: {details}"))

    @app.exception_handler(HTTPException)
    async def on_http(request: Any, exc: HTTPException) -> JSONResponse:
        detail = {404: f"nothing is at {request.url.path}; see /docs for the API",
                  405: f"{request.method} is not allowed on {request.url.path}; see /docs for the methods"}.get(
            exc.status_code, str(exc.detail))
        problem = Problem(exc.status_code, detail=detail, headers=dict(exc.headers or {}))
        return respond(request, problem)

    @app.exception_handler(Exception)
    async def on_error(request: Any, exc: Exception) -> JSONResponse:
        return respond(request, problem_for(exc))


def _add_security_scheme(app: Any) -> None:
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})["ApiKey"] = {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "ApiKey <username>:<apikey>"}
        components.setdefault("schemas", {})["Problem"] = {
            "type": "object", "required": ["title", "status"],
            "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                           "detail": {"type": "string"}, "instance": {"type": "string"}}}
        for path, operations in schema.get("paths", {}).items():
            if path.startswith("/v2/health") or path == "/v2":
                continue
            for operation in operations.values():
                operation["security"] = [{"ApiKey": []}]
                operation.setdefault("parameters", []).append(
                    {"name": "Bucket", "in": "header", "required": False, "schema": {"type": "string"},
                     "description": "bucket (default omega)"})
                # FastAPI documents 422 for validation errors; this server answers them with 400
                operation.get("responses", {}).pop("422", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi
