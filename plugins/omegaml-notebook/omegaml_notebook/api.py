"""REST routes for notebook jobs (the ``omegaml.api`` entry point; omegaml-server mounts them under /api/v1).

    POST   /job/{name}/run        {"parameters": {...}, "timeout": s, "cell_timeout": s}   role run
    GET    /job/{name}/runs       stored runs, newest first                                 role read
    GET    /job/{name}/schedule   the schedule, with the next 5 times                       role read
    PUT    /job/{name}/schedule   {"spec": "0 6 * * FRI", "tz": "Europe/Zurich", "parameters": {}}  role write
    DELETE /job/{name}/schedule                                                             role write

``?async=1`` on run answers 202 with the task's Location (the server's task_response).
"""
# no `from __future__ import annotations`: FastAPI must see the real types of the parameters

import inspect
from typing import Any


def routes(api: Any) -> Any:
    """The APIRouter of notebook jobs, written against the server's ApiContext."""
    from fastapi import APIRouter, Body, Depends, Request

    from omegaml_core.errors import ObjectNotFound

    from .errors import ScheduleError
    from .runner import runs as list_runs
    from .schedule import drop_schedule, get_schedule, next_times, set_schedule

    router = APIRouter(tags=["jobs"])

    async def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await api.run_async(fn, *args, **kwargs)
        except ObjectNotFound as exc:
            raise api.problem(404, "Not Found", str(exc)) from None
        except (ScheduleError, ValueError, TypeError) as exc:
            raise api.problem(400, "Bad Request", str(exc)) from None

    @router.post("/job/{name:path}/run")
    async def run(name: str, request: Request, body: dict = Body(default={}), om: Any = Depends(api.omega("run"))) -> Any:
        from .parameters import check_parameters

        def submit() -> Any:
            om.jobs.metadata(name)  # 404 before anything is sent
            check_parameters(body.get("parameters"))
            return om.runtime.job(name).run(parameters=body.get("parameters"), timeout=body.get("timeout"),
                                            cell_timeout=body.get("cell_timeout"))

        response = api.task_response(await call(submit), request)
        return await response if inspect.isawaitable(response) else response

    @router.get("/job/{name:path}/runs")
    async def runs(name: str, om: Any = Depends(api.omega("read"))) -> Any:
        metas = await call(list_runs, om, name)
        return [{"name": m.name, **m.attributes} for m in metas]

    @router.get("/job/{name:path}/schedule")
    async def show_schedule(name: str, om: Any = Depends(api.omega("read"))) -> Any:
        current = await call(get_schedule, om, name)
        if current is None:
            raise api.problem(404, "Not Found", f"job {name!r} has no schedule")
        return {**current, "next_times": await call(next_times, om, name, 5)}

    @router.put("/job/{name:path}/schedule")
    async def put_schedule(name: str, body: dict = Body(...), om: Any = Depends(api.omega("write"))) -> Any:
        return await call(set_schedule, om, name, body.get("spec"), body.get("tz", "UTC"), body.get("parameters"))

    @router.delete("/job/{name:path}/schedule")
    async def delete_schedule(name: str, om: Any = Depends(api.omega("write"))) -> Any:
        return {"dropped": await call(drop_schedule, om, name)}

    return router
