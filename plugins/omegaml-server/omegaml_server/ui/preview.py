"""What a dataset's page shows: a window of its rows, its columns and a cheap summary of each column.

Rows are read with ``om.datasets.get(name, filter=..., offset=N, limit=M)`` when the dataset's kind
supports windows (omegaml-pandas' kinds do), so a page of 50 rows never loads the whole dataset.
The per-column summary uses what is cheap: the stored per-chunk statistics (min, max and nulls of all
rows, ``pandas.columnar``) and a sample of the first rows for the charts. Kinds without windows are
shown as (truncated) JSON when they are plain Python data, else with a note.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from ..routes.common import query_value
from . import charts

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
#: rows the per-column charts are computed from (the first ones, after the filters)
SAMPLE_ROWS = 1000
TOP_CATEGORIES = 8
HISTOGRAM_BINS = 10
JSON_PREVIEW_CHARS = 5000


class PreviewError(ValueError):
    """The page's query (filters, offset, limit) is wrong; the message says how."""


@dataclass
class Preview:
    """One page of a dataset: the shown rows, their columns, the window and the per-column summary."""

    frame: Any = None                 # the shown rows (a DataFrame), or None
    offset: int = 0
    limit: int = DEFAULT_LIMIT
    total: int | None = None          # rows of the dataset (None with filters: unknown without reading)
    filters: dict[str, Any] = field(default_factory=dict)
    columns: list[dict[str, Any]] = field(default_factory=list)
    sample_rows: int = 0
    error: str | None = None          # a wrong filter or window: shown as a message
    value_json: str | None = None     # plain Python data: its JSON (truncated)
    note: str | None = None           # why there is no preview

    @property
    def more(self) -> bool:
        """True if a next page may hold rows."""
        if self.frame is None:
            return False
        if self.total is not None:
            return self.offset + len(self.frame) < self.total
        return len(self.frame) == self.limit


def parse_window(params: Any) -> tuple[int, int]:
    """``(offset, limit)`` from the page's query string; PreviewError for values that are not counts."""
    values = []
    for name, default, top in (("offset", 0, None), ("limit", DEFAULT_LIMIT, MAX_LIMIT)):
        text = (params.get(name) or "").strip()
        try:
            value = int(text) if text else default
        except ValueError:
            raise PreviewError(f"{name} must be a whole number, got {text[:40]!r}") from None
        if value < 0 or (name == "limit" and value < 1):
            raise PreviewError(f"{name} must be {'at least 1' if name == 'limit' else '0 or more'}, got {value}")
        values.append(min(value, top) if top else value)
    return values[0], values[1]


def parse_filters(text: str) -> dict[str, Any]:
    """``{'x__gt': 5, 'region': 'EU'}`` from lines ``x__gt=5`` and ``region=EU`` (values read like the REST
    API's query values: JSON when it parses, else text). PreviewError names a line that is not a filter."""
    filters: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise PreviewError(f"filter line {number} ({line[:80]!r}) is not column__op=value; write one filter "
                               "per line, e.g. x__gt=5 or region=EU or code__in=[1, 2]")
        filters[key.strip()] = query_value(value.strip())
    return filters


def windowed(backend: Any) -> bool:
    """True if the kind's get reads a window of (filtered) rows: ``offset``, ``limit`` and ``filter``."""
    return {"offset", "limit", "filter"} <= set(backend.accepted_options("get"))


def read_preview(datasets: Any, meta: Any, filters: dict[str, Any], offset: int, limit: int) -> Preview:
    """The page of ``meta``'s dataset: rows ``offset`` to ``offset + limit`` of the filtered rows and a
    summary of each column (charts of the first SAMPLE_ROWS filtered rows, statistics of all rows)."""
    preview = Preview(offset=offset, limit=limit, filters=filters)
    try:
        backend = datasets.backend(meta.kind)
    except Exception:
        preview.note = (f"this server has no plugin for kind {meta.kind!r}, so it cannot show the rows; "
                        "install the plugin that stores this kind")
        return preview
    if not windowed(backend):
        return _whole_value(datasets, meta, preview)
    try:
        if offset + limit <= SAMPLE_ROWS:  # one read gives the sample and the shown rows
            sample = datasets.get(meta.name, filter=filters, offset=0, limit=SAMPLE_ROWS)
            shown = sample.iloc[offset:offset + limit]
        else:
            sample = datasets.get(meta.name, filter=filters, offset=0, limit=SAMPLE_ROWS)
            shown = datasets.get(meta.name, filter=filters, offset=offset, limit=limit)
    except (ValueError, TypeError, KeyError) as exc:  # a filter on an unknown column, a bad operator or value
        message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        preview.error = f"the filters cannot be applied: {message}"
        return preview
    if hasattr(sample, "to_frame") and not hasattr(sample, "columns"):  # a Series: one column
        sample, shown = sample.to_frame(), shown.to_frame()
    preview.frame = shown
    preview.total = meta.kind_meta.get("rows") if not filters else None
    preview.sample_rows = len(sample)
    stored = stored_statistics(meta.kind_meta, sample.shape[1]) if not filters else {}
    preview.columns = [summarize(position, label, sample.iloc[:, position], stored.get(position))
                       for position, label in enumerate(sample.columns)]
    return preview


def _whole_value(datasets: Any, meta: Any, preview: Preview) -> Preview:
    """Kinds without windows: plain Python data as JSON (cut), anything else a note."""
    from .format import short_json

    if meta.kind != "python.data":
        preview.note = (f"datasets of kind {meta.kind!r} cannot be read in part, so the web UI does not preview "
                        f"them; read it in Python with om.datasets.get({meta.name!r})")
        return preview
    preview.value_json = short_json(datasets.get(meta.name), JSON_PREVIEW_CHARS)
    return preview


# --- per-column summary ---------------------------------------------------------
def stored_statistics(kind_meta: dict, ncolumns: int) -> dict[int, dict[str, Any]]:
    """min, max and nulls of each column over all rows, from ``pandas.columnar``'s per-chunk statistics."""
    chunks = kind_meta.get("chunks")
    if not isinstance(chunks, list) or not chunks:
        return {}
    found: dict[int, dict[str, Any]] = {}
    for position in range(ncolumns):
        entries = [c.get("stats", {}).get(f"c{position}") for c in chunks]
        if any(e is None for e in entries):
            continue
        summary: dict[str, Any] = {"nulls": sum(int(e.get("nulls", 0)) for e in entries)}
        # a range needs every chunk that has values to have one (a type without statistics has none)
        valued = [e for e, c in zip(entries, chunks) if e.get("nulls", 0) < c.get("rows", 0)]
        if valued and all("min" in e and "max" in e for e in valued) and len({e.get("conv") for e in valued}) == 1:
            conv = valued[0].get("conv")
            summary["min"] = _from_stat(min(e["min"] for e in valued), conv)
            summary["max"] = _from_stat(max(e["max"] for e in valued), conv)
        found[position] = summary
    return found


def _from_stat(value: Any, conv: str | None) -> Any:
    """A statistic as the value it stands for (timestamps are stored as epoch nanoseconds, dates as ordinals)."""
    import pandas as pd

    if conv == "ts":
        return pd.Timestamp(value)
    if conv == "tstz":
        return pd.Timestamp(value, tz="UTC")
    if conv == "date":
        return dt.date.fromordinal(value)
    return value


def summarize(position: int, label: Any, series: Any, stored: dict[str, Any] | None) -> dict[str, Any]:
    """One column's summary: dtype, stored statistics, and a histogram (numbers) or top values (others)."""
    import pandas as pd

    entry: dict[str, Any] = {"position": position, "label": label, "dtype": str(series.dtype), "stored": stored,
                             "sample_nulls": int(series.isna().sum()), "chart": None, "chart_kind": None}
    values = series.dropna()
    if not len(values):
        return entry
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    if numeric:
        entry["chart"], entry["chart_kind"] = _histogram(label, values), "histogram"
    elif pd.api.types.is_datetime64_any_dtype(series.dtype):
        entry["chart"], entry["chart_kind"] = _time_histogram(label, values), "histogram"
    else:
        counts = values.map(cell).value_counts().head(TOP_CATEGORIES)
        entry["chart"] = charts.bar_chart([str(k) for k in counts.index], list(counts.to_numpy()),
                                          f"most frequent values of {label}")
        entry["chart_kind"] = "top values"
    return entry


def _histogram(label: Any, values: Any) -> Any:
    import numpy as np

    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    numbers = numbers[np.isfinite(numbers)]
    if not len(numbers):
        return None
    bins = max(1, min(HISTOGRAM_BINS, len(np.unique(numbers))))
    counts, edges = np.histogram(numbers, bins=bins)
    labels = [f"{edges[i]:.4g} to {edges[i + 1]:.4g}" for i in range(len(counts))]
    return charts.bar_chart(labels, list(counts), f"histogram of {label}")


def _time_histogram(label: Any, values: Any) -> Any:
    import numpy as np
    import pandas as pd

    stamps = pd.DatetimeIndex(values).as_unit("ns")
    numbers = stamps.asi8.astype(float)
    bins = max(1, min(HISTOGRAM_BINS, len(np.unique(numbers))))
    counts, edges = np.histogram(numbers, bins=bins)
    moments = [pd.Timestamp(int(e), tz=stamps.tz).isoformat() for e in edges]
    labels = [f"{moments[i]} to {moments[i + 1]}" for i in range(len(counts))]
    return charts.bar_chart(labels, list(counts), f"histogram of {label}")


# --- cells ---------------------------------------------------------------------------
def cell(value: Any) -> str:
    """A value as a table cell shows it: floats exactly (repr), missing values as ``null``/``NaN``."""
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return "null"
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return "NaN" if math.isnan(number) else repr(number)
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return value.isoformat()
    return str(value)
