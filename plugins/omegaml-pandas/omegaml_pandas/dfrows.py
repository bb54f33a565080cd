"""``pandas.dfrows``: one document per row, for native queries and indexes.

Rows go through the same Arrow conversion as ``pandas.columnar`` (so dtypes,
index and labels come back the same); temporal values are stored as int64
in their Arrow unit, so nanoseconds and time zones survive every engine.
Documents use positional field names (``f0, f1, ...``), so labels with dots or
dollars are never field names. Each write tags its rows with a write id, and
reads see only committed write ids: an append that is retried after a
concurrent write never shows its rows twice.
"""
from __future__ import annotations

import re
import secrets
import time
from typing import Any, Iterator

from omegaml_core.backends import BaseDataBackend

from . import filters as flt
from . import mixed
from . import selection as sel
from .fidelity import check_round_trip, refuse_nested_lists
from .frames import decode_columns, decode_schema, encode_columns, encode_schema, field, from_table, index_freq, to_table
from .types import as_frame, is_frame_or_series, is_unnamed_series

BATCH = 10_000
WRITE, ROW = "_om_w", "_om_n"
INT64 = (-(2**63), 2**63 - 1)


class DataFrameRowsBackend(sel.LookupOptions, BaseDataBackend):
    """Row documents; chosen with ``kind='pandas.dfrows'``.

    ``put(df, name, kind='pandas.dfrows', index=['col', ...])`` also creates a
    database index on each named column. ``get`` takes the same filters,
    ``columns`` and ``chunksize`` as ``pandas.columnar``; filters on numbers,
    text and timestamps are sent to the database as a pre-filter built from
    explicit operators around literal values, and the exact pandas mask is
    applied to what comes back.
    """

    priority = 0  # never chosen automatically over pandas.columnar
    supports_append = True

    @classmethod
    def supports(cls, obj: Any, name: str, **kwargs: Any) -> bool:
        return is_frame_or_series(obj)

    # --- writing ------------------------------------------------------------
    def put(self, obj: Any, name: str, meta: Any, append: bool = False, index: list | None = None,
            **kwargs: Any) -> Any:
        if kwargs:
            raise TypeError(f"pandas.dfrows put of {name!r} got unknown options {sorted(kwargs)!r}; "
                            "it accepts index=[column, ...]")
        if not is_frame_or_series(obj):
            raise TypeError(f"pandas.dfrows stores DataFrames and Series, got {type(obj).__name__} for {name!r}")
        frame, what = as_frame(obj)
        if isinstance(index, (str, bytes)):
            index = [index]
        frame, tagged, schema = mixed.prepare(name, frame, meta.kind_meta.get("mixed", []) if append else None)
        table = to_table(frame, schema)
        columns = encode_columns(frame.columns)
        indexed = [self._field_of(frame.columns, label, table.schema) for label in index or []]  # fail early
        _refuse_unstorable(name, frame.columns, table)
        km = dict(meta.kind_meta) if append else {}
        if append:
            self._check_append(name, km, frame, what, columns, table)
            coll = self.collection(meta, 0)
        else:
            check_round_trip(name, frame, lambda sample: self._round_trip(sample, what))
            meta.collections = []
            coll = self.new_collection(meta)
            coll.create_index([(WRITE, 1), (ROW, 1)])
            km = {"type": what, "columns": columns, "freq": index_freq(frame), "writes": [], "rows": 0,
                  "mixed": tagged, "unnamed": is_unnamed_series(obj),
                  "schema": encode_schema(table.schema),
                  "dictionaries": _dictionaries(table)}
        storage = _storage_table(table)
        del table
        # time-ordered, unique: rows of attempts that never commit stay invisible to every read
        write_id, first = f"{time.time_ns():x}-{secrets.token_hex(4)}", km["rows"]
        names = [f"f{j}" for j in range(storage.num_columns)]
        for start in range(0, storage.num_rows, BATCH):
            batch = storage.slice(start, BATCH).rename_columns(names).to_pylist()
            for n, doc in enumerate(batch, start=first + start):
                doc[WRITE], doc[ROW] = write_id, n
            coll.insert_many(batch)
        for key in indexed:
            coll.create_index([(key, 1)])
        km.update(writes=km["writes"] + [write_id], rows=first + storage.num_rows)
        meta.kind_meta = km
        return meta

    def _check_append(self, name: str, km: dict, frame: Any, what: str, columns: str, table: Any) -> None:
        if km.get("columns") != columns or km.get("type") != what:
            raise TypeError(f"cannot append to {name!r}: columns {list(frame.columns)!r} differ from the stored "
                            f"{list(decode_columns(km['columns']))!r}")
        if _schema(km).remove_metadata() != table.schema.remove_metadata():
            raise TypeError(f"cannot append to {name!r}: column types differ from the stored ones; "
                            "convert the dtypes (and index) to the stored ones first")
        for field_name, values in _dictionaries(table).items():
            if values != km["dictionaries"].get(field_name):
                raise TypeError(f"cannot append to {name!r}: categories of a categorical column differ from "
                                "the stored ones; use the same categories (e.g. .cat.set_categories)")

    def _round_trip(self, sample: Any, what: str) -> Any:
        """``sample`` through row documents and back, as a get would read it."""
        table = to_table(sample)
        km = {"dictionaries": _dictionaries(table)}
        names = [f"f{j}" for j in range(table.num_columns)]
        docs = _storage_table(table).rename_columns(names).to_pylist()
        back = self._table(docs, table.schema, list(range(table.num_columns)), km)
        return from_table(back, sample.columns, None)

    def _field_of(self, columns: Any, label: Any, schema: Any) -> str:
        position = flt.parse({label: None}, list(columns))[0].position
        return f"f{schema.get_field_index(field(position))}"

    # --- reading ------------------------------------------------------------
    def get(self, name: str, meta: Any, columns: list | None = None, chunksize: int | None = None,
            filter: dict | None = None, offset: int | None = None, limit: int | None = None,
            **lookups: Any) -> Any:
        km = meta.kind_meta
        labels = decode_columns(km["columns"])
        schema = _schema(km)
        conditions = flt.parse({**(filter or {}), **lookups}, list(labels))
        positions = sel.positions(name, labels, columns)
        chunksize = sel.check_chunksize(chunksize)
        offset, limit = sel.check_window(offset, limit)
        read = sel.needed(positions, conditions)
        if read is None:
            fields = list(range(len(schema)))
        else:  # the wanted data columns and the index columns
            data = {schema.get_field_index(field(i)) for i in read}
            fields = [j for j, f in enumerate(schema) if j in data or not _is_data_field(f.name)]
        query = {"$and": [{WRITE: {"$in": list(km["writes"])}}]
                 + [q for cond in conditions for q in _pushdown(cond, schema)]}
        projection = {"_id": 0, **{f"f{j}": 1 for j in fields}}
        cursor = self.collection(meta, 0).find(query, projection).sort(ROW, 1)
        windowed = bool(offset) or limit is not None
        if windowed and not conditions:  # the database skips to the window; rows are numbered in order
            cursor = cursor.skip(offset).limit(limit) if limit else cursor.skip(offset)
        batch = chunksize or (min(limit, BATCH) if limit and not conditions else BATCH)
        tables = (self._table(docs, schema, fields, km) for docs in _batches(cursor, batch))
        frames = (sel.finish(t, labels, positions, conditions) for t in tables)
        if limit == 0:
            frames = iter(())
        elif windowed and conditions:  # the pushed-down query is a superset: count the rows the mask keeps
            frames = sel.window(frames, offset, limit)
        if chunksize is not None:
            return (sel.result(frame, km) for frame in sel.rebatch(frames, chunksize))
        import pandas as pd

        parts = list(frames) or [sel.finish(self._table([], schema, fields, km), labels, positions, conditions)]
        return sel.result(pd.concat(parts) if len(parts) > 1 else parts[0], km)

    def _table(self, docs: list[dict], schema: Any, fields: list[int], km: dict) -> Any:
        """The Arrow table of row documents holding the schema's ``fields``."""
        import pyarrow as pa

        wanted = pa.schema([schema.field(j) for j in fields], metadata=schema.metadata)
        storage = _storage_schema(wanted)
        stored = pa.schema([pa.field(f"f{j}", f.type) for j, f in zip(fields, storage)])
        table = pa.Table.from_pylist(docs, schema=stored).rename_columns(wanted.names)
        return _cast_back(table, wanted, km.get("dictionaries", {}))


def _refuse_unstorable(name: str, labels: Any, table: Any) -> None:
    """TypeError for values that row documents cannot hold exactly on every engine."""
    import pyarrow as pa
    import pyarrow.compute as pc

    refuse_nested_lists(name, labels, table.schema)
    for i, label in enumerate(labels):
        col = table.column(field(i))
        if pa.types.is_decimal(col.type):
            raise TypeError(f"pandas.dfrows cannot store decimals (column {label!r} of {name!r}); use "
                            "pandas.columnar, or convert them to str or float")
        if pa.types.is_uint64(col.type) and len(col) > col.null_count and pc.max(col).as_py() > INT64[1]:
            raise TypeError(f"pandas.dfrows cannot store integers above 2**63-1 (column {label!r} of {name!r}); "
                            "use pandas.columnar")


def _is_data_field(name: str) -> bool:
    return name[:1] == "c" and name[1:].isdigit()


def _batches(cursor: Any, size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for doc in cursor:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _pushdown(cond: flt.Condition, schema: Any) -> list[dict]:
    """Database pre-filters for ``cond``: a superset of the pandas mask, built only from literal values.

    Operators are fixed here; a user's value is only ever the operand, and
    only if it is a plain number, string or timestamp. Anything else is left
    to the pandas mask.
    """
    import pyarrow as pa

    j = schema.get_field_index(field(cond.position))
    arrow_type, key, op, v = schema.field(j).type, f"f{j}", cond.op, cond.value
    t = pa.types
    if mixed.is_mixed(schema.field(j)):
        return []  # tagged text: only the pandas mask knows what its values mean
    if op in ("contains", "startswith", "endswith"):
        if not (t.is_string(arrow_type) or t.is_large_string(arrow_type)):
            return []
        pattern = {"contains": "{}", "startswith": "^{}", "endswith": "{}$"}[op].format(re.escape(v))
        return [{key: {"$regex": pattern}}]
    if op not in ("eq", "lt", "lte", "gt", "gte", "in", "between"):
        return []
    values = list(v) if op in ("in", "between") else [v]
    if t.is_string(arrow_type) or t.is_large_string(arrow_type):
        ok = all(type(x) is str for x in values)
    elif t.is_integer(arrow_type) or t.is_floating(arrow_type):
        ok = all(type(x) in (int, float) and x == x and INT64[0] <= x <= INT64[1] for x in values)
    elif t.is_timestamp(arrow_type) and op != "in":
        return _timestamp_pushdown(key, arrow_type, op, values)
    else:
        ok = False
    if not ok:
        return []
    if op == "in":
        return [{key: {"$in": values}}]
    if op == "between":
        return [{key: {"$gte": values[0], "$lte": values[1]}}]
    return [{key: {"$" + op: v}}]


def _timestamp_pushdown(key: str, arrow_type: Any, op: str, values: list) -> list[dict]:
    """Timestamps are stored as int64 in the column's unit: compare with rounded bounds (a superset)."""
    from .stats import _NS_PER_UNIT, comparable

    ns = [comparable(x, "tstz" if arrow_type.tz else "ts") for x in values]
    if any(x is None for x in ns):
        return []
    scale = _NS_PER_UNIT[arrow_type.unit]
    low = [x // scale for x in ns]        # floor
    high = [-(-x // scale) for x in ns]   # ceiling
    if op == "between":
        return [{key: {"$gte": low[0], "$lte": high[1]}}]
    if op == "eq":
        return [{key: {"$gte": low[0], "$lte": high[0]}}]
    if op in ("gt", "gte"):
        return [{key: {"$gte": low[0]}}]
    return [{key: {"$lte": high[0]}}]


def _schema(km: dict) -> Any:
    return decode_schema(km["schema"])


def _temporal(arrow_type: Any) -> bool:
    import pyarrow as pa

    t = pa.types
    return t.is_timestamp(arrow_type) or t.is_duration(arrow_type) or t.is_date(arrow_type) or t.is_time(arrow_type)


def _storage_schema(schema: Any) -> Any:
    import pyarrow as pa

    return pa.schema([pa.field(f.name, pa.int64() if _temporal(f.type) else
                               (f.type.value_type if pa.types.is_dictionary(f.type) else f.type))
                      for f in schema])


def _storage_table(table: Any) -> Any:
    import pyarrow as pa

    columns = []
    for f, col in zip(table.schema, table.columns):
        if _temporal(f.type):
            col = col.cast(pa.int32() if pa.types.is_date32(f.type) or f.type == pa.time32("s") or
                           f.type == pa.time32("ms") else pa.int64()).cast(pa.int64())
        elif pa.types.is_dictionary(f.type):
            col = col.cast(f.type.value_type)
        columns.append(col)
    return pa.table(columns, names=table.schema.names)


def _dictionaries(table: Any) -> dict[str, list]:
    """The full dictionary (pandas categories, in order) of each categorical field."""
    import pyarrow as pa

    found = {}
    for f, col in zip(table.schema, table.columns):
        if pa.types.is_dictionary(f.type):
            chunk = col.chunk(0) if col.num_chunks else pa.array([], f.type)
            found[f.name] = chunk.dictionary.to_pylist()
    return found


def _cast_back(table: Any, schema: Any, dictionaries: dict[str, list]) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for f, col in zip(schema, table.columns):
        if pa.types.is_dictionary(f.type):
            dictionary = pa.array(dictionaries.get(f.name, []), f.type.value_type)
            values = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
            indices = pc.index_in(values, value_set=dictionary).cast(f.type.index_type)
            col = pa.DictionaryArray.from_arrays(indices, dictionary, ordered=f.type.ordered)
        elif _temporal(f.type) and (pa.types.is_date32(f.type) or pa.types.is_time32(f.type)):
            col = col.cast(pa.int32()).cast(f.type)
        elif f.type != col.type:
            col = col.cast(f.type)
        columns.append(col)
    return pa.table(columns, schema=schema)
