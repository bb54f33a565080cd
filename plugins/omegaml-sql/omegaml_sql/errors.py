"""Errors of omegaml-sql. Messages name the dataset and never show a password."""
from __future__ import annotations

from omegaml_core.errors import OmegaError


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
