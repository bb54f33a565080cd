"""A pickle planted in the store by someone without OMEGA_STORE_KEY is never unpickled by a keyed reader."""
import io
import pathlib
import secrets

import joblib
import pytest
from sklearn.linear_model import LogisticRegression

from omegaml_core import integrity
from omegaml_core.errors import IntegrityError
from omegaml_core.metadata import Metadata
from test_workers import env  # noqa: F401  (the Redis worker environment fixture)

KEY = secrets.token_hex(32)


class Planted:
    """Unpickling this creates ``marker``: the attacker's code running on the victim's machine."""

    def __init__(self, marker):
        self.marker = pathlib.Path(marker)

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


def plant(omega, name, marker, signature=None):
    """What an attacker with write access to the database (but not the key) can do: a blob and its Metadata."""
    buffer = io.BytesIO()
    joblib.dump(Planted(marker), buffer)
    data = buffer.getvalue()
    blob = f"om_planted_{secrets.token_hex(8)}"
    with omega.engine.blob_writer(blob) as fh:
        fh.write(data)
    seal = integrity.Seal(keys=[])  # the checksum is public knowledge: anyone can compute it
    seal.update(data)
    meta = Metadata(name=name, bucket=omega.bucket, prefix="models/", kind="sklearn.joblib",
                    kind_meta={"serializer": "joblib", "estimator": "sklearn.linear_model.LogisticRegression"},
                    blobs=[blob])
    seal.record(meta, blob)
    if signature:
        meta.signatures[blob] = signature
    omega.engine.meta_commit(meta.to_doc(), None)


def test_without_a_key_the_planted_pickle_runs_which_is_what_the_key_prevents(om, tmp_path):
    marker = tmp_path / "pwned"
    plant(om, "planted", marker)
    try:
        om.models.get("planted")
    except Exception:
        pass  # whatever happens after unpickling is too late
    assert marker.exists()


def test_a_keyed_client_refuses_an_unsigned_planted_pickle_before_unpickling(om, tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    plant(om, "planted", marker)
    monkeypatch.setenv("OMEGA_STORE_KEY", KEY)
    with pytest.raises(IntegrityError, match="not signed"):
        om.models.get("planted")
    assert not marker.exists()


def test_a_keyed_client_refuses_a_planted_pickle_with_a_forged_signature(om, tmp_path, monkeypatch):
    monkeypatch.setenv("OMEGA_STORE_KEY", KEY)
    om.models.put(LogisticRegression(), "genuine")
    real = next(iter(om.models.metadata("genuine").signatures.values()))
    algo, kid, value = real.split(":")  # the key id is visible to the attacker; the key is not
    marker = tmp_path / "pwned"
    plant(om, "planted", marker, signature=f"{algo}:{kid}:{secrets.token_hex(32)}")
    for allow_unsigned in (False, True):
        with pytest.raises(IntegrityError, match="does not match its signature"):
            om.models.get("planted", allow_unsigned=allow_unsigned)
    assert not marker.exists()


def test_a_keyed_client_reads_the_models_it_signed(om, monkeypatch):
    monkeypatch.setenv("OMEGA_STORE_KEY", KEY)
    om.models.put(LogisticRegression(C=0.5), "clf")
    assert om.models.get("clf").C == 0.5


@pytest.mark.services
def test_a_keyed_worker_refuses_a_planted_pickle(env, tmp_path, monkeypatch):
    from omegaml_core.config import Config
    from omegaml_core.omega import Omega
    from omegaml_core.runtime.testing import start_worker

    env = {**env, "OMEGA_STORE_KEY": KEY}
    monkeypatch.setenv("OMEGA_STORE_KEY", KEY)
    om = Omega(Config.resolve())
    marker = tmp_path / "pwned"
    plant(om, "planted", marker)
    with start_worker(env, pool="solo") as worker:
        with pytest.raises(Exception, match="not signed"):
            om.runtime.model("planted").predict([[1.0, 2.0]]).get(timeout=60)
    assert not marker.exists(), worker.output()[-2000:]
