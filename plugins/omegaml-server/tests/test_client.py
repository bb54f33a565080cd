"""``omegaml_server.Client``: DataFrames over Arrow, predict, tasks, errors."""
from __future__ import annotations

import pytest

from omegaml_server import Client
from omegaml_server.client import ApiError


@pytest.fixture(scope="module")
def client(served):
    import ssl

    with Client(served.https.url, "admin", served.keys["admin"],
                verify=ssl.create_default_context(cafile=served.ca_file)) as client:
        yield client


def test_put_get_list_drop_round_trip_a_frame(client, unique):
    import pandas as pd

    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"], "c": pd.to_datetime(["2026-01-01"] * 3)})
    assert client.datasets.put(df, unique)["kind"] == "pandas.columnar"
    assert unique in client.datasets.list()
    pd.testing.assert_frame_equal(client.datasets.get(unique), df)
    pd.testing.assert_frame_equal(client.datasets.get(unique, columns=["a"], a__gt=1).reset_index(drop=True),
                                  df[df.a > 1][["a"]].reset_index(drop=True))
    client.datasets.drop(unique)
    assert unique not in client.datasets.list()


def test_predict_with_a_frame_and_with_a_dataset_name(client):
    import pandas as pd

    assert client.models.predict("clf", pd.DataFrame({"x": [0.0, 19.0], "z": [0.0, 0.0]})) == [0, 1]
    assert len(client.models.predict("clf", "sales[x,z]")) == 20


def test_predict_without_waiting_then_wait_for_the_task(client):
    task_id = client.models.predict("clf", "sales[x,z]", wait=False)
    assert len(client.tasks.wait(task_id, timeout=60)) == 20


def test_errors_raise_api_error_with_the_problem(client):
    with pytest.raises(ApiError) as failure:
        client.datasets.get("does-not-exist")
    assert failure.value.status == 404 and "does not exist" in failure.value.problem["detail"]


def test_a_wrong_key_raises_401(served):
    with Client(served.http.url, "admin", "wrong") as bad, pytest.raises(ApiError) as failure:
        bad.datasets.list()
    assert failure.value.status == 401
