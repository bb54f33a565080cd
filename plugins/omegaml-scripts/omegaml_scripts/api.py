"""REST routes for scripts (the ``omegaml.api`` entry point; omegaml-server mounts them under /api/v1).

    POST /script/{name}/run   {"kwargs": {...}, "timeout": s}   role run
    GET  /script/{name}       name, package, version, requirements   role read

``?async=1`` on run answers 202 with the task's Location (the server's task_response).
"""
# no `from __future__ import annotations`: FastAPI must see the real types of the parameters

import inspect
from typing import Any


def routes(api: Any) -> Any:
    """The APIRouter of scripts, written against the server's ApiContext."""
    from fastapi import APIRouter, Body, Depends, Request

    from omegaml_core.backends.pydata import check_json_document
    from omegaml_core.errors import ObjectNotFound

    router = APIRouter(tags=["scripts"])

    async def call(fn: Any, *args: Any) -> Any:
        try:
            return await api.run_async(fn, *args)
        except ObjectNotFound as exc:
            raise api.problem(404, "Not Found", str(exc)) from None
        except (ValueError, TypeError) as exc:
            raise api.problem(400, "Bad Request", str(exc)) from None

    @router.post("/script/{name:path}/run")
    async def run(name: str, request: Request, body: dict = Body(default={}),
                  om: Any = Depends(api.omega("run"))) -> Any:
        kwargs = body.get("kwargs") or {}

        def submit() -> Any:
            if not isinstance(kwargs, dict):
                raise TypeError("kwargs must be an object of argument names and values")
            check_json_document(kwargs)
            om.scripts.metadata(name)
            extra = {"__timeout": body["timeout"]} if body.get("timeout") else {}
            return om.runtime.script(name).run(**kwargs, **extra)

        response = api.task_response(await call(submit), request)
        return await response if inspect.isawaitable(response) else response

    @router.get("/script/{name:path}")
    async def describe(name: str, om: Any = Depends(api.omega("read"))) -> Any:
        meta = await call(om.scripts.metadata, name)
        keep = ("package", "version", "requirements", "modules", "type")
        return {"name": meta.name, **{k: meta.kind_meta.get(k) for k in keep}, "modified": meta.modified.isoformat()}

    return router
