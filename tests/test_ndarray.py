"""numpy.ndarray: arrays as .npy blobs, never pickles."""
import numpy as np
import pytest


def test_columns_of_a_2d_array_are_selected_by_position(om):
    om.datasets.put(np.arange(6).reshape(2, 3), "a")
    np.testing.assert_array_equal(om.datasets.get("a[0,2]"), [[0, 2], [3, 5]])
    with pytest.raises(ValueError, match=r"select columns of a 2-D array by position, e.g. 'a\[0,2\]'"):
        om.datasets.get("a[x]")
    om.datasets.put(np.arange(3), "v")
    with pytest.raises(ValueError, match=r"has shape \(3,\)"):
        om.datasets.get("v[0]")


def test_object_arrays_are_refused_before_anything_is_written(om):
    with pytest.raises(TypeError, match="dtype object, which .npy stores only as a pickle"):
        om.datasets.put(np.array([{"a": 1}, None]), "objects")
    assert not om.datasets.exists("objects") and om.engine.list_blobs() == []


def test_array_subclasses_are_not_taken_for_plain_arrays(om):
    with pytest.raises(TypeError, match="no installed backend can store a numpy.ma.MaskedArray"):
        om.datasets.put(np.ma.masked_array([1, 2], mask=[0, 1]), "masked")


def test_the_kind_metadata_records_shape_and_dtype(om):
    meta = om.datasets.put(np.ones((2, 5), dtype="float32"), "ones")
    assert meta.kind == "numpy.ndarray" and meta.kind_meta == {"shape": [2, 5], "dtype": "<f4"}
