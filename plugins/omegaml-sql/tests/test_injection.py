"""Classic SQL injection payloads through sqlvars, table, schema and column names do nothing.

Each test checks, on PostgreSQL, MariaDB and SQLite: the victim table still
exists with its rows, no other table appeared, and only the expected
statement reached the database (the payload travelled as a parameter).
"""
from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from omegaml_sql import SQLDatasetError, UnsafeIdentifierError
from omegaml_sql.engines import engine_for
from omegaml_sql.urls import resolve

PAYLOADS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    "EU'; DROP TABLE {victim}; --",
    "EU\\'; DROP TABLE {victim}; -- ",
    "EU\"; DROP TABLE {victim}; --",
    "'); DELETE FROM {victim}; --",
    "1; DELETE FROM {victim}",
    "' UNION SELECT id, region, amount FROM {victim} --",
    "EU' /*",
    "%' OR 'x' LIKE '%",
    "\u2019 OR 1=1 --",
]


@pytest.fixture
def setup(om, db):
    """A victim table, a sales table, a stored query on sales, and a recorder of executed statements."""
    victim, sales = db.table("victim"), db.table("sales")
    db.make_sales(victim)
    db.make_sales(sales)
    om.datasets.put(db.url, "sales", sql=f"select id from {sales} where region = {{region}}")
    engine = engine_for(resolve(db.url, "sales").url)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    before = db.table_names()
    yield db, victim, statements, before
    sa.event.remove(engine, "before_cursor_execute", record)


def assert_untouched(db, victim, before):
    assert db.table_names() == before
    assert db.count(victim) == 5


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_a_scalar_sqlvar_is_only_a_value(om, setup, payload):
    db, victim, statements, before = setup
    value = payload.format(victim=victim)
    df = om.datasets.get("sales", sqlvars={"region": value})
    assert df.empty  # no row has that region: the payload was compared, not executed
    assert len(statements) == 1 and value not in statements[0] and victim not in statements[0]
    assert_untouched(db, victim, before)


def test_payloads_in_an_in_list_are_only_values(om, setup):
    db, victim, statements, before = setup
    values = [p.format(victim=victim) for p in PAYLOADS] + ["EU"]
    om.datasets.put(db.url, "many", sql=f"select id from {victim} where region in {{regions}} order by id")
    df = om.datasets.get("many", sqlvars={"regions": values})
    assert df["id"].tolist() == [1, 3]
    assert not any(v in s for s in statements for v in values if v != "EU")
    assert_untouched(db, victim, before)


@pytest.mark.parametrize("payload", [
    "{victim}; DROP TABLE {victim}", "{victim} --", "{victim}\" ; DROP TABLE \"{victim}", "x' OR '1'='1",
    "{victim} WHERE 1=0 UNION SELECT 1", "(select * from {victim})", "{victim}`; drop table `{victim}",
])
def test_payload_as_table_to_read_is_refused(om, setup, payload):
    db, victim, statements, before = setup
    with pytest.raises(UnsafeIdentifierError, match="does not exist"):
        om.datasets.get("sales", table=payload.format(victim=victim))
    assert not any(victim in s for s in statements)
    assert_untouched(db, victim, before)


@pytest.mark.parametrize("payload", [
    "new; DROP TABLE {victim}", "new --", "new\"; DROP TABLE \"{victim}", "new` (a int); drop table `{victim}",
    "1abc", "new table", "new\ttable", "{victim}' OR '1'='1",
])
def test_payload_as_table_to_write_is_refused_and_nothing_is_written(om, setup, payload):
    db, victim, statements, before = setup
    meta = om.datasets.metadata("sales")
    with pytest.raises(UnsafeIdentifierError):
        om.datasets.put(pd.DataFrame({"a": [1]}), "sales", table=payload.format(victim=victim))
    assert om.datasets.metadata("sales").rev == meta.rev
    assert_untouched(db, victim, before)


def test_payload_as_schema_is_refused(om, setup):
    db, victim, statements, before = setup
    with pytest.raises(UnsafeIdentifierError, match="schema"):
        om.datasets.get("sales", table=victim, schema=f"x; DROP TABLE {victim}; --")
    with pytest.raises(UnsafeIdentifierError, match="schema"):
        om.datasets.put(pd.DataFrame({"a": [1]}), "sales", table="fresh", schema=f"x; DROP TABLE {victim}")
    assert_untouched(db, victim, before)


def test_payload_as_column_name_is_quoted_not_executed(om, setup):
    db, victim, statements, before = setup
    with pytest.raises(SQLDatasetError):
        om.datasets.get("sales", sqlvars={"region": "EU"}, columns=[f'id" FROM x; DROP TABLE {victim}; --'])
    with pytest.raises(SQLDatasetError, match="no column"):
        om.datasets.get("sales", table=victim, columns=[f"id; DROP TABLE {victim}"])
    assert_untouched(db, victim, before)


def test_an_existing_table_with_an_odd_name_is_read_and_written_with_quoting(om, db):
    odd = db.table("odd") + " it's \"odd\""
    db.tables.append(odd)
    om.datasets.put(db.url, "shop")
    frame = pd.DataFrame({"a": [1, 2]})
    with sa.create_engine(db.url).begin() as conn:  # create it as the database's owner would
        frame.to_sql(odd, conn, index=False)
    om.datasets.put(frame.assign(a=[3, 4]), "shop", table=odd, append=True)
    assert sorted(om.datasets.get("shop", table=odd)["a"]) == [1, 2, 3, 4]
