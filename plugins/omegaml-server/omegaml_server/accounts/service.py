"""The accounts API: users, API keys and grants in one SQL database (see ``omegaml_server.accounts``)."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from sqlalchemy import DateTime, String, Text, create_engine, delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from . import migrate
from .roles import ANY_BUCKET, check_role, includes
from .tables import ApiKey, Grant, UiSession, User

DEFAULT_CONTEXT = "default"
#: what ``Accounts.authorize`` runs on every request: one plain statement (building it with the ORM
#: each time cost ten times more than running it)
_AUTHORIZE = text(
    "SELECT k.key_hash, k.key_id, k.rules, k.expires, g.bucket, g.role FROM omega_api_keys k "
    "JOIN omega_users u ON u.id = k.user_id "
    "LEFT JOIN omega_grants g ON g.user_id = u.id AND g.context = :context AND g.bucket IN (:bucket, :any_bucket) "
    "WHERE u.username = :username AND u.active = :active AND k.revoked IS NULL"
).columns(key_hash=String, key_id=String, rules=Text, expires=DateTime(timezone=True), bucket=String, role=String)
_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")


def default_url() -> str:
    """``OMEGA_ACCOUNTS_URL``, else ``sqlite:///$OMEGA_HOME/accounts.db``."""
    from omegaml_core.config import omega_home

    url = os.environ.get("OMEGA_ACCOUNTS_URL")
    if url:
        return url
    home = omega_home()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'accounts.db'}"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back; every stored time is UTC
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def hash_key(secret: str) -> str:
    """The stored form of an API key: SHA-256 hex (the key has 256 random bits, so no salt or stretching is needed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class UserInfo:
    username: str
    email: str | None
    active: bool
    created: datetime


@dataclass(frozen=True)
class KeyInfo:
    """An API key as listed: never the secret."""

    key_id: str
    username: str
    label: str | None
    rules: tuple[str, ...] | None
    created: datetime
    expires: datetime | None
    revoked: datetime | None

    @property
    def usable(self) -> bool:
        return self.revoked is None and (self.expires is None or self.expires > _now())


@dataclass(frozen=True)
class NewKey(KeyInfo):
    """A key just created: ``secret`` is shown this once and stored only as a hash."""

    secret: str = ""


@dataclass(frozen=True)
class GrantInfo:
    username: str
    context: str
    bucket: str
    role: str


@dataclass(frozen=True)
class Principal:
    """Who a verified key belongs to: the user, the key and the key's rules."""

    username: str
    key_id: str
    rules: tuple[str, ...] | None


class AccountsError(ValueError):
    """A refused accounts operation (unknown user, duplicate name, bad input); the message says what to do."""


class Accounts:
    """Users, API keys and grants in the accounts database.

    ``Accounts()`` opens ``default_url()`` and upgrades its schema; pass a
    SQLAlchemy URL (``postgresql+psycopg://...``) for another database.
    """

    def __init__(self, url: str | None = None, upgrade: bool = True, **engine_options: Any) -> None:
        self.url = url or default_url()
        if self.url.startswith("sqlite"):
            engine_options.setdefault("connect_args", {"check_same_thread": False})
        else:  # a server's connection may have been closed by the database since its last use
            engine_options.setdefault("pool_pre_ping", True)
        self.engine = create_engine(self.url, **engine_options)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if upgrade:
            migrate.upgrade(self.engine)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def _session(self) -> Session:
        return self._sessions()

    def _user(self, session: Session, username: str) -> User:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise AccountsError(f"user {username!r} does not exist; create it with `om users add {username}`")
        return user

    # --- users ----------------------------------------------------------------
    def create_user(self, username: str, email: str | None = None) -> UserInfo:
        """A new, active user; AccountsError if the name is taken or invalid."""
        if not isinstance(username, str) or not _USERNAME_RE.match(username):
            raise AccountsError(f"username {username!r} is invalid: use 1-64 letters, digits or . _ @ + - "
                                "(starting with a letter or digit; no ':')")
        with self._session() as session, session.begin():
            if session.scalar(select(User.id).where(User.username == username)) is not None:
                raise AccountsError(f"user {username!r} exists already; see `om users list`")
            user = User(username=username, email=email, active=True, created=_now())
            session.add(user)
        return _user_info(user)

    def get_user(self, username: str) -> UserInfo:
        with self._session() as session:
            return _user_info(self._user(session, username))

    def list_users(self) -> list[UserInfo]:
        with self._session() as session:
            return [_user_info(u) for u in session.scalars(select(User).order_by(User.username))]

    def set_active(self, username: str, active: bool) -> UserInfo:
        """Disable (``active=False``: every key of the user fails from the next request on and their web UI
        sessions end) or enable a user."""
        with self._session() as session, session.begin():
            user = self._user(session, username)
            user.active = active
            if not active:
                session.execute(delete(UiSession).where(UiSession.user_id == user.id))
        return _user_info(user)

    def disable_user(self, username: str) -> UserInfo:
        """Disable a user: their keys stop working at once; keys and grants are kept for re-enabling."""
        return self.set_active(username, False)

    def enable_user(self, username: str) -> UserInfo:
        return self.set_active(username, True)

    # --- API keys -------------------------------------------------------------
    def create_key(self, username: str, label: str | None = None, expires: datetime | timedelta | None = None,
                   rules: Iterable[str] | None = None) -> NewKey:
        """A new API key for ``username``; its ``secret`` is returned only here.

        ``expires`` is a time or a duration from now; ``rules`` (regexes over
        ``resource/name/action``) restrict what the key may do beyond its user's grants.
        """
        from ..rules import compile_rules

        rules = tuple(rules) if rules is not None else None
        compile_rules(rules)
        if isinstance(expires, timedelta):
            expires = _now() + expires
        if expires is not None and _aware(expires) <= _now():
            raise AccountsError(f"expiry {expires.isoformat()} is in the past; give a future time or a duration")
        secret = secrets.token_urlsafe(32)
        with self._session() as session, session.begin():
            user = self._user(session, username)
            key = ApiKey(key_id=secrets.token_hex(6), user_id=user.id, key_hash=hash_key(secret), label=label,
                         rules=json.dumps(list(rules)) if rules is not None else None, created=_now(),
                         expires=_aware(expires))
            session.add(key)
        return NewKey(**vars(_key_info(key, username)), secret=secret)

    def list_keys(self, username: str | None = None) -> list[KeyInfo]:
        """Keys (never their secrets), of one user or of all."""
        with self._session() as session:
            query = select(ApiKey, User.username).join(User).order_by(User.username, ApiKey.created)
            if username is not None:
                self._user(session, username)
                query = query.where(User.username == username)
            return [_key_info(key, name) for key, name in session.execute(query)]

    def revoke_key(self, key_id: str) -> KeyInfo:
        """Revoke a key by its id (see ``list_keys``); it fails from the next request on."""
        with self._session() as session, session.begin():
            row = session.execute(select(ApiKey, User.username).join(User).where(ApiKey.key_id == key_id)).first()
            if row is None:
                raise AccountsError(f"no API key with id {key_id!r}; see `om keys list`")
            key, username = row
            if key.revoked is None:
                key.revoked = _now()
        return _key_info(key, username)

    def verify_key(self, username: str, secret: str) -> Principal | None:
        """The Principal if ``secret`` is a usable key of the active user ``username``, else None."""
        if not username or not secret:
            return None
        digest = hash_key(secret)
        with self._session() as session:
            rows = session.execute(
                select(ApiKey).join(User).where(User.username == username, User.active.is_(True),
                                                ApiKey.revoked.is_(None))).scalars().all()
        now, found = _now(), None
        for key in rows:  # compare every candidate in constant time
            if hmac.compare_digest(key.key_hash, digest) and (key.expires is None or _aware(key.expires) > now):
                found = key
        if found is None:
            return None
        return Principal(username, found.key_id, tuple(json.loads(found.rules)) if found.rules else None)

    def authorize(self, username: str, secret: str, bucket: str,
                  context: str = DEFAULT_CONTEXT) -> tuple[Principal | None, str | None]:
        """``verify_key`` and ``role_of`` in one query (what a server does on every request).

        Returns ``(None, None)`` for an invalid key, else the Principal and the
        user's role on ``bucket`` (None if not granted).
        """
        if not username or not secret:
            return None, None
        digest = hash_key(secret)
        with self.engine.connect() as connection:
            rows = connection.execute(_AUTHORIZE, {"username": username, "active": True, "context": context,
                                                   "bucket": bucket, "any_bucket": ANY_BUCKET}).all()
        now, found, roles = _now(), None, {}
        for key_hash, key_id, rules, expires, granted_bucket, role in rows:
            if hmac.compare_digest(key_hash, digest) and (expires is None or _aware(expires) > now):
                found = (key_id, rules)
            if granted_bucket is not None:
                roles[granted_bucket] = role
        if found is None:
            return None, None
        principal = Principal(username, found[0], tuple(json.loads(found[1])) if found[1] else None)
        return principal, roles.get(bucket) or roles.get(ANY_BUCKET)

    # --- grants ---------------------------------------------------------------
    def grant(self, username: str, bucket: str, role: str, context: str = DEFAULT_CONTEXT) -> GrantInfo:
        """Give ``username`` ``role`` on ``bucket`` (``*``: every bucket) of ``context``; replaces an earlier grant."""
        from omegaml_core.names import validate_bucket

        check_role(role)
        if bucket != ANY_BUCKET:
            try:
                validate_bucket(bucket)
            except ValueError as exc:
                raise AccountsError(str(exc)) from None
        with self._session() as session, session.begin():
            user = self._user(session, username)
            grant = session.scalar(select(Grant).where(Grant.user_id == user.id, Grant.context == context,
                                                       Grant.bucket == bucket))
            if grant is None:
                session.add(Grant(user_id=user.id, context=context, bucket=bucket, role=role, created=_now()))
            else:
                grant.role = role
        return GrantInfo(username, context, bucket, role)

    def revoke_grant(self, username: str, bucket: str, context: str = DEFAULT_CONTEXT) -> bool:
        """Remove the grant; True if there was one."""
        with self._session() as session, session.begin():
            user = self._user(session, username)
            grant = session.scalar(select(Grant).where(Grant.user_id == user.id, Grant.context == context,
                                                       Grant.bucket == bucket))
            if grant is None:
                return False
            session.delete(grant)
        return True

    def list_grants(self, username: str | None = None) -> list[GrantInfo]:
        with self._session() as session:
            query = select(Grant, User.username).join(User).order_by(User.username, Grant.context, Grant.bucket)
            if username is not None:
                self._user(session, username)
                query = query.where(User.username == username)
            return [GrantInfo(name, g.context, g.bucket, g.role) for g, name in session.execute(query)]

    def role_of(self, username: str, bucket: str, context: str = DEFAULT_CONTEXT) -> str | None:
        """The role ``username`` has on ``bucket``: the bucket's own grant, else a ``*`` grant, else None."""
        with self._session() as session:
            rows = session.execute(select(Grant.bucket, Grant.role).join(User).where(
                User.username == username, Grant.context == context, Grant.bucket.in_([bucket, ANY_BUCKET]))).all()
        roles = dict(rows)
        return roles.get(bucket) or roles.get(ANY_BUCKET)

    def allows(self, username: str, bucket: str, role: str, context: str = DEFAULT_CONTEXT) -> bool:
        """True if ``username`` has at least ``role`` on ``bucket``."""
        granted = self.role_of(username, bucket, context)
        return granted is not None and includes(granted, role)


def _user_info(user: User) -> UserInfo:
    return UserInfo(user.username, user.email, bool(user.active), _aware(user.created))


def _key_info(key: ApiKey, username: str) -> KeyInfo:
    return KeyInfo(key.key_id, username, key.label, tuple(json.loads(key.rules)) if key.rules else None,
                   _aware(key.created), _aware(key.expires), _aware(key.revoked))
