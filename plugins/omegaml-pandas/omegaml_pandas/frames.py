"""Lossless conversion between DataFrames and Arrow tables.

Column labels may be anything pandas allows (ints, tuples of a MultiIndex,
names with dots or dollars), so data columns are stored as ``c0, c1, ...``
and the original column Index is kept separately, itself as Arrow IPC bytes
(base64, so any engine stores it). Arrow's pandas metadata restores the
index, categoricals, nullable and tz-aware dtypes; what it drops (an index's
``freq``) is restored from ``kind_meta`` by ``apply_freq``.
"""
from __future__ import annotations

import base64
import functools
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
    """The column labels ``encode_columns`` stored (a copy: an Index's name can be changed in place)."""
    return _decoded_columns(encoded).copy()


@functools.lru_cache(maxsize=256)
def _decoded_columns(encoded: str) -> Any:
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


def _positional(frame: Any) -> Any:
    return frame.set_axis([field(i) for i in range(frame.shape[1])], axis=1)  # no data copy (copy-on-write)


def _refuse(exc: Exception) -> TypeError:
    return TypeError(f"cannot store this frame losslessly: {exc}. Convert the column to a supported dtype first.")


def arrow_schema(frame: Any) -> Any:
    """The Arrow schema of ``frame`` with positional column names; TypeError if it cannot round-trip."""
    import pyarrow as pa

    try:
        return pa.Schema.from_pandas(_positional(frame), preserve_index=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError, OverflowError) as exc:
        raise _refuse(exc) from None


def schema_text(schema: Any) -> str:
    """The types of a schema, without metadata: equal texts mean appendable data."""
    return schema.remove_metadata().to_string()


def to_table(frame: Any, schema: Any = None) -> Any:
    """An Arrow table of ``frame`` with positional column names; TypeError if it cannot round-trip."""
    import pyarrow as pa

    try:
        return pa.Table.from_pandas(_positional(frame), schema=schema, preserve_index=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError, OverflowError) as exc:
        raise _refuse(exc) from None


def index_freq(frame: Any) -> str | None:
    freq = getattr(frame.index, "freq", None)
    return freq.freqstr if freq is not None else None


def from_table(table: Any, columns: Any, positions: list[int] | None) -> Any:
    """The DataFrame of ``table``, with original column labels (of ``positions`` when projected).

    Consumes ``table``: its memory is released during the conversion.
    """
    import pandas as pd
    import pyarrow as pa

    from . import mixed

    pandas_metadata = table.schema.pandas_metadata or {}
    tagged = {}
    for name in mixed.marked(table.schema):  # decoded from Arrow; pandas converts only a null column
        j = table.schema.get_field_index(name)
        tagged[name] = table.column(j)
        table = table.set_column(j, name, pa.nulls(table.num_rows))
    # no consolidation copy, and each column's Arrow memory is released once converted: ``table``
    # must not be used after this call
    # integer_object_nulls: ints with nulls come back as ints (not floats) in columns that were ``object``
    frame = table.to_pandas(split_blocks=True, self_destruct=True, integer_object_nulls=True)
    del table
    _restore_object_columns(frame, pandas_metadata)
    for name, text in tagged.items():
        frame[name] = pd.Series(mixed.decode(text), index=frame.index, dtype=object)
    frame.columns = columns if positions is None else columns[positions]
    return frame


def apply_freq(frame: Any, freq: str | None) -> Any:
    """Give a selection of a stored frame the index ``freq`` that pandas would give it.

    pandas keeps the frequency of a DatetimeIndex (or TimedeltaIndex) under
    selections that are evenly spaced: the stored ``freq`` times the step
    between selected rows; an empty or one-row selection keeps ``freq``.
    """
    import pandas as pd

    index = frame.index
    if freq is None or not isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex)):
        return frame
    offset = pd.tseries.frequencies.to_offset(freq)
    try:
        if len(index) >= 2:
            spanned = (pd.timedelta_range if isinstance(index, pd.TimedeltaIndex) else pd.date_range)(
                index[0], index[1], freq=offset)
            step = len(spanned) - 1
            if step <= 0 or spanned[-1] != index[1]:
                return frame
            offset = offset * step
        frame.index = type(index)(index, freq=offset)  # validates: raises if the rows are not evenly spaced
    except (ValueError, TypeError, OverflowError):
        pass
    return frame


def _restore_object_columns(frame: Any, pandas_metadata: dict) -> None:
    """Columns that were ``object`` (text, numbers or timestamps as Python objects) go back to ``object``."""
    for col in pandas_metadata.get("columns", []):
        name = col.get("field_name")
        if col.get("numpy_type") == "object" and name in frame.columns and frame[name].dtype != object:
            values = frame[name].astype(object)
            frame[name] = values.where(values.notna(), None)


def encode_schema(schema: Any) -> str:
    """An Arrow schema (with its pandas metadata) as text any engine stores."""
    return base64.b64encode(schema.serialize().to_pybytes()).decode()


def decode_schema(text: str) -> Any:
    import pyarrow as pa

    return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(text)))


def encode_array(array: Any) -> str:
    """An Arrow array (e.g. the categories of a categorical) as text, its type kept exactly."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    table = pa.table({"v": array})
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return base64.b64encode(sink.getvalue().to_pybytes()).decode()


def decode_array(text: str) -> Any:
    import pyarrow as pa

    return pa.ipc.open_stream(base64.b64decode(text)).read_all().column("v").combine_chunks()
