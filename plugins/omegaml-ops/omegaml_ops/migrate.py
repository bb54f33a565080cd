"""Schema migrations of the operations tables, run programmatically (no alembic.ini).

The version is kept in ``omega_ops_version``, so the accounts (``omega_accounts_version``)
and the operations tables share one database with separate histories.
"""
from __future__ import annotations

from pathlib import Path

from omegaml_server.accounts.migrate import Migrations

VERSION_TABLE = "omega_ops_version"
MIGRATIONS = Path(__file__).parent / "migrations"

OPS = Migrations(MIGRATIONS, VERSION_TABLE)
upgrade, downgrade, current = OPS.upgrade, OPS.downgrade, OPS.current
