"""Passwords: never stored, taken from secrets= or the environment, never shown in errors or logs.

PostgreSQL here trusts every TCP login from 127.0.0.1 (pg_hba.conf), so a
wrong password cannot fail there; login failures are tested on MariaDB, with
a user created with a password. On PostgreSQL the driver is made to echo the
secret (it is used as the database name) to show the scrubbing.
"""
from __future__ import annotations

import json
import logging
import secrets as token
import traceback
import warnings
from urllib.parse import quote

import pandas as pd
import pytest
import sqlalchemy as sa

from omegaml_sql import InlinePasswordWarning, MissingSecretError, SQLConnectionError, SQLDatasetError

MYSQL_TEMPLATE = "mysql+pymysql://{user}:{password}@127.0.0.1/test"


@pytest.fixture
def maria_user(mariadb):
    """A MariaDB user with a password full of URL-special characters; dropped afterwards."""
    user, password = f"omsql_{token.token_hex(3)}", f"p@ss/w:rd#%?-{token.token_hex(4)}"
    hosts = ["%", "localhost", "127.0.0.1"]
    for host in hosts:
        mariadb.execute(f"CREATE USER IF NOT EXISTS '{user}'@'{host}' IDENTIFIED BY :pw", pw=password)
        mariadb.execute(f"GRANT ALL ON test.* TO '{user}'@'{host}'")
    yield user, password
    for host in hosts:
        mariadb.execute(f"DROP USER IF EXISTS '{user}'@'{host}'")


def everything_shown(exc: BaseException) -> str:
    return str(exc) + "".join(traceback.format_exception(exc))


def stored_documents(om) -> str:
    return json.dumps([m.to_doc() for m in om.datasets.list(raw=True, hidden=True)], default=str) + repr(
        om.datasets.list(raw=True, hidden=True))


def test_inline_password_is_removed_and_the_user_is_told_where_to_put_it(omega):
    password = "S3cr3t-inline"
    with pytest.warns(InlinePasswordWarning) as caught:
        meta = omega.datasets.put(f"postgresql+psycopg://alice:{password}@127.0.0.1/test", "sales/eu")
    message = str(caught[0].message)
    assert "OMEGA_SQL_SALES_EU_PASSWORD" in message and "secrets=" in message and password not in message
    assert caught[0].filename == __file__  # the warning points at the user's put
    assert meta.uri == "postgresql+psycopg://alice:{password}@127.0.0.1/test"
    assert password not in stored_documents(omega)


def test_inline_password_in_query_string_and_percent_encoded_is_removed_too(om):
    with pytest.warns(InlinePasswordWarning):
        meta = om.datasets.put("mysql+pymysql://bob:p%40ss%2Fword@127.0.0.1/test?password=qs-secret", "m")
    assert meta.uri == "mysql+pymysql://bob:{password}@127.0.0.1/test?password={password}"
    docs = stored_documents(om)
    assert not any(s in docs for s in ("p@ss/word", "p%40ss", "qs-secret"))


def test_url_with_placeholders_is_stored_as_given_without_warning(om):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        meta = om.datasets.put(MYSQL_TEMPLATE, "m", sql="select 1")
    assert meta.uri == MYSQL_TEMPLATE and meta.kind_meta["placeholders"] == ["user", "password"]


def test_secrets_passed_to_get_log_in(om, maria_user):
    user, password = maria_user
    om.datasets.put(MYSQL_TEMPLATE, "m", sql="select current_user() as u")
    assert om.datasets.get("m", secrets={"user": user, "password": password})["u"][0].startswith(user + "@")
    assert password not in stored_documents(om)


def test_environment_variables_per_dataset_then_global(om, maria_user, monkeypatch):
    user, password = maria_user
    om.datasets.put(MYSQL_TEMPLATE, "sales/eu", sql="select 1 as one")
    monkeypatch.setenv("OMEGA_SQL_USER", user)
    monkeypatch.setenv("OMEGA_SQL_PASSWORD", password)
    assert om.datasets.get("sales/eu")["one"][0] == 1  # the global default
    monkeypatch.setenv("OMEGA_SQL_PASSWORD", "wrong-global")
    monkeypatch.setenv("OMEGA_SQL_SALES_EU_PASSWORD", password)
    assert om.datasets.get("sales/eu")["one"][0] == 1  # the dataset's own variable wins
    monkeypatch.setenv("OMEGA_SQL_SALES_EU_PASSWORD", "wrong-dataset")
    assert om.datasets.get("sales/eu", secrets={"password": password})["one"][0] == 1  # secrets= wins


def test_wrong_password_is_a_connection_error_that_shows_no_password(om, maria_user, caplog):
    user, password = maria_user
    wrong = f"wrong-{token.token_hex(4)}"
    caplog.set_level(logging.DEBUG)
    om.datasets.put(MYSQL_TEMPLATE, "m", sql="select 1")
    with pytest.raises(SQLConnectionError) as info:
        om.datasets.get("m", secrets={"user": user, "password": wrong})
    shown = everything_shown(info.value)
    assert "datasets 'm'" in shown and "Access denied" in shown and MYSQL_TEMPLATE in shown
    assert wrong not in shown and password not in shown
    assert wrong not in caplog.text


@pytest.mark.parametrize("template", [
    "postgresql+psycopg://postgres:{password}@127.0.0.1/{password}",
    "mysql+pymysql://root@127.0.0.1/{password}",  # root has no password here: only the database echoes it
])
def test_driver_errors_that_echo_the_secret_are_scrubbed(om, template, pg, mariadb):
    secret = f"omsqlsecret{token.token_hex(4)}"
    om.datasets.put(template, "echo", sql="select 1")
    with pytest.raises(SQLDatasetError) as info:
        om.datasets.get("echo", secrets={"password": secret})
    shown = everything_shown(info.value)
    assert secret not in shown and "***" in shown and "datasets 'echo'" in shown


def test_unreachable_database_error_names_the_object_and_hides_the_password(om):
    secret = f"unreach-{token.token_hex(4)}"
    om.datasets.put("postgresql+psycopg://postgres:{password}@127.0.0.1:1/test", "gone", sql="select 1")
    with pytest.raises(SQLConnectionError, match=r"datasets 'gone': connecting to .*127\.0\.0\.1:1.* failed") as info:
        om.datasets.get("gone", secrets={"password": secret})
    assert secret not in everything_shown(info.value)


def test_missing_secret_names_the_placeholder_and_the_variables(om):
    om.datasets.put(MYSQL_TEMPLATE, "sales", sql="select 1")
    with pytest.raises(MissingSecretError, match=r"\{user\}, \{password\}.*OMEGA_SQL_SALES_PASSWORD"):
        om.datasets.get("sales")


def test_postgres_role_with_password_through_placeholders(om, pg):
    role, password = f"omsql_{token.token_hex(3)}", f"pg-{token.token_hex(6)}"
    pg.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    try:
        om.datasets.put("postgresql+psycopg://{user}:{password}@127.0.0.1/test", "pgs", sql="select current_user as u")
        assert om.datasets.get("pgs", secrets={"user": role, "password": password})["u"][0] == role
        assert password not in stored_documents(om)
    finally:
        from omegaml_sql.engines import dispose_all

        dispose_all()  # pooled sessions of the role would block DROP ROLE
        pg.execute(f"DROP ROLE {role}")


def test_no_log_line_shows_a_password(om, mariadb, maria_user, caplog):
    """Every path at DEBUG level: put with inline password, get, failed login, write, copy, raw."""
    user, password = maria_user
    wrong = f"wrong-{token.token_hex(4)}"
    table = mariadb.table("logs")
    loggers = ("sqlalchemy", "pymysql", "omegaml_sql", "omegaml_core")
    for name in loggers:
        logging.getLogger(name).setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        with pytest.warns(InlinePasswordWarning):
            om.datasets.put(f"mysql+pymysql://{user}:{quote(password, safe='')}@127.0.0.1/test", "shop",
                            sql="select 1 as one")
        assert om.datasets.get("shop", secrets={"password": password})["one"][0] == 1
        with pytest.raises(SQLConnectionError):
            om.datasets.get("shop", secrets={"password": wrong})
        om.datasets.put(pd.DataFrame({"a": [1, 2]}), "shop", table=table, secrets={"password": password})
        om.datasets.put(MYSQL_TEMPLATE, "snap", sql=f"select * from {table}", copy=True,
                        secrets={"user": user, "password": password})
        assert om.datasets.get("snap")["a"].tolist() == [1, 2]
        om.datasets.get("shop", raw=True, secrets={"password": password}).close()
    finally:
        for name in loggers:
            logging.getLogger(name).setLevel(logging.NOTSET)
    assert any("select" in r.getMessage().lower() for r in caplog.records)  # logging really was on
    text = caplog.text + "".join(repr(r.args) + r.getMessage() for r in caplog.records)
    for secret in (password, wrong, quote(password, safe="")):
        assert secret not in text


@pytest.mark.parametrize("option", ["sslpassword=hunter2", "token=abc123", "api_key=abc123",
                                    "sslkey=-----BEGIN PRIVATE KEY-----abc"])
def test_secret_looking_url_options_are_refused_and_nothing_is_stored(om, option):
    key = option.split("=")[0]
    with pytest.raises(SQLDatasetError, match=rf"option '{key}' holds a secret.*{key}=\{{{key}\}}"):
        om.datasets.put(f"postgresql+psycopg://postgres@127.0.0.1/test?{option}", "leaky", sql="select 1")
    assert om.datasets.list() == []


def test_secret_options_written_as_placeholders_are_stored_as_placeholders(om):
    meta = om.datasets.put("postgresql+psycopg://postgres@127.0.0.1/test?sslpassword={sslpassword}&sslmode=prefer",
                           "tls", sql="select 1")
    assert "sslpassword={sslpassword}" in meta.uri and "sslmode=prefer" in meta.uri


def secret_echoing_failure(om):
    """A get whose driver error repeats the secret (used as the database name)."""
    secret = f"omsqlsecret{token.token_hex(4)}"
    om.datasets.put("postgresql+psycopg://postgres:{password}@127.0.0.1/{password}", "echo", sql="select 1")
    with pytest.raises(SQLDatasetError) as info:
        om.datasets.get("echo", secrets={"password": secret})
    return secret, info.value


def test_driver_errors_keep_no_original_exception_attached(om, pg):
    secret, error = secret_echoing_failure(om)
    assert error.__context__ is None and error.__cause__ is None
    assert secret not in str(error)


def test_the_pool_debug_log_never_shows_a_secret(om, pg, caplog):
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    secret, _ = secret_echoing_failure(om)
    pool_records = [r for r in caplog.records if r.name.startswith("sqlalchemy.pool")]
    assert pool_records, "the pool logged nothing at DEBUG: this test would prove nothing"
    shown = caplog.text + "".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert secret not in shown
