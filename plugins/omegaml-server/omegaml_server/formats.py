"""DataFrames on the wire: JSON records, omega|ml's ``orient=dict``, CSV, Arrow IPC stream and Parquet.

``encode(frame, media_type, orient)`` gives bytes for a response;
``decode(body, media_type, orient)`` a DataFrame from a request body.
pandas and pyarrow are imported inside the functions.
"""
from __future__ import annotations

import io
import json
from typing import Any

JSON = "application/json"
CSV = "text/csv"
ARROW = "application/vnd.apache.arrow.stream"
PARQUET = "application/vnd.apache.parquet"
#: accepted spellings -> the media type used
MEDIA_TYPES = {JSON: JSON, "text/json": JSON, CSV: CSV, ARROW: ARROW, PARQUET: PARQUET,
               "application/x-parquet": PARQUET, "application/parquet": PARQUET}
#: ?format= shortcuts
FORMATS = {"json": JSON, "csv": CSV, "arrow": ARROW, "parquet": PARQUET}
ORIENTS = ("records", "dict")


class FormatError(ValueError):
    """A body or an Accept header the server cannot use; the message lists what works."""


def negotiate(accept: str | None, fmt: str | None = None) -> str:
    """The media type of the response: ``?format=`` first, then the Accept header (by q), JSON by default."""
    if fmt:
        if fmt not in FORMATS:
            raise FormatError(f"format={fmt!r} is not known; use one of {', '.join(FORMATS)}")
        return FORMATS[fmt]
    if not accept:
        return JSON
    choices = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        choices.append((-q, position, media.lower()))
    for _, _, media in sorted(choices):
        if media in MEDIA_TYPES:
            return MEDIA_TYPES[media]
        if media in ("*/*", "application/*"):
            return JSON
    raise FormatError(f"cannot answer with {accept!r}; accept one of {', '.join(sorted(set(MEDIA_TYPES.values())))}")


def check_orient(orient: str | None) -> str:
    orient = orient or "records"
    if orient not in ORIENTS:
        raise FormatError(f"orient={orient!r} is not known; use records (a list of rows) or dict (omega|ml's "
                          "column -> {row: value} with an index)")
    return orient


def to_jsonable(frame: Any, orient: str) -> Any:
    """Records (``[{col: value}, ...]``) or omega|ml's ``{"data": {col: {i: v}}, "index": {...}}``."""
    import pandas as pd

    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if orient == "dict":
        index = {"values": json.loads(pd.Series(frame.index).to_json(orient="values", date_format="iso")),
                 "type": type(frame.index).__name__}
        flat = frame.reset_index(drop=True)
        return {"data": json.loads(flat.to_json(orient="columns", date_format="iso")), "index": index}
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def encode(frame: Any, media_type: str, orient: str = "records") -> bytes:
    """The bytes of ``frame`` in ``media_type``."""
    import pandas as pd

    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if media_type == JSON:
        return json.dumps(to_jsonable(frame, orient), ensure_ascii=False).encode("utf-8")
    if media_type == CSV:
        return frame.to_csv(index=False).encode("utf-8")
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=None)
    sink = io.BytesIO()
    if media_type == ARROW:
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
    else:
        import pyarrow.parquet as pq

        pq.write_table(table, sink)
    return sink.getvalue()


def decode(body: bytes, media_type: str | None, orient: str | None = None) -> Any:
    """A DataFrame from a request body; FormatError saying what is wrong with it."""
    import pandas as pd

    media = MEDIA_TYPES.get((media_type or JSON).split(";")[0].strip().lower())
    if media is None:
        raise FormatError(f"Content-Type {media_type!r} is not supported; send one of "
                          f"{', '.join(sorted(set(MEDIA_TYPES.values())))}")
    if not body:
        raise FormatError("the request body is empty; send the rows to store")
    try:
        if media == JSON:
            return frame_from_json(json.loads(body), orient)
        if media == CSV:
            return pd.read_csv(io.BytesIO(body))
        import pyarrow as pa

        if media == ARROW:
            return pa.ipc.open_stream(pa.py_buffer(body)).read_all().to_pandas()
        import pyarrow.parquet as pq

        return pq.read_table(pa.BufferReader(body)).to_pandas()
    except FormatError:
        raise
    except (ValueError, TypeError, KeyError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise FormatError(f"the body is not valid {media}: {exc}") from None
    except Exception as exc:  # pyarrow raises its own error types for broken streams
        if type(exc).__module__.startswith("pyarrow"):
            raise FormatError(f"the body is not valid {media}: {exc}") from None
        raise


def frame_from_json(payload: Any, orient: str | None = None) -> Any:
    """Records (a list of objects), or ``{"data": ..., "index": ..., "dtypes": ...}`` (omega|ml's dict form,
    or ``{"columns": [...], "data": [[...], ...]}``)."""
    import pandas as pd

    if isinstance(payload, list):
        if not all(isinstance(row, dict) for row in payload):
            raise FormatError("a JSON list body must hold one object per row, e.g. [{\"x\": 1}, {\"x\": 2}]")
        return pd.DataFrame.from_records(payload) if payload else pd.DataFrame()
    if not isinstance(payload, dict) or "data" not in payload:
        raise FormatError("a JSON body must be a list of rows ([{\"x\": 1}, ...]) or an object with \"data\" "
                          "(omega|ml's {\"data\": {column: {row: value}}, \"index\": {\"values\": [...]}})")
    data, columns = payload["data"], payload.get("columns")
    if isinstance(data, dict):
        frame = pd.DataFrame.from_dict(data, orient="columns")
        if frame.index.dtype == object:  # JSON object keys are strings: restore the row order
            try:
                frame.index = frame.index.astype(int)
                frame = frame.sort_index()
            except (ValueError, TypeError):
                pass
    elif isinstance(data, list):
        if data and all(isinstance(row, dict) for row in data):
            frame = pd.DataFrame.from_records(data)
            if columns:
                frame = frame[list(columns)]
        elif columns is not None:
            frame = pd.DataFrame(data, columns=list(columns))
        else:
            frame = pd.DataFrame(data)
    else:
        raise FormatError("\"data\" must be an object of columns or a list of rows")
    index = payload.get("index")
    if isinstance(index, dict) and isinstance(index.get("values"), list):
        if len(index["values"]) != len(frame):
            raise FormatError(f"index has {len(index['values'])} values for {len(frame)} rows")
        frame.index = index["values"]
    dtypes = payload.get("dtypes")
    if isinstance(dtypes, dict) and dtypes:
        frame = frame.astype(dtypes)
    return frame
