"""``pandas.columnar``: DataFrames and Series as Parquet chunks in the blob store.

Each chunk is one Parquet file (one blob) with statistics in ``kind_meta``.
A get reads only the chunks whose statistics may match the filters, and only
the columns asked for (plus those the filters need). An append adds chunks and
never rewrites stored ones.
"""
from __future__ import annotations

from typing import Any, Iterator

from omegaml_core.backends import BaseDataBackend

from . import filters as flt
from .frames import decode_columns, encode_columns, field, from_table, index_freq, to_table
from .stats import column_stats
from .types import as_frame, is_frame_or_series, restore

DEFAULT_CHUNK_ROWS = 1_000_000
RESERVED = {"columns", "chunksize", "filter"}


class ColumnarBackend(BaseDataBackend):
    """The default kind for DataFrame and Series.

    ``put(df, name, chunk_rows=N)`` sets the rows per chunk (default 1M).
    ``get(name, col=v, col__gt=v, filter={...}, columns=[...], chunksize=N)``.
    """

    priority = 50
    supports_append = True

    @classmethod
    def supports(cls, obj: Any, name: str, **kwargs: Any) -> bool:
        return is_frame_or_series(obj)

    # --- writing ------------------------------------------------------------
    def put(self, obj: Any, name: str, meta: Any, append: bool = False, chunk_rows: int = DEFAULT_CHUNK_ROWS,
            **kwargs: Any) -> Any:
        import pyarrow.parquet as pq

        if not is_frame_or_series(obj):
            raise TypeError(f"pandas.columnar stores DataFrames and Series, got {type(obj).__name__} for {name!r}")
        if not isinstance(chunk_rows, int) or chunk_rows < 1:
            raise ValueError(f"chunk_rows must be a positive int, got {chunk_rows!r}")
        frame, what = as_frame(obj)
        km = meta.kind_meta if append else {}
        if not append:
            meta.blobs = []
        columns = encode_columns(frame.columns)
        if append:
            self._check_append(name, km, frame, what, columns)
        chunks = list(km.get("chunks", []))
        schema = km.get("schema")
        for start in range(0, max(len(frame), 1), chunk_rows):
            table = to_table(frame.iloc[start:start + chunk_rows])
            this_schema = table.schema.remove_metadata().to_string()
            if schema is not None and this_schema != schema:
                raise TypeError(f"cannot append to {name!r}: column types differ from the stored ones "
                                f"(stored: {schema!r}; given: {this_schema!r}). Convert the dtypes first.")
            schema = this_schema
            with self.write_blob(meta) as (blob, fh):
                pq.write_table(table, fh, row_group_size=chunk_rows)
            chunks.append({"blob": blob, "rows": table.num_rows, "stats": column_stats(table)})
        meta.kind_meta = {
            "type": what, "columns": columns, "ncolumns": frame.shape[1], "schema": schema,
            "freq": km.get("freq", index_freq(frame)) if append else index_freq(frame),
            "chunks": chunks, "rows": sum(c["rows"] for c in chunks),
        }
        return meta

    def _check_append(self, name: str, km: dict, frame: Any, what: str, columns: str) -> None:
        if km.get("type") != what:
            raise TypeError(f"cannot append a {what} to {name!r}, which holds a {km.get('type')}")
        if km.get("columns") != columns:
            stored = list(decode_columns(km["columns"]))
            raise TypeError(f"cannot append to {name!r}: columns {list(frame.columns)!r} differ from the "
                            f"stored {stored!r}")

    # --- reading ------------------------------------------------------------
    def get(self, name: str, meta: Any, columns: list | None = None, chunksize: int | None = None,
            filter: dict | None = None, **lookups: Any) -> Any:
        km = meta.kind_meta
        labels = decode_columns(km["columns"])
        conditions = flt.parse({**(filter or {}), **lookups}, list(labels))
        positions = self._positions(name, labels, columns)
        chunks = [c for c in km["chunks"] if flt.chunk_may_match(c["stats"], c["rows"], conditions, field)]
        if chunksize is not None:
            if not isinstance(chunksize, int) or chunksize < 1:
                raise ValueError(f"chunksize must be a positive int, got {chunksize!r}")
            return self._iterate(chunks, labels, positions, conditions, km, chunksize)
        if not chunks:  # nothing can match: an empty frame that still has the right columns and dtypes
            table = self._read_schema(km["chunks"][0]).empty_table()
            return restore(self._finish(table, labels, positions, [], km), km["type"])
        return restore(self._read(chunks, labels, positions, conditions, km), km["type"])

    def _positions(self, name: str, labels: Any, columns: list | None) -> list[int] | None:
        if columns is None:
            return None
        positions = []
        for col in columns:
            found = [i for i, label in enumerate(labels) if label == col or str(label) == str(col)]
            if not found:
                raise KeyError(f"{name!r} has no column {col!r}; columns are {list(labels)!r}")
            positions.append(found[0])
        return positions

    def _read(self, chunks: list, labels: Any, positions: list[int] | None, conditions: list, km: dict) -> Any:
        import pyarrow as pa

        tables = [self._read_chunk(c, positions, conditions) for c in chunks]
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        return self._finish(table, labels, positions, conditions, km)

    def _read_chunk(self, chunk: dict, positions: list[int] | None, conditions: list) -> Any:
        import pyarrow.parquet as pq

        wanted = None
        if positions is not None:
            wanted = [field(i) for i in dict.fromkeys(positions + [c.position for c in conditions])]
        with _opened(self.blob_source(chunk["blob"])) as source:
            return pq.read_table(source, columns=wanted, use_pandas_metadata=True)

    def _read_schema(self, chunk: dict) -> Any:
        import pyarrow.parquet as pq

        with _opened(self.blob_source(chunk["blob"])) as source:
            return pq.read_schema(source)

    def _finish(self, table: Any, labels: Any, positions: list[int] | None, conditions: list, km: dict) -> Any:
        if positions is None:
            frame = from_table(table, labels, None, km.get("freq"))
        else:
            needed = list(dict.fromkeys(positions + [c.position for c in conditions]))
            index_columns = {c for c in (table.schema.pandas_metadata or {}).get("index_columns", [])
                             if isinstance(c, str)}
            keep = [field(i) for i in needed] + [n for n in table.column_names if n in index_columns]
            frame = from_table(table.select(keep), labels, needed, km.get("freq"))
        if conditions:
            local = [flt.Condition(c.column, (needed.index(c.position) if positions is not None else c.position),
                                   c.op, c.value) for c in conditions]
            frame = frame[flt.mask(frame, local)]
        if positions is not None:
            frame = frame.iloc[:, list(range(len(positions)))]
        return frame

    def _iterate(self, chunks: list, labels: Any, positions: list[int] | None, conditions: list, km: dict,
                 chunksize: int) -> Iterator[Any]:
        import pandas as pd

        pending: list = []
        size = 0
        for chunk in chunks:
            frame = self._finish(self._read_chunk(chunk, positions, conditions), labels, positions, conditions, km)
            pending.append(frame)
            size += len(frame)
            while size >= chunksize:
                joined = pd.concat(pending) if len(pending) > 1 else pending[0]
                yield restore(joined.iloc[:chunksize], km["type"])
                rest = joined.iloc[chunksize:]
                pending, size = ([rest] if len(rest) else []), len(rest)
        if size:
            yield restore(pd.concat(pending) if len(pending) > 1 else pending[0], km["type"])


class _opened:
    """Close a blob source after use if it is a stream (a local path needs nothing)."""

    def __init__(self, source: Any) -> None:
        self.source = source

    def __enter__(self) -> Any:
        return self.source

    def __exit__(self, *exc: Any) -> None:
        if hasattr(self.source, "close"):
            self.source.close()
