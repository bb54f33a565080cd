"""plans, configurations, deployments, commands, tasks and usage

Revision ID: ops0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "ops0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "omega_ops_plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        _when("created"),
    )
    op.create_table(
        "omega_ops_configurations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("omega_ops_plans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("timeout", sa.Float, nullable=False),
        sa.UniqueConstraint("plan_id", "action", "position", name="uq_omega_ops_configurations_step"),
    )
    op.create_table(
        "omega_ops_deployments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("omega_ops_plans.id"), nullable=False, index=True),
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("bucket", sa.String(64), nullable=False, index=True),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("claimed_by", sa.Integer, nullable=True),
        sa.Column("live_key", sa.String(100), nullable=True, unique=True),
        _when("created"),
        _when("modified"),
    )
    op.create_table(
        "omega_ops_commands",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("deployment_id", sa.Integer, sa.ForeignKey("omega_ops_deployments.id"), nullable=False, index=True),
        sa.Column("issued_by", sa.String(64), nullable=False),
        _when("issued"),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("message", sa.Text, nullable=True),
        _when("finished", nullable=True),
    )
    op.create_table(
        "omega_ops_tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("command_id", sa.Integer, sa.ForeignKey("omega_ops_commands.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("timeout", sa.Float, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("exit_code", sa.Integer, nullable=True),
        sa.Column("output", sa.Text, nullable=True),
        _when("started", nullable=True),
        _when("finished", nullable=True),
        sa.UniqueConstraint("command_id", "position", name="uq_omega_ops_tasks_step"),
    )
    op.create_table(
        "omega_ops_usage",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("bucket", sa.String(64), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("amount", sa.Float, nullable=False),
        sa.UniqueConstraint("username", "bucket", "day", "metric", name="uq_omega_ops_usage_row"),
    )


def downgrade() -> None:
    for table in ("omega_ops_usage", "omega_ops_tasks", "omega_ops_commands", "omega_ops_deployments",
                  "omega_ops_configurations", "omega_ops_plans"):
        op.drop_table(table)
