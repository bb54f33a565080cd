"""Per-chunk column statistics (min, max, null count) in a form every engine stores exactly."""
from __future__ import annotations

import datetime as dt
from typing import Any


def column_stats(table: Any) -> dict[str, dict[str, Any]]:
    """Statistics of each column of an Arrow table that has an orderable type."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .mixed import is_mixed

    stats = {}
    for name, column, arrow_field in zip(table.column_names, table.columns, table.schema):
        if is_mixed(arrow_field):
            continue  # tagged text orders unlike its values: no statistics, so no chunk is skipped
        kind = _conv(column.type, pa)
        entry: dict[str, Any] = {"nulls": column.null_count}
        if kind is not None and len(column) > column.null_count:
            try:
                lo, hi = _min_max(column, kind, pa, pc)
            except (pa.ArrowNotImplementedError, pa.ArrowInvalid, TypeError, ValueError):
                lo = hi = None  # no kernel for this type (e.g. float16): no pruning on it
            if _storable(lo) and _storable(hi):
                entry.update(min=lo, max=hi, conv=kind)
        stats[name] = entry
    return stats


def _min_max(column: Any, kind: str, pa: Any, pc: Any) -> tuple[Any, Any]:
    if kind in ("ts", "tstz"):  # exact: raw epoch values in the column's unit, scaled to ns
        minmax = pc.min_max(column.cast(pa.int64()))
        scale = _NS_PER_UNIT[column.type.unit]
        return minmax["min"].as_py() * scale, minmax["max"].as_py() * scale
    minmax = pc.min_max(column)
    return comparable(minmax["min"].as_py(), kind), comparable(minmax["max"].as_py(), kind)


_NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def _storable(value: Any) -> bool:
    """Every engine stores it exactly: not NaN, and within 64-bit integers."""
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return value is not None


def _conv(arrow_type: Any, pa: Any) -> str | None:
    t = pa.types
    if t.is_boolean(arrow_type) or t.is_integer(arrow_type):
        return "int"
    if t.is_floating(arrow_type):
        return "float"
    if t.is_string(arrow_type) or t.is_large_string(arrow_type) or t.is_string_view(arrow_type):
        return "str"
    if t.is_timestamp(arrow_type):
        return "tstz" if arrow_type.tz else "ts"  # naive and tz-aware values do not compare
    if t.is_date(arrow_type):
        return "date"
    return None  # categoricals (their order is the category order), decimals, nested: no pruning


def comparable(value: Any, conv: str | None) -> Any:
    """``value`` in the statistics' representation for ``conv``, or None if it does not convert."""
    if value is None:
        return None
    if conv in ("int", "float"):
        if isinstance(value, (bool, int, float)) or hasattr(value, "__float__") and not isinstance(value, str):
            return float(value) if conv == "float" else (int(value) if float(value).is_integer() else float(value))
        return None
    if conv == "str":
        return value if isinstance(value, str) else None
    if conv in ("ts", "tstz"):
        return _epoch_ns(value, aware=conv == "tstz")
    if conv == "date":
        if isinstance(value, dt.datetime):
            return value.date().toordinal()
        return value.toordinal() if isinstance(value, dt.date) else None
    return None


def _epoch_ns(value: Any, aware: bool) -> int | None:
    import pandas as pd

    if isinstance(value, (bool, int, float)):
        return None  # pandas refuses to compare numbers with datetimes; let the mask say so
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if ts is pd.NaT or (ts.tzinfo is not None) != aware:
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return int(ts.value)
