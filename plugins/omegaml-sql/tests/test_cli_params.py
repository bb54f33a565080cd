"""om datasets get NAME --param var=value passes SQL query variables (sqlvars)."""
import io

import pandas as pd


def test_param_fills_a_query_placeholder(om_cli, sqlite_db):
    table = sqlite_db.table("sales")
    sqlite_db.make_sales(table)
    om_cli.omega().datasets.put(sqlite_db.url, "sales", sql=f"select id from {table} where region = {{region}} order by id")
    result = om_cli("datasets", "get", "sales", "--param", "region=EU", "-f", "csv")
    assert result.returncode == 0, result.stderr
    assert pd.read_csv(io.StringIO(result.stdout))["id"].tolist() == [1, 3]


def test_param_values_are_json_when_they_parse(om_cli, sqlite_db):
    table = sqlite_db.table("sales")
    sqlite_db.make_sales(table)
    om_cli.omega().datasets.put(sqlite_db.url, "sales", sql=f"select id from {table} where id in {{ids}} order by id")
    result = om_cli("datasets", "get", "sales", "--param", "ids=[2, 4]", "-f", "csv")
    assert pd.read_csv(io.StringIO(result.stdout))["id"].tolist() == [2, 4]


def test_a_missing_param_is_named(om_cli, sqlite_db):
    table = sqlite_db.table("sales")
    sqlite_db.make_sales(table)
    om_cli.omega().datasets.put(sqlite_db.url, "sales", sql=f"select id from {table} where region = {{region}}")
    result = om_cli("datasets", "get", "sales")
    assert result.returncode == 1 and "region" in result.stderr and "Traceback" not in result.stderr
