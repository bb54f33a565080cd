"""SQL with ``{var}`` placeholders turned into bound parameters, and safe table names.

No user value is ever formatted into SQL text: ``{var}`` becomes a bound
parameter (a list becomes an expanding IN list), and table or schema names
are either plain identifiers or names the database itself reports, passed to
SQLAlchemy ``Table`` objects that quote them.
"""
from __future__ import annotations

import datetime
import decimal
import re
import uuid
from typing import Any, Mapping

from .errors import SQLDatasetError, UnsafeIdentifierError

_TEMPLATE = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
_QUOTED = re.compile(r"""(['"`])\{[A-Za-z_][A-Za-z0-9_]*\}\1""")
# what sqlalchemy.text() would take for a bind parameter; escaped so user SQL such as '12:30' stays literal
_TEXT_BIND = re.compile(r"(?<![:\w\\]):(?=\w)")
PLAIN_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_SCALARS = (str, int, float, bool, bytes, decimal.Decimal, datetime.date, datetime.time,
            datetime.timedelta, uuid.UUID, type(None))


def variables(sql: str) -> list[str]:
    """The ``{var}`` names used in ``sql``, in order of first use."""
    return list(dict.fromkeys(m.group(1) for m in _TEMPLATE.finditer(sql) if m.group(1)))


def _plain_value(value: Any, var: str, name: str) -> Any:
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        value = value.item()  # numpy scalars are not adapted by every driver
    if not isinstance(value, _SCALARS):
        raise TypeError(f"datasets {name!r}: sqlvars[{var!r}] is a {type(value).__name__}; "
                        "give a str, number, bool, date/time, None or a list of those")
    return value


def bind_value(value: Any, var: str, name: str) -> tuple[Any, bool]:
    """The value to bind for ``{var}`` and whether it expands to an IN list."""
    is_array = getattr(value, "ndim", 0) == 1 and hasattr(value, "tolist")  # numpy arrays, pandas Series
    if isinstance(value, (list, tuple, set, frozenset)) or is_array:
        items = value.tolist() if is_array else list(value)
        return [_plain_value(v, var, name) for v in items], True
    return _plain_value(value, var, name), False


def compile_sql(sql: str, sqlvars: Mapping[str, Any], name: str) -> Any:
    """A ``sqlalchemy.text`` statement for ``sql`` with every ``{var}`` bound from ``sqlvars``.

    ``{{`` and ``}}`` are literal braces. Placeholders must not be quoted:
    write ``region = {region}``, not ``region = '{region}'``.
    """
    from sqlalchemy import String, bindparam, text

    if not isinstance(sql, str) or not sql.strip():
        raise TypeError(f"datasets {name!r}: sql must be a non-empty str")
    if _QUOTED.search(sql):
        raise SQLDatasetError(f"datasets {name!r}: a placeholder is quoted in the SQL ('{{var}}'); remove the "
                              "quotes, values are sent as bound parameters of the right type")
    missing = [v for v in variables(sql) if v not in sqlvars]
    if missing:
        raise SQLDatasetError(f"datasets {name!r}: the query needs sqlvars for {', '.join(missing)} "
                              f"(pass sqlvars={{'{missing[0]}': ...}} to get, or store defaults with put)")
    parts: list[str] = []
    binds = {}
    pos = 0
    for match in _TEMPLATE.finditer(sql):
        parts.append(_TEXT_BIND.sub(r"\\:", sql[pos:match.start()]))
        pos = match.end()
        token, var = match.group(0), match.group(1)
        if var is None:
            parts.append(token[0])  # '{{' or '}}'
            continue
        before = sql[match.start() - 1] if match.start() else " "
        after = sql[pos] if pos < len(sql) else " "
        # spaces keep text() from gluing the parameter to a neighbouring word or '::cast'
        parts.append((" " if re.match(r"[:\w\\]", before) else "") + f":{var}"
                     + (" " if re.match(r"[:\w]", after) else ""))
        if var not in binds:
            value, expanding = bind_value(sqlvars[var], var, name)
            # an empty list has no element to take a type from: compare it as text (see README, limits)
            type_ = String() if expanding and not value else None
            binds[var] = bindparam(var, value=value, expanding=expanding, type_=type_)
    parts.append(_TEXT_BIND.sub(r"\\:", sql[pos:]))
    stmt = text("".join(parts))
    return stmt.bindparams(*binds.values()) if binds else stmt


def check_identifier(value: Any, what: str, name: str) -> str:
    """``value`` if it is a str that could name a table or schema; refuses control characters and the like."""
    if not isinstance(value, str) or not value or len(value) > 128 or not value.isprintable():
        raise UnsafeIdentifierError(f"datasets {name!r}: {what} must be a printable str of at most 128 characters, "
                                    f"got {value!r}"[:300])
    return value


def resolve_table(conn: Any, table: str, schema: str | None, name: str, must_exist: bool) -> tuple[str, str | None]:
    """Check ``table`` (and ``schema``) against the database; returns the names to use.

    An existing table (as the database lists it) is always accepted; a new one
    (``must_exist=False``) must be a plain identifier.
    """
    from sqlalchemy import inspect

    check_identifier(table, "table", name)
    inspector = inspect(conn)
    if schema is not None:
        check_identifier(schema, "schema", name)
        if schema not in inspector.get_schema_names():
            raise UnsafeIdentifierError(f"datasets {name!r}: schema {schema!r} does not exist in the database")
    existing = set(inspector.get_table_names(schema=schema)) | set(inspector.get_view_names(schema=schema))
    if table in existing:
        return table, schema
    if must_exist:
        raise UnsafeIdentifierError(f"datasets {name!r}: table {table!r} does not exist in the database"
                                    + (f" (schema {schema!r})" if schema else ""))
    if not PLAIN_IDENTIFIER.match(table):
        raise UnsafeIdentifierError(f"datasets {name!r}: {table!r} is not a plain identifier (letters, digits, _; "
                                    "not starting with a digit) and no such table exists; nothing was written")
    return table, schema


def table_select(conn: Any, table: str, schema: str | None, columns: list[str] | None, name: str) -> Any:
    """``SELECT`` of an existing table (optionally some columns), built from the reflected ``Table``."""
    from sqlalchemy import MetaData, Table, select

    table, schema = resolve_table(conn, table, schema, name, must_exist=True)
    reflected = Table(table, MetaData(), schema=schema, autoload_with=conn)
    if not columns:
        return select(reflected)
    unknown = [c for c in columns if c not in reflected.c]
    if unknown:
        raise SQLDatasetError(f"datasets {name!r}: table {table!r} has no column(s) {unknown}; "
                              f"it has {list(reflected.c.keys())}")
    return select(*(reflected.c[c] for c in columns))


def project(stmt: Any, columns: list[str], name: str) -> Any:
    """Select ``columns`` from the result of a text query (each name quoted by SQLAlchemy)."""
    from sqlalchemy import column, select

    for c in columns:
        check_identifier(c, "column", name)
    sub = stmt.columns(*(column(c) for c in columns)).subquery("q")
    return select(*(sub.c[c] for c in columns))
