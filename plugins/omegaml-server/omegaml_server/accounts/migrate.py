"""Schema migrations of the accounts database, run programmatically (no alembic.ini needed).

The version is kept in its own table (``omega_accounts_version``) so that other
components sharing the database (omegaml-ops) can keep their own Alembic history:
they make their own :class:`Migrations` with another folder and version table.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

VERSION_TABLE = "omega_accounts_version"
MIGRATIONS = Path(__file__).parent / "migrations"


class Migrations:
    """One Alembic history (a ``migrations`` folder) kept in its own version table of a shared database."""

    def __init__(self, location: Path, version_table: str) -> None:
        self.location, self.version_table = location, version_table

    def _run(self, engine: Any, command: str, revision: str) -> None:
        from alembic import command as commands
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(self.location))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            getattr(commands, command)(config, revision)

    def upgrade(self, engine: Any, revision: str = "head") -> None:
        """Bring this schema of ``engine`` up to ``revision`` (default: the newest)."""
        self._run(engine, "upgrade", revision)

    def downgrade(self, engine: Any, revision: str = "base") -> None:
        """Take this schema back to ``revision`` (``base``: none of its tables left)."""
        self._run(engine, "downgrade", revision)

    def current(self, engine: Any) -> str | None:
        """This schema's revision in ``engine``'s database, or None if it has none."""
        from alembic.runtime.migration import MigrationContext

        with engine.connect() as connection:
            return MigrationContext.configure(connection, opts={"version_table": self.version_table}) \
                .get_current_revision()


ACCOUNTS = Migrations(MIGRATIONS, VERSION_TABLE)
upgrade, downgrade, current = ACCOUNTS.upgrade, ACCOUNTS.downgrade, ACCOUNTS.current
