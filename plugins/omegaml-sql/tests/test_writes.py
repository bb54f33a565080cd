"""Writing DataFrames to tables through a stored connection, and copy=True snapshots."""
from __future__ import annotations

import pandas as pd
import pytest

from omegaml_sql import SQLDatasetError, SQLQueryError

FRAME = pd.DataFrame({"id": [1, 2, 3], "name": ["a", "b", "c"], "value": [0.5, 1.5, 2.5]})


def test_put_frame_with_table_creates_the_table_and_keeps_the_connection(om, db):
    conn_meta = om.datasets.put(db.url, "shop", sql="select 1 as one", attributes={"owner": "ops"})
    table = db.table("new")
    meta = om.datasets.put(FRAME, "shop", table=table)
    assert (meta.kind, meta.uri, meta.kind_meta) == (conn_meta.kind, conn_meta.uri, conn_meta.kind_meta)
    assert meta.attributes == {"owner": "ops"} and meta.blobs == [] and meta.collections == []
    pd.testing.assert_frame_equal(om.datasets.get("shop", table=table).sort_values("id", ignore_index=True), FRAME)


def test_put_again_replaces_the_table_and_append_adds_rows(om, db):
    om.datasets.put(db.url, "shop")
    table = db.table("rows")
    om.datasets.put(FRAME, "shop", table=table)
    om.datasets.put(FRAME.iloc[:1], "shop", table=table)
    assert db.count(table) == 1
    om.datasets.put(FRAME.iloc[1:], "shop", table=table, append=True)
    assert db.count(table) == 3
    assert sorted(om.datasets.get("shop", table=table)["id"]) == [1, 2, 3]


def test_a_series_is_written_as_one_column(om, sqlite_db):
    om.datasets.put(sqlite_db.url, "shop")
    table = sqlite_db.table("series")
    om.datasets.put(pd.Series([1, 2], name="x"), "shop", table=table)
    assert om.datasets.get("shop", table=table)["x"].tolist() == [1, 2]


def test_index_is_written_only_when_asked(om, sqlite_db):
    om.datasets.put(sqlite_db.url, "shop")
    t1, t2 = sqlite_db.table("noidx"), sqlite_db.table("idx")
    frame = FRAME.set_index("id")
    om.datasets.put(frame, "shop", table=t1)
    om.datasets.put(frame, "shop", table=t2, index=True)
    assert list(om.datasets.get("shop", table=t1).columns) == ["name", "value"]
    assert list(om.datasets.get("shop", table=t2).columns) == ["id", "name", "value"]


def test_writing_through_a_name_that_is_not_a_connection_writes_nothing(om, sqlite_db):
    table = sqlite_db.table("x")
    with pytest.raises(SQLDatasetError, match="'nowhere' is not a stored SQL connection"):
        om.datasets.put(FRAME, "nowhere", table=table)
    assert not om.datasets.exists("nowhere") and table not in sqlite_db.table_names()


def test_frame_onto_a_table_reference_replaces_the_rows_of_that_table(om, pg):
    table = pg.table("ref")
    pg.make_sales(table)
    conn_meta = om.datasets.put(pg.url, "sales", table=table)
    meta = om.datasets.put(FRAME, "sales")
    assert (meta.kind, meta.kind_meta) == ("sqlalchemy.conx", conn_meta.kind_meta)
    assert pg.count(table) == 3
    pd.testing.assert_frame_equal(om.datasets.get("sales").sort_values("id", ignore_index=True), FRAME)


def test_frame_onto_a_table_reference_with_append_adds_rows(om, pg):
    table = pg.table("ref")
    om.datasets.put(pg.url, "sales", table=table)
    om.datasets.put(FRAME, "sales", table=table)  # creates the table
    om.datasets.put(FRAME, "sales", append=True)
    assert pg.count(table) == 6


def test_frame_onto_a_query_reference_is_refused_naming_the_kind(om, sqlite_db):
    """A reference without a table has nowhere to write rows: the kind would change, so the put is refused."""
    from omegaml_core.errors import KindChangeError

    meta = om.datasets.put(sqlite_db.url, "shop", sql="select 1 as one")
    with pytest.raises(KindChangeError, match=r"kind 'sqlalchemy.conx'.*kind='pandas.columnar'.*drop it first"):
        om.datasets.put(FRAME, "shop")
    assert om.datasets.metadata("shop").rev == meta.rev and om.engine.list_blobs() == []


def test_get_refuses_an_unknown_option_before_connecting(om):
    om.datasets.put("postgresql+psycopg://nobody@127.0.0.1:1/none", "far", sql="select 1")
    with pytest.raises(TypeError, match=r"'local'.*accepted: .*parse_dates.*sqlvars"):
        om.datasets.get("far", local=True)


def test_appending_to_a_connection_itself_is_refused(om, sqlite_db):
    meta = om.datasets.put(sqlite_db.url, "shop")
    with pytest.raises(SQLDatasetError, match="cannot be appended"):
        om.datasets.put(sqlite_db.url, "shop", append=True)
    assert om.datasets.metadata("shop").rev == meta.rev


def test_a_failed_append_keeps_table_and_connection(om, db):
    meta = om.datasets.put(db.url, "shop")
    table = db.table("strict")
    om.datasets.put(FRAME, "shop", table=table)
    rev = om.datasets.metadata("shop").rev
    with pytest.raises(SQLQueryError, match=rf"datasets 'shop': writing table '{table}'"):
        om.datasets.put(pd.DataFrame({"no_such_column": [1]}), "shop", table=table, append=True)
    assert db.count(table) == 3 and om.datasets.metadata("shop").rev == rev
    assert om.datasets.metadata("shop").uri == meta.uri


def test_copy_stores_the_result_as_an_ordinary_dataset(om, db):
    table = db.table("src")
    db.make_sales(table)
    meta = om.datasets.put(db.url, "snap", sql=f"select id, amount from {table} where region in {{r}} order by id",
                           sqlvars={"r": ["EU"]}, copy=True)
    assert meta.kind == "pandas.columnar" and meta.uri is None and meta.blobs
    assert meta.attributes["copied_from"]["uri"] == db.url
    db.execute(f"DELETE FROM {table}")  # the snapshot does not depend on the database any more
    assert om.datasets.get("snap")["id"].tolist() == [1, 3]


def test_copy_replaces_a_stored_connection_of_the_same_name(om, sqlite_db):
    table = sqlite_db.table("src")
    sqlite_db.make_sales(table)
    om.datasets.put(sqlite_db.url, "snap", table=table)
    meta = om.datasets.put(sqlite_db.url, "snap", table=table, copy=True)
    assert meta.kind == "pandas.columnar" and len(om.datasets.get("snap")) == 5
    assert om.engine.orphans() == set()


def test_copy_uses_an_inline_password_once_and_stores_it_nowhere(om, mariadb):
    import secrets as token

    user, password = f"omsql_{token.token_hex(3)}", f"cp-{token.token_hex(6)}"
    for host in ("%", "localhost", "127.0.0.1"):
        mariadb.execute(f"CREATE USER '{user}'@'{host}' IDENTIFIED BY :pw", pw=password)
        mariadb.execute(f"GRANT SELECT ON test.* TO '{user}'@'{host}'")
    try:
        meta = om.datasets.put(f"mysql+pymysql://{user}:{password}@127.0.0.1/test", "snap",
                               sql="select 42 as answer", copy=True)
        assert om.datasets.get("snap")["answer"].tolist() == [42]
        assert password not in repr(meta.to_doc()) and "{password}" in meta.attributes["copied_from"]["uri"]
    finally:
        for host in ("%", "localhost", "127.0.0.1"):
            mariadb.execute(f"DROP USER IF EXISTS '{user}'@'{host}'")


def test_copy_without_query_is_refused_and_nothing_is_written(om, sqlite_db):
    with pytest.raises(SQLDatasetError, match="copy=True needs sql= or table="):
        om.datasets.put(sqlite_db.url, "snap", copy=True)
    assert not om.datasets.exists("snap") and om.engine.list_blobs() == []


def test_failed_copy_writes_nothing(om, sqlite_db):
    with pytest.raises(SQLQueryError, match="datasets 'snap'"):
        om.datasets.put(sqlite_db.url, "snap", sql="select * from omsql_missing", copy=True)
    assert not om.datasets.exists("snap") and om.engine.list_blobs() == []
