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
from . import mixed
from . import selection as sel
from .fidelity import check_round_trip, refuse_nested_lists
from .frames import (decode_array, decode_columns, decode_schema, encode_array, encode_columns,
                     encode_schema, field, from_table, index_freq, schema_text, to_table)
from .stats import column_stats
from .types import as_frame, is_frame_or_series, is_unnamed_series

MAX_CHUNK_ROWS = 1_000_000
CHUNK_BYTES = 128 * 2**20  # aim for chunks of about this many bytes in memory
WINDOW_BATCH = 65_536  # rows decoded at a time when reading a window of rows


class ColumnarBackend(sel.LookupOptions, BaseDataBackend):
    """The default kind for DataFrame and Series.

    ``put(df, name, chunk_rows=N)`` sets the rows per chunk (default: about
    128 MB of the frame in memory, at most 1M rows).
    ``get(name, col=v, col__gt=v, filter={...}, columns=[...], chunksize=N, offset=N, limit=M)``:
    ``offset``/``limit`` select a window of the (filtered) rows, like ``.iloc[offset:offset + limit]``
    of the whole get, reading only the chunks and row batches that cover it. (A column named
    ``offset`` or ``limit`` is filtered with ``filter={'limit': v}``.)
    """

    priority = 50
    supports_append = True

    @classmethod
    def supports(cls, obj: Any, name: str, **kwargs: Any) -> bool:
        return is_frame_or_series(obj)

    # --- writing ------------------------------------------------------------
    def put(self, obj: Any, name: str, meta: Any, append: bool = False, chunk_rows: int | None = None,
            **kwargs: Any) -> Any:
        import pyarrow.parquet as pq

        if kwargs:
            raise TypeError(f"pandas.columnar put of {name!r} got unknown options {sorted(kwargs)!r}; "
                            "it accepts chunk_rows=N")
        if not is_frame_or_series(obj):
            raise TypeError(f"pandas.columnar stores DataFrames and Series, got {type(obj).__name__} for {name!r}")
        if chunk_rows is not None and (not isinstance(chunk_rows, int) or isinstance(chunk_rows, bool)
                                       or chunk_rows < 1):
            raise ValueError(f"chunk_rows must be a positive int, got {chunk_rows!r}")
        frame, what = as_frame(obj)
        km = meta.kind_meta if append else {}
        columns = encode_columns(frame.columns)
        # the schema of the whole frame, so every chunk gets the same types
        frame, tagged, schema = mixed.prepare(name, frame, km.get("mixed", []) if append else None)
        chunk_rows = chunk_rows or _auto_chunk_rows(frame)
        refuse_nested_lists(name, frame.columns, schema)
        empty = to_table(frame.iloc[:0], schema)
        dictionaries, categories = _dictionaries(empty), _categories(empty)
        if append:
            self._check_append(name, km, frame, what, columns, schema, categories)
        else:
            check_round_trip(name, frame, lambda sample: self._round_trip(sample, schema, dictionaries))
            meta.blobs = []
        chunks = list(km.get("chunks", []))
        for start in range(0, max(len(frame), 1), chunk_rows):
            table = to_table(frame.iloc[start:start + chunk_rows], schema)
            stats = column_stats(table)
            with self.write_blob(meta) as (blob, fh):
                pq.write_table(_codes_for_dictionaries(table, dictionaries), fh, row_group_size=chunk_rows)
            chunks.append({"blob": blob, "rows": table.num_rows, "stats": stats})
            del table
        meta.kind_meta = {
            "type": what, "columns": columns, "ncolumns": frame.shape[1], "schema": schema_text(schema),
            "arrow": km["arrow"] if append else encode_schema(schema), "dictionaries": dictionaries,
            "categories": categories, "mixed": tagged,
            "unnamed": km.get("unnamed", False) if append else is_unnamed_series(obj),
            "freq": km.get("freq") if append else index_freq(frame),
            "chunks": chunks, "rows": sum(c["rows"] for c in chunks),
        }
        return meta

    def _round_trip(self, sample: Any, schema: Any, dictionaries: dict) -> Any:
        """``sample`` through Parquet and back, as a get would read it."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        sink = pa.BufferOutputStream()
        pq.write_table(_codes_for_dictionaries(to_table(sample, schema), dictionaries), sink)
        table = pq.read_table(pa.BufferReader(sink.getvalue()), use_pandas_metadata=True)
        return from_table(_conform(table, schema, dictionaries), sample.columns, None)

    def _check_append(self, name: str, km: dict, frame: Any, what: str, columns: str, schema: Any,
                      categories: dict) -> None:
        if km.get("type") != what:
            raise TypeError(f"cannot append a {what} to {name!r}, which holds a {km.get('type')}")
        if km.get("columns") != columns:
            stored = list(decode_columns(km["columns"]))
            raise TypeError(f"cannot append to {name!r}: columns {list(frame.columns)!r} differ from the "
                            f"stored {stored!r}")
        if km.get("schema") != schema_text(schema):
            raise TypeError(f"cannot append to {name!r}: column types differ from the stored ones "
                            f"(stored: {km.get('schema')!r}; given: {schema_text(schema)!r}). "
                            "Convert the dtypes (and index) to the stored ones first.")
        if km.get("categories", {}) != categories:
            raise TypeError(f"cannot append to {name!r}: the categories of a categorical column differ from the "
                            "stored ones; use the same categories (e.g. .cat.set_categories(...))")

    # --- reading ------------------------------------------------------------
    def get(self, name: str, meta: Any, columns: list | None = None, chunksize: int | None = None,
            filter: dict | None = None, offset: int | None = None, limit: int | None = None, **lookups: Any) -> Any:
        km = meta.kind_meta
        labels = decode_columns(km["columns"])
        conditions = flt.parse({**(filter or {}), **lookups}, list(labels))
        positions = sel.positions(name, labels, columns)
        chunksize = sel.check_chunksize(chunksize)
        offset, limit = sel.check_window(offset, limit)
        chunks = [c for c in km["chunks"] if flt.chunk_may_match(c["stats"], c["rows"], conditions, field)]
        read = sel.needed(positions, conditions)
        if offset or limit is not None:
            return self._get_window(chunks, read, km, labels, positions, conditions, chunksize, offset, limit)
        if chunksize is not None:
            frames = (self._finish(self._read_chunk(c, read, km), labels, positions, conditions, km) for c in chunks)
            return (sel.result(frame, km) for frame in sel.rebatch(frames, chunksize))
        if chunks:
            import pyarrow as pa

            tables = [self._read_chunk(c, read, km) for c in chunks]
            table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
            del tables
        else:  # nothing can match: an empty frame that still has the right columns and dtypes
            table = self._empty_table(km["chunks"][0], read, km)
        return sel.result(self._finish(table, labels, positions, conditions, km), km)

    # --- reading a window of rows (offset, limit) ------------------------------
    def _get_window(self, chunks: list[dict], read: list[int] | None, km: dict, labels: Any,
                    positions: list[int] | None, conditions: list, chunksize: int | None, offset: int,
                    limit: int | None) -> Any:
        """Rows ``offset`` to ``offset + limit`` of the (filtered) rows, reading only the chunks and row
        batches that cover them. Without filters the chunks' row counts say where the window is; with
        filters the matching rows are counted as the chunks are read, and reading stops when it is full."""
        import pandas as pd

        if conditions:
            filtered = (self._finish(t, labels, positions, conditions, km)
                        for c in chunks for t in self._chunk_rows(c, read, km, 0, c["rows"]))
            frames = sel.window(filtered, offset, limit)
        else:
            frames = (self._finish(t, labels, positions, conditions, km)
                      for t in self._row_window(chunks, read, km, offset, limit))
        if chunksize is not None:
            return (sel.result(frame, km) for frame in sel.rebatch(frames, chunksize))
        parts = list(frames)
        if not parts:
            empty = self._empty_table(km["chunks"][0], read, km)
            return sel.result(self._finish(empty, labels, positions, conditions, km), km)
        return sel.result(pd.concat(parts) if len(parts) > 1 else parts[0], km)

    def _row_window(self, chunks: list[dict], read: list[int] | None, km: dict, offset: int,
                    limit: int | None) -> Iterator[Any]:
        """Arrow tables holding rows ``offset`` to ``offset + limit`` of ``chunks``, in order."""
        left = limit
        for chunk in chunks:
            if left == 0:
                return
            if offset >= chunk["rows"]:
                offset -= chunk["rows"]  # before the window: not opened at all
                continue
            stop = chunk["rows"] if left is None else min(chunk["rows"], offset + left)
            yield from self._chunk_rows(chunk, read, km, offset, stop)
            if left is not None:
                left -= stop - offset
            offset = 0

    def _chunk_rows(self, chunk: dict, read: list[int] | None, km: dict, start: int, stop: int) -> Iterator[Any]:
        """Rows ``start`` to ``stop`` of one chunk as Arrow tables, decoding row batches only up to ``stop``."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if stop <= start:
            return
        wanted = None if read is None else [field(i) for i in read]
        schema, dictionaries = decode_schema(km["arrow"]), km["dictionaries"]
        with _opened(self.blob_source(chunk["blob"])) as source, pq.ParquetFile(source) as parquet:
            at = 0
            for batch in parquet.iter_batches(batch_size=min(stop, WINDOW_BATCH), columns=wanted,
                                              use_pandas_metadata=True):
                first, at = at, at + batch.num_rows
                if at <= start:
                    continue
                piece = batch.slice(max(start - first, 0), stop - max(start, first))
                yield _conform(pa.Table.from_batches([piece]), schema, dictionaries)
                if at >= stop:
                    return

    def _finish(self, table: Any, labels: Any, positions: list[int] | None, conditions: list, km: dict) -> Any:
        return sel.finish(table, labels, positions, conditions)

    def _read_chunk(self, chunk: dict, read: list[int] | None, km: dict) -> Any:
        """One chunk as an Arrow table: the data columns at positions ``read`` (None: all) and the index."""
        import pyarrow.parquet as pq

        wanted = None if read is None else [field(i) for i in read]
        with _opened(self.blob_source(chunk["blob"])) as source, pq.ParquetFile(source) as parquet:
            # ParquetFile.read, not read_table: the same table without the dataset layer's ~1 ms per call
            table = parquet.read(columns=wanted, use_pandas_metadata=True)
        return _conform(table, decode_schema(km["arrow"]), km["dictionaries"])

    def _empty_table(self, chunk: dict, read: list[int] | None, km: dict) -> Any:
        """No rows, but the types of ``chunk``."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        wanted = None if read is None else [field(i) for i in read]
        with _opened(self.blob_source(chunk["blob"])) as source, pq.ParquetFile(source) as parquet:
            first = next(parquet.iter_batches(batch_size=1, columns=wanted, use_pandas_metadata=True), None)
        if first is None:  # an empty chunk: read it whole, it has no rows
            return self._read_chunk(chunk, read, km)
        return _conform(pa.Table.from_batches([first.slice(0, 0)]), decode_schema(km["arrow"]), km["dictionaries"])


class _opened:
    """Close a blob source after use if it is a stream (a local path needs nothing)."""

    def __init__(self, source: Any) -> None:
        self.source = source

    def __enter__(self) -> Any:
        return self.source

    def __exit__(self, *exc: Any) -> None:
        if hasattr(self.source, "close"):
            self.source.close()


def _auto_chunk_rows(frame: Any) -> int:
    """Rows per chunk so that a chunk takes about CHUNK_BYTES in memory (a shallow estimate)."""
    if not len(frame):
        return MAX_CHUNK_ROWS
    per_row = max(int(frame.memory_usage(index=True, deep=False).sum()) // len(frame), 1)
    return max(1, min(MAX_CHUNK_ROWS, CHUNK_BYTES // per_row))


def _dictionaries(table: Any) -> dict[str, str]:
    """The categories of categorical columns whose categories are not text (Parquet keeps text ones)."""
    import pyarrow as pa

    found = {}
    for f, col in zip(table.schema, table.columns):
        if pa.types.is_dictionary(f.type) and not pa.types.is_string(f.type.value_type) \
                and not pa.types.is_large_string(f.type.value_type):
            chunk = col.chunk(0) if col.num_chunks else pa.array([], f.type)
            found[f.name] = encode_array(chunk.dictionary)
    return found


def _categories(table: Any) -> dict[str, str]:
    """A fingerprint of the categories of each categorical column (appends must keep them)."""
    import hashlib

    import pyarrow as pa

    found = {}
    for f, col in zip(table.schema, table.columns):
        if pa.types.is_dictionary(f.type):
            chunk = col.chunk(0) if col.num_chunks else pa.array([], f.type)
            found[f.name] = hashlib.sha256(encode_array(chunk.dictionary).encode()).hexdigest()
    return found


def _codes_for_dictionaries(table: Any, dictionaries: dict) -> Any:
    """``table`` with the categoricals named in ``dictionaries`` stored as their integer codes."""
    import pyarrow as pa

    for name in dictionaries:
        j = table.schema.get_field_index(name)
        col = table.column(j)
        codes = pa.chunked_array([c.indices for c in col.chunks], col.type.index_type)
        table = table.set_column(j, pa.field(name, col.type.index_type), codes)
    return table


def _conform(table: Any, schema: Any, dictionaries: dict) -> Any:
    """Types as written: categoricals from their codes, units Parquet cannot hold (seconds) cast back."""
    import pyarrow as pa

    for j, (f, col) in enumerate(zip(table.schema, table.columns)):
        if f.name not in schema.names:
            continue
        target = schema.field(f.name).type
        if f.name in dictionaries:
            values = decode_array(dictionaries[f.name])
            chunks = [pa.DictionaryArray.from_arrays(c, values, ordered=target.ordered) for c in col.chunks]
            table = table.set_column(j, f.with_type(target), pa.chunked_array(chunks, target))
        elif f.type != target and not (pa.types.is_dictionary(f.type) and pa.types.is_dictionary(target)):
            table = table.set_column(j, f.with_type(target), col.cast(target))
    return table
