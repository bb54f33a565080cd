"""Promotion copies the reference (or, with copy=True, the data); engines are pooled per resolved URL."""
from __future__ import annotations

import multiprocessing

import pytest

from omegaml_sql import SQLQueryError
from omegaml_sql.engines import cached_engines, engine_for
from omegaml_sql.urls import resolve


def test_promote_copies_the_reference_not_the_data(om, db):
    table = db.table("promo")
    db.make_sales(table)
    meta = om.datasets.put(db.url, "sales", sql=f"select id from {table} where region = {{r}} order by id",
                           sqlvars={"r": "EU"})
    prod = om["prod"].datasets
    promoted = prod.metadata(om.datasets.promote("sales", prod).name)
    assert (promoted.kind, promoted.uri, promoted.kind_meta) == (meta.kind, meta.uri, meta.kind_meta)
    assert promoted.blobs == [] and promoted.collections == []
    db.execute(f"DELETE FROM {table} WHERE id = 1")  # a reference sees the database as it is now
    assert prod.get("sales")["id"].tolist() == [3]


def test_promote_with_copy_stores_the_query_result(om, db):
    table = db.table("promo")
    db.make_sales(table)
    om.datasets.put(db.url, "sales", sql=f"select id from {table} where region = {{r}} order by id")
    prod = om["prod"].datasets
    meta = om.datasets.promote("sales", prod, copy=True, sqlvars={"r": "US"})
    assert meta.kind == "pandas.columnar" and meta.attributes["copied_from"]["uri"] == db.url
    db.execute(f"DROP TABLE {table}")
    assert prod.get("sales")["id"].tolist() == [2, 5]


def test_failed_promote_with_copy_leaves_the_target_untouched(om, sqlite_db):
    om.datasets.put(sqlite_db.url, "sales", sql="select * from omsql_missing")
    prod = om["prod"].datasets
    with pytest.raises(SQLQueryError):
        om.datasets.promote("sales", prod, copy=True)
    assert not prod.exists("sales") and om.engine.orphans() == set()


def test_engines_are_reused_per_resolved_url(om, pg):
    om.datasets.put("postgresql+psycopg://{user}@127.0.0.1/test", "a", sql="select 1 as one")
    om.datasets.put("postgresql+psycopg://{user}@127.0.0.1/test", "b", sql="select 2 as two")
    om.datasets.get("a", secrets={"user": "postgres"})
    before = len(cached_engines())
    om.datasets.get("b", secrets={"user": "postgres"})
    om.datasets.get("a", secrets={"user": "postgres"}, chunksize=1)
    assert len(cached_engines()) == before  # same resolved URL, same engine
    engine = engine_for(resolve(om.datasets.metadata("a").uri, "a", {"user": "postgres"}).url)
    assert engine in cached_engines() and engine.pool.checkedin() >= 1  # a pooled connection waits for reuse


def _child_uses_fresh_pool(uri: str, queue) -> None:
    engine = engine_for(resolve(uri, "a", {"user": "postgres"}).url)
    idle_inherited = engine.pool.checkedin()
    with engine.connect() as conn:
        conn.exec_driver_sql("select 1")
    queue.put(idle_inherited)


def test_a_forked_child_does_not_reuse_the_parents_connections(om, pg):
    om.datasets.put("postgresql+psycopg://{user}@127.0.0.1/test", "a", sql="select 1 as one")
    om.datasets.get("a", secrets={"user": "postgres"})
    engine = engine_for(resolve(om.datasets.metadata("a").uri, "a", {"user": "postgres"}).url)
    assert engine.pool.checkedin() >= 1
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_uses_fresh_pool, args=(om.datasets.metadata("a").uri, queue))
    child.start()
    child.join(30)
    assert child.exitcode == 0 and queue.get(timeout=5) == 0
    assert om.datasets.get("a", secrets={"user": "postgres"})["one"][0] == 1  # the parent's pool still works
