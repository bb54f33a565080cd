"""A stand-in for omegaml-server's ``ApiContext``, to test ``omegaml.api`` route modules without the server.

Only for tests of plugins, until omegaml-server provides the real one. It
implements the contract in the project brief: ``omega(role)`` (a FastAPI
dependency checking ``Authorization: ApiKey user:key`` and the user's roles,
``Bucket:`` header), ``problem(status, title, detail)``, ``run_async`` and
``task_response`` (``?async=1`` gives 202 with a Location header). FastAPI is
imported only when an app is built.
"""
from __future__ import annotations

from typing import Any, Callable


class ProblemStandIn(Exception):
    """What ``problem()`` returns: rendered as an RFC 9457 problem document."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


class ApiContextStandIn:
    """``users``: ``{'user:key': {'read', 'run'}}`` (the roles of each key); requests work on ``omega`` or its bucket."""

    def __init__(self, omega: Any, users: dict[str, set[str]]) -> None:
        self.omega_ = omega
        self.users = users

    def omega(self, role: str) -> Callable[..., Any]:
        from fastapi import Header

        def dependency(authorization: str = Header(default=""), bucket: str | None = Header(default=None)) -> Any:
            scheme, _, credentials = authorization.partition(" ")
            if scheme != "ApiKey" or credentials not in self.users:
                raise self.problem(401, "Unauthorized", "send Authorization: ApiKey user:key")
            if role not in self.users[credentials]:
                raise self.problem(403, "Forbidden", f"this key has no {role!r} grant")
            return self.omega_[bucket] if bucket else self.omega_

        return dependency

    def problem(self, status: int, title: str, detail: str) -> Exception:
        return ProblemStandIn(status, title, detail)

    async def run_async(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(fn, *args, **kwargs)

    async def task_response(self, result: Any, request: Any) -> Any:
        from fastapi.responses import JSONResponse

        if request.query_params.get("async") in ("1", "true"):
            return JSONResponse({"id": result.id if hasattr(result, "id") else "local"}, status_code=202,
                                headers={"Location": f"/api/v1/task/{getattr(result, 'id', 'local')}/result"})
        return JSONResponse(await self.run_async(result.get))


def app_with_routes(routes: Callable[[Any], Any], api: ApiContextStandIn) -> Any:
    """A FastAPI app mounting ``routes(api)`` under ``/api/v1``, rendering problems as the server does."""
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    app = FastAPI()

    @app.exception_handler(ProblemStandIn)
    async def render(request: Request, exc: ProblemStandIn) -> JSONResponse:
        return JSONResponse({"status": exc.status, "title": exc.title, "detail": exc.detail}, status_code=exc.status,
                            media_type="application/problem+json")

    app.include_router(routes(api), prefix="/api/v1")
    return app
