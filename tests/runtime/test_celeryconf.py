"""om.setup(celeryconf=...): Celery's own setting names, old or new; unknown names are refused."""
import pytest

import omegaml_core as om
from omegaml_core.errors import ConfigurationError
from omegaml_core.runtime.celeryapp import app_for

BROKER = "redis://127.0.0.1:6379/9"


@pytest.fixture(autouse=True)
def no_broker_in_env(monkeypatch, tmp_path):
    monkeypatch.delenv("OMEGA_BROKER", raising=False)
    monkeypatch.delenv("OMEGA_RESULT_BACKEND", raising=False)
    monkeypatch.setenv("OMEGA_CONFIG", str(tmp_path / "config.toml"))
    return tmp_path


@pytest.mark.parametrize("key", ["BROKER_URL", "broker_url"])
def test_the_broker_url_in_either_style_makes_the_runtime_remote(tmp_path, key):
    omega = om.setup(mongo_url=f"sqlite:///{tmp_path / 'o.db'}", celeryconf={key: BROKER})
    assert not omega.runtime.local and omega.config.broker_url == BROKER


def test_other_settings_reach_the_celery_app_under_their_current_names(tmp_path):
    omega = om.setup(mongo_url=f"sqlite:///{tmp_path / 'o.db'}", celeryconf={
        "BROKER_URL": BROKER, "CELERY_RESULT_BACKEND": "redis://127.0.0.1:6379/10",
        "CELERY_TASK_RESULT_EXPIRES": 60, "broker_pool_limit": 3})
    app = app_for(omega.config)
    assert app.conf.result_backend == "redis://127.0.0.1:6379/10"
    assert app.conf.result_expires == 60 and app.conf.broker_pool_limit == 3
    assert app.conf.task_serializer == "json"  # ours stay


@pytest.mark.parametrize("celeryconf,error", [
    ({"BROKER": BROKER}, "'BROKER' is not a Celery setting"),
    ({"broker_url": BROKER, "bogus_option": 1}, "'bogus_option' is not a Celery setting"),
    ({"CELERY_TASK_SERIALIZER": "pickle"}, "'CELERY_TASK_SERIALIZER' is fixed by omegaml"),
    ({"BROKER_URL": BROKER, "broker_url": BROKER}, "'broker_url' and another key both set 'broker_url'"),
    ({"broker_transport_options": {"cb": object()}}, "the value of 'broker_transport_options' must be JSON"),
    (["broker_url"], "celeryconf must be a dict"),
])
def test_a_bad_setting_is_a_value_error_naming_it(tmp_path, celeryconf, error):
    with pytest.raises(ValueError, match=error):
        om.setup(mongo_url=f"sqlite:///{tmp_path / 'o.db'}", celeryconf=celeryconf)


def test_the_config_file_celery_table_takes_the_same_names(no_broker_in_env):
    (no_broker_in_env / "config.toml").write_text(f'[celery]\nBROKER_URL = "{BROKER}"\nresult_expires = 30\n')
    omega = om.setup(mongo_url=f"sqlite:///{no_broker_in_env / 'o.db'}")
    assert omega.config.broker_url == BROKER and app_for(omega.config).conf.result_expires == 30
    (no_broker_in_env / "config.toml").write_text('[celery]\nnot_a_setting = 1\n')
    with pytest.raises(ConfigurationError, match="the \\[celery\\] table of .*config.toml: 'not_a_setting'"):
        om.setup(mongo_url=f"sqlite:///{no_broker_in_env / 'o.db'}")


def test_celery_settings_are_not_sent_to_workers(tmp_path):
    omega = om.setup(mongo_url=f"sqlite:///{tmp_path / 'o.db'}",
                     celeryconf={"BROKER_URL": BROKER, "broker_transport_options": {"password": "x"}})
    from omegaml_core.runtime.execution import context_of

    assert "broker_transport_options" not in str(context_of(omega))
