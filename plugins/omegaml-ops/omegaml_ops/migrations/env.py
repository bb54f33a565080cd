"""Alembic environment: run on the connection that omegaml_ops.migrate passes in."""
from alembic import context

from omegaml_ops.migrate import VERSION_TABLE
from omegaml_ops.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, version_table=VERSION_TABLE,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
