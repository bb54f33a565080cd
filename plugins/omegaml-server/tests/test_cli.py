"""`om users`, `om keys`, `om grants` and the checks of `om serve`."""
from __future__ import annotations

import subprocess
import sys

import pytest

from omegaml_core.cli import main
from omegaml_server.accounts import Accounts


@pytest.fixture
def accounts_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    monkeypatch.setenv("OMEGA_ACCOUNTS_URL", url)
    return url


def test_users_add_grants_run_on_the_default_bucket(accounts_url, capsys):
    assert main(["users", "add", "alice"]) == 0
    assert "granted run on bucket omega" in capsys.readouterr().out
    assert Accounts(accounts_url).role_of("alice", "omega") == "run"


def test_users_add_no_grant_and_list(accounts_url, capsys):
    main(["users", "add", "bob", "--no-grant", "--email", "bob@example.com"])
    main(["users", "list"])
    assert "bob\tactive\tbob@example.com" in capsys.readouterr().out
    assert Accounts(accounts_url).list_grants("bob") == []


def test_keys_create_prints_the_secret_once_and_list_never(accounts_url, capsys):
    main(["users", "add", "alice"])
    capsys.readouterr()
    assert main(["keys", "create", "alice", "--expires", "30d", "--rule", "model/.*"]) == 0
    secret = capsys.readouterr().out.strip()
    assert Accounts(accounts_url).verify_key("alice", secret).rules == ("model/.*",)
    main(["keys", "list", "alice"])
    listing = capsys.readouterr().out
    assert "active" in listing and "expires" in listing and secret not in listing


def test_keys_revoke_and_users_disable(accounts_url, capsys):
    main(["users", "add", "alice"])
    main(["keys", "create", "alice"])
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    key_id = Accounts(accounts_url).list_keys("alice")[0].key_id
    assert main(["keys", "revoke", key_id]) == 0
    assert Accounts(accounts_url).verify_key("alice", secret) is None
    assert main(["users", "disable", "alice"]) == 0
    assert not Accounts(accounts_url).get_user("alice").active


def test_grants_add_list_revoke(accounts_url, capsys):
    main(["users", "add", "alice", "--no-grant"])
    assert main(["grants", "add", "alice", "prod", "read"]) == 0
    main(["grants", "list"])
    assert "alice\tdefault\tprod\tread" in capsys.readouterr().out
    assert main(["grants", "revoke", "alice", "prod"]) == 0
    assert Accounts(accounts_url).list_grants("alice") == []


def test_errors_are_one_clear_line(accounts_url, capsys):
    assert main(["keys", "create", "ghost"]) == 1
    assert "om users add ghost" in capsys.readouterr().err
    assert main(["keys", "revoke", "nope"]) == 1
    assert main(["keys", "create", "ghost", "--expires", "soon"]) == 1


def test_serve_refuses_plain_http_on_a_public_address(accounts_url, capsys):
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "refusing to serve plain HTTP on 0.0.0.0" in err and "--certfile" in err and "--insecure" in err


def test_serve_needs_both_certificate_and_key(accounts_url, capsys, tmp_path):
    assert main(["serve", "--certfile", str(tmp_path / "cert.pem")]) == 2
    assert "both --certfile and --keyfile" in capsys.readouterr().err


def test_serve_refuses_a_bad_rule(accounts_url, capsys):
    assert main(["serve", "--rules", "model/("]) == 1
    assert "not a valid regular expression" in capsys.readouterr().err


def test_om_help_imports_no_web_or_sql_library():
    code = ("import sys; from omegaml_core.cli import build_parser; build_parser(); "
            "heavy = {'fastapi', 'sqlalchemy', 'uvicorn', 'pandas', 'httpx', 'alembic'} & set(sys.modules); "
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_import_omegaml_server_is_light():
    code = ("import sys, omegaml_server, omegaml_server.accounts, omegaml_server.plugins; "
            "print(sorted({'fastapi', 'sqlalchemy', 'pandas', 'httpx'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
