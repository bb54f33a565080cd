"""users, API keys and grants

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "omega_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "omega_api_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key_id", sa.String(16), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("omega_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("rules", sa.Text, nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_omega_api_keys_user_id", "omega_api_keys", ["user_id"])
    op.create_table(
        "omega_grants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("omega_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("context", sa.String(64), nullable=False),
        sa.Column("bucket", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "context", "bucket", name="uq_omega_grants_user_context_bucket"),
    )
    op.create_index("ix_omega_grants_user_id", "omega_grants", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_omega_grants_user_id", table_name="omega_grants")
    op.drop_table("omega_grants")
    op.drop_index("ix_omega_api_keys_user_id", table_name="omega_api_keys")
    op.drop_table("omega_api_keys")
    op.drop_table("omega_users")
