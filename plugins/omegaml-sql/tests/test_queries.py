"""Reading: stored queries with bound {var} parameters, IN lists, chunks, raw connections, projection."""
from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from omegaml_sql import SQLDatasetError, SQLQueryError
from omegaml_sql.engines import engine_for
from omegaml_sql.urls import resolve


def sales_conn(om, db, sql=None, **kwargs):
    table = db.table("sales")
    db.make_sales(table)
    om.datasets.put(db.url, "sales", sql=sql.format(t=table) if sql else None,
                    table=None if sql else table, **kwargs)
    return table


def test_scalar_placeholder_is_bound_and_filters(om, db):
    sales_conn(om, db, "select id, region from {t} where region = {{region}} order by id")
    df = om.datasets.get("sales", sqlvars={"region": "EU"})
    assert isinstance(df, pd.DataFrame)
    assert df["id"].tolist() == [1, 3] and set(df["region"]) == {"EU"}


def test_list_expands_to_an_in_list(om, db):
    sales_conn(om, db, "select id from {t} where region in {{regions}} order by id")
    assert om.datasets.get("sales", sqlvars={"regions": ["EU", "APAC"]})["id"].tolist() == [1, 3, 4]
    assert om.datasets.get("sales", sqlvars={"regions": ("US",)})["id"].tolist() == [2, 5]
    assert om.datasets.get("sales", sqlvars={"regions": []}).empty


def test_placeholder_used_twice_and_numbers_bind_with_their_type(om, db):
    sales_conn(om, db, "select id from {t} where amount >= {{low}} and (id = {{low}} or amount < {{high}}) order by id")
    assert om.datasets.get("sales", sqlvars={"low": 2, "high": 4.5})["id"].tolist() == [2, 3, 4]


def test_stored_defaults_apply_and_get_overrides_them(om, db):
    sales_conn(om, db, "select id from {t} where region = {{region}} order by id", sqlvars={"region": "US"})
    assert om.datasets.get("sales")["id"].tolist() == [2, 5]
    assert om.datasets.get("sales", sqlvars={"region": "EU"})["id"].tolist() == [1, 3]


def test_literal_colons_percents_and_braces_stay_literal(om, sqlite_db):
    sales_conn(om, sqlite_db, "select '12:30' as t, '{{{{x}}}}' as b, id from {t} "
                              "where region like {{pat}} and 'a%b' like 'a%' order by id")
    df = om.datasets.get("sales", sqlvars={"pat": "E%"})
    assert df["id"].tolist() == [1, 3] and df["t"].iloc[0] == "12:30" and df["b"].iloc[0] == "{x}"


def test_postgres_casts_next_to_a_placeholder_work(om, pg):
    sales_conn(om, pg, "select {{n}}::int + 1 as v, id from {t} where id = {{n}}::int")
    df = om.datasets.get("sales", sqlvars={"n": "3"})
    assert df[["v", "id"]].values.tolist() == [[4, 3]]


def test_missing_sqlvar_is_a_clear_error(om, sqlite_db):
    sales_conn(om, sqlite_db, "select * from {t} where region = {{region}}")
    with pytest.raises(SQLDatasetError, match=r"'sales'.*sqlvars for region"):
        om.datasets.get("sales")


def test_quoted_placeholder_is_refused_at_put(om, sqlite_db):
    with pytest.raises(SQLDatasetError, match="quoted"):
        om.datasets.put(sqlite_db.url, "sales", sql="select * from t where region = '{region}'")
    assert not om.datasets.exists("sales")


def test_unbindable_sqlvar_is_refused(om, sqlite_db):
    sales_conn(om, sqlite_db, "select * from {t} where region = {{region}}")
    with pytest.raises(TypeError, match=r"sqlvars\['region'\] is a dict"):
        om.datasets.get("sales", sqlvars={"region": {"a": 1}})


def test_chunksize_gives_an_iterator_of_frames_and_returns_the_connection(om, db):
    sales_conn(om, db, "select id from {t} order by id")
    chunks = om.datasets.get("sales", chunksize=2)
    assert not isinstance(chunks, pd.DataFrame)
    frames = list(chunks)
    assert [len(f) for f in frames] == [2, 2, 1]
    assert pd.concat(frames)["id"].tolist() == [1, 2, 3, 4, 5]
    engine = engine_for(resolve(om.datasets.metadata("sales").uri, "sales").url)
    assert engine.pool.checkedout() == 0


def test_abandoned_chunk_iterator_closes_its_connection(om, db):
    sales_conn(om, db, "select id from {t} order by id")
    chunks = om.datasets.get("sales", chunksize=1)
    next(chunks)
    chunks.close()
    engine = engine_for(resolve(om.datasets.metadata("sales").uri, "sales").url)
    assert engine.pool.checkedout() == 0


def test_raw_gives_a_sqlalchemy_connection(om, db):
    table = sales_conn(om, db, "select * from {t}")
    with om.datasets.get("sales", raw=True) as conn:
        assert isinstance(conn, sa.engine.Connection)
        assert conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one() == 5


def test_stored_table_reads_the_whole_table(om, db):
    sales_conn(om, db)
    df = om.datasets.get("sales")
    assert sorted(df["id"].tolist()) == [1, 2, 3, 4, 5] and list(df.columns) == ["id", "region", "amount"]


def test_projection_selects_columns_of_a_query_and_of_a_table(om, db):
    table = sales_conn(om, db, "select * from {t} where region = {{r}} order by id")
    assert om.datasets.get("sales[amount,id]", sqlvars={"r": "US"}).values.tolist() == [[2.0, 2], [5.0, 5]]
    om.datasets.put(db.url, "whole", table=table)
    assert list(om.datasets.get("whole[region]").columns) == ["region"]
    with pytest.raises(SQLDatasetError, match="no column"):
        om.datasets.get("whole[nope]")


def test_get_can_run_another_query_on_the_stored_connection(om, db):
    table = sales_conn(om, db)
    df = om.datasets.get("sales", sql=f"select count(*) as n from {table} where amount > {{x}}", sqlvars={"x": 2})
    assert df["n"].tolist() == [3]


def test_read_options_are_passed_to_read_sql(om, sqlite_db):
    sales_conn(om, sqlite_db, "select id, amount from {t} order by id")
    assert om.datasets.get("sales", index_col="id").index.tolist() == [1, 2, 3, 4, 5]
    with pytest.raises(TypeError, match="unknown keyword argument"):
        om.datasets.get("sales", bogus=1)


def test_connection_without_query_says_what_to_do(om, sqlite_db):
    om.datasets.put(sqlite_db.url, "conn")
    with pytest.raises(SQLDatasetError, match="without a query.*raw=True"):
        om.datasets.get("conn")


def test_a_failing_query_names_the_dataset(om, db):
    om.datasets.put(db.url, "broken", sql="select * from omsql_no_such_table_here")
    with pytest.raises(SQLQueryError, match=r"datasets 'broken': querying .* failed"):
        om.datasets.get("broken")
