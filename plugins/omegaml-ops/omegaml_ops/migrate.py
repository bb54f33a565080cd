"""Schema migrations of the operations tables, run programmatically (no alembic.ini).

The version is kept in ``omega_ops_version``, so the accounts (``omega_accounts_version``)
and the operations tables share one database with separate histories.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

VERSION_TABLE = "omega_ops_version"
MIGRATIONS = Path(__file__).parent / "migrations"


def _run(engine: Any, command: str, revision: str) -> None:
    from alembic import command as commands
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(commands, command)(config, revision)


def upgrade(engine: Any, revision: str = "head") -> None:
    """Bring the operations schema of ``engine`` up to ``revision`` (default: the newest)."""
    _run(engine, "upgrade", revision)


def downgrade(engine: Any, revision: str = "base") -> None:
    """Take the operations schema back to ``revision`` (``base``: no operations tables left)."""
    _run(engine, "downgrade", revision)


def current(engine: Any) -> str | None:
    """The operations schema revision of ``engine``'s database, or None."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()
