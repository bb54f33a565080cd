"""Names at the store: one spelling per name, no look-alikes, no names the version syntax would misread."""
import unicodedata

import pytest

import omegaml_core.store as store_module
from omegaml_core.errors import InvalidNameError

STORES = ["datasets", "models", "jobs", "scripts"]
NFC, NFD = "café", unicodedata.normalize("NFD", "café")


def legacy_put(monkeypatch, store, obj, name):
    """Store ``obj`` as ``name`` under the rules before names were checked for writing."""
    with monkeypatch.context() as patched:
        patched.setattr(store_module, "validate_new_name", lambda n, what="object": n)
        return store.put(obj, name)


def test_nfc_and_nfd_spellings_are_one_object(om):
    om.datasets.put([1], NFD)
    om.datasets.put([2], NFC)
    assert om.datasets.list() == [NFC]
    assert om.datasets.get(NFD) == om.datasets.get(NFC) == [2]
    assert om.datasets.exists(NFD) and om.datasets.metadata(NFD).name == NFC


def test_a_list_pattern_in_nfd_finds_the_nfc_name(om):
    om.datasets.put([1], f"{NFC}/sales")
    assert om.datasets.list(f"{NFD}/*") == [f"{NFC}/sales"]


def test_dropping_by_the_other_spelling_drops_the_object(om):
    om.datasets.put([1], NFC)
    assert om.datasets.drop(NFD) is True
    assert om.datasets.list(hidden=True) == [] and om.engine.list_blobs() == []


def test_an_object_stored_under_an_nfd_name_before_normalization_stays_reachable(om, monkeypatch):
    legacy_put(monkeypatch, om.datasets, [1], NFD)
    assert om.datasets.get(NFD) == [1]
    assert om.datasets.drop(NFD) is True


@pytest.mark.parametrize("label", STORES)
def test_a_look_alike_name_with_a_zero_width_space_is_refused_and_nothing_is_written(om, label):
    store = getattr(om, label)
    with pytest.raises(InvalidNameError, match="U\\+200B ZERO WIDTH SPACE"):
        store.put({"a": 1}, "prod/model\u200b")
    assert store.list(hidden=True) == [] and om.engine.list_blobs() == []


@pytest.mark.parametrize("label", STORES)
@pytest.mark.parametrize("name, message", [("clf@1", "reserved for versions"), ("clf@latest", "reserved for versions"),
                                           (".versions/m/v1", "uses internally"), (".tmp/x", "uses internally")])
def test_every_store_refuses_version_names_and_internal_folders(om, label, name, message):
    store = getattr(om, label)
    with pytest.raises(InvalidNameError, match=message):
        store.put({"a": 1}, name)
    assert store.list(hidden=True) == [] and om.engine.list_blobs() == []


def test_a_model_stored_as_name_at_number_before_the_rule_stays_listed_readable_and_droppable(om, monkeypatch):
    legacy_put(monkeypatch, om.models, {"w": "other"}, "other@2")
    assert "other@2" in om.models.list()
    assert om.models.get("other@2") == {"w": "other"}
    assert om.models.drop("other@2") is True
    assert om.models.list(hidden=True) == [] and om.engine.list_blobs() == []


def test_a_version_wins_over_an_object_stored_under_the_same_versioned_name(om, monkeypatch):
    legacy_put(monkeypatch, om.models, {"w": "legacy"}, "clf@1")
    om.models.put({"w": "v1"}, "clf")
    assert om.models.get("clf@1") == {"w": "v1"}
    om.models.drop("clf@1")  # the version: the object stored under the literal name is reachable again
    assert om.models.get("clf@1") == {"w": "legacy"}


def test_promoting_to_a_name_the_target_would_refuse_is_refused_and_nothing_is_copied(om, monkeypatch):
    legacy_put(monkeypatch, om.datasets, [1], "other@2")
    prod = om["prod"]
    with pytest.raises(InvalidNameError, match="promotion target"):
        om.datasets.promote("other@2", prod.datasets)
    assert prod.datasets.list(hidden=True) == []


def test_lookups_of_names_that_cannot_be_written_just_find_nothing(om):
    assert not om.datasets.exists("prod/model\u200b") and not om.models.exists("clf@7")
