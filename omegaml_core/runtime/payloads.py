"""What crosses the wire: JSON only, in local mode too, so serialization bugs show up in tests."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any


def round_trip(value: Any) -> Any:
    """``value`` after the same JSON encoding a broker message gets; TypeError if it has no JSON form."""
    from kombu.exceptions import EncodeError
    from kombu.serialization import dumps, loads  # here, so plain() and error_payload() import no kombu

    try:
        _, _, data = dumps(value, serializer="json")
    except EncodeError as exc:
        raise TypeError(f"cannot send this call to a worker: {exc}. Pass datasets by name, "
                        "or values that JSON can carry") from None
    return loads(data, "application/json", "utf-8")


def plain(value: Any) -> Any:
    """A JSON-safe version of a task result: arrays become lists, Metadata a dict."""
    from ..metadata import Metadata

    if isinstance(value, Metadata):
        return plain(value.to_doc())
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    values = getattr(value, "values", None)
    if hasattr(value, "to_frame") or (values is not None and hasattr(value, "columns")):
        return plain(value.values.tolist())  # pandas Series / DataFrame
    if getattr(getattr(value, "dtype", None), "kind", "?") in ("b", "i", "u", "f") and hasattr(value, "tolist"):
        return value.tolist()  # numeric numpy arrays and scalars: tolist() gives plain ints, floats and bools
    if hasattr(value, "tolist"):
        return plain(value.tolist())  # other numpy arrays and scalars (dates, objects, complex)
    if hasattr(value, "item"):
        return value.item()
    return repr(value)
