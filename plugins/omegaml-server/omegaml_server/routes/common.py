"""Helpers shared by the resource routes: listing pages, query values, object summaries."""

import json
from typing import Any

#: query parameters with a meaning of their own; every other one on a dataset get is a filter
RESERVED = frozenset({"columns", "offset", "limit", "orient", "format", "async", "append", "pattern", "hidden"})
MAX_LIMIT = 10_000


def query_value(text: str) -> Any:
    """A filter value from a query string: JSON when it parses (``100``, ``true``, ``[1,2]``, ``"007"``), else text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def filters_of(params: Any) -> dict[str, Any]:
    """``{'amount__gt': 100}`` from ``?amount__gt=100&limit=10`` (reserved names left out)."""
    return {k: query_value(v) for k, v in params.items() if k not in RESERVED}


def summary(meta: Any) -> dict[str, Any]:
    """What a listing shows of an object: never its storage locations."""
    return {"name": meta.name, "kind": meta.kind, "size": meta.size,
            "created": meta.created.isoformat() if meta.created else None,
            "modified": meta.modified.isoformat() if meta.modified else None, "attributes": meta.attributes}


def page(store: Any, pattern: str | None, offset: int, limit: int) -> dict[str, Any]:
    """One page of a store's listing: ``{"objects": [...], "meta": {"total", "offset", "limit"}}``."""
    metas = store.list(pattern or None, raw=True)
    return {"objects": [summary(m) for m in metas[offset:offset + limit]],
            "meta": {"total": len(metas), "offset": offset, "limit": limit}}


def add_list_route(router: Any, api: Any, path: str, store: str, example: str) -> None:
    """``GET path``: one page of ``omega.<store>``'s listing (role read)."""
    from fastapi import Depends, Query

    async def list_objects(pattern: str | None = Query(None, description=f"glob, e.g. {example}"),
                           offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=MAX_LIMIT),
                           omega: Any = Depends(api.omega("read"))) -> dict:
        return await api.run_async(api.call, page, getattr(omega, store), pattern, offset, limit)

    list_objects.__name__ = f"list_{store}"
    router.add_api_route(path, list_objects, methods=["GET"], summary=f"List {store}")
