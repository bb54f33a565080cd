"""The kernel's backend contract for sqlalchemy.conx: samples are connection strings to SQLite files.

A stored connection reads its table back, so round trips compare the
DataFrame read through omegaml with the one pandas reads from the file.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from omegaml_core.testing import BackendContract

TABLE = "items"


def _sqlite_file(folder: Path, n: int) -> str:
    path = folder / f"sample{n}.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    pd.DataFrame({"k": range(n), "v": [f"row{i}" for i in range(n)]}).to_sql(TABLE, engine, index=False,
                                                                            if_exists="replace")
    engine.dispose()
    return f"sqlite:///{path}"


class TestSQLConnectionContract(BackendContract):
    kind = "sqlalchemy.conx"
    store = "datasets"
    _folder: Path | None = None

    def samples(self) -> list[Any]:
        if TestSQLConnectionContract._folder is None:
            TestSQLConnectionContract._folder = Path(tempfile.mkdtemp(prefix="omsql-contract-"))
        return [_sqlite_file(self._folder, 3), _sqlite_file(self._folder, 5)]

    def put(self, store: Any, obj: Any, name: str, **kwargs: Any) -> Any:
        return store.put(obj, name, table=TABLE, **kwargs)

    def assert_same(self, expected: Any, actual: Any) -> None:
        engine = sa.create_engine(expected)
        try:
            pd.testing.assert_frame_equal(actual, pd.read_sql_table(TABLE, engine))
        finally:
            engine.dispose()
