"""Without a broker, tasks run in-process, through the same JSON serialization as a broker message."""
import pytest

from omegaml_core.config import Config
from omegaml_core.errors import ObjectNotFound
from omegaml_core.omega import Omega


@pytest.fixture
def om(tiny_env):
    import tinymodel

    omega = Omega(Config.resolve())
    omega.models.put(tinymodel.TinyModel(), "tiny")
    omega.datasets.put([1, 2, 3, 4], "X")
    omega.datasets.put([2, 4, 6, 8], "Y")
    return omega


def test_fit_stores_the_model_and_returns_its_metadata_as_plain_values(om):
    meta = om.runtime.model("tiny").fit("X", "Y").get()
    assert meta["name"] == "tiny" and meta["kind"] == "tiny.model"
    assert meta["attributes"]["fitted_on"] == {"X": "X", "Y": "Y"}
    assert isinstance(meta["modified"], str)
    assert om.models.get("tiny").mean == 5


def test_predict_returns_a_list_and_can_store_the_result(om):
    om.runtime.model("tiny").fit("X", "Y").get()
    assert om.runtime.model("tiny").predict("X", rName="pred").get() == [5, 5, 5, 5]
    assert om.datasets.get("pred") == [5, 5, 5, 5]


def test_score_returns_a_float(om):
    om.runtime.model("tiny").fit("X", "Y").get()
    assert isinstance(om.runtime.model("tiny").score("X", "Y").get(), float)


def test_in_memory_inputs_go_in_as_temporary_datasets_and_are_removed(om):
    om.runtime.model("tiny").fit([1, 2], [10, 20]).get()
    assert om.runtime.model("tiny").predict([7, 8, 9]).get() == [15, 15, 15]
    assert om.datasets.list(hidden=True) == ["X", "Y"]


def test_temporary_inputs_are_removed_when_the_task_fails(om):
    with pytest.raises(ValueError, match="not fitted"):
        om.runtime.model("tiny").predict([1]).get()
    assert om.datasets.list(hidden=True) == ["X", "Y"]


def test_a_failed_call_returns_a_failed_result_that_raises_on_get(om):
    result = om.runtime.model("tiny").predict([1])
    assert result.state == "FAILURE" and result.ready()
    with pytest.raises(ValueError, match="not fitted") as info:
        result.get()
    assert "tinymodel.py" in info.value.remote_traceback


def test_status_gives_the_state_and_the_result_or_the_error_as_plain_values(om):
    assert om.runtime.model("tiny").fit("X", "Y").status()["state"] == "SUCCESS"
    error = om.runtime.model("tiny").predict("nope").status()["error"]
    assert error["type"] == "ObjectNotFound" and "nope" in error["message"] and "Traceback" in error["traceback"]


def test_ping_and_model_calls_return_the_same_kind_of_result(om):
    ping, call = om.runtime.ping(), om.runtime.model("tiny").fit("X", "Y")
    assert type(ping) is type(call) and ping.state == call.state == "SUCCESS"
    assert ping.get()["message"] == "pong" and call.get()["name"] == "tiny"


def test_errors_come_back_with_their_type_and_message(om):
    with pytest.raises(ObjectNotFound, match="nope"):
        om.runtime.model("nope").predict("X").get()
    with pytest.raises(KeyError):
        om.runtime.model("tiny").predict("no-such-dataset").get()


def test_a_plugin_task_is_a_model_method(om):
    assert om.runtime.model("tiny").whoami().get()["model"] == "tiny"
    with pytest.raises(AttributeError, match="no runtime method"):
        om.runtime.model("tiny").no_such_method


def test_arguments_that_do_not_survive_json_fail_like_they_would_remotely(om):
    with pytest.raises(TypeError):
        om.runtime.model("tiny").predict("X", extra=object()).get()


def test_repeated_predicts_do_not_reread_an_unchanged_model(om):
    import tinymodel

    om.runtime.model("tiny").fit("X", "Y").get()
    before = tinymodel.TinyModelBackend.loads
    for _ in range(3):
        om.runtime.model("tiny").predict("X").get()
    assert tinymodel.TinyModelBackend.loads == before + 1
    om.runtime.model("tiny").fit("X", "X").get()  # a new version is read again
    om.runtime.model("tiny").predict("X").get()
    assert tinymodel.TinyModelBackend.loads == before + 3  # fit reads a fresh copy, predict the new version


def test_the_runtime_of_a_bucket_works_in_that_bucket(om):
    import tinymodel

    prod = om["prod"]
    prod.models.put(tinymodel.TinyModel(mean=1), "tiny")
    assert prod.runtime.model("tiny").predict([1]).get() == [1]
    assert prod.runtime.ping().get()["bucket"] == "prod"


def test_a_result_name_that_cannot_be_stored_is_refused_before_the_task_runs(om):
    from omegaml_core.errors import InvalidNameError

    om.runtime.model("tiny").fit("X", "Y").get()
    for bad in ("pred@1", ".versions/pred/v1", "pred\u200b"):
        with pytest.raises(InvalidNameError):
            om.runtime.model("tiny").predict("X", rName=bad)
    assert om.datasets.list(hidden=True) == ["X", "Y"]


def test_fitting_a_model_version_is_refused_before_the_fit_and_nothing_is_stored(om):
    from omegaml_core.errors import InvalidNameError

    om.runtime.model("tiny").fit("X", "Y").get()
    before = om.models.list(hidden=True)
    with pytest.raises(InvalidNameError, match="reserved for versions"):
        om.runtime.model("tiny@1").fit("X", "Y").get()
    assert om.models.list(hidden=True) == before
