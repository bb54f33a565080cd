"""``/api/v1/task/{id}/result``: the result of an ``async=1`` call (202 while it runs)."""

from typing import Any

from ..plugins import jsonable
from ..problems import Problem, problem_for


def routes(api: Any) -> Any:
    from fastapi import APIRouter, Depends, Request
    from fastapi.responses import JSONResponse

    router = APIRouter(tags=["tasks"])

    @router.get("/task/{task_id}/result", summary="The result of an asynchronous call",
                responses={202: {"description": "still running; ask again"}})
    async def task_result(request: Request, task_id: str, omega: Any = Depends(api.omega("read"))) -> Any:
        caller = (request.state.principal.username, request.state.bucket)
        found = api.tasks.find(task_id)
        if found is not None and found[1:] != caller:
            raise _unknown(task_id)  # someone else's task: the same answer as an unknown id
        if found is not None:
            result = found[0]
        else:
            if omega.runtime.local:
                raise Problem(404, detail=f"no task {task_id!r} was started by you on this server process "
                                          "(without a broker, results live in the process that started them)")
            # started by another server process: only its owner may read it
            if await api.run_async(api.task_owners.owner, task_id) != caller:
                raise _unknown(task_id)
            from omegaml_core.runtime.celeryapp import app_for
            from omegaml_core.runtime.results import RemoteResult

            result = RemoteResult(app_for(omega.config).AsyncResult(task_id))
        pending = JSONResponse({"task_id": task_id, "status": "PENDING"}, status_code=202,
                               headers={"Location": f"/api/v1/task/{task_id}/result"})
        if not await api.run_async(result.ready):
            return pending
        try:
            value = await api.run_async(result.get, 5)
        except Exception as exc:
            problem = problem_for(exc)
            body = {**problem.body(request.url.path), "task_id": task_id, "status": "FAILURE"}
            return JSONResponse(body, status_code=problem.status, media_type="application/problem+json")
        return {"task_id": task_id, "status": "SUCCESS", "response": jsonable(value)}

    return router


def _unknown(task_id: str) -> Problem:
    return Problem(404, detail=f"no task {task_id!r} was started by you in this bucket through this server; "
                               "task ids come from the Location header of an async=1 call")
