"""Which objects the backend claims, URL templates, and secret resolution (no database needed)."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from omegaml_core.errors import UnsupportedObjectError
from omegaml_sql import SQLDatasetError
from omegaml_sql.backend import SQLConnectionBackend
from omegaml_sql.urls import env_names, parse, resolve, scrub


@pytest.mark.parametrize("text", [
    "sqlite:///shop.db", "sqlite://", "postgresql+psycopg://{user}:{password}@localhost/test",
    "mysql+pymysql://root@127.0.0.1/test", "postgresql://u@h/{db}", "mssql+pyodbc://u@h/db",
])
def test_urls_of_dialects_sqlalchemy_knows_are_claimed(text):
    assert SQLConnectionBackend.supports(text, "x")


@pytest.mark.parametrize("text", [
    "hello", "http://example.com/data.csv", "s3://bucket/key", "mongodb://localhost/db", "/tmp/sqlite:///x",
    "nosuchdialect://x/y", "postgresql://h:{port}/db",
])
def test_other_strings_are_not_claimed(text):
    assert not SQLConnectionBackend.supports(text, "x")


def test_frames_are_claimed_only_with_table():
    frame = pd.DataFrame({"a": [1]})
    assert SQLConnectionBackend.supports(frame, "x", table="t")
    assert not SQLConnectionBackend.supports(frame, "x")
    assert not SQLConnectionBackend.supports({"a": 1}, "x", table="t")


def test_an_existing_file_path_still_goes_to_python_file(om, tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"x")
    assert om.datasets.put(str(path), "file").kind == "python.file"


def test_unknown_driver_and_missing_driver_package_are_clear_errors(om):
    with pytest.raises(SQLDatasetError, match="no driver 'nonsense' for 'postgresql'"):
        om.datasets.put("postgresql+nonsense://u@h/db", "x")
    with pytest.raises(SQLDatasetError, match="driver for 'mssql\\+pyodbc' is not installed.*pyodbc"):
        om.datasets.put("mssql+pyodbc://u@h/db", "x")
    assert om.datasets.list() == []


def test_a_non_url_string_is_not_stored_as_a_connection(om):
    with pytest.raises(UnsupportedObjectError):
        om.datasets.put("select * from sales", "x")


def test_unexpected_put_options_are_refused(om):
    with pytest.raises(TypeError, match="unknown keyword argument"):
        om.datasets.put("sqlite://", "x", query="select 1")
    assert om.datasets.list() == []


def test_unparseable_url_error_does_not_repeat_the_url():
    with pytest.raises(ValueError) as info:
        parse("postgresql://user:topsecret@host:notaport/db")
    assert "topsecret" not in str(info.value) and "port" in str(info.value)


def test_placeholders_fill_components_not_text():
    resolved = resolve("postgresql+psycopg://{user}:{password}@{host}/db_{env}?sslmode={mode}", "sales",
                       {"user": "al ice", "password": "p@ss/w:rd", "host": "db.example", "env": "prod",
                        "mode": "require"})
    url = resolved.url
    assert (url.username, url.password, url.host, url.database, url.query["sslmode"]) == (
        "al ice", "p@ss/w:rd", "db.example", "db_prod", "require")
    assert "p@ss/w:rd" in resolved.secret_values


def test_secret_resolution_order(monkeypatch):
    template = "postgresql://u:{password}@h/db"
    monkeypatch.setenv("OMEGA_SQL_PASSWORD", "global")
    assert resolve(template, "a/b").url.password == "global"
    monkeypatch.setenv("OMEGA_SQL_A_B_PASSWORD", "own")
    assert resolve(template, "a/b").url.password == "own"
    assert resolve(template, "a/b", {"password": "given"}).url.password == "given"
    assert env_names("sales-2024/eu", "password") == ["OMEGA_SQL_SALES_2024_EU_PASSWORD", "OMEGA_SQL_PASSWORD"]


def test_scrub_hides_raw_and_url_quoted_forms():
    assert scrub("a p@ss b p%40ss c p%40ss", ["p@ss"]) == "a *** b *** c ***"


def test_importing_and_listing_does_not_import_sqlalchemy(tmp_path):
    code = f"""
import sys
import omegaml_core as om
o = om.setup(mongo_url='sqlite:///{tmp_path}/o.db')
o.datasets.list()
from omegaml_sql.backend import SQLConnectionBackend
assert not SQLConnectionBackend.supports('not a url', 'x')
assert not SQLConnectionBackend.supports({{'a': 1}}, 'x', table='t')
o.datasets.put({{'a': 1}}, 'doc')
print(' '.join(m for m in ('sqlalchemy', 'pandas') if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
