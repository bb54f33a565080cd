"""Request ids, the body size limit, Prometheus metrics and structured access logs, as one ASGI middleware.

Metrics (``/metrics``): ``omega_http_requests_total`` and
``omega_http_request_seconds`` by method, route template and status, and
``omega_model_requests_total`` by model and status for model routes. The
access log (logger ``omegaml_server.access``) is one JSON object per request:
request id, method, route, path, status, duration, user and bucket; never a
header or a key. Metrics are per process (with ``--workers N`` each worker
counts its own).
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from .problems import PROBLEM_TYPE, Problem

access_log = logging.getLogger("omegaml_server.access")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_metrics: dict[str, Any] = {}


def metrics() -> dict[str, Any]:
    """The process's Prometheus metrics (created once)."""
    if not _metrics:
        from prometheus_client import Counter, Histogram

        _metrics["requests"] = Counter("omega_http_requests_total", "HTTP requests", ["method", "route", "status"])
        _metrics["latency"] = Histogram("omega_http_request_seconds", "HTTP request latency", ["method", "route"],
                                        buckets=(.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
        _metrics["errors"] = Counter("omega_http_errors_total", "HTTP responses with status >= 400",
                                     ["method", "route", "status"])
        _metrics["models"] = Counter("omega_model_requests_total", "requests to model routes", ["model", "status"])
    return _metrics


def route_of(scope: dict) -> str:
    """The route template of a request (``/api/v1/model/{name:path}/predict``), or ``unmatched``."""
    path = getattr(scope.get("route"), "path", None)
    if path is None:
        return "unmatched"
    # routers included with a prefix keep their own path in the scope
    for prefix in ("/api/v1", "/ui"):
        if scope.get("path", "").startswith(prefix + "/") and not path.startswith(prefix + "/"):
            return prefix + path
    return path


class BodyTooLarge(Exception):
    pass


class ObservabilityMiddleware:
    """Wraps the app: request id, body limit (413), metrics and the access log."""

    def __init__(self, app: Any, max_body: int) -> None:
        self.app = app
        self.max_body = max_body
        metrics()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID_RE.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = {"code": 500, "started": False}
        limit = self.max_body

        async def send_with_id(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"], status["started"] = message["status"], True
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        length = headers.get(b"content-length")
        try:
            if length is not None and length.isdigit() and int(length) > limit:
                raise BodyTooLarge()
            received = 0

            async def limited_receive() -> dict:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:
                        raise BodyTooLarge()
                return message

            await self.app(scope, limited_receive, send_with_id)
        except BodyTooLarge:
            if status["started"]:
                raise
            problem = Problem(413, detail=f"the request body is larger than this server accepts ({limit} bytes); "
                                          "send less data per request, or start the server with a larger --max-body")
            body = json.dumps(problem.body(scope.get("path"))).encode()
            await send_with_id({"type": "http.response.start", "status": 413,
                                "headers": [(b"content-type", PROBLEM_TYPE.encode()),
                                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": body})
        finally:
            self.record(scope, status["code"], time.perf_counter() - start, request_id)

    def record(self, scope: dict, code: int, seconds: float, request_id: str) -> None:
        route = route_of(scope)
        method = scope.get("method", "")
        found = metrics()
        found["requests"].labels(method, route, str(code)).inc()
        found["latency"].labels(method, route).observe(seconds)
        if code >= 400:
            found["errors"].labels(method, route, str(code)).inc()
        model = (scope.get("path_params") or {}).get("name") if route.startswith(("/api/v1/model/", "/v2/models/")) else None
        if model:
            found["models"].labels(model, str(code)).inc()
        if access_log.isEnabledFor(logging.INFO):
            state = scope.get("state") or {}
            principal = state.get("principal")
            access_log.info(json.dumps({
                "request_id": request_id, "method": method, "route": route, "path": scope.get("path"),
                "status": code, "ms": round(seconds * 1000, 3),
                "user": getattr(principal, "username", None), "bucket": state.get("bucket"),
                "client": (scope.get("client") or ("?",))[0]}))
