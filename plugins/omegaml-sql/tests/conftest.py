"""Fixtures: an embedded Omega, and the three real databases (PostgreSQL, MariaDB, SQLite).

PostgreSQL and MariaDB are the local servers (``OMEGA_TEST_PG_URL`` and
``OMEGA_TEST_MYSQL_URL`` override the defaults); a test that needs one is
skipped, with the reason, only if the server cannot be reached. Each test gets
unique table names from ``db.table()`` and its tables are dropped afterwards.
"""
from __future__ import annotations

import functools
import os
import secrets as token
from dataclasses import dataclass, field
from typing import Any

import pytest

from omegaml_core.config import Config
from omegaml_core.omega import Omega

PG_URL = os.environ.get("OMEGA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
MYSQL_URL = os.environ.get("OMEGA_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1/test")
SERVERS = {"postgresql": PG_URL, "mariadb": MYSQL_URL}


@functools.lru_cache(maxsize=None)
def unreachable(url: str) -> str | None:
    """None if the server answers, else why not (once per session)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as exc:
        return f"{url.split('://')[0]} server at {url.split('@')[-1]} is not reachable: {type(exc).__name__}"
    finally:
        engine.dispose()
    return None


@dataclass
class Database:
    """One real database: its URL, an admin engine of its own (not the plugin's cache), unique tables."""

    label: str
    url: str
    engine: Any
    tables: list[str] = field(default_factory=list)

    def table(self, stem: str = "t") -> str:
        name = f"omsql_{stem}_{token.token_hex(4)}"
        self.tables.append(name)
        return name

    def execute(self, sql: str, **params: Any) -> Any:
        import sqlalchemy as sa

        with self.engine.begin() as conn:
            result = conn.execute(sa.text(sql), params)
            return result.fetchall() if result.returns_rows else None

    def count(self, table: str) -> int:
        import sqlalchemy as sa

        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one()

    def table_names(self) -> set[str]:
        import sqlalchemy as sa

        return set(sa.inspect(self.engine).get_table_names())

    def make_sales(self, table: str) -> None:
        import pandas as pd

        frame = pd.DataFrame({"id": [1, 2, 3, 4, 5], "region": ["EU", "US", "EU", "APAC", "US"],
                              "amount": [1.5, 2.0, 3.0, 4.0, 5.0]})
        frame.to_sql(table, self.engine, index=False)

    def cleanup(self) -> None:
        import sqlalchemy as sa

        with self.engine.begin() as conn:
            for name in self.tables:
                conn.execute(sa.schema.DropTable(sa.Table(name, sa.MetaData()), if_exists=True))
        self.engine.dispose()


def _database(label: str, url: str) -> Database:
    import sqlalchemy as sa

    reason = unreachable(url)
    if reason:
        pytest.skip(reason)
    return Database(label, url, sa.create_engine(url))


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def db(request: pytest.FixtureRequest, tmp_path: Any) -> Database:
    """Each of the three databases in turn."""
    url = f"sqlite:///{tmp_path / 'shop.db'}" if request.param == "sqlite" else SERVERS[request.param]
    database = _database(request.param, url)
    yield database
    database.cleanup()


@pytest.fixture
def pg() -> Database:
    database = _database("postgresql", PG_URL)
    yield database
    database.cleanup()


@pytest.fixture
def mariadb() -> Database:
    database = _database("mariadb", MYSQL_URL)
    yield database
    database.cleanup()


@pytest.fixture
def sqlite_db(tmp_path: Any) -> Database:
    database = _database("sqlite", f"sqlite:///{tmp_path / 'shop.db'}")
    yield database
    database.cleanup()


@pytest.fixture
def om(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Omega:
    """An Omega on a fresh embedded store, with no OMEGA_SQL_* variables set."""
    for var in [v for v in os.environ if v.startswith("OMEGA_SQL_")]:
        monkeypatch.delenv(var)
    omega = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'omega.db'}"))
    yield omega
    omega.engine.close()
