"""Lossless conversion between DataFrames and Arrow tables.

Column labels may be anything pandas allows (ints, tuples of a MultiIndex,
names with dots or dollars), so data columns are stored as ``c0, c1, ...``
and the original column Index is kept separately, itself as Arrow IPC bytes
(base64, so any engine stores it). Arrow's pandas metadata restores the
index, categoricals, nullable and tz-aware dtypes; what it drops (an index's
``freq``) is restored from ``kind_meta``.
"""
from __future__ import annotations

import base64
import json
from typing import Any


def field(position: int) -> str:
    """The stored name of the data column at ``position``."""
    return f"c{position}"


def encode_columns(columns: Any) -> str:
    """The column labels as text: Arrow IPC (keeps label dtypes) or, for mixed types, tagged JSON."""
    import pandas as pd
    import pyarrow as pa

    holder = pd.DataFrame(index=columns)  # the labels become an index, which Arrow keeps with its types
    try:
        table = pa.Table.from_pandas(holder, preserve_index=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return "json:" + json.dumps({"labels": [_tag(c) for c in columns], "names": [_tag(n) for n in columns.names]})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return base64.b64encode(sink.getvalue().to_pybytes()).decode()


def decode_columns(encoded: str) -> Any:
    import pandas as pd
    import pyarrow as pa

    if encoded.startswith("json:"):
        data = json.loads(encoded[5:])
        labels = [_untag(c) for c in data["labels"]]
        names = [_untag(n) for n in data["names"]]
        if labels and all(isinstance(c, tuple) for c in labels):
            return pd.MultiIndex.from_tuples(labels, names=names)
        return pd.Index(labels, dtype=object, name=names[0])
    table = pa.ipc.open_stream(base64.b64decode(encoded)).read_all()
    return table.to_pandas().index


def _tag(value: Any) -> list:
    if isinstance(value, tuple):
        return ["t", [_tag(v) for v in value]]
    if value is None or isinstance(value, (bool, int, float, str)):
        return [type(value).__name__, value]
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return _tag(item())
    raise TypeError(f"cannot store column label {value!r} of type {type(value).__name__}; use str, int or float labels")


def _untag(tagged: list) -> Any:
    kind, value = tagged
    return tuple(_untag(v) for v in value) if kind == "t" else value


def to_table(frame: Any) -> Any:
    """An Arrow table of ``frame`` with positional column names; TypeError if it cannot round-trip."""
    import pyarrow as pa

    stored = frame.set_axis([field(i) for i in range(frame.shape[1])], axis=1)  # no data copy (copy-on-write)
    try:
        return pa.Table.from_pandas(stored, preserve_index=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError) as exc:
        raise TypeError(f"pandas.columnar cannot store this frame losslessly: {exc}. "
                        "Convert mixed-type object columns to one type (e.g. .astype(str)), "
                        "or use kind='pandas.dfrows'.") from None


def index_freq(frame: Any) -> str | None:
    freq = getattr(frame.index, "freq", None)
    return freq.freqstr if freq is not None else None


def from_table(table: Any, columns: Any, positions: list[int] | None, freq: str | None) -> Any:
    """The DataFrame of ``table``, with original column labels (of ``positions`` when projected)."""
    import pandas as pd

    frame = table.to_pandas()
    _restore_object_columns(frame, table.schema.pandas_metadata or {})
    labels = columns if positions is None else columns[positions]
    frame.columns = labels
    if freq is not None and isinstance(frame.index, pd.DatetimeIndex) and len(frame.index) > 2:
        try:
            frame.index = pd.DatetimeIndex(frame.index, freq=freq)
        except ValueError:
            pass  # a filtered selection no longer has the frequency
    return frame


def _restore_object_columns(frame: Any, pandas_metadata: dict) -> None:
    """Arrow reads text as pandas' ``str`` dtype; columns that were ``object`` go back to ``object``."""
    import pandas as pd

    for col in pandas_metadata.get("columns", []):
        name = col.get("field_name")
        if col.get("numpy_type") == "object" and name in frame.columns:
            series = frame[name]
            if isinstance(series.dtype, pd.StringDtype):
                values = series.astype(object)
                frame[name] = values.where(values.notna(), None)
