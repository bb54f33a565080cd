"""Schema migrations of the accounts database, run programmatically (no alembic.ini needed).

The version is kept in its own table (``omega_accounts_version``) so that other
components sharing the database (omegaml-ops) can keep their own Alembic history.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

VERSION_TABLE = "omega_accounts_version"
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
    """Bring the accounts schema of ``engine`` up to ``revision`` (default: the newest)."""
    _run(engine, "upgrade", revision)


def downgrade(engine: Any, revision: str = "base") -> None:
    """Take the accounts schema back to ``revision`` (``base``: no tables left)."""
    _run(engine, "downgrade", revision)


def current(engine: Any) -> str | None:
    """The schema revision of ``engine``'s database, or None if it has none."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()
