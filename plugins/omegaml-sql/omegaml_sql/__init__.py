"""omegaml-sql: SQL databases as datasets, through SQLAlchemy.

    om.datasets.put('postgresql+psycopg://{user}:{password}@localhost/test', 'sales',
                    sql='select * from sales where region = {region}')
    om.datasets.get('sales', sqlvars={'region': 'EU'}, secrets={'user': 'u', 'password': 'p'})

The backend (kind ``sqlalchemy.conx``) is found by omegaml-core through the
``omegaml.backends`` entry point; importing this package imports no SQLAlchemy.
"""
from .errors import (InlinePasswordWarning, MissingSecretError, SQLConnectionError, SQLDatasetError, SQLQueryError,
                     UnsafeIdentifierError)

__version__ = "0.1.0"
__all__ = ["SQLDatasetError", "SQLConnectionError", "SQLQueryError", "MissingSecretError", "UnsafeIdentifierError",
           "InlinePasswordWarning"]
