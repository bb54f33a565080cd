"""``om`` file formats for DataFrames: ``om datasets put sales.csv sales``, ``om datasets get sales -f parquet``.

Registered through the ``omegaml.cli`` entry point; runs on every ``om`` call,
so pandas is imported only when a file is actually read or written.
"""
from __future__ import annotations

from typing import Any, BinaryIO

from omegaml_core.fileformats import FileFormat

from .types import is_frame_or_series

PROVIDER = "omegaml-pandas"


def _frame(obj: Any) -> Any:
    return obj.to_frame() if obj.ndim == 1 else obj


def _keeps_index(frame: Any) -> bool:
    """Write the index only when it carries information: named, several levels, or not plain row numbers."""
    index = frame.index
    return index.nlevels > 1 or index.name is not None or index.dtype.kind not in "iu"


def read_csv(path: str) -> Any:
    import pandas as pd

    return pd.read_csv(path)


def write_csv(obj: Any, fh: BinaryIO) -> None:
    frame = _frame(obj)
    fh.write(frame.to_csv(index=_keeps_index(frame)).encode())


def read_parquet(path: str) -> Any:
    import pandas as pd

    return pd.read_parquet(path)


def write_parquet(obj: Any, fh: BinaryIO) -> None:
    _frame(obj).to_parquet(fh)


def read_json(path: str) -> Any:
    import pandas as pd

    return pd.read_json(path)


def write_json(obj: Any, fh: BinaryIO) -> None:
    frame = _frame(obj)
    if _keeps_index(frame):
        frame = frame.reset_index()
    fh.write(frame.to_json(orient="records", date_format="iso").encode() + b"\n")


def read_excel(path: str) -> Any:
    import pandas as pd

    try:
        return pd.read_excel(path)
    except ImportError as exc:
        raise ImportError(f"{exc} (pip install openpyxl to read .xlsx)") from None


FORMATS = (
    FileFormat("csv", (".csv",), read=read_csv, write=write_csv, handles=is_frame_or_series, provider=PROVIDER),
    FileFormat("parquet", (".parquet", ".pq"), read=read_parquet, write=write_parquet, handles=is_frame_or_series,
               binary=True, provider=PROVIDER),
    FileFormat("json", (".json",), read=read_json, write=write_json, handles=is_frame_or_series, provider=PROVIDER),
    FileFormat("xlsx", (".xlsx", ".xls"), read=read_excel, provider=PROVIDER),
)


def add_commands(cli: Any) -> None:
    """Teach ``om datasets put`` and ``get --format`` the DataFrame file formats."""
    for fmt in FORMATS:
        cli.add_file_format(fmt)
