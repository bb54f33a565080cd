"""Known deviations of the nx-27017 stand-in from MongoDB, recorded as strict xfails.

Each test states what MongoDB does. On the stand-in it is expected to fail;
with OMEGA_TEST_MONGO_URL pointing at a real MongoDB it must pass.
"""
import pytest

from omegaml_core.testing.servers import standin_deviation

pytestmark = pytest.mark.mongo


@pytest.fixture
def mongo(omega_mongo_base_url):
    from omegaml_core.omega import setup
    from omegaml_core.testing import test_database_url

    om = setup(mongo_url=test_database_url(omega_mongo_base_url))
    yield om
    om.engine.close()


def test_a_bool_written_with_set_comes_back_as_a_bool(mongo, request):
    standin_deviation(request, "a bool written with $set comes back as 1")
    coll = mongo.engine.collection("om_deviation_bool")
    coll.insert_one({"_id": 1, "flag": False})
    coll.update_one({"_id": 1}, {"$set": {"flag": True}})
    assert coll.find_one({"_id": 1})["flag"] is True


def test_blobs_larger_than_48_mb_can_be_read_back(mongo, request):
    standin_deviation(request, "a GridFS read of a file over 48 MB is answered in one reply larger than "
                               "the server's own 48 MB message limit (MongoDB caps a batch at 16 MB)")
    size = 50 << 20
    mongo.datasets.put(b"x" * size, "big")
    with mongo.datasets.get("big") as fh:
        assert len(fh.read()) == size


def test_collection_names_with_dots_are_accepted(mongo, request):
    standin_deviation(request, "collection names with dots are refused")
    coll = mongo.engine.collection("om_with.dots")
    coll.insert_one({"a": 1})
    assert coll.count_documents({}) == 1


def test_the_kernel_never_needs_dotted_collection_names(mongo):
    mongo.datasets.put([1], "name.with.dots")
    assert all("." not in name for name in mongo.engine.list_collections())
    assert mongo.datasets.get("name.with.dots") == [1]
