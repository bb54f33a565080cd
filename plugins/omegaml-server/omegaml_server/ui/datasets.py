"""The dataset page: columns and dtypes, a paged window of the rows, filters and a summary of each column."""
from __future__ import annotations

from typing import Any

from .context import Page, UiContext
from .preview import DEFAULT_LIMIT, Preview, PreviewError, cell, parse_filters, parse_window, read_preview

#: the filter form's field: one ``col__op=value`` per line
FILTER_FIELD = "where"


def routes(ui: UiContext) -> Any:
    """The dataset page, registered as the object view of every dataset kind (no routes of its own)."""
    from fastapi import APIRouter

    ui.env.filters["cell"] = cell
    ui.object_view("datasets")(dataset_view)
    return APIRouter(include_in_schema=False)


def dataset_view(ui: UiContext, page: Page, meta: Any) -> Any:
    """``/ui/b/{bucket}/datasets/{name}?where=...&offset=N&limit=M`` (runs in a worker thread)."""
    params = page.request.query_params
    where = params.get(FILTER_FIELD, "")[:4000]
    try:
        offset, limit = parse_window(params)
        filters = parse_filters(where)
    except PreviewError as exc:
        preview = Preview(error=str(exc))
    else:
        preview = read_preview(page.omega.datasets, meta, filters, offset, limit)

    def page_url(at: int) -> str:
        return ui.url(page.bucket, "datasets", meta.name, where=where, offset=at or None,
                      limit=preview.limit if preview.limit != DEFAULT_LIMIT else None)

    return ui.render(page, "dataset.html", store="datasets", meta=meta, preview=preview, where=where,
                     prev_url=page_url(max(preview.offset - preview.limit, 0)) if preview.offset else None,
                     next_url=page_url(preview.offset + preview.limit) if preview.more else None,
                     filter_field=FILTER_FIELD, limits=(20, 50, 100, 200, 500))
