"""The store API: put/get/drop/list/exists/metadata/promote semantics."""
import pytest

from omegaml_core.errors import ObjectNotFound, UnknownKindError


def test_put_returns_metadata_with_the_documented_fields(om):
    meta = om.datasets.put({"a": 1}, "cfg", attributes={"team": "x"})
    assert (meta.name, meta.bucket, meta.prefix, meta.kind) == ("cfg", "omega", "data/", "python.data")
    assert meta.attributes == {"team": "x"} and meta.blobs and meta.created <= meta.modified
    assert "name='cfg'" in repr(meta) and "kind='python.data'" in repr(meta)


def test_put_replaces_and_keeps_created_and_merges_attributes(om):
    first = om.datasets.put({"v": 1}, "cfg", attributes={"a": 1})
    second = om.datasets.put({"v": 2}, "cfg", attributes={"b": 2})
    assert om.datasets.get("cfg") == {"v": 2}
    assert second.created == first.created and second.rev != first.rev
    assert second.attributes == {"a": 1, "b": 2}
    assert om.datasets.list() == ["cfg"] and om.engine.orphans() == set()


def test_an_existing_name_keeps_its_kind_unless_kind_is_given(om):
    om.datasets.put({"a": 1}, "thing", kind="python.data")
    assert om.datasets.put({"a": 2}, "thing").kind == "python.data"
    assert om.datasets.put(b"bytes now", "thing", kind="python.file").kind == "python.file"
    assert om.datasets.put([1], "thing", kind="python.data").kind == "python.data"


def test_an_unknown_kind_is_refused_before_anything_is_written(om):
    with pytest.raises(UnknownKindError, match="python.data"):
        om.datasets.put({"a": 1}, "x", kind="no.such.kind")
    assert om.datasets.list() == []


def test_append_extends_where_supported_and_is_refused_elsewhere(om):
    om.datasets.put([1, 2], "rows")
    om.datasets.put([3], "rows", append=True)
    assert om.datasets.get("rows") == [1, 2, 3]
    om.datasets.put(b"abc", "file")
    with pytest.raises(ValueError, match="does not support append"):
        om.datasets.put(b"def", "file", append=True)
    with pytest.raises(TypeError, match="cannot append"):
        om.datasets.put(b"def", "rows", append=True)
    assert om.datasets.get("rows") == [1, 2, 3]


def test_append_to_a_missing_name_creates_it(om):
    om.datasets.put([1], "new", append=True)
    assert om.datasets.get("new") == [1]


def test_drop_of_a_missing_name_raises_key_error_naming_object_and_bucket(om):
    with pytest.raises(KeyError) as info:
        om.datasets.drop("nope")
    assert isinstance(info.value, ObjectNotFound)
    assert "nope" in str(info.value) and "'omega'" in str(info.value)
    assert om.datasets.drop("nope", force=True) is False


def test_get_and_metadata_of_a_missing_name_raise_object_not_found(om):
    with pytest.raises(ObjectNotFound, match="om.datasets.list"):
        om.datasets.get("missing")
    with pytest.raises(ObjectNotFound):
        om.models.metadata("missing")
    assert om.datasets.exists("missing") is False


def test_list_filters_by_glob_and_hides_dot_names(om):
    for name in ("sales/2024", "sales/2025", "costs", ".hidden/x"):
        om.datasets.put([1], name)
    assert om.datasets.list() == ["costs", "sales/2024", "sales/2025"]
    assert om.datasets.list("sales/*") == ["sales/2024", "sales/2025"]
    assert ".hidden/x" in om.datasets.list(hidden=True)
    assert [m.name for m in om.datasets.list("costs", raw=True)] == ["costs"]


def test_stores_and_buckets_are_separate_namespaces(om):
    om.datasets.put([1], "same")
    om.models.put([2], "same")
    om["other"].datasets.put([3], "same")
    assert om.datasets.get("same") == [1] and om.models.get("same") == [2]
    assert om["other"].datasets.get("same") == [3]
    assert om.jobs.list() == [] and om.scripts.list() == []
    assert om["other"].models.list() == []


def test_promote_copies_into_another_bucket_and_replaces_there(om):
    prod = om["prod"]
    prod.datasets.put({"old": True}, "cfg")
    om.datasets.put({"new": True}, "cfg")
    meta = om.datasets.promote("cfg", prod.datasets)
    assert meta.bucket == "prod" and prod.datasets.get("cfg") == {"new": True}
    assert om.engine.orphans() == set()


def test_promote_needs_a_store_as_target(om):
    om.datasets.put([1], "x")
    with pytest.raises(TypeError, match="om\\['prod'\\].datasets"):
        om.datasets.promote("x", "prod")


def test_attributes_must_be_a_dict(om):
    with pytest.raises(TypeError, match="attributes must be a dict"):
        om.datasets.put([1], "x", attributes=["not", "a", "dict"])
    assert om.datasets.list() == []


def test_projection_on_documents_selects_keys(om):
    om.datasets.put({"a": 1, "b": 2, "c": 3}, "doc")
    assert om.datasets.get("doc[a,c]") == {"a": 1, "c": 3}
    with pytest.raises(KeyError, match="zz"):
        om.datasets.get("doc[zz]")


@pytest.mark.parametrize("bad", [{1: "int key"}, {"t": (1, 2)}, {"f": float("nan")}, [object()]], ids=repr)
def test_python_data_refuses_what_would_not_come_back_as_put(om, bad):
    with pytest.raises(TypeError):
        om.datasets.put(bad, "bad", kind="python.data")
    assert om.datasets.list() == [] and om.engine.list_blobs() == []
