"""Web UI sessions: a random token in a cookie, stored only as its SHA-256, bound to the API key signed in with.

A session ends when it expires, when its user signs out (the row is deleted, so a
copied cookie stops working at once), when the user is disabled, or when the
API key it was opened with is revoked or expires.
"""
from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from sqlalchemy import delete, select

from .service import Accounts, Principal, _aware, hash_key
from .tables import ApiKey, UiSession, User

DEFAULT_TTL = timedelta(hours=8)


@dataclass(frozen=True)
class Session:
    """A live session: who it is (``principal``), its CSRF token and when it ends."""

    principal: Principal
    csrf: str
    expires: datetime

    def csrf_matches(self, token: str | None) -> bool:
        """True if ``token`` (from a form) is this session's CSRF token (constant-time)."""
        return bool(token) and hmac.compare_digest(self.csrf, str(token))


class Sessions:
    """Start, look up and end web UI sessions in the accounts database."""

    def __init__(self, accounts: Accounts, ttl: timedelta = DEFAULT_TTL) -> None:
        self.accounts, self.ttl = accounts, ttl

    def start(self, username: str, secret: str) -> tuple[str, Session] | None:
        """``(token, session)`` if ``secret`` is a usable API key of ``username``, else None (nothing stored)."""
        principal = self.accounts.verify_key(username, secret)
        if principal is None:
            return None
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = datetime.now(timezone.utc)
        with self.accounts._session() as session, session.begin():
            user_id = session.scalar(select(User.id).where(User.username == username))
            session.execute(delete(UiSession).where(UiSession.expires <= now))  # sweep expired ones
            session.add(UiSession(token_hash=hash_key(token), user_id=user_id, key_id=principal.key_id, csrf=csrf,
                                  created=now, expires=now + self.ttl))
        return token, Session(principal, csrf, now + self.ttl)

    def get(self, token: str | None) -> Session | None:
        """The live session of a cookie's token, or None (unknown, ended, expired, key revoked, user disabled)."""
        if not token or len(token) > 128:
            return None
        now = datetime.now(timezone.utc)
        query = (select(UiSession.csrf, UiSession.expires, User.username, ApiKey.key_id, ApiKey.rules, ApiKey.expires)
                 .join(User, User.id == UiSession.user_id)
                 .join(ApiKey, (ApiKey.key_id == UiSession.key_id) & (ApiKey.user_id == User.id))
                 .where(UiSession.token_hash == hash_key(token), User.active.is_(True), ApiKey.revoked.is_(None)))
        with self.accounts.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        csrf, expires, username, key_id, rules, key_expires = row
        if _aware(expires) <= now or (key_expires is not None and _aware(key_expires) <= now):
            return None
        return Session(Principal(username, key_id, tuple(json.loads(rules)) if rules else None), csrf, _aware(expires))

    def end(self, token: str | None) -> bool:
        """End the session of ``token``; True if there was one."""
        if not token:
            return False
        with self.accounts._session() as session, session.begin():
            result = session.execute(delete(UiSession).where(UiSession.token_hash == hash_key(token)))
        return bool(result.rowcount)

    def end_all(self, username: str) -> int:
        """End every session of ``username``; how many there were."""
        with self.accounts._session() as session, session.begin():
            user_id = session.scalar(select(User.id).where(User.username == username))
            result = session.execute(delete(UiSession).where(UiSession.user_id == user_id))
        return int(result.rowcount or 0)
