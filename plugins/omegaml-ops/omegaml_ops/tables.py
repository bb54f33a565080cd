"""The operations tables (SQLAlchemy 2 declarative). Change them only together with a new migration.

They live in the accounts database by default and refer to users by name
(the accounts tables belong to omegaml-server and migrate on their own).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class ServicePlan(Base):
    """An offering, e.g. ``omegaml`` (a bucket, a grant and a key) or ``worker``."""

    __tablename__ = "omega_ops_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    settings: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON: defaults for templates
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    steps: Mapped[list["ServiceConfiguration"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="ServiceConfiguration.position")


class ServiceConfiguration(Base):
    """One ordered step that deploys (``install``), changes (``configure``) or removes (``remove``) a plan."""

    __tablename__ = "omega_ops_configurations"
    __table_args__ = (UniqueConstraint("plan_id", "action", "position", name="uq_omega_ops_configurations_step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("omega_ops_plans.id", ondelete="CASCADE"), nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)  # install | configure | remove
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # shell | python | script
    target: Mapped[str] = mapped_column(Text, nullable=False)  # command line, module:function, or script name
    params: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON, values templated
    timeout: Mapped[float] = mapped_column(Float, nullable=False, default=600.0)
    plan: Mapped[ServicePlan] = relationship(back_populates="steps")


class ServiceDeployment(Base):
    """One deployment of a plan for a user. ``claimed_by``: the command running on it (at most one)."""

    __tablename__ = "omega_ops_deployments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("omega_ops_plans.id"), nullable=False, index=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    bucket: Mapped[str] = mapped_column(String(64), nullable=False, index=True)  # the user's bucket
    settings: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON
    status: Mapped[int] = mapped_column(Integer, nullable=False)
    claimed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: "plan_id:bucket" while not REMOVED (NULL after): one live deployment of a plan per bucket
    live_key: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    modified: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    plan: Mapped[ServicePlan] = relationship()


class ServiceCommand(Base):
    """A request: ``install`` a plan, or ``configure``/``remove`` a deployment; who issued it and when."""

    __tablename__ = "omega_ops_commands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("omega_ops_deployments.id"), nullable=False, index=True)
    issued_by: Mapped[str] = mapped_column(String(64), nullable=False)
    issued: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    status: Mapped[int] = mapped_column(Integer, nullable=False)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it failed
    finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    deployment: Mapped[ServiceDeployment] = relationship()
    tasks: Mapped[list["ServiceTask"]] = relationship(back_populates="command", order_by="ServiceTask.position",
                                                      cascade="all, delete-orphan")


class ServiceTask(Base):
    """The execution of one configured step for a command."""

    __tablename__ = "omega_ops_tasks"
    __table_args__ = (UniqueConstraint("command_id", "position", name="uq_omega_ops_tasks_step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    command_id: Mapped[int] = mapped_column(ForeignKey("omega_ops_commands.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    target: Mapped[str] = mapped_column(Text, nullable=False)
    params: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    timeout: Mapped[float] = mapped_column(Float, nullable=False, default=600.0)
    status: Mapped[int] = mapped_column(Integer, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    exit_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    output: Mapped[str | None] = mapped_column(Text, nullable=True)  # stdout/stderr tail, bounded
    started: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    command: Mapped[ServiceCommand] = relationship(back_populates="tasks")


class Usage(Base):
    """Usage per user (or bucket, when no deployment names its user), day and metric."""

    __tablename__ = "omega_ops_usage"
    __table_args__ = (UniqueConstraint("username", "bucket", "day", "metric", name="uq_omega_ops_usage_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False)  # "" if unknown
    bucket: Mapped[str] = mapped_column(String(64), nullable=False)  # "" if unknown
    day: Mapped[date] = mapped_column(Date, nullable=False)
    metric: Mapped[str] = mapped_column(String(32), nullable=False)  # task_seconds | requests
    amount: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
