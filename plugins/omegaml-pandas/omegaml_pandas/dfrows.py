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

import base64
import re
import secrets
from typing import Any

from omegaml_core.backends import BaseDataBackend

from . import filters as flt
from .frames import decode_columns, encode_columns, field, from_table, index_freq, to_table
from .types import as_frame, is_frame_or_series, restore

BATCH = 10_000
WRITE, ROW = "_om_w", "_om_n"
_PUSHDOWN = ("eq", "lt", "lte", "gt", "gte", "in", "between", "contains", "startswith", "endswith")


class DataFrameRowsBackend(BaseDataBackend):
    """Row documents; chosen with ``kind='pandas.dfrows'``. ``put(..., index=['col'])`` adds indexes."""

    priority = 0  # never chosen automatically over pandas.columnar
    supports_append = True

    @classmethod
    def supports(cls, obj: Any, name: str, **kwargs: Any) -> bool:
        return is_frame_or_series(obj)

    def put(self, obj: Any, name: str, meta: Any, append: bool = False, index: list | None = None,
            **kwargs: Any) -> Any:
        import pyarrow as pa

        if not is_frame_or_series(obj):
            raise TypeError(f"pandas.dfrows stores DataFrames and Series, got {type(obj).__name__} for {name!r}")
        frame, what = as_frame(obj)
        table = to_table(frame)
        columns = encode_columns(frame.columns)
        km = dict(meta.kind_meta) if append else {}
        if append:
            if km.get("columns") != columns or km.get("type") != what:
                raise TypeError(f"cannot append to {name!r}: columns {list(frame.columns)!r} differ from the stored "
                                f"{list(decode_columns(km['columns']))!r}")
            if _schema(km).remove_metadata() != table.schema.remove_metadata():
                raise TypeError(f"cannot append to {name!r}: column types differ from the stored ones")
            for field_name, values in _dictionaries(table).items():
                if not set(values) <= set(km["dictionaries"].get(field_name, [])):
                    raise TypeError(f"cannot append to {name!r}: categories of a categorical column differ from "
                                    "the stored ones; use the same categories (e.g. .cat.set_categories)")
            coll = self.collection(meta, 0)
        else:
            meta.collections = []
            coll = self.new_collection(meta)
            coll.create_index([(WRITE, 1), (ROW, 1)])
            km = {"type": what, "columns": columns, "freq": index_freq(frame), "writes": [], "rows": 0,
                  "schema": base64.b64encode(table.schema.serialize().to_pybytes()).decode(),
                  "dictionaries": _dictionaries(table)}
        storage = _storage_table(table)
        write_id, first = secrets.token_hex(6), km["rows"]
        names = [f"f{j}" for j in range(storage.num_columns)]
        for start in range(0, storage.num_rows, BATCH):
            batch = storage.slice(start, BATCH).rename_columns(names).to_pylist()
            for n, doc in enumerate(batch, start=first + start):
                doc[WRITE], doc[ROW] = write_id, n
            coll.insert_many(batch)
        for label in index or []:
            coll.create_index([(self._field(km, frame.columns, label, table.schema), 1)])
        km.update(writes=km["writes"] + [write_id], rows=first + storage.num_rows)
        meta.kind_meta = km
        return meta

    def get(self, name: str, meta: Any, columns: list | None = None, chunksize: int | None = None,
            filter: dict | None = None, **lookups: Any) -> Any:
        import pyarrow as pa

        km = meta.kind_meta
        labels = decode_columns(km["columns"])
        schema = _schema(km)
        conditions = flt.parse({**(filter or {}), **lookups}, list(labels))
        query = {WRITE: {"$in": list(km["writes"])}}
        for cond in conditions:
            query.update(self._pushdown(cond, schema))
        cursor = self.collection(meta, 0).find(query).sort(ROW, 1)
        docs = [{k: v for k, v in doc.items() if k[0] == "f"} for doc in cursor]
        stored = pa.schema([pa.field(f"f{j}", f.type) for j, f in enumerate(_storage_schema(schema))])
        table = _cast_back(pa.Table.from_pylist(docs, schema=stored).rename_columns(schema.names), schema,
                           km.get("dictionaries", {}))
        frame = from_table(table, labels, None, km.get("freq"))
        if conditions:
            frame = frame[flt.mask(frame, conditions)]
        if columns is not None:
            missing = [c for c in columns if not any(c == l or str(c) == str(l) for l in labels)]
            if missing:
                raise KeyError(f"{name!r} has no column(s) {missing!r}; columns are {list(labels)!r}")
            frame = frame[[next(l for l in labels if c == l or str(c) == str(l)) for c in columns]]
        frame = restore(frame, km["type"])
        if chunksize is not None:
            return (frame.iloc[i:i + chunksize] for i in range(0, len(frame), chunksize))
        return frame

    def _field(self, km: dict, columns: Any, label: Any, schema: Any) -> str:
        position = flt.parse({label: None}, list(columns))[0].position
        return f"f{schema.get_field_index(field(position))}"

    def _pushdown(self, cond: flt.Condition, schema: Any) -> dict:
        """A pre-filter on stored fields: a superset of the pandas mask, values always literal."""
        import pyarrow as pa

        j = schema.get_field_index(field(cond.position))
        arrow_type = schema.field(j).type
        plain = pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) \
            or pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
        if cond.op not in _PUSHDOWN or not plain or not _literal(cond.value):
            return {}
        key, v = f"f{j}", cond.value
        text = pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
        if cond.op in ("contains", "startswith", "endswith"):
            if not text:
                return {}
            pattern = {"contains": "{}", "startswith": "^{}", "endswith": "{}$"}[cond.op].format(re.escape(v))
            return {key: {"$regex": pattern}}
        if text != all(isinstance(x, str) for x in (v if cond.op in ("in", "between") else [v])):
            return {}  # comparing across types: let pandas decide
        if cond.op == "in":
            return {key: {"$in": list(v)}}
        if cond.op == "between":
            return {key: {"$gte": v[0], "$lte": v[1]}}
        return {key: {"$" + cond.op: v}}


def _literal(value: Any) -> bool:
    """Only plain scalars (or lists of them) are sent to the database; anything else is filtered in pandas."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return all(type(x) in (int, float, str, bool) for x in items)


def _schema(km: dict) -> Any:
    import pyarrow as pa

    return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(km["schema"])))


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
