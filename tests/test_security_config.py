"""Security settings: strict booleans, context references, served contexts, signing configuration and keys."""
import os
import stat

import pytest

from omegaml_core.config import Config, env_flag
from omegaml_core.errors import ConfigurationError, ContextNotServed
from omegaml_core.runtime.contexts import ServedContexts, fingerprint, load_worker_contexts, public_url, reference


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("OMEGA_MONGO_URL", "OMEGA_BROKER", "OMEGA_CONTEXT", "OMEGA_WORKER_CONTEXTS", "OMEGA_REFUSE_PICKLES",
                 "OMEGA_SIGNING_KEY", "OMEGA_SIGNING_CERT", "OMEGA_SIGNING_CA", "OMEGA_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMEGA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OMEGA_CONFIG", str(tmp_path / "config.toml"))
    return tmp_path


@pytest.mark.parametrize("value,expected", [("1", True), ("TRUE", True), ("yes", True), ("On", True),
                                            ("0", False), ("false", False), ("NO", False), ("off", False)])
def test_boolean_settings_accept_the_eight_words_in_any_case(clean_env, monkeypatch, value, expected):
    monkeypatch.setenv("OMEGA_REFUSE_PICKLES", value)
    assert env_flag("OMEGA_REFUSE_PICKLES") is expected


@pytest.mark.parametrize("value", ["2", "y", "enabled", "ture", "-1"])
def test_any_other_boolean_value_is_an_error_naming_the_variable(clean_env, monkeypatch, value):
    monkeypatch.setenv("OMEGA_REFUSE_PICKLES", value)
    with pytest.raises(ConfigurationError, match=rf"OMEGA_REFUSE_PICKLES='{value}' is not a boolean setting"):
        env_flag("OMEGA_REFUSE_PICKLES")


def test_a_bad_boolean_setting_stops_the_start_up(clean_env, monkeypatch):
    monkeypatch.setenv("OMEGA_REFUSE_PICKLES", "enabled")
    with pytest.raises(ConfigurationError, match="OMEGA_REFUSE_PICKLES"):
        Config.resolve()


def test_a_fingerprint_holds_no_password_and_does_not_depend_on_it():
    one = fingerprint("mongodb://alice:first-pw@db.example:27017/omega?authSource=admin&tlsCertificateKeyFilePassword=x")
    two = fingerprint("mongodb://alice:other-pw@db.example:27017/omega?authSource=admin")
    assert one == two and one.startswith("url:")
    assert fingerprint("mongodb://alice:pw@db.example:27017/other") != one
    assert "first-pw" not in public_url("mongodb://alice:first-pw@h/db") and "x" not in public_url("m://h/db?token=x")


def test_a_named_context_is_referred_to_by_its_name(clean_env):
    assert reference(Config("sqlite:///a.db", name="prod")) == "prod"
    assert reference(Config("sqlite:///a.db")) == fingerprint("sqlite:///a.db")


def test_served_contexts_resolve_names_and_fingerprints_and_refuse_the_rest():
    served = ServedContexts((Config("sqlite:///a.db", name="prod"), Config("mongodb://u:p@h/db")))
    assert served.resolve("prod", "w").name == "prod"
    assert served.resolve(fingerprint("mongodb://u:other@h/db"), "w").storage_url == "mongodb://u:p@h/db"
    with pytest.raises(ContextNotServed, match=r"^the worker on queue q does not serve context 'x'"):
        served.resolve("x", "the worker on queue q")
    with pytest.raises(ContextNotServed):
        served.resolve({"storage_url": "sqlite:///evil.db"}, "w")


def test_a_worker_without_a_list_serves_its_own_context(clean_env, monkeypatch):
    monkeypatch.setenv("OMEGA_MONGO_URL", "sqlite:///own.db")
    assert [c.storage_url for c in load_worker_contexts().configs] == ["sqlite:///own.db"]


def test_a_worker_serves_the_listed_contexts_of_its_config_file(clean_env, monkeypatch):
    (clean_env / "config.toml").write_text("[contexts.a]\nmongo_url = 'sqlite:///a.db'\n"
                                           "[contexts.b]\nmongo_url = 'sqlite:///b.db'\n")
    monkeypatch.setenv("OMEGA_MONGO_URL", "sqlite:///env.db")  # a named context's own URL wins
    monkeypatch.setenv("OMEGA_WORKER_CONTEXTS", "b")
    assert [(c.name, c.storage_url) for c in load_worker_contexts().configs] == [("b", "sqlite:///b.db")]
    monkeypatch.setenv("OMEGA_WORKER_CONTEXTS", "*")
    assert [c.name for c in load_worker_contexts().configs] == ["a", "b"]
    monkeypatch.setenv("OMEGA_WORKER_CONTEXTS", "a,nope")
    with pytest.raises(ConfigurationError, match=r"OMEGA_WORKER_CONTEXTS names nope.*defines only: a, b"):
        load_worker_contexts()


def test_an_unknown_context_name_is_a_clear_error(clean_env):
    with pytest.raises(ConfigurationError, match=r"context 'prod' is not defined in .*config.toml.*\[contexts.prod\]"):
        Config.resolve(context="prod")


# --- message signing configuration ----------------------------------------------------------------

@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    from omegaml_core.runtime.keygen import init_signing

    return init_signing(tmp_path_factory.mktemp("keys"))


def test_signing_init_makes_private_keys_readable_by_the_owner_only(keys):
    assert {p.name for p in keys.values()} == {"ca-key.pem", "ca.pem", "signing-key.pem", "signing-cert.pem"}
    assert stat.S_IMODE(os.stat(keys["key"]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(keys["ca_key"]).st_mode) == 0o600


def test_signing_init_never_replaces_keys(keys):
    from omegaml_core.runtime.keygen import init_signing

    before = keys["key"].read_bytes()
    with pytest.raises(ConfigurationError, match="already exist"):
        init_signing(keys["key"].parent)
    assert keys["key"].read_bytes() == before


def test_signing_is_off_without_settings_and_incomplete_settings_are_an_error(clean_env, monkeypatch, keys):
    from omegaml_core.runtime.signing import signing_config

    assert signing_config() is None
    monkeypatch.setenv("OMEGA_SIGNING_KEY", str(keys["key"]))
    with pytest.raises(ConfigurationError, match="OMEGA_SIGNING_CERT, OMEGA_SIGNING_CA not set"):
        signing_config()
    monkeypatch.setenv("OMEGA_SIGNING_CERT", str(keys["cert"]))
    monkeypatch.setenv("OMEGA_SIGNING_CA", str(clean_env / "missing.pem"))
    with pytest.raises(ConfigurationError, match="OMEGA_SIGNING_CA=.*no such file"):
        signing_config()


def test_a_certificate_from_another_ca_is_refused_at_start_up(keys, tmp_path):
    from omegaml_core.runtime.keygen import init_signing
    from omegaml_core.runtime.signing import SigningConfig, trust_store

    other = init_signing(tmp_path / "other")
    with pytest.raises(ConfigurationError, match="is not issued by the CA"):
        trust_store(SigningConfig(str(other["key"]), str(other["cert"]), str(keys["ca"])))
    store = trust_store(SigningConfig(str(keys["key"]), str(keys["cert"]), str(keys["ca"])))
    assert len(list(store.itercerts())) == 1
