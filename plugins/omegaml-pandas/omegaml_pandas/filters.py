"""Row filters: ``col=value`` and ``col__op=value`` keyword lookups.

One parsed form, three uses: the exact pandas mask (what a filter means),
pruning of chunks whose statistics cannot match, and a pre-filter query for
row documents. Values are always data: they are never turned into operators.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable, Iterable, Mapping

OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "nin", "between", "isnull", "contains", "startswith", "endswith")


class FilterError(ValueError):
    """A filter names an unknown column or operator, or has a bad value."""


class UnknownOption(FilterError, TypeError):
    """A keyword of a get is neither an option nor a lookup on a column."""


@dataclass(frozen=True)
class Condition:
    column: Hashable   # the user's column label
    position: int      # the column's position in the frame
    op: str
    value: Any


def parse(lookups: dict[Any, Any], columns: list[Hashable]) -> list[Condition]:
    """Conditions for ``lookups`` against a frame with ``columns``.

    Keys are ``'col'`` or ``'col__op'`` (or a ``(label, op)`` tuple for labels
    that are not strings). Raises FilterError for unknown columns or operators.
    The values of ``in`` and ``nin`` are read once into a tuple here (a
    generator, set, numpy array or Index), so every use sees them all.
    """
    conditions = []
    for key, value in lookups.items():
        label, op = _split(key, columns)
        if op not in OPS:
            raise FilterError(f"unknown filter operator {op!r} in {key!r}; use one of {', '.join(OPS)}")
        position = _position(label, columns)
        value = _checked_value(key, op, value)
        conditions.append(Condition(columns[position], position, op, value))
    return conditions


def names_column(key: Any, columns: list[Hashable]) -> bool:
    """True if ``key`` is a lookup on one of ``columns`` (``'col'`` or ``'col__op'``), whatever the operator."""
    try:
        _position(_split(key, columns)[0], columns)
    except FilterError:
        return False
    return True


def _split(key: Any, columns: list[Hashable]) -> tuple[Any, str]:
    if isinstance(key, tuple) and len(key) == 2 and isinstance(key[1], str) and key[1] in OPS:
        return key[0], key[1]
    if isinstance(key, str) and "__" in key and key not in _labels(columns):
        label, _, op = key.rpartition("__")
        return label, op
    return key, "eq"


def _labels(columns: list[Hashable]) -> set:
    return {c for c in columns if isinstance(c, str)} | {str(c) for c in columns}


def _position(label: Any, columns: list[Hashable]) -> int:
    exact = [i for i, c in enumerate(columns) if c == label and type(c) is type(label)]
    if len(exact) == 1:
        return exact[0]
    by_text = [i for i, c in enumerate(columns) if str(c) == str(label)]
    if len(exact) > 1 or len(by_text) > 1:
        raise FilterError(f"column {label!r} is ambiguous: several columns have that name")
    if by_text:
        return by_text[0]
    raise FilterError(f"unknown column {label!r} in filter; columns are {list(columns)!r}")


def _checked_value(key: Any, op: str, value: Any) -> Any:
    """``value`` as the conditions use it (``in``/``nin``: a tuple); FilterError for a bad shape."""
    if op in ("in", "nin"):
        if isinstance(value, (str, bytes)):
            raise FilterError(f"filter {key!r} needs a list of values, got the {type(value).__name__} {value!r} "
                              f"(it would be read as its characters); e.g. [{value!r}]")
        if isinstance(value, Mapping) or not isinstance(value, Iterable):
            raise FilterError(f"filter {key!r} needs a list of values, got {type(value).__name__}")
        tolist = getattr(value, "tolist", None)  # numpy arrays, pandas Index and Series: Python scalars
        value = tuple(tolist() if callable(tolist) else value)
    if op == "between" and (not isinstance(value, (list, tuple)) or len(value) != 2):
        raise FilterError(f"filter {key!r} needs a (low, high) pair")
    if op in ("contains", "startswith", "endswith") and not isinstance(value, str):
        raise FilterError(f"filter {key!r} needs a str value")
    return value


# --- the meaning: a pandas boolean mask -------------------------------------
def mask(frame: Any, conditions: list[Condition]) -> Any:
    """The boolean mask selecting the rows of ``frame`` that meet every condition."""
    import pandas as pd

    result = pd.Series(True, index=frame.index)
    for cond in conditions:
        try:
            result &= _series_mask(frame.iloc[:, cond.position], cond.op, cond.value)
        except (TypeError, ValueError, NotImplementedError) as exc:
            raise FilterError(f"cannot filter column {cond.column!r} with {cond.op} {cond.value!r}: {exc}") from None
    return result.to_numpy(dtype=bool)


def _series_mask(s: Any, op: str, v: Any) -> Any:
    if op == "eq":
        return (s == v).fillna(False)
    if op == "ne":
        return (s != v).fillna(True)
    if op in ("lt", "lte", "gt", "gte"):
        return getattr(s, op[:2] if op in ("lt", "gt") else {"lte": "le", "gte": "ge"}[op])(v).fillna(False)
    if op == "in":
        return s.isin(list(v))
    if op == "nin":
        return ~s.isin(list(v))
    if op == "between":
        return s.between(v[0], v[1]).fillna(False)
    if op == "isnull":
        return s.isna() if v else s.notna()
    text = s.astype("string")
    if op == "contains":
        return text.str.contains(v, regex=False).fillna(False).astype(bool)
    if op == "startswith":
        return text.str.startswith(v).fillna(False).astype(bool)
    return text.str.endswith(v).fillna(False).astype(bool)


def _is_null(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --- pruning: can a chunk with these statistics hold a matching row? ----------
def chunk_may_match(stats: dict[str, dict[str, Any]], rows: int, conditions: list[Condition],
                    field: callable) -> bool:
    """False only if the statistics prove that no row of the chunk matches (conservative)."""
    for cond in conditions:
        col = stats.get(field(cond.position))
        if col is None:
            continue
        try:
            if not _may_match(col, rows, cond.op, cond.value):
                return False
        except (TypeError, ValueError, OverflowError):
            continue  # not comparable: cannot prove anything
    return True


def _may_match(col: dict[str, Any], rows: int, op: str, v: Any) -> bool:
    nulls = col.get("nulls", 0)
    if op == "isnull":
        return nulls > 0 if v else nulls < rows
    if op in ("ne", "nin"):
        return True  # null rows match these
    if op == "in" and nulls > 0 and any(_is_null(x) for x in v):
        return True  # whether isin matches nulls depends on the dtype: do not guess
    lo, hi = col.get("min"), col.get("max")
    if lo is None or hi is None:
        return nulls < rows  # an all-null chunk matches none of the other ops; else no statistics to use
    conv = col.get("conv")
    if op in ("eq", "lt", "lte", "gt", "gte", "in", "between"):
        from .stats import comparable

        if op in ("in",):
            values = [comparable(x, conv) for x in v]
            return any(x is not None and lo <= x <= hi for x in values)
        if op == "between":
            a, b = comparable(v[0], conv), comparable(v[1], conv)
            return a is None or b is None or (hi >= a and lo <= b)
        x = comparable(v, conv)
        if x is None:
            return True
        return {"eq": lo <= x <= hi, "lt": lo < x, "lte": lo <= x, "gt": hi > x, "gte": hi >= x}[op]
    if op == "startswith" and isinstance(lo, str):
        return not (hi < v or lo[: len(v)] > v)
    return True
