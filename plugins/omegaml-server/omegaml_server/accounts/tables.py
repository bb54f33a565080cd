"""The accounts tables (SQLAlchemy 2 declarative). Change them only together with a new migration."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "omega_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    keys: Mapped[list["ApiKey"]] = relationship(back_populates="user", cascade="all, delete-orphan")
    grants: Mapped[list["Grant"]] = relationship(back_populates="user", cascade="all, delete-orphan")


class ApiKey(Base):
    __tablename__ = "omega_api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("omega_users.id", ondelete="CASCADE"), nullable=False, index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    rules: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list of regexes, or NULL
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    user: Mapped[User] = relationship(back_populates="keys")


class Grant(Base):
    __tablename__ = "omega_grants"
    __table_args__ = (UniqueConstraint("user_id", "context", "bucket", name="uq_omega_grants_user_context_bucket"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("omega_users.id", ondelete="CASCADE"), nullable=False, index=True)
    context: Mapped[str] = mapped_column(String(64), nullable=False)
    bucket: Mapped[str] = mapped_column(String(64), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    user: Mapped[User] = relationship(back_populates="grants")


class UiSession(Base):
    """A signed-in web UI session: the cookie's token is stored only as its SHA-256."""

    __tablename__ = "omega_ui_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("omega_users.id", ondelete="CASCADE"), nullable=False, index=True)
    key_id: Mapped[str] = mapped_column(String(16), nullable=False)  # the API key signed in with
    csrf: Mapped[str] = mapped_column(String(64), nullable=False)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)


class TaskOwner(Base):
    """Who started an asynchronous call (``?async=1``): only they may read its result, from any server process."""

    __tablename__ = "omega_task_owners"

    task_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    bucket: Mapped[str] = mapped_column(String(64), nullable=False)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
