"""``sqlalchemy.conx``: a SQL database connection (and optionally a query or table) as a dataset.

The Metadata holds only a reference: ``meta.uri`` is the URL template (never a
password) and ``kind_meta`` the query, table and default ``sqlvars``. Reading
runs the query on a pooled engine; nothing is copied into omegaml storage
unless ``copy=True`` is asked for.
"""
from __future__ import annotations

import contextlib
import copy as copying
import sys
import warnings
from typing import Any, Iterator

from omegaml_core.backends.base import BaseDataBackend
from omegaml_core.errors import ObjectNotFound

from .errors import InlinePasswordWarning, SQLConnectionError, SQLDatasetError, SQLQueryError, detached
from .query import bind_value, check_identifier, compile_sql, project, resolve_table, table_select
from .urls import Resolved, check_driver, env_names, knows_dialect, looks_like_url, parse, refuse_secret_options, \
    resolve, scrub, strip_password

KIND = "sqlalchemy.conx"
READ_OPTIONS = ("parse_dates", "index_col", "dtype", "dtype_backend", "coerce_float")


class SQLConnectionBackend(BaseDataBackend):
    """SQL databases as datasets, through SQLAlchemy.

    ``put(url, name, sql=..., table=..., schema=..., sqlvars=...)`` stores a
    connection; ``put(df, name, table=..., append=...)`` writes a DataFrame to a
    table of the stored connection ``name``; ``put(url, name, sql=..., copy=True)``
    stores the query's result as an ordinary DataFrame dataset. ``get`` returns a
    DataFrame, an iterator of DataFrames (``chunksize=``) or a SQLAlchemy
    Connection (``raw=True``).
    """

    # above pandas.columnar (50), so that put(df, name, table=...) reaches this backend
    priority = 60
    #: ``append=True`` appends rows to the table being written; the connection itself never changes.
    supports_append = True
    #: what ``get`` (and ``promote(copy=True)``) pass on to ``pandas.read_sql_query``
    extra_options = {"get": READ_OPTIONS, "promote": READ_OPTIONS}

    @classmethod
    def supports(cls, obj: Any, name: str, table: Any = None, **kwargs: Any) -> bool:
        if isinstance(obj, str):
            return looks_like_url(obj) and knows_dialect(obj)
        if table is not None:
            pd = sys.modules.get("pandas")
            return pd is not None and isinstance(obj, (pd.DataFrame, pd.Series))
        return False

    @classmethod
    def supports_replacing(cls, obj: Any, name: str, current: Any, table: Any = None, **kwargs: Any) -> bool:
        """Also a DataFrame without ``table=`` when the stored reference names a table: its rows go there."""
        if cls.supports(obj, name, table=table, **kwargs):
            return True
        pd = sys.modules.get("pandas")
        return pd is not None and isinstance(obj, (pd.DataFrame, pd.Series)) and bool(current.kind_meta.get("table"))

    # --- put ------------------------------------------------------------------
    @detached
    def put(self, obj: Any, name: str, meta: Any, append: bool = False, sql: str | None = None,
            table: str | None = None, schema: str | None = None, sqlvars: dict | None = None,
            copy: bool = False, secrets: dict | None = None, index: bool = False, **kwargs: Any) -> Any:
        if kwargs:
            raise TypeError(f"datasets {name!r}: {KIND} put got unexpected option(s) {sorted(kwargs)}; "
                            "it takes sql=, table=, schema=, sqlvars=, copy=, secrets=, append=, index=")
        if not isinstance(obj, str):
            if copy or sql is not None:
                raise SQLDatasetError(f"datasets {name!r}: a DataFrame is written with table= only "
                                      "(sql= and copy= apply to a connection URL)")
            return self._write_table(obj, name, meta, append, table, schema, secrets, index)
        if append:
            raise SQLDatasetError(f"datasets {name!r}: a connection cannot be appended to; put it without "
                                  "append=True to replace it, or put a DataFrame with table=... to append rows")
        if copy:
            return self._put_copy(obj, name, meta, sql, table, schema, sqlvars, secrets)
        stored, removed = self._connection_meta(obj, name, meta, sql, table, schema, sqlvars)
        if removed:
            warnings.warn(InlinePasswordWarning(
                f"datasets {name!r}: the URL carried a password, which was NOT stored; it is stored as {stored}. "
                f"Pass secrets={{'password': ...}} to get, or set ${env_names(name, 'password')[0]} "
                f"(or $OMEGA_SQL_PASSWORD)."), stacklevel=_caller_stacklevel())
        return meta

    def _connection_meta(self, url: str, name: str, meta: Any, sql: str | None, table: str | None,
                         schema: str | None, sqlvars: dict | None) -> tuple[str, dict[str, str]]:
        """Validate a connection and fill ``meta``; returns the stored template and any removed passwords."""
        try:
            template = parse(url)
        except ValueError as exc:
            raise SQLDatasetError(f"datasets {name!r}: {exc}") from None
        check_driver(template, name)
        if sql is not None and table is not None:
            raise SQLDatasetError(f"datasets {name!r}: give sql= or table=, not both")
        if sql is not None:
            compile_sql(sql, {v: None for v in _vars(sql)}, name)  # syntax of the placeholders only
        if table is not None:
            check_identifier(table, "table", name)
        if schema is not None:
            check_identifier(schema, "schema", name)
        defaults = _check_sqlvars(sqlvars, name)
        refuse_secret_options(template, name)
        removed = strip_password(template)
        stored = template.render() if removed else url
        meta.uri = stored
        meta.blobs, meta.collections = [], []
        meta.kind_meta = {"sql": sql, "table": table, "schema": schema, "sqlvars": defaults,
                          "dialect": template.url.get_backend_name(), "driver": template.url.drivername,
                          "placeholders": template.placeholders}
        return stored, removed

    def _put_copy(self, url: str, name: str, meta: Any, sql: str | None, table: str | None,
                  schema: str | None, sqlvars: dict | None, secrets: dict | None) -> Any:
        """Run the query once and store its result through the default DataFrame backend."""
        source = copying.deepcopy(meta)
        stored, removed = self._connection_meta(url, name, source, sql, table, schema, sqlvars)
        if sql is None and table is None:
            raise SQLDatasetError(f"datasets {name!r}: copy=True needs sql= or table= to know what to copy")
        # an inline password may be used for this one query: it is not stored anywhere
        frame = self.get(name, source, secrets={**removed, **(secrets or {})})
        kind = self.store.select_kind(frame, name)
        meta.kind = kind
        meta.attributes["copied_from"] = {"uri": stored, "sql": sql, "table": table, "schema": schema}
        return self.store.backend(kind).put(frame, name, meta)

    def _write_table(self, frame: Any, name: str, meta: Any, append: bool, table: Any, schema: Any,
                     secrets: dict | None, index: bool) -> Any:
        pd = sys.modules.get("pandas")
        if pd is None or not isinstance(frame, (pd.DataFrame, pd.Series)):
            raise TypeError(f"datasets {name!r}: {KIND} writes pandas DataFrames to tables, "
                            f"got {type(frame).__name__}")
        current = self._stored_connection(name)
        if table is None:  # the table the reference names, as omega|ml does
            table, schema = current.kind_meta.get("table"), schema or current.kind_meta.get("schema")
        if table is None:
            raise SQLDatasetError(f"datasets {name!r}: say which table to write: put(df, {name!r}, table='...')")
        if isinstance(frame, pd.Series):
            frame = frame.to_frame()
        resolved = self._resolve(name, current, secrets)
        from .engines import engine_for

        engine = engine_for(resolved.url, resolved.secret_values)
        with self._errors(name, current, resolved, f"writing table {table!r} through"):
            with engine.begin() as conn:  # one transaction: a failed replace keeps the old rows where DDL is transactional
                table, schema = resolve_table(conn, table, schema, name, must_exist=False)
                frame.to_sql(table, conn, schema=schema, if_exists="append" if append else "replace", index=index)
        meta.kind_meta, meta.uri = copying.deepcopy(current.kind_meta), current.uri
        meta.blobs, meta.collections = [], []
        return meta

    def _stored_connection(self, name: str) -> Any:
        try:
            current = self.store.metadata(name)
        except ObjectNotFound:
            current = None
        if current is None or current.kind != KIND:
            raise SQLDatasetError(
                f"datasets {name!r} is not a stored SQL connection, so a DataFrame cannot be written to a table "
                f"through it; store one first: om.datasets.put('postgresql+psycopg://...', {name!r})")
        return current

    # --- get ------------------------------------------------------------------
    @detached
    def get(self, name: str, meta: Any, sqlvars: dict | None = None, secrets: dict | None = None,
            chunksize: int | None = None, raw: bool = False, columns: list[str] | None = None,
            sql: str | None = None, table: str | None = None, schema: str | None = None, **kwargs: Any) -> Any:
        """A DataFrame of the stored query or table; see the class docstring for the options.

        ``sql=`` or ``table=`` run another query on the stored connection;
        ``parse_dates``, ``index_col``, ``dtype``, ``dtype_backend`` and
        ``coerce_float`` are passed to ``pandas.read_sql``.
        """
        unknown = sorted(set(kwargs) - set(READ_OPTIONS))
        if unknown:
            raise TypeError(f"datasets {name!r}: {KIND} get got unexpected option(s) {unknown}")
        if chunksize is not None and (not isinstance(chunksize, int) or chunksize <= 0):
            raise ValueError(f"datasets {name!r}: chunksize must be a positive int, got {chunksize!r}")
        resolved = self._resolve(name, meta, secrets)
        from .engines import engine_for

        engine = engine_for(resolved.url, resolved.secret_values)
        with self._errors(name, meta, resolved, "connecting to", connecting=True):
            conn = engine.connect()
        if raw:
            return conn
        try:
            with self._errors(name, meta, resolved, "querying"):
                stmt = self._statement(conn, name, meta, sql, table, schema, sqlvars, columns)
                import pandas as pd

                if chunksize:
                    conn = conn.execution_options(stream_results=True)  # server-side cursor where the driver has one
                result = pd.read_sql_query(stmt, conn, chunksize=chunksize, **kwargs)
        except BaseException:
            conn.close()
            raise
        if chunksize is None:
            conn.close()
            return result
        return self._chunks(result, conn, name, meta, resolved)

    def _chunks(self, frames: Iterator, conn: Any, name: str, meta: Any, resolved: Resolved) -> "ChunkIterator":
        return ChunkIterator(frames, conn, lambda: self._errors(name, meta, resolved, "reading from"))

    def _statement(self, conn: Any, name: str, meta: Any, sql: str | None, table: str | None,
                   schema: str | None, sqlvars: dict | None, columns: list[str] | None) -> Any:
        stored = meta.kind_meta
        if sql is None and table is None:
            sql, table = stored.get("sql"), stored.get("table")
        schema = schema if schema is not None else stored.get("schema")
        if sql is not None:
            merged = {**(stored.get("sqlvars") or {}), **_check_sqlvars(sqlvars, name, store=False)}
            stmt = compile_sql(sql, merged, name)
            return project(stmt, columns, name) if columns else stmt
        if table is not None:
            return table_select(conn, table, schema, columns, name)
        raise SQLDatasetError(f"datasets {name!r} is a connection without a query: pass sql=... or table=... "
                              "to get, store one with put, or use raw=True for a SQLAlchemy connection")

    # --- promote --------------------------------------------------------------
    def promote(self, name: str, meta: Any, target: Any, copy: bool = False, secrets: dict | None = None,
                sqlvars: dict | None = None, **kwargs: Any) -> Any:
        """Copy the reference (URL template, query) to ``target``; ``copy=True`` copies the query's result instead."""
        if not copy:
            draft = target.draft(name, meta.kind, attributes=copying.deepcopy(meta.attributes))
            draft.kind_meta, draft.uri = copying.deepcopy(meta.kind_meta), meta.uri
            return draft
        frame = self.get(name, meta, secrets=secrets, sqlvars=sqlvars, **kwargs)
        kind = target.select_kind(frame, name)
        draft = target.draft(name, kind, attributes=copying.deepcopy(meta.attributes))
        draft.attributes["copied_from"] = {"uri": meta.uri, "sql": meta.kind_meta.get("sql"),
                                           "table": meta.kind_meta.get("table"), "schema": meta.kind_meta.get("schema")}
        try:
            return target.backend(kind).put(frame, name, draft)
        except BaseException:
            target.engine.free(draft.locations())  # the store frees only what a committed draft replaced
            raise

    # --- helpers --------------------------------------------------------------
    def _resolve(self, name: str, meta: Any, secrets: dict | None) -> Resolved:
        if secrets is not None and not isinstance(secrets, dict):
            raise TypeError(f"datasets {name!r}: secrets must be a dict such as {{'password': ...}}")
        if not meta.uri:
            raise SQLDatasetError(f"datasets {name!r} has no connection URL in its metadata; put it again")
        return resolve(meta.uri, name, secrets)

    @contextlib.contextmanager
    def _errors(self, name: str, meta: Any, resolved: Resolved, action: str, connecting: bool = False) -> Iterator:
        """Turn driver errors into errors that name the dataset and never show a secret."""
        from sqlalchemy import exc as sa_exc

        try:
            yield
        except Exception as raised:
            # pandas wraps SQLAlchemy errors (with the SQL in its message): report the SQLAlchemy one
            error = raised if isinstance(raised, sa_exc.SQLAlchemyError) else raised.__cause__
            if not isinstance(error, sa_exc.SQLAlchemyError):
                text = str(raised)
                if any(s in text for s in resolved.secret_values):
                    raise SQLDatasetError(f"datasets {name!r}: {action} {meta.uri} failed: "
                                          f"{type(raised).__name__}: {scrub(text, resolved.secret_values)}") from None
                raise
            orig = getattr(error, "orig", None)
            detail = scrub(f"{type(orig or error).__name__}: {orig if orig is not None else error}",
                           resolved.secret_values).strip()
            is_connect = connecting or isinstance(error, sa_exc.OperationalError) and _connection_failure(detail)
            cls = SQLConnectionError if is_connect else SQLQueryError
            hint = (" Check that the database is running and reachable, and the user and password "
                    f"(secrets= or ${env_names(name, 'password')[0]})." if is_connect else "")
            raise cls(f"datasets {name!r}: {action} {meta.uri} failed: {detail}.{hint}") from None


class ChunkIterator:
    """DataFrames of ``chunksize`` rows; holds a connection until exhausted, closed or garbage-collected.

    Usable as a context manager: ``with om.datasets.get(name, chunksize=n) as chunks: ...``.
    """

    def __init__(self, frames: Iterator, conn: Any, errors: Any) -> None:
        self._frames, self._conn, self._errors = frames, conn, errors

    def __iter__(self) -> "ChunkIterator":
        return self

    @detached
    def __next__(self) -> Any:
        if self._conn is None:
            raise StopIteration
        try:
            with self._errors():
                return next(self._frames)
        except BaseException:  # StopIteration included: the connection goes back to the pool
            self.close()
            raise

    def close(self) -> None:
        """Return the connection to the pool; further iteration yields nothing."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                self._frames.close()  # closes the cursor first, so streaming drivers finish cleanly
            finally:
                conn.close()

    def __enter__(self) -> "ChunkIterator":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


def _caller_stacklevel() -> int:
    """The warnings stacklevel of the first frame outside omegaml (the user's put call)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith(("omegaml_core", "omegaml_sql")):
        frame, level = frame.f_back, level + 1
    return level


def _connection_failure(detail: str) -> bool:
    lowered = detail.lower()
    return any(w in lowered for w in ("connect", "authentication", "access denied", "password", "unable to open"))


def _vars(sql: Any) -> list[str]:
    from .query import variables

    return variables(sql) if isinstance(sql, str) else []


def _check_sqlvars(sqlvars: Any, name: str, store: bool = True) -> dict:
    """``sqlvars`` as a dict of bindable values; stored defaults must also be JSON values."""
    if sqlvars is None:
        return {}
    if not isinstance(sqlvars, dict) or not all(isinstance(k, str) for k in sqlvars):
        raise TypeError(f"datasets {name!r}: sqlvars must be a dict with str keys, e.g. {{'region': 'EU'}}")
    for var, value in sqlvars.items():
        bound, _ = bind_value(value, var, name)
        if store:
            items = bound if isinstance(bound, list) else [bound]
            if not all(v is None or isinstance(v, (str, int, float, bool)) for v in items):
                raise TypeError(f"datasets {name!r}: default sqlvars[{var!r}] must be str, number, bool, None "
                                "or a list of those to be stored; pass other values at get time")
            sqlvars = {**sqlvars, var: bound}
    return dict(sqlvars)
