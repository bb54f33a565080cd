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
from typing import Any


def field(position: int) -> str:
    """The stored name of the data column at ``position``."""
    return f"c{position}"


def encode_columns(columns: Any) -> str:
    import pandas as pd
    import pyarrow as pa

    holder = pd.DataFrame(index=columns)  # the labels become an index, which Arrow keeps with its types
    table = pa.Table.from_pandas(holder, preserve_index=True)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return base64.b64encode(sink.getvalue().to_pybytes()).decode()


def decode_columns(encoded: str) -> Any:
    import pyarrow as pa

    table = pa.ipc.open_stream(base64.b64decode(encoded)).read_all()
    return table.to_pandas().index


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
    labels = columns if positions is None else columns[positions]
    frame.columns = labels
    if freq is not None and isinstance(frame.index, pd.DatetimeIndex) and len(frame.index) > 2:
        try:
            frame.index = pd.DatetimeIndex(frame.index, freq=freq)
        except ValueError:
            pass  # a filtered selection no longer has the frequency
    return frame
