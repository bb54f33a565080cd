"""Accounts on SQLite and on the local PostgreSQL: users, keys, grants, and the Alembic migrations."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

import pytest

from omegaml_server.accounts import Accounts, AccountsError, migrate

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="module")
def postgres_url():
    """A uniquely named PostgreSQL database, dropped afterwards."""
    import sqlalchemy as sa

    name = f"omega_accounts_{secrets.token_hex(4)}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.skip(f"no local PostgreSQL: {exc}")
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'accounts.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def accounts(database_url):
    accounts = Accounts(database_url)
    yield accounts
    migrate.downgrade(accounts.engine)  # leaves the shared PostgreSQL database empty for the next test
    accounts.close()


def test_a_new_key_verifies_and_names_its_user(accounts):
    accounts.create_user("alice")
    key = accounts.create_key("alice")
    principal = accounts.verify_key("alice", key.secret)
    assert principal.username == "alice" and principal.key_id == key.key_id


def test_keys_are_high_entropy_and_stored_only_as_a_hash(accounts):
    import sqlalchemy as sa

    accounts.create_user("alice")
    key = accounts.create_key("alice")
    assert len(key.secret) >= 43  # 32 random bytes, URL-safe base64
    with accounts.engine.connect() as conn:
        rows = [tuple(map(str, r)) for r in conn.execute(sa.text("SELECT * FROM omega_api_keys"))]
    assert rows and not any(key.secret in value for row in rows for value in row)


def test_a_wrong_key_or_another_users_key_fails(accounts):
    accounts.create_user("alice")
    accounts.create_user("bob")
    key = accounts.create_key("alice")
    assert accounts.verify_key("alice", key.secret[:-1] + "x") is None
    assert accounts.verify_key("bob", key.secret) is None
    assert accounts.verify_key("nobody", key.secret) is None
    assert accounts.verify_key("alice", "") is None


def test_a_revoked_key_fails_and_others_keep_working(accounts):
    accounts.create_user("alice")
    first, second = accounts.create_key("alice"), accounts.create_key("alice")
    accounts.revoke_key(first.key_id)
    assert accounts.verify_key("alice", first.secret) is None
    assert accounts.verify_key("alice", second.secret) is not None


def test_an_expired_key_fails(accounts):
    import sqlalchemy as sa

    accounts.create_user("alice")
    key = accounts.create_key("alice", expires=timedelta(hours=1))
    assert accounts.verify_key("alice", key.secret) is not None
    with accounts.engine.begin() as conn:
        conn.execute(sa.text("UPDATE omega_api_keys SET expires = :t"), {"t": datetime.now(timezone.utc) - timedelta(seconds=1)})
    assert accounts.verify_key("alice", key.secret) is None


def test_an_expiry_in_the_past_is_refused(accounts):
    accounts.create_user("alice")
    with pytest.raises(AccountsError, match="in the past"):
        accounts.create_key("alice", expires=datetime(2000, 1, 1, tzinfo=timezone.utc))


def test_disabling_a_user_fails_their_keys_at_once_and_enabling_restores_them(accounts):
    accounts.create_user("alice")
    key = accounts.create_key("alice")
    accounts.disable_user("alice")
    assert accounts.verify_key("alice", key.secret) is None
    accounts.enable_user("alice")
    assert accounts.verify_key("alice", key.secret) is not None


def test_list_keys_never_shows_secrets(accounts):
    accounts.create_user("alice")
    key = accounts.create_key("alice", label="ci")
    listed = accounts.list_keys("alice")
    assert [k.key_id for k in listed] == [key.key_id] and listed[0].label == "ci"
    assert not hasattr(listed[0], "secret")


def test_key_rules_are_kept_and_bad_regexes_refused(accounts):
    accounts.create_user("alice")
    key = accounts.create_key("alice", rules=["model/clf/predict"])
    assert accounts.verify_key("alice", key.secret).rules == ("model/clf/predict",)
    with pytest.raises(ValueError, match="not a valid regular expression"):
        accounts.create_key("alice", rules=["model/("])


def test_duplicate_and_invalid_usernames_are_refused(accounts):
    accounts.create_user("alice")
    with pytest.raises(AccountsError, match="exists already"):
        accounts.create_user("alice")
    with pytest.raises(AccountsError, match="invalid"):
        accounts.create_user("al:ice")


def test_grants_are_ordered_roles_per_bucket(accounts):
    accounts.create_user("alice")
    accounts.grant("alice", "omega", "write")
    assert accounts.allows("alice", "omega", "read") and accounts.allows("alice", "omega", "write")
    assert not accounts.allows("alice", "omega", "run")
    assert not accounts.allows("alice", "prod", "read")


def test_a_grant_replaces_the_earlier_one_and_can_be_revoked(accounts):
    accounts.create_user("alice")
    accounts.grant("alice", "omega", "admin")
    accounts.grant("alice", "omega", "read")
    assert accounts.role_of("alice", "omega") == "read"
    assert accounts.revoke_grant("alice", "omega") and accounts.role_of("alice", "omega") is None


def test_a_star_grant_covers_every_bucket_but_a_bucket_grant_wins(accounts):
    accounts.create_user("alice")
    accounts.grant("alice", "*", "read")
    accounts.grant("alice", "prod", "admin")
    assert accounts.role_of("alice", "anything") == "read"
    assert accounts.role_of("alice", "prod") == "admin"


def test_grants_are_per_context(accounts):
    accounts.create_user("alice")
    accounts.grant("alice", "omega", "run", context="team-a")
    assert accounts.role_of("alice", "omega", context="team-a") == "run"
    assert accounts.role_of("alice", "omega") is None


def test_unknown_roles_buckets_and_users_are_refused_clearly(accounts):
    accounts.create_user("alice")
    with pytest.raises(ValueError, match="role 'owner' is not known"):
        accounts.grant("alice", "omega", "owner")
    with pytest.raises(AccountsError, match="bucket name"):
        accounts.grant("alice", "no/slashes", "read")
    with pytest.raises(AccountsError, match="om users add bob"):
        accounts.grant("bob", "omega", "read")


def test_migrations_upgrade_from_empty_and_downgrade_to_nothing(database_url):
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        assert migrate.current(engine) is None
        migrate.upgrade(engine)
        assert migrate.current(engine) == "0003"
        tables = set(sa.inspect(engine).get_table_names())
        assert {"omega_users", "omega_api_keys", "omega_grants", "omega_ui_sessions", "omega_task_owners", migrate.VERSION_TABLE} <= tables
        migrate.downgrade(engine)
        assert not {"omega_users", "omega_api_keys", "omega_grants", "omega_ui_sessions", "omega_task_owners"} & set(sa.inspect(engine).get_table_names())
        assert migrate.current(engine) is None
    finally:
        engine.dispose()


def test_the_tables_match_the_migrations(database_url):
    """A model change without a migration fails here."""
    import sqlalchemy as sa
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from omegaml_server.accounts.tables import Base

    engine = sa.create_engine(database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert [d for d in diff if not (isinstance(d, tuple) and d[0] in ("remove_table",))] == []
        migrate.downgrade(engine)
    finally:
        engine.dispose()


def test_authorize_verifies_the_key_and_finds_the_role_in_one_call(accounts):
    accounts.create_user("alice")
    key = accounts.create_key("alice")
    accounts.grant("alice", "*", "read")
    accounts.grant("alice", "prod", "run")
    principal, role = accounts.authorize("alice", key.secret, "prod")
    assert principal.key_id == key.key_id and role == "run"
    assert accounts.authorize("alice", key.secret, "other")[1] == "read"
    assert accounts.authorize("alice", "wrong", "prod") == (None, None)
    accounts.revoke_grant("alice", "*")
    assert accounts.authorize("alice", key.secret, "other") == (principal, None)


# --- web UI sessions ---------------------------------------------------------------------------------------------
def _signed_in(accounts, ttl=timedelta(hours=1)):
    from omegaml_server.accounts.sessions import Sessions

    accounts.create_user("alice")
    key = accounts.create_key("alice")
    sessions = Sessions(accounts, ttl)
    token, session = sessions.start("alice", key.secret)
    return sessions, key, token, session


def test_a_session_starts_only_with_a_valid_key_and_stores_only_the_token_hash(accounts):
    import sqlalchemy as sa

    sessions, key, token, session = _signed_in(accounts)
    assert sessions.start("alice", "wrong") is None and sessions.start("nobody", key.secret) is None
    assert sessions.get(token).principal.username == "alice"
    assert session.principal.key_id == key.key_id
    with accounts.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash, csrf FROM omega_ui_sessions")).all()
    assert len(stored) == 1 and token not in stored[0] and stored[0][0] == hashlib.sha256(token.encode()).hexdigest()


def test_a_session_ends_with_sign_out_expiry_key_revocation_or_disabled_user(accounts):
    sessions, key, token, _ = _signed_in(accounts)
    assert sessions.end(token) and sessions.get(token) is None and not sessions.end(token)

    token, _ = sessions.start("alice", key.secret)
    accounts.disable_user("alice")
    assert sessions.get(token) is None
    accounts.enable_user("alice")
    assert sessions.get(token) is None  # disabling ended it for good

    token, _ = sessions.start("alice", key.secret)
    accounts.revoke_key(key.key_id)
    assert sessions.get(token) is None

    from omegaml_server.accounts.sessions import Sessions

    fresh = accounts.create_key("alice")
    expired = Sessions(accounts, timedelta(seconds=-1))
    token, _ = expired.start("alice", fresh.secret)
    assert expired.get(token) is None


def test_ending_all_sessions_of_a_user_leaves_other_users_signed_in(accounts):
    sessions, key, token, _ = _signed_in(accounts)
    accounts.create_user("bob")
    bob_token, _ = sessions.start("bob", accounts.create_key("bob").secret)
    sessions.start("alice", key.secret)
    assert sessions.end_all("alice") == 2
    assert sessions.get(token) is None and sessions.get(bob_token) is not None


@pytest.mark.parametrize("token", [None, "", "x" * 129, "not-a-session"])
def test_unknown_or_malformed_session_tokens_are_no_session(accounts, token):
    sessions, *_ = _signed_in(accounts)
    assert sessions.get(token) is None


def test_the_csrf_token_is_compared_exactly(accounts):
    _, _, _, session = _signed_in(accounts)
    assert session.csrf_matches(session.csrf)
    assert not session.csrf_matches(None) and not session.csrf_matches("") and not session.csrf_matches(session.csrf[:-1])
