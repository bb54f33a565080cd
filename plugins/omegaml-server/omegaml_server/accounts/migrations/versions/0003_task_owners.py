"""owners of asynchronous calls

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "omega_task_owners",
        sa.Column("task_id", sa.String(128), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("bucket", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_omega_task_owners_created", "omega_task_owners", ["created"])


def downgrade() -> None:
    op.drop_index("ix_omega_task_owners_created", table_name="omega_task_owners")
    op.drop_table("omega_task_owners")
