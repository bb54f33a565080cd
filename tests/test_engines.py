"""Storage engines: URL selection, configuration precedence, unreachable servers, name mapping."""
import time

import pytest

from helpers import run_python
from omegaml_core.config import Config, redact_url
from omegaml_core.engines.embedded import sqlite_path
from omegaml_core.errors import ConfigurationError, StorageUnavailable
from omegaml_core.omega import setup


def test_sqlite_urls_follow_sqlalchemy_slashes():
    assert str(sqlite_path("sqlite:///relative/omega.db")) == "relative/omega.db"
    assert str(sqlite_path("sqlite:////abs/omega.db")) == "/abs/omega.db"
    with pytest.raises(ConfigurationError):
        sqlite_path("sqlite:///")


def test_the_default_is_one_embedded_database_under_omega_home(tmp_path, monkeypatch):
    monkeypatch.setenv("OMEGA_HOME", str(tmp_path))
    monkeypatch.delenv("OMEGA_MONGO_URL", raising=False)
    monkeypatch.setenv("OMEGA_CONFIG", str(tmp_path / "none.toml"))
    om = setup()
    om.datasets.put([1], "x")
    assert (tmp_path / "omega.db").exists()
    assert type(om.engine).__name__ == "EmbeddedEngine"


def test_configuration_precedence_is_argument_environment_file(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('mongo_url = "sqlite:///from-file.db"\nbroker = "redis://file"\n')
    monkeypatch.setenv("OMEGA_CONFIG", str(cfg))
    monkeypatch.delenv("OMEGA_MONGO_URL", raising=False)
    monkeypatch.delenv("OMEGA_BROKER", raising=False)
    assert Config.resolve().storage_url == "sqlite:///from-file.db"
    assert Config.resolve().broker_url == "redis://file"
    monkeypatch.setenv("OMEGA_MONGO_URL", "sqlite:///from-env.db")
    assert Config.resolve().storage_url == "sqlite:///from-env.db"
    assert Config.resolve(mongo_url="sqlite:///from-arg.db").storage_url == "sqlite:///from-arg.db"


def test_a_broken_config_file_is_a_clear_error(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text("mongo_url = = broken")
    monkeypatch.setenv("OMEGA_CONFIG", str(cfg))
    with pytest.raises(ConfigurationError, match="config.toml"):
        Config.resolve()


def test_a_url_without_scheme_is_refused():
    with pytest.raises(ConfigurationError, match="not a URL"):
        Config.resolve(mongo_url="localhost:27017")


def test_passwords_never_appear_in_reprs():
    url = "mongodb://user:s3cret@db.example:27017/omega"
    assert redact_url(url) == "mongodb://user:***@db.example:27017/omega"
    assert "s3cret" not in repr(Config(storage_url=url, broker_url="amqp://u:s3cret@mq//"))


def test_an_unreachable_mongodb_fails_within_seconds_naming_the_server(monkeypatch):
    monkeypatch.setenv("OMEGA_MONGO_TIMEOUT_MS", "2000")
    om = setup(mongo_url="mongodb://user:s3cret@127.0.0.1:1/omega")
    start = time.monotonic()
    with pytest.raises(StorageUnavailable) as info:
        om.datasets.list()
    assert time.monotonic() - start < 10
    assert "127.0.0.1:1" in str(info.value) and "s3cret" not in str(info.value)


def test_the_default_mongodb_timeout_is_a_few_seconds(tmp_path):
    result = run_python("""
        import time, omegaml_core as om
        start = time.monotonic()
        try:
            om.setup(mongo_url="mongodb://127.0.0.1:1/omega").datasets.list()
        except Exception as exc:
            print(type(exc).__name__, round(time.monotonic() - start))
    """)
    name, seconds = result.stdout.split()
    assert name == "StorageUnavailable" and int(seconds) <= 8


def test_an_unwritable_embedded_location_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageUnavailable, match="cannot create embedded storage"):
        setup(mongo_url=f"sqlite:///{blocker}/sub/omega.db").datasets.list()


def test_buckets_share_the_engine_and_contexts_do_not(tmp_path):
    om = setup(mongo_url=f"sqlite:///{tmp_path}/a.db")
    other = setup(mongo_url=f"sqlite:///{tmp_path}/b.db")
    assert om["prod"].engine is om.engine
    assert other.engine is not om.engine


def test_mongodb_urls_keep_options_when_the_database_changes():
    from omegaml_core.testing import with_database

    assert with_database("mongodb://h:1/old?replicaSet=rs", "new") == "mongodb://h:1/new?replicaSet=rs"
    assert with_database("mongodb://h:1", "new") == "mongodb://h:1/new"


def test_blob_writers_are_plain_binary_streams_on_every_engine(omega):
    """Serializers write memoryviews and call tell() (joblib, zipfile); both engines accept that."""
    import array

    with omega.engine.blob_writer("blob-stream") as fh:
        fh.write(b"abc")
        fh.write(memoryview(array.array("i", [1, 2])))
        fh.write(bytearray(b"z"))
        assert fh.tell() == 3 + 8 + 1
    with omega.engine.blob_reader("blob-stream") as fh:
        assert fh.read() == b"abc" + array.array("i", [1, 2]).tobytes() + b"z"
    omega.engine.blob_delete("blob-stream")


def test_the_embedded_engine_stores_text_json_whatever_sqlite_the_process_has(tmp_path):
    """A process with a newer SQLite (TensorFlow brings 3.50) must not write JSONB that older ones cannot read."""
    import sqlite3

    from omegaml_core.config import Config
    from omegaml_core.omega import Omega

    om = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'o.db'}"))
    om.datasets.put({"a": 1}, "doc")
    with pytest.raises(sqlite3.OperationalError):
        om.engine.conn.db.execute("SELECT jsonb('{}')")  # what neosqlite probes before choosing JSONB
    with sqlite3.connect(tmp_path / "o.db") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'om%'")]
        stored_as = {row[0] for t in tables for row in db.execute(f'SELECT DISTINCT typeof(data) FROM "{t}"')}
    assert tables and stored_as == {"text"}


def test_buckets_lists_each_bucket_that_holds_an_object_once(omega):
    assert omega.buckets() == []
    omega.datasets.put([1], "x")
    omega.datasets.put([2], "y")
    omega["prod"].datasets.put([1], "x")
    omega["other"].datasets.list()  # opening a bucket stores nothing
    assert omega.buckets() == sorted([omega.bucket, "prod"])
    omega["prod"].datasets.drop("x")
    assert omega.buckets() == [omega.bucket]
