"""Object columns that mix value types (``['a', 1, None, 2.5]``), stored losslessly as tagged text.

Arrow gives a column one type, so a column whose values mix types (as
``read_csv`` and ``read_excel`` make every day), or holds values Arrow
refuses (ints beyond 64 bits), is stored as a text column
with one tag character per value, and each value comes back as the same
Python type it was put as. Only such columns pay for this; the Arrow field
carries ``MARK`` in its metadata, so every reader knows which columns to decode
and statistics and database filters leave them alone (the pandas mask still
filters them exactly).
"""
from __future__ import annotations

import base64
import datetime as dt
import decimal
import functools
from typing import Any, Callable

MARK = b"omegaml.mixed"
MIXED_KINDS = {"mixed", "mixed-integer", "mixed-integer-float"}  # pandas.api.types.infer_dtype
SUPPORTED = ("str, int, float (NaN and infinities too), bool, None, decimal.Decimal, bytes, datetime.date, "
             "datetime.datetime and datetime.time (naive or with a fixed UTC offset), datetime.timedelta, "
             "pandas Timestamp (naive or with a named time zone), Timedelta, NaT and NA, numpy bool, int and "
             "float scalars")


def _fixed(value: Any) -> Any:
    """``value`` (a datetime or time) if its time zone is none or a fixed offset, which ISO text keeps."""
    if value.tzinfo is not None and type(value.tzinfo) is not dt.timezone:
        raise ValueError(f"{value!r} has the time zone {value.tzinfo!r}, which ISO text would turn into an offset")
    return value


def _timestamp(ts: Any) -> str:
    tz = None if ts.tz is None else getattr(ts.tz, "key", None) or getattr(ts.tz, "zone", None) or \
        ("UTC" if ts.tz == dt.timezone.utc else None)
    if ts.tz is not None and tz is None:
        raise ValueError(f"{ts!r} has a time zone without a name")
    return f"p{ts.unit}|{tz or ''}|{(ts if tz is None else ts.tz_convert('UTC')).isoformat()}"


def _untimestamp(text: str) -> Any:
    import pandas as pd

    unit, tz, iso = text.split("|")
    ts = pd.Timestamp(iso)
    return (ts.tz_convert(tz) if tz else ts).as_unit(unit)


def _numpy_encoder(value: Any) -> str:
    return f"m{value.dtype.name}|{value.item()!r}"


def _numpy_decoder(text: str) -> Any:
    import numpy as np

    dtype, value = text.split("|", 1)
    return np.dtype(dtype).type({"True": True, "False": False}.get(value, None) if dtype == "bool"
                                else (float(value) if np.dtype(dtype).kind == "f" else int(value)))


@functools.cache
def _encoders() -> dict[type, Callable[[Any], str]]:
    import numpy as np
    import pandas as pd

    encoders: dict[type, Callable[[Any], str]] = {
        str: lambda v: "s" + v,
        bool: lambda v: "b1" if v else "b0",
        int: lambda v: "i" + str(v),
        float: lambda v: "f" + repr(v),
        decimal.Decimal: lambda v: "d" + str(v),
        bytes: lambda v: "y" + base64.b64encode(v).decode(),
        dt.date: lambda v: "D" + v.isoformat(),
        dt.datetime: lambda v: f"t{v.fold}{_fixed(v).isoformat()}",
        dt.time: lambda v: f"T{v.fold}{_fixed(v).isoformat()}",
        dt.timedelta: lambda v: f"r{v.days},{v.seconds},{v.microseconds}",
        pd.Timestamp: _timestamp,
        pd.Timedelta: lambda v: f"R{v.unit}|{v.as_unit('ns').value}",
        type(pd.NaT): lambda v: "N",
        type(pd.NA): lambda v: "A",
    }
    for t in (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
              np.float16, np.float32, np.float64):
        encoders[t] = _numpy_encoder
    return encoders


@functools.cache
def _decoders() -> dict[str, Callable[[str], Any]]:
    import pandas as pd

    return {
        "s": str, "b": lambda t: t == "1", "i": int, "f": float, "d": decimal.Decimal,
        "y": base64.b64decode, "D": dt.date.fromisoformat,
        "t": lambda t: dt.datetime.fromisoformat(t[1:]).replace(fold=int(t[0])),
        "T": lambda t: dt.time.fromisoformat(t[1:]).replace(fold=int(t[0])),
        "r": lambda t: dt.timedelta(*map(int, t.split(","))),
        "p": _untimestamp,
        "R": lambda t: pd.Timedelta(int(t.split("|")[1]), unit="ns").as_unit(t.split("|")[0]),
        "N": lambda t: pd.NaT, "A": lambda t: pd.NA, "m": _numpy_decoder,
    }


def prepare(name: str, frame: Any, stored: list[int] | None = None) -> tuple[Any, list[int], Any]:
    """``(frame to store, positions stored as tagged text, its Arrow schema)`` for ``frame``.

    ``stored``: on an append, the positions stored as tagged text before. An
    object column of supported values that Arrow refuses (a decimal infinity,
    say) is stored as tagged text too; this is only tried when Arrow refuses.
    """
    from .frames import arrow_schema, field

    tagged = positions(name, frame, stored)
    encoded = encode(frame, tagged, name)
    try:
        schema = arrow_schema(encoded)
    except TypeError:
        refused = [] if stored is not None else [
            i for i, dtype in enumerate(frame.dtypes)
            if dtype == object and i not in tagged and not _arrow_accepts(frame.iloc[:, i])
            and _all_scalars(name, frame.columns[i], frame.iloc[:, i])]
        if not refused:
            raise
        tagged = sorted(tagged + refused)
        encoded = encode(frame, tagged, name)
        schema = arrow_schema(encoded)
    return encoded, tagged, mark(schema, tagged, field)


def _arrow_accepts(column: Any) -> bool:
    import pyarrow as pa

    try:
        pa.array(column, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError, OverflowError):
        return False
    return True


def positions(name: str, frame: Any, stored: list[int] | None = None) -> list[int]:
    """Positions of the columns of ``frame`` to store as tagged text.

    Object columns whose values mix types, and on an append the columns
    stored that way before (``stored``). TypeError, before anything is
    written, for a mixed column holding a value outside ``SUPPORTED``, or an
    append that would mix a stored one-type column.
    """
    from pandas.api.types import infer_dtype

    found = []
    for i, (label, dtype) in enumerate(zip(frame.columns, frame.dtypes)):
        if dtype != object:
            continue
        column = frame.iloc[:, i]
        kind = infer_dtype(column, skipna=True)
        # "date" also means dates mixed with datetimes, which Arrow would cut to dates
        mixes = kind in MIXED_KINDS or (kind == "date" and any(isinstance(v, dt.datetime) for v in column))
        if mixes and _all_scalars(name, label, column):
            found.append(i)
    if stored is None:
        return found
    new = [i for i in found if i not in stored]
    if new:
        raise TypeError(f"cannot append to {name!r}: column {frame.columns[new[0]]!r} mixes value types, but the "
                        "stored column holds one type; put the whole frame again, or convert the column first")
    for i in stored:
        if frame.dtypes.iloc[i] != object:
            raise TypeError(f"cannot append to {name!r}: column {frame.columns[i]!r} is stored as an object "
                            f"column of mixed types; give it as dtype object (.astype(object)), not "
                            f"{frame.dtypes.iloc[i]}")
    return list(stored)


def _all_scalars(name: str, label: Any, column: Any) -> bool:
    """True if every value is a supported scalar, False if none is (dicts, tuples: Arrow's business)."""
    encoders = _encoders()
    types = set(map(type, column.to_numpy())) - {type(None)}
    unsupported = sorted(t.__name__ for t in types if t not in encoders)
    if not unsupported:
        return True
    if len(unsupported) == len(types):
        return False
    raise TypeError(f"cannot store {name!r} losslessly: column {label!r} mixes value types including "
                    f"{', '.join(unsupported)}; a column of mixed types may hold {SUPPORTED}. Convert those "
                    "values (e.g. to str) first.")


def encode(frame: Any, where: list[int], name: str = "") -> Any:
    """``frame`` with the columns at ``where`` as tagged text (a shallow copy; ``frame`` is unchanged)."""
    if not where:
        return frame
    import pandas as pd

    encoders = _encoders()
    columns = {}
    for i in where:
        column = frame.iloc[:, i]
        try:
            # str inline: the common value, and a call per value is half the cost
            values = [("s" + v) if type(v) is str else None if v is None else encoders[type(v)](v)
                      for v in column.to_numpy()]
        except KeyError as exc:
            raise TypeError(f"cannot store {name!r} losslessly: column {frame.columns[i]!r} holds a "
                            f"{exc.args[0].__name__}; a column of mixed types may hold {SUPPORTED}") from None
        except (ValueError, OverflowError) as exc:  # e.g. a datetime with a named time zone
            raise TypeError(f"cannot store {name!r} losslessly: column {frame.columns[i]!r}: {exc}; convert "
                            "such values first (e.g. to UTC)") from None
        columns[i] = pd.Series(values, index=frame.index, dtype=object)
    encoded = frame.copy(deep=False)
    for i, column in columns.items():
        encoded.isetitem(i, column)
    return encoded


def mark(schema: Any, where: list[int], field: Callable[[int], str]) -> Any:
    """``schema`` with the fields at ``where`` marked as tagged text."""
    for i in where:
        j = schema.get_field_index(field(i))
        schema = schema.set(j, schema.field(j).with_metadata({MARK: b"1"}))
    return schema


def is_mixed(arrow_field: Any) -> bool:
    """True for a field ``mark`` marked."""
    return bool(arrow_field.metadata) and MARK in arrow_field.metadata


def marked(schema: Any) -> list[str]:
    """The names of the marked fields of ``schema``."""
    return [f.name for f in schema if is_mixed(f)]


def decode(text: Any) -> Any:
    """The values of a tagged text column (an Arrow array), each as the Python type it was put as."""
    import numpy as np
    import pyarrow.compute as pc

    decoders = _decoders()
    tags, payload = pc.utf8_slice_codeunits(text, 0, 1), pc.utf8_slice_codeunits(text, 1)
    values = payload.to_numpy(zero_copy_only=False)  # str values are done here, in Arrow; nulls are None
    others = pc.fill_null(pc.not_equal(tags, "s"), False)
    for kind in pc.unique(tags.filter(others)).to_pylist():  # one pass per other type in the column
        where = pc.fill_null(pc.equal(tags, kind), False)
        decoded = np.empty(pc.sum(where).as_py(), dtype=object)
        decoded[:] = _decode_all(kind, payload.filter(where), decoders)
        values[np.flatnonzero(where.to_numpy(zero_copy_only=False))] = decoded
    return values


def _decode_all(kind: str, texts: Any, decoders: dict) -> list:
    """The values of one tag; ints that fit int64 are parsed by Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind == "i":
        try:
            return pc.cast(texts, pa.int64()).to_pylist()
        except (pa.ArrowInvalid, OverflowError):
            pass  # beyond int64: Python parses them
    decoder = decoders[kind]
    return [decoder(text) for text in texts.to_pylist()]
