"""The Open Inference Protocol through the real tritonclient (HTTP), against a stored scikit-learn model.

(The Keras case is not tested here: omegaml-keras is not a dependency of this plugin's tests, and
TensorFlow would add minutes to the run.)
"""
from __future__ import annotations

import numpy as np
import pytest

tritonclient_http = pytest.importorskip("tritonclient.http")
from tritonclient.utils import InferenceServerException  # noqa: E402


@pytest.fixture(scope="module")
def triton(served):
    url = served.http.url.split("://", 1)[1]
    client = tritonclient_http.InferenceServerClient(url=url)
    yield client
    client.close()


@pytest.fixture
def auth(served):
    # a fresh dict per test: tritonclient adds Inference-Header-Content-Length to the dict it is given
    return served.headers("reader")


@pytest.fixture(scope="module")
def expected(served):
    import omegaml_core as om

    omega = om.setup(mongo_url=f"sqlite:///{served.home / 'omega.db'}")
    X = omega.datasets.get("sales[x,z]")
    clf = omega.models.get("clf")
    return X, clf


def two_column_input(X, binary: bool):
    inputs = tritonclient_http.InferInput("X", list(X.shape), "FP64")
    inputs.set_data_from_numpy(X.to_numpy(dtype=np.float64), binary_data=binary)
    return inputs


def test_server_is_live_and_ready(triton):
    assert triton.is_server_live() and triton.is_server_ready()


def test_model_is_ready_and_has_metadata(triton, auth):
    assert triton.is_model_ready("clf", headers=auth)
    meta = triton.get_model_metadata("clf", headers=auth)
    assert meta["name"] == "clf" and "1" in meta["versions"]


def test_a_missing_model_is_not_ready(triton, auth):
    assert not triton.is_model_ready("nosuchmodel", headers=auth)


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
def test_infer_equals_the_models_predict(triton, auth, expected, binary):
    X, clf = expected
    result = triton.infer("clf", [two_column_input(X, binary)], headers=auth,
                          outputs=[tritonclient_http.InferRequestedOutput("predict", binary_data=binary)])
    np.testing.assert_array_equal(result.as_numpy("predict"), clf.predict(X.to_numpy()))


def test_infer_with_one_input_per_column_and_predict_proba(triton, auth, expected):
    X, clf = expected
    inputs = []
    for column in ("x", "z"):
        tensor = tritonclient_http.InferInput(column, [len(X)], "FP64")
        tensor.set_data_from_numpy(X[column].to_numpy(dtype=np.float64))
        inputs.append(tensor)
    result = triton.infer("clf", inputs, headers=auth,
                          outputs=[tritonclient_http.InferRequestedOutput("predict_proba")])
    np.testing.assert_allclose(result.as_numpy("predict_proba"), clf.predict_proba(X))


def test_infer_a_version(triton, auth, expected):
    X, clf = expected
    result = triton.infer("clf", [two_column_input(X, True)], model_version="1", headers=auth)
    np.testing.assert_array_equal(result.as_numpy("predict"), clf.predict(X.to_numpy()))


def test_infer_without_a_key_is_refused(triton, expected):
    X, _ = expected
    with pytest.raises(InferenceServerException, match="API key"):
        triton.infer("clf", [two_column_input(X, True)])


def test_infer_with_too_few_features_is_a_400_not_a_500(served, auth):
    import httpx

    body = {"inputs": [{"name": "X", "shape": [1, 1], "datatype": "FP64", "data": [1.0]}]}
    response = httpx.post(f"{served.http.url}/v2/models/clf/infer", json=body, headers=auth)
    assert response.status_code == 400 and "error" in response.json()


@pytest.mark.parametrize("body", [
    {}, {"inputs": []}, {"inputs": [{"name": "X"}]}, {"inputs": [{"name": "X", "shape": [1], "datatype": "FP99", "data": [1]}]},
    {"inputs": [{"name": "X", "shape": [2], "datatype": "FP64", "data": [1]}]},
    {"inputs": [{"name": "X", "shape": [1], "datatype": "FP64", "data": ["a"]}]},
    {"inputs": [{"name": "X", "shape": [1], "datatype": "FP64", "data": [1]}], "outputs": [{"name": "fit"}]},
])
def test_malformed_infer_requests_are_400(served, auth, body):
    import httpx

    response = httpx.post(f"{served.http.url}/v2/models/clf/infer", json=body, headers=auth)
    assert response.status_code == 400, response.text
