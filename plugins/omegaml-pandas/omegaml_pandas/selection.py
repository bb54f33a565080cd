"""What a get returns: projected columns, filtered rows, optionally in chunks.

Both kinds read Arrow tables holding the wanted data columns, the columns the
filters need and the index; these helpers turn such tables into the frames
the user asked for, so both kinds answer a get in exactly the same way.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from omegaml_core.backends.options import refuse_unknown

from . import filters as flt
from .frames import apply_freq, decode_columns, field, from_table
from .types import restore


class LookupOptions:
    """Mixin for both kinds: ``get`` accepts column filters (``col=v``, ``col__gt=v``) besides its named options."""

    def check_options(self, method: str, name: str, options: dict[str, Any], meta: Any = None) -> None:
        if method != "get" or meta is None:
            return super().check_options(method, name, options, meta)  # type: ignore[misc]
        labels = list(decode_columns(meta.kind_meta["columns"]))
        given = {k: v for k, v in options.items() if not flt.names_column(k, labels)}
        refuse_unknown(f"{self.store.label}.get of {name!r} (kind {self.kind})", given,  # type: ignore[attr-defined]
                       self.accepted_options("get"),  # type: ignore[attr-defined]
                       f", or column filters such as col=value or col__gt=value on the columns {labels!r}",
                       error=flt.UnknownOption)


def positions(name: str, labels: Any, columns: list | None) -> list[int] | None:
    """Positions of the projected ``columns`` among ``labels`` (None: all). KeyError names a missing one."""
    if columns is None:
        return None
    if isinstance(columns, (str, bytes)) or not isinstance(columns, Iterable):
        raise TypeError(f"columns must be a list of column labels, got {columns!r}")
    found = []
    for col in columns:
        exact = [i for i, label in enumerate(labels) if label == col]
        by_text = exact or [i for i, label in enumerate(labels) if str(label) == str(col)]
        if not by_text:
            raise KeyError(f"{name!r} has no column {col!r}; columns are {list(labels)!r}")
        found.append(by_text[0])
    return found


def needed(positions: list[int] | None, conditions: list[flt.Condition]) -> list[int] | None:
    """Data column positions to read: the projection plus what the filters look at (None: all)."""
    if positions is None:
        return None
    return list(dict.fromkeys(positions + [c.position for c in conditions]))


def check_chunksize(chunksize: Any) -> int | None:
    if chunksize is not None and (not isinstance(chunksize, int) or isinstance(chunksize, bool) or chunksize < 1):
        raise ValueError(f"chunksize must be a positive int, got {chunksize!r}")
    return chunksize


def check_window(offset: Any, limit: Any) -> tuple[int, int | None]:
    """``(offset, limit)`` of a windowed get as ints (limit None: to the end); ValueError for a bad value."""
    import operator

    checked = []
    for what, value in (("offset", offset), ("limit", limit)):
        if value is None:
            checked.append(None)
            continue
        try:
            number = operator.index(value) if not isinstance(value, bool) else None
        except TypeError:
            number = None
        if number is None or number < 0:
            raise ValueError(f"{what} must be an int >= 0, got {value!r}")
        checked.append(number)
    return checked[0] or 0, checked[1]


def window(frames: Iterable[Any], offset: int, limit: int | None) -> Iterator[Any]:
    """The rows ``offset`` to ``offset + limit`` of ``frames`` taken in order (limit None: to the end).

    Stops consuming ``frames`` once the window is full, so a lazy source is read only as far as needed.
    """
    if limit == 0:
        return
    skip, left = offset, limit
    for frame in frames:
        if skip >= len(frame):
            skip -= len(frame)
            continue
        piece = frame.iloc[skip:] if left is None else frame.iloc[skip:skip + left]
        skip = 0
        if len(piece):
            yield piece
        if left is not None:
            left -= len(piece)
            if left <= 0:
                return


def finish(table: Any, labels: Any, positions: list[int] | None, conditions: list[flt.Condition]) -> Any:
    """The frame of ``table`` with the original labels, rows filtered, columns projected."""
    if positions is None:
        frame = from_table(table, labels, None)
        local = conditions
    else:
        read = needed(positions, conditions)
        index_columns = {c for c in (table.schema.pandas_metadata or {}).get("index_columns", [])
                         if isinstance(c, str)}
        keep = [field(i) for i in read] + [n for n in table.column_names if n in index_columns]
        frame = from_table(table.select(keep), labels, read)
        local = [flt.Condition(c.column, read.index(c.position), c.op, c.value) for c in conditions]
    if conditions:
        frame = frame[flt.mask(frame, local)]
    if positions is not None:
        frame = frame.iloc[:, list(range(len(positions)))]
    return frame


def rebatch(frames: Iterable[Any], chunksize: int) -> Iterator[Any]:
    """Frames of exactly ``chunksize`` rows (the last one may be shorter), in order."""
    import pandas as pd

    pending: list = []
    size = 0
    for frame in frames:
        if not len(frame):
            continue
        pending.append(frame)
        size += len(frame)
        while size >= chunksize:
            joined = pd.concat(pending) if len(pending) > 1 else pending[0]
            yield joined.iloc[:chunksize]
            rest = joined.iloc[chunksize:]
            pending, size = ([rest] if len(rest) else []), len(rest)
    if size:
        yield pd.concat(pending) if len(pending) > 1 else pending[0]


def result(frame: Any, kind_meta: dict) -> Any:
    """What the user gets: the frame with its index frequency, or the Series it was."""
    return restore(apply_freq(frame, kind_meta.get("freq")), kind_meta["type"], kind_meta.get("unnamed", False))
