"""A test kit for backend authors: the contract tests, pytest fixtures, a MongoDB stand-in.

Your plugin's tests get the ``omega`` fixture automatically once omegaml-core
is installed (it is a pytest plugin). Subclass ``BackendContract`` to run the
contract on your backend against both storage engines.
"""
from .contract import BAD_NAMES, GOOD_NAMES, BackendContract
from .servers import MongoStandIn, test_database_url, with_database

__all__ = ["BackendContract", "MongoStandIn", "BAD_NAMES", "GOOD_NAMES", "test_database_url", "with_database"]
