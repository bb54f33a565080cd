"""Refuse, before anything is written, frames whose types would not come back as they were.

Each kind passes the first row of the frame through its own storage path
(Parquet, or row documents) and compares dtypes and index types with the
original. Arrow types that pandas reads back as different Python objects
(lists become numpy arrays) are refused by type.
"""
from __future__ import annotations

from typing import Any, Callable


def refuse_nested_lists(name: str, labels: Any, schema: Any) -> None:
    """TypeError if a column holds lists (they would come back as numpy arrays)."""
    import pyarrow as pa

    def has_list(t: Any) -> bool:
        if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t) \
                or pa.types.is_list_view(t) or pa.types.is_large_list_view(t):
            return True
        if pa.types.is_struct(t):
            return any(has_list(t.field(i).type) for i in range(t.num_fields))
        return pa.types.is_map(t)

    for i, label in enumerate(labels):
        f = schema.field(f"c{i}")
        if has_list(f.type):
            raise TypeError(f"cannot store {name!r} losslessly: column {label!r} holds lists, which would come "
                            "back as numpy arrays. Store them as text (e.g. .map(json.dumps)) or tuples of scalars "
                            "in separate columns.")


def check_round_trip(name: str, frame: Any, back: Callable[[Any], Any]) -> None:
    """TypeError naming the column if ``back(first rows of frame)`` changes a dtype or the index type."""
    sample = frame.iloc[:1]
    got = back(sample)
    for label, before, after in zip(frame.columns, sample.dtypes, got.dtypes):
        if before != after:
            raise TypeError(f"cannot store {name!r} losslessly: column {label!r} of dtype {before} would come back "
                            f"as {after}. Convert it first (e.g. .astype({str(after)!r}) or .infer_objects()).")
    if _index_types(sample.index) != _index_types(got.index):
        raise TypeError(f"cannot store {name!r} losslessly: its index ({type(sample.index).__name__}, "
                        f"{_index_types(sample.index)[1]}) would come back as {type(got.index).__name__} "
                        f"({_index_types(got.index)[1]}). Convert the index first, or reset_index().")


def _index_types(index: Any) -> tuple:
    import pandas as pd

    if isinstance(index, pd.MultiIndex):
        return type(index), [str(level.dtype) for level in index.levels]
    return type(index).__name__.replace("RangeIndex", "Index"), [str(index.dtype)]
