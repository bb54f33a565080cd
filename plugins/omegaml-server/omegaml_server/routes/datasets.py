"""``/api/v1/dataset/``: list, get (filters, projection, paging, formats), put, drop and metadata."""

from typing import Any

from .. import formats
from ..plugins import jsonable
from ..problems import Problem
from .common import add_list_route, filters_of, summary


def _get(omega: Any, name: str, columns: str | None, filters: dict, offset: int, limit: int | None) -> Any:
    if columns is not None:
        wanted = [c.strip() for c in columns.split(",") if c.strip()]
        if not wanted:
            raise Problem(400, detail="columns= is empty; give column names separated by commas, e.g. columns=x,y")
        name = f"{name}[{','.join(wanted)}]"
    value = omega.datasets.get(name, **filters)
    if limit is not None or offset:
        if not hasattr(value, "iloc"):
            raise Problem(400, detail=f"dataset {name!r} is not a table; offset and limit apply only to tables")
        value = value.iloc[offset:offset + limit if limit is not None else None]
    return value


def routes(api: Any) -> Any:
    from fastapi import APIRouter, Depends, Query, Request
    from fastapi.responses import JSONResponse, Response, StreamingResponse

    router = APIRouter(tags=["datasets"])

    add_list_route(router, api, "/dataset/", "datasets", "sales*")

    @router.get("/dataset/{name:path}/metadata", summary="A dataset's metadata")
    async def dataset_metadata(name: str, omega: Any = Depends(api.omega("read"))) -> dict:
        meta = await api.run_async(api.call, omega.datasets.metadata, name)
        return {**summary(meta), "kind_meta": jsonable(meta.kind_meta)}

    @router.get("/dataset/{name:path}", summary="Get a dataset",
                description="Filters as query parameters (`?amount__gt=100&region=EU`), `columns=a,b`, "
                            "`offset`/`limit`; JSON records (default), `orient=dict`, CSV, Arrow or Parquet by "
                            "`Accept` or `format=`.",
                responses={200: {"content": {formats.CSV: {}, formats.ARROW: {}, formats.PARQUET: {}}}})
    async def get_dataset(request: Request, name: str, columns: str | None = None,
                          offset: int = Query(0, ge=0), limit: int | None = Query(None, ge=1),
                          orient: str = Query("records", pattern="^(records|dict)$"),
                          format: str | None = Query(None, pattern="^(json|csv|arrow|parquet)$")) -> Any:
        def handle() -> tuple[Any, str | None]:
            # authorization, reading and encoding share one worker thread
            omega = api.authorize(request, "read")
            try:
                media = formats.negotiate(request.headers.get("accept"), format)
            except formats.FormatError as exc:
                raise Problem(406, detail=str(exc)) from None
            value = _get(omega, name, columns, filters_of(request.query_params), offset, limit)
            if hasattr(value, "read"):  # a file-like object (python.file)
                return value, None
            if hasattr(value, "to_frame") or hasattr(value, "columns"):
                return formats.encode(value, media, orient), media
            if media != formats.JSON:
                raise Problem(406, detail=f"dataset {name!r} is not a table; it is available only as JSON")
            return jsonable(value), "json"

        value, media = await api.run_async(api.call, handle)
        if media is None:
            return StreamingResponse(_chunks(value), media_type="application/octet-stream")
        if media == "json":
            return JSONResponse(value)
        return Response(value, media_type=media)

    @router.put("/dataset/{name:path}", summary="Store a dataset", status_code=200,
                description="Body: JSON records, omega|ml's `{\"data\": ..., \"index\": ...}`, CSV, Arrow or "
                            "Parquet (by `Content-Type`). Replaces the dataset; `append=true` appends.",
                responses={201: {"description": "created"}})
    async def put_dataset(request: Request, name: str, append: bool = False,
                          orient: str = Query("records", pattern="^(records|dict)$"),
                          omega: Any = Depends(api.omega("write"))) -> Any:
        body = await request.body()
        try:
            frame = await api.run_async(formats.decode, body, request.headers.get("content-type"), orient)
        except formats.FormatError as exc:
            status = 415 if "Content-Type" in str(exc) else 400
            raise Problem(status, detail=str(exc)) from None

        def store() -> tuple[bool, Any]:
            existed = omega.datasets.exists(name)
            return existed, omega.datasets.put(frame, name, append=append)

        existed, meta = await api.run_async(api.call, store)
        return JSONResponse(summary(meta), status_code=200 if existed else 201)

    @router.delete("/dataset/{name:path}", summary="Drop a dataset")
    async def drop_dataset(name: str, omega: Any = Depends(api.omega("write"))) -> dict:
        await api.run_async(api.call, omega.datasets.drop, name)
        return {"dropped": name}

    return router


def _chunks(stream: Any, size: int = 1 << 20) -> Any:
    with stream:
        while True:
            chunk = stream.read(size)
            if not chunk:
                return
            yield chunk
