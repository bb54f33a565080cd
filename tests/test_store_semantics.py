"""Store calls refuse what they cannot honour: unknown keywords, silent kind changes, self-promotion."""
import pytest

from omegaml_core.config import Config
from omegaml_core.errors import KindChangeError
from omegaml_core.omega import Omega
from omegaml_core.versioning import versions


# --- unknown keyword arguments ------------------------------------------------
def test_put_refuses_an_unknown_keyword_naming_it_and_the_accepted_ones(om):
    with pytest.raises(TypeError) as raised:
        om.datasets.put({"a": 1}, "cfg", bogus_option=1)
    assert "'bogus_option'" in str(raised.value) and "accepted: " in str(raised.value)
    assert not om.datasets.exists("cfg") and om.engine.list_blobs() == []


def test_put_refuses_uri_which_no_builtin_kind_takes(om):
    with pytest.raises(TypeError, match="'uri'"):
        om.datasets.put(b"bytes", "f", uri="s3://bucket/key")


def test_get_refuses_an_unknown_keyword_and_lists_what_the_kind_accepts(om):
    om.datasets.put(b"bytes", "f")
    with pytest.raises(TypeError, match=r"'local'.*accepted: path"):
        om.datasets.get("f", local=True)


def test_get_still_accepts_column_selection_by_name(om):
    om.datasets.put({"a": 1, "b": 2}, "cfg")
    assert om.datasets.get("cfg[a]") == {"a": 1}


def test_promote_refuses_an_unknown_keyword_and_copies_nothing(om):
    om.datasets.put({"a": 1}, "cfg")
    with pytest.raises(TypeError, match="'bogus_option'"):
        om.datasets.promote("cfg", om["prod"].datasets, bogus_option=1)
    assert not om["prod"].datasets.exists("cfg")


def test_a_backend_declares_options_it_takes_through_kwargs(om):
    from omegaml_core.backends.pydata import PythonDataBackend

    class Extra(PythonDataBackend):
        extra_options = {"put": ("compress",)}

    assert "compress" in Extra.accepted_options("put")
    assert "compress" not in PythonDataBackend.accepted_options("put")


# --- kinds do not change silently ----------------------------------------------
def test_putting_an_object_the_current_kind_cannot_store_is_refused_naming_the_kind(om):
    om.datasets.put({"a": 1}, "thing")
    with pytest.raises(KindChangeError, match=r"kind 'python.data'.*kind='python.file'.*drop it first"):
        om.datasets.put(b"bytes now", "thing")
    assert om.datasets.get("thing") == {"a": 1} and len(om.engine.list_blobs()) == 1


def test_kind_change_error_is_a_type_error(om):
    om.datasets.put(b"bytes", "thing")
    with pytest.raises(TypeError):
        om.datasets.put({"a": 1}, "thing")


def test_an_explicit_kind_replaces_an_object_of_another_kind(om):
    om.datasets.put({"a": 1}, "thing")
    assert om.datasets.put(b"bytes now", "thing", kind="python.file").kind == "python.file"
    assert om.engine.orphans() == set()


# --- promotion -----------------------------------------------------------------
def test_promote_under_another_name_leaves_the_source_name_free(om):
    om.datasets.put({"a": 1}, "cfg")
    meta = om.datasets.promote("cfg", om["prod"].datasets, asname="cfg-v2")
    assert meta.name == "cfg-v2" and om["prod"].datasets.list() == ["cfg-v2"]


def test_promote_under_another_name_in_the_same_bucket_copies(om):
    om.datasets.put({"a": 1}, "cfg")
    om.datasets.promote("cfg", om.datasets, asname="cfg-copy")
    assert om.datasets.get("cfg-copy") == {"a": 1} and om.datasets.list() == ["cfg", "cfg-copy"]


def test_promoting_an_object_onto_itself_is_a_value_error(om):
    om.datasets.put({"a": 1}, "cfg")
    with pytest.raises(ValueError, match="onto itself"):
        om.datasets.promote("cfg", om["omega"].datasets)
    assert om.datasets.get("cfg") == {"a": 1}


def test_promote_checks_asname(om):
    om.datasets.put({"a": 1}, "cfg")
    with pytest.raises(ValueError, match="empty"):
        om.datasets.promote("cfg", om["prod"].datasets, asname="")


def test_promoting_a_versioned_model_carries_its_versions(om):
    for i in range(3):
        om.models.put({"weights": i}, "m")
    prod = om["prod"].models
    prod.put({"weights": "old"}, "m")  # prod's own history is replaced by the source's
    om.models.promote("m", prod)
    assert [prod.get(f"m@{n}") for n in (1, 2, 3)] == [{"weights": 0}, {"weights": 1}, {"weights": 2}]
    assert prod.get("m@latest") == {"weights": 2}
    assert [v.attributes["version"] for v in versions(prod, "m")] == [1, 2, 3]
    assert om.engine.orphans() == set()


def test_versions_follow_a_model_promoted_under_another_name(om):
    for i in range(2):
        om.models.put({"weights": i}, "m")
    om.models.promote("m", om["prod"].models, asname="champion")
    assert om["prod"].models.get("champion@1") == {"weights": 0}
    assert versions(om["prod"].models, "champion")[-1].attributes["version_of"] == "champion"


def test_versions_are_copied_to_another_context(om, tmp_path):
    other = Omega(Config(storage_url=f"sqlite:///{tmp_path / 'other.db'}"))
    for i in range(2):
        om.models.put({"weights": i}, "m")
    om.models.promote("m", other.models)
    om.models.drop("m")
    assert other.models.get("m@1") == {"weights": 0} and other.models.get("m@2") == {"weights": 1}
    assert other.engine.orphans() == set()
    other.engine.close()


def test_dropping_a_promoted_model_drops_its_carried_versions(om):
    om.models.put({"weights": 1}, "m")
    om.models.promote("m", om["prod"].models)
    om["prod"].models.drop("m")
    assert om["prod"].models.list(hidden=True) == [] and om.models.get("m@1") == {"weights": 1}
