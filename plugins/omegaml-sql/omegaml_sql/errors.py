"""Errors of omegaml-sql. Messages name the dataset and never show a password."""
from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from omegaml_core.errors import OmegaError

F = TypeVar("F", bound=Callable[..., Any])


class SQLDatasetError(OmegaError, RuntimeError):
    """A SQL dataset could not be stored, read or written; the message says which and why."""


class SQLConnectionError(SQLDatasetError, ConnectionError):
    """The database of a stored connection cannot be reached or refused the login."""


class SQLQueryError(SQLDatasetError):
    """The database refused a query or a write."""


class MissingSecretError(SQLDatasetError, LookupError):
    """A placeholder of a stored URL has no value in ``secrets=`` or the environment."""


class UnsafeIdentifierError(SQLDatasetError, ValueError):
    """A table or schema name that is neither a plain identifier nor an existing table; nothing ran."""


class InlinePasswordWarning(UserWarning):
    """A URL given to put carried a password; it was removed before storing."""


def detached(fn: F) -> F:
    """Raise ``fn``'s SQLDatasetErrors with no ``__context__``: the driver error they replace may hold a secret.

    ``raise ... from None`` only hides the context from tracebacks; the original stays
    attached. Raising again outside every ``except`` block leaves nothing attached.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SQLDatasetError as exc:
            failure = exc
        failure.__context__ = failure.__cause__ = None
        raise failure

    return wrapper  # type: ignore[return-value]
