"""Model versioning, a kernel feature written only as hook implementations."""
import pytest

from omegaml_core.errors import ObjectNotFound
from omegaml_core.versioning import versions


def test_each_model_put_records_a_version_readable_by_number(om):
    for i in range(3):
        om.models.put({"weights": i}, "clf")
    assert om.models.get("clf@1") == {"weights": 0}
    assert om.models.get("clf@3") == om.models.get("clf@latest") == {"weights": 2}
    assert [m.attributes["version"] for m in versions(om.models, "clf")] == [1, 2, 3]
    assert om.models.list() == ["clf"]


def test_versions_share_bytes_instead_of_copying(om):
    om.models.put({"weights": 1}, "clf")
    assert len(om.engine.list_blobs()) == 1


def test_old_versions_are_pruned_and_their_bytes_freed(om, monkeypatch):
    monkeypatch.setenv("OMEGA_MODEL_VERSIONS", "2")
    for i in range(5):
        om.models.put({"weights": i}, "clf")
    assert [m.attributes["version"] for m in versions(om.models, "clf")] == [4, 5]
    assert len(om.engine.list_blobs()) == 2 and om.engine.orphans() == set()
    with pytest.raises(ObjectNotFound):
        om.models.get("clf@1")


def test_dropping_a_model_drops_its_versions_and_bytes(om):
    for i in range(3):
        om.models.put({"weights": i}, "clf")
    om.models.drop("clf")
    assert om.models.list(hidden=True) == [] and om.engine.list_blobs() == []


def test_datasets_are_not_versioned(om):
    om.datasets.put([1], "d")
    om.datasets.put([2], "d")
    assert om.datasets.list(hidden=True) == ["d"]


def test_versioning_can_be_turned_off(om, monkeypatch):
    monkeypatch.setenv("OMEGA_MODEL_VERSIONS", "0")
    om.models.put([1], "clf")
    assert om.models.list(hidden=True) == ["clf"]
