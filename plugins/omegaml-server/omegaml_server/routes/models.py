"""``/api/v1/model/``: list, metadata (with versions) and every runtime method (``/model/{name}/predict`` ...)."""

import json
from typing import Any

from .. import execution, formats
from ..plugins import jsonable
from ..problems import Problem
from ..tasks import BackgroundResult
from .common import add_list_route, summary

#: keyword arguments a body may give to gridsearch besides "parameters"
BODY_OPTIONS = ("parameters", "cv", "scoring", "error_score", "return_train_score")


def model_metadata(omega: Any, name: str) -> dict:
    from omegaml_core.versioning import versions

    meta = omega.models.metadata(name)
    found = versions(omega.models, meta.name) if "@" not in name else []
    return {**summary(meta), "versions": [{"version": v.attributes.get("version"), "created": v.created.isoformat()}
                                          for v in found]}


def inputs_of(body: bytes, content_type: str | None, datax: str | None, datay: str | None) -> tuple[Any, Any, dict]:
    """X, Y and extra options from the body (JSON or Arrow) and the ``datax``/``datay`` dataset names."""
    options: dict[str, Any] = {}
    x, y = datax, datay
    if body:
        media = formats.MEDIA_TYPES.get((content_type or formats.JSON).split(";")[0].strip().lower())
        if media == formats.JSON:
            try:
                payload = json.loads(body)
            except ValueError as exc:
                raise formats.FormatError(f"the body is not valid JSON: {exc}") from None
            if isinstance(payload, dict) and ("X" in payload or "Y" in payload or "parameters" in payload):
                if payload.get("X") is not None:
                    x = _frame(payload["X"])
                if payload.get("Y") is not None:
                    y = _frame(payload["Y"])
                options = {k: payload[k] for k in BODY_OPTIONS if k in payload}
            else:
                x = formats.frame_from_json(payload)
        elif media is not None:
            x = formats.decode(body, media)
        else:
            raise formats.FormatError(f"Content-Type {content_type!r} is not supported for model inputs; send JSON "
                                      f"or {formats.ARROW}")
    return x, y, options


def _frame(value: Any) -> Any:
    return formats.frame_from_json(value if isinstance(value, (list, dict)) and (isinstance(value, list) or "data" in value)
                                   else {"data": value})


def call_args(method: str, x: Any, y: Any, options: dict, result: str | None) -> tuple[list, dict]:
    """Positional and keyword arguments of the runtime call, with what is missing said clearly."""
    if x is None and method != "gridsearch":
        raise Problem(400, detail=f"{method} needs input: send rows in the body (JSON records or Arrow) "
                                  "or name a dataset with ?datax=name (columns: ?datax=name[a,b])")
    kwargs: dict[str, Any] = {"rName": result} if result else {}
    if method == "gridsearch":
        if x is None or y is None or "parameters" not in options:
            raise Problem(400, detail="gridsearch needs X, Y and parameters: a body {\"X\": [...], \"Y\": [...], "
                                      "\"parameters\": {\"C\": [0.1, 1]}} or ?datax=...&datay=... with a body "
                                      "{\"parameters\": ...}")
        rest = {k: v for k, v in options.items() if k != "parameters"}
        return [x, y, options["parameters"]], rest
    if method in ("fit", "score") and y is None:
        raise Problem(400, detail=f"{method} needs a target: ?datay=name or \"Y\" in the body")
    return ([x, y] if y is not None else [x]), kwargs


def routes(api: Any) -> Any:
    from fastapi import APIRouter, Depends, Query, Request

    router = APIRouter(tags=["models"])

    add_list_route(router, api, "/model/", "models", "clf*")

    def add_method(method: str) -> None:
        role = "read" if method in execution.READ_METHODS else "run"

        async def call_method(request: Request, name: str, datax: str | None = None, datay: str | None = None,
                              result: str | None = Query(None, description="store the result as this dataset"),
                              asynchronous: bool = Query(False, alias="async")) -> Any:
            body = await request.body()

            def answer(value: Any) -> dict:
                return {"model": name, "result": public(jsonable(value)), "resource_uri": f"/api/v1/model/{name}"}

            def prepare() -> tuple[Any, list, dict]:
                # authorization, parsing and the call share one worker thread: the hot path of a predict
                omega = api.authorize(request, "write" if result and role == "read" else role)
                if role == "run" and "@" in name:
                    raise Problem(400, detail=f"{method} changes the model, so it cannot run on the version "
                                              f"{name!r}; use the model's name without @version")
                try:
                    x, y, options = inputs_of(body, request.headers.get("content-type"), datax, datay)
                except formats.FormatError as exc:
                    raise Problem(400, detail=str(exc)) from None
                return (omega, *call_args(method, x, y, options, result))

            def handle() -> dict:
                omega, args, kwargs = prepare()
                return answer(execution.run(omega, name, method, args, kwargs))

            def start() -> Any:
                omega, args, kwargs = prepare()
                return _start(omega, name, method, args, kwargs)

            if asynchronous:
                started = await api.run_async(api.call, start)
                return api.task_response(execution.Wrapped(started, answer), request)
            return await api.run_async(api.call, handle)

        call_method.__name__ = f"model_{method}"
        router.add_api_route(f"/model/{{name:path}}/{method}", call_method, methods=["POST"],
                             summary=f"{method} of a model ({role} role)",
                             description="Input rows in the body (JSON records, {\"columns\": [...], \"data\": "
                                         "[...]}, {\"X\": ..., \"Y\": ...} or Arrow) or dataset names "
                                         "(?datax=sales[x]&datay=sales[y]); `async=1` answers 202 with a Location.",
                             responses={202: {"description": "started; poll the Location"}})

    for method in execution.READ_METHODS + execution.RUN_METHODS:
        add_method(method)

    @router.get("/model/{name:path}", summary="A model's metadata and versions")
    async def get_model(name: str, omega: Any = Depends(api.omega("read"))) -> dict:
        return await api.run_async(api.call, model_metadata, omega, name)

    return router


def public(value: Any) -> Any:
    """A result without storage internals: a fit returns the model's Metadata, shown like a listing."""
    if isinstance(value, dict) and {"prefix", "kind_meta"} <= set(value):
        return {k: value.get(k) for k in ("name", "kind", "created", "modified", "attributes")}
    return value


def _start(omega: Any, name: str, method: str, args: list, kwargs: dict) -> Any:
    if omega.runtime.local:
        return BackgroundResult(lambda: execution.run(omega, name, method, args, kwargs))
    return execution.submit(omega, name, method, args, kwargs)
