"""web UI sessions

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "omega_ui_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("omega_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_omega_ui_sessions_user_id", "omega_ui_sessions", ["user_id"])
    op.create_index("ix_omega_ui_sessions_expires", "omega_ui_sessions", ["expires"])


def downgrade() -> None:
    op.drop_index("ix_omega_ui_sessions_expires", table_name="omega_ui_sessions")
    op.drop_index("ix_omega_ui_sessions_user_id", table_name="omega_ui_sessions")
    op.drop_table("omega_ui_sessions")
