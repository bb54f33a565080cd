"""Model versioning, a kernel feature written only as hook implementations."""
import warnings

import pytest

import omegaml_core.store as store_module
from omegaml_core.errors import InvalidNameError, ObjectNotFound
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


def test_a_model_cannot_be_stored_under_a_versioned_name(om):
    om.models.put({"weights": 1}, "clf")
    with pytest.raises(InvalidNameError, match="reserved for versions"):
        om.models.put({"weights": "other"}, "clf@1")
    assert om.models.get("clf@1") == {"weights": 1}


def test_a_document_without_a_version_number_in_the_versions_folder_never_breaks_a_put(om, monkeypatch):
    with monkeypatch.context() as patched:  # as an older release let a user store it
        patched.setattr(store_module, "validate_new_name", lambda n, what="object": n)
        om.models.put({"user": "object"}, ".versions/m/v1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        om.models.put({"weights": 1}, "m")
        om.models.put({"weights": 2}, "m")
    assert [m.attributes["version"] for m in versions(om.models, "m")] == [2, 3]
    assert om.models.get("m@3") == {"weights": 2}
    om.models.drop("m")
    assert om.models.list(hidden=True) == [".versions/m/v1"]


def test_a_failure_to_record_a_version_warns_but_the_committed_put_succeeds(om, monkeypatch):
    om.models.put({"weights": 1}, "clf")
    commit = om.engine.meta_commit

    def refuse_versions(doc, expected_rev):
        if doc["name"].startswith(".versions/"):
            raise ConnectionError("storage went away")
        return commit(doc, expected_rev)

    monkeypatch.setattr(om.engine, "meta_commit", refuse_versions)
    with pytest.warns(RuntimeWarning, match="models/clf was stored, but its version could not be recorded"):
        meta = om.models.put({"weights": 2}, "clf")
    monkeypatch.undo()
    assert meta.name == "clf" and om.models.get("clf") == {"weights": 2}
    om.models.put({"weights": 3}, "clf")
    assert [m.attributes["version"] for m in versions(om.models, "clf")] == [1, 2]


def test_a_bad_version_count_setting_warns_instead_of_failing_the_put(om, monkeypatch):
    monkeypatch.setenv("OMEGA_MODEL_VERSIONS", "ten")
    with pytest.warns(RuntimeWarning, match="ValueError"):
        om.models.put({"weights": 1}, "clf")
    assert om.models.get("clf") == {"weights": 1}
