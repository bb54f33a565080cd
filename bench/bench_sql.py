"""omegaml-sql benchmark: a get of 1M rows from PostgreSQL vs pandas.read_sql with the same engine and query.

The table is created once with COPY and reused when present with the right
row count. ``OMEGA_BENCH_SQL_ROWS`` changes the size, ``OMEGA_BENCH_PG_URL``
the server.
"""
from __future__ import annotations

import io
import os
import tempfile

from _common import Ratio, best_of, within

ROWS = int(os.environ.get("OMEGA_BENCH_SQL_ROWS", "1000000"))
PG_URL = os.environ.get("OMEGA_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
TABLE = f"omsql_bench_{ROWS}"
QUERY = f"select * from {TABLE} where amount >= {{low}}"


def _ensure_table(engine) -> None:
    """Create and fill the table with COPY, unless it already holds ROWS rows."""
    import numpy as np
    import sqlalchemy as sa

    with engine.connect() as conn:
        if sa.inspect(conn).has_table(TABLE):
            if conn.execute(sa.text(f"select count(*) from {TABLE}")).scalar_one() == ROWS:
                return
    rng = np.random.default_rng(7)
    regions = np.array(["EU", "US", "APAC", "LATAM"])
    buf = io.StringIO()
    ids, amounts = np.arange(ROWS), rng.random(ROWS) * 1000
    qty, region = rng.integers(0, 100, ROWS), regions[rng.integers(0, 4, ROWS)]
    for row in zip(ids, region, amounts, qty):
        buf.write("%d\t%s\t%.6f\t%d\n" % row)
    buf.seek(0)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(f"drop table if exists {TABLE}")
        cur.execute(f"create table {TABLE} (id bigint, region text, amount double precision, qty integer, "
                    f"ts timestamp default now())")
        with cur.copy(f"copy {TABLE} (id, region, amount, qty) from stdin") as copy:
            while chunk := buf.read(1 << 20):
                copy.write(chunk)
        raw.commit()
    finally:
        raw.close()


def run() -> list[Ratio]:
    import pandas as pd
    import sqlalchemy as sa

    import omegaml_core as om_module
    from omegaml_sql.engines import engine_for
    from omegaml_sql.urls import resolve

    with tempfile.TemporaryDirectory() as tmp:
        om = om_module.setup(mongo_url=f"sqlite:///{tmp}/omega.db")
        om.datasets.put(PG_URL, "bench", sql=QUERY)
        engine = engine_for(resolve(PG_URL, "bench").url)  # the engine omegaml uses, for the baseline too
        _ensure_table(engine)
        low = 0.0
        check = om.datasets.get("bench", sqlvars={"low": low})
        assert len(check) == ROWS, f"expected {ROWS} rows, got {len(check)}"
        del check
        baseline_sql = sa.text(QUERY.replace("{low}", ":low"))  # the same query, the same bound parameter
        base = best_of(lambda: pd.read_sql(baseline_sql, engine, params={"low": low}))
        ours = best_of(lambda: om.datasets.get("bench", sqlvars={"low": low}))
        om.engine.close()
    return [Ratio(f"sql get {ROWS:,} rows from PostgreSQL vs pd.read_sql", ours, base, "within 1.2x",
                  within(ours, base, 1.2))]
