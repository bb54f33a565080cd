"""Every route through a real `om serve` process, over HTTP and over HTTPS (certificate verified)."""
from __future__ import annotations

import io
import json
import re
import time

import pytest

ARROW = "application/vnd.apache.arrow.stream"
PARQUET = "application/vnd.apache.parquet"
PROBLEM = "application/problem+json"


@pytest.fixture
def alice(served):
    return served.headers("admin")


def frame(rows: int = 3):
    import pandas as pd

    return pd.DataFrame({"a": list(range(rows)), "b": [f"s{i}" for i in range(rows)]})


def arrow_bytes(df) -> bytes:
    import pyarrow as pa

    sink = io.BytesIO()
    table = pa.Table.from_pandas(df, preserve_index=False)
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


# --- datasets -------------------------------------------------------------------
def test_dataset_list_shows_names_kinds_and_total(client, alice):
    body = client.get("/api/v1/dataset/", headers=alice).json()
    names = {o["name"]: o["kind"] for o in body["objects"]}
    assert names["sales"] == "pandas.columnar" and "config" in names
    assert body["meta"]["total"] >= 2


def test_dataset_list_filters_by_glob_and_pages(client, alice):
    assert [o["name"] for o in client.get("/api/v1/dataset/?pattern=sal*", headers=alice).json()["objects"]] == ["sales"]
    page = client.get("/api/v1/dataset/?limit=1&offset=0", headers=alice).json()
    assert len(page["objects"]) == 1 and page["meta"]["limit"] == 1


def test_dataset_get_json_records_with_filter_projection_and_paging(client, alice):
    rows = client.get("/api/v1/dataset/sales?x__gte=5&region=EU&columns=x,region&offset=1&limit=2",
                      headers=alice).json()
    assert rows == [{"x": 8.0, "region": "EU"}, {"x": 10.0, "region": "EU"}]


def test_dataset_get_orient_dict_has_data_and_index(client, alice):
    body = client.get("/api/v1/dataset/sales?orient=dict&x__lt=2&columns=x", headers=alice).json()
    assert body["data"] == {"x": {"0": 0.0, "1": 1.0}}
    assert body["index"]["values"] == [0, 1]


def test_dataset_get_csv(client, alice):
    response = client.get("/api/v1/dataset/sales?columns=x&x__lt=2", headers={**alice, "Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines() == ["x", "0.0", "1.0"]


@pytest.mark.parametrize("media", [ARROW, PARQUET])
def test_dataset_get_arrow_and_parquet_equal_the_python_api(client, alice, served, media):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    import omegaml_core as om

    response = client.get("/api/v1/dataset/sales", headers={**alice, "Accept": media})
    assert response.headers["content-type"] == media
    if media == ARROW:
        got = pa.ipc.open_stream(pa.py_buffer(response.content)).read_all().to_pandas()
    else:
        got = pq.read_table(pa.BufferReader(response.content)).to_pandas()
    expected = om.setup(mongo_url=f"sqlite:///{served.home / 'omega.db'}").datasets.get("sales")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))


def test_dataset_get_of_a_document_is_json(client, alice):
    assert client.get("/api/v1/dataset/config", headers=alice).json() == {"a": 1, "b": [1, 2]}


def test_dataset_get_with_unacceptable_accept_is_406(client, alice):
    response = client.get("/api/v1/dataset/sales", headers={**alice, "Accept": "image/png"})
    assert response.status_code == 406 and "accept one of" in response.json()["detail"]


@pytest.mark.parametrize("content_type", ["application/json", "text/csv", ARROW, PARQUET])
def test_dataset_put_in_each_format_round_trips(client, alice, unique, content_type):
    df = frame()
    if content_type == "application/json":
        body = json.dumps(df.to_dict(orient="records")).encode()
    elif content_type == "text/csv":
        body = df.to_csv(index=False).encode()
    elif content_type == ARROW:
        body = arrow_bytes(df)
    else:
        sink = io.BytesIO()
        df.to_parquet(sink, index=False)
        body = sink.getvalue()
    created = client.put(f"/api/v1/dataset/{unique}", content=body, headers={**alice, "Content-Type": content_type})
    assert created.status_code == 201, created.text
    assert client.get(f"/api/v1/dataset/{unique}", headers=alice).json() == df.to_dict(orient="records")
    client.delete(f"/api/v1/dataset/{unique}", headers=alice)


def test_dataset_put_orient_dict_with_index(client, alice, unique):
    body = {"data": {"a": {"0": 1, "1": 2}}, "index": {"values": [10, 20]}}
    assert client.put(f"/api/v1/dataset/{unique}?orient=dict", json=body, headers=alice).status_code == 201
    assert client.get(f"/api/v1/dataset/{unique}?orient=dict", headers=alice).json()["index"]["values"] == [10, 20]


def test_dataset_put_replaces_and_append_appends(client, alice, unique):
    url = f"/api/v1/dataset/{unique}"
    client.put(url, json=[{"a": 1}], headers=alice)
    assert client.put(url, json=[{"a": 2}], headers=alice).status_code == 200
    assert client.put(url + "?append=true", json=[{"a": 3}], headers=alice).status_code == 200
    assert client.get(url, headers=alice).json() == [{"a": 2}, {"a": 3}]


def test_dataset_put_with_a_broken_body_is_400_and_writes_nothing(client, alice, unique):
    response = client.put(f"/api/v1/dataset/{unique}", content=b"{not json", headers={**alice, "Content-Type": "application/json"})
    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM
    assert "not valid" in response.json()["detail"]
    assert client.get(f"/api/v1/dataset/{unique}", headers=alice).status_code == 404


def test_dataset_put_with_an_unknown_content_type_is_415(client, alice, unique):
    response = client.put(f"/api/v1/dataset/{unique}", content=b"x", headers={**alice, "Content-Type": "image/png"})
    assert response.status_code == 415


def test_dataset_drop_then_get_is_404(client, alice, unique):
    client.put(f"/api/v1/dataset/{unique}", json=[{"a": 1}], headers=alice)
    assert client.delete(f"/api/v1/dataset/{unique}", headers=alice).json() == {"dropped": unique}
    assert client.get(f"/api/v1/dataset/{unique}", headers=alice).status_code == 404
    assert client.delete(f"/api/v1/dataset/{unique}", headers=alice).status_code == 404


def test_dataset_metadata(client, alice):
    meta = client.get("/api/v1/dataset/sales/metadata", headers=alice).json()
    assert meta["name"] == "sales" and meta["kind"] == "pandas.columnar"


def test_body_larger_than_max_body_is_413(client, alice, unique):
    response = client.put(f"/api/v1/dataset/{unique}", content=b"a\n" + b"1\n" * 600_000,
                          headers={**alice, "Content-Type": "text/csv"})
    assert response.status_code == 413 and "--max-body" in response.json()["detail"]


def test_projection_of_an_unknown_column_is_400_naming_the_columns(client, alice):
    response = client.get("/api/v1/dataset/sales?columns=nope", headers=alice)
    assert response.status_code == 400 and "columns are" in response.json()["detail"]


def test_filter_on_an_unknown_column_is_400(client, alice):
    response = client.get("/api/v1/dataset/sales?nosuchcolumn__gt=1", headers=alice)
    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM


# --- models ---------------------------------------------------------------------
def test_model_list_and_metadata_with_versions(client, alice):
    names = [o["name"] for o in client.get("/api/v1/model/", headers=alice).json()["objects"]]
    assert {"clf", "scaler"} <= set(names)
    meta = client.get("/api/v1/model/clf", headers=alice).json()
    assert meta["kind"] == "sklearn.joblib" and len(meta["versions"]) >= 2


def test_predict_with_json_records_in_the_body(client, alice):
    body = client.post("/api/v1/model/clf/predict", json=[{"x": 0.0, "z": 0.0}, {"x": 19.0, "z": 0.0}], headers=alice).json()
    assert body["model"] == "clf" and body["result"] == [0, 1]


def test_predict_with_omegaml_columns_and_data(client, alice):
    body = {"columns": ["x", "z"], "data": [[0.0, 0.0], [19.0, 0.0]]}
    assert client.post("/api/v1/model/clf/predict", json=body, headers=alice).json()["result"] == [0, 1]


def test_predict_with_arrow_in_the_body(client, alice):
    import pandas as pd

    body = arrow_bytes(pd.DataFrame({"x": [0.0, 19.0], "z": [0.0, 0.0]}))
    response = client.post("/api/v1/model/clf/predict", content=body, headers={**alice, "Content-Type": ARROW})
    assert response.json()["result"] == [0, 1]


def test_predict_with_a_dataset_name_and_a_version(client, alice):
    latest = client.post("/api/v1/model/clf/predict?datax=sales[x,z]", headers=alice).json()["result"]
    first = client.post("/api/v1/model/clf@1/predict?datax=sales[x,z]", headers=alice).json()["result"]
    assert latest == first and len(latest) == 20


def test_predict_proba_score_and_transform(client, alice):
    proba = client.post("/api/v1/model/clf/predict_proba", json=[{"x": 0.0, "z": 0.0}], headers=alice).json()["result"]
    assert len(proba[0]) == 2 and abs(sum(proba[0]) - 1) < 1e-9
    score = client.post("/api/v1/model/clf/score?datax=sales[x,z]&datay=sales[y]", headers=alice).json()["result"]
    assert 0 <= score <= 1
    scaled = client.post("/api/v1/model/scaler/transform?datax=sales[x,z]", headers=alice).json()["result"]
    assert len(scaled) == 20 and len(scaled[0]) == 2


def test_fit_partial_fit_and_gridsearch(client, alice, served):
    fitted = client.post("/api/v1/model/unfitted/fit?datax=sales[x,z]&datay=sales[y]", headers=alice).json()["result"]
    assert fitted["name"] == "unfitted" and "blobs" not in fitted
    body = {"X": [{"x": 0.0, "z": 0.0}, {"x": 19.0, "z": 0.0}] * 3, "Y": [{"y": 0}, {"y": 1}] * 3,
            "parameters": {"C": [0.1, 1.0]}, "cv": 2}
    search = client.post("/api/v1/model/unfitted/gridsearch", json=body, headers=alice).json()["result"]
    assert search["best_params"]["C"] in (0.1, 1.0)
    response = client.post("/api/v1/model/unfitted/partial_fit?datax=sales[x,z]&datay=sales[y]", headers=alice)
    assert response.status_code == 400  # LogisticRegression has no partial_fit: said clearly, not a 500
    assert "partial_fit" in response.json()["detail"]


def test_fit_on_a_version_is_refused(client, alice):
    response = client.post("/api/v1/model/clf@1/fit?datax=sales[x,z]&datay=sales[y]", headers=alice)
    assert response.status_code == 400 and "version" in response.json()["detail"]


def test_predict_without_input_says_how_to_give_it(client, alice):
    response = client.post("/api/v1/model/clf/predict", headers=alice)
    assert response.status_code == 400 and "datax" in response.json()["detail"]


def test_predict_of_a_missing_model_is_404(client, alice):
    response = client.post("/api/v1/model/nosuchmodel/predict", json=[{"x": 1}], headers=alice)
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM


def test_predict_with_wrong_columns_is_400(client, alice):
    response = client.post("/api/v1/model/clf/predict", json=[{"q": 1}], headers=alice)
    assert response.status_code == 400


def test_async_predict_answers_202_and_the_task_result(client, alice):
    response = client.post("/api/v1/model/clf/predict?datax=sales[x,z]&async=1", headers=alice)
    assert response.status_code == 202
    location = response.headers["location"]
    assert location.startswith("/api/v1/task/")
    for _ in range(100):
        result = client.get(location, headers=alice)
        if result.status_code == 200:
            break
        time.sleep(0.05)
    assert result.json()["status"] == "SUCCESS" and len(result.json()["response"]["result"]) == 20


def test_task_result_of_another_user_is_404(client, alice, served):
    location = client.post("/api/v1/model/clf/predict?datax=sales[x,z]&async=1", headers=alice).headers["location"]
    assert client.get(location, headers=served.headers("reader")).status_code == 404


# --- protocol-level behaviour ----------------------------------------------------
def test_missing_key_is_401_with_a_challenge(client):
    response = client.get("/api/v1/dataset/")
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("ApiKey")
    assert response.headers["content-type"] == PROBLEM and "om keys create" in response.json()["detail"]


def test_wrong_key_is_401_and_never_logged(client, served):
    wrong = "WRONG" + served.keys["admin"][5:]
    response = client.get("/api/v1/dataset/", headers={"Authorization": f"ApiKey admin:{wrong}"})
    assert response.status_code == 401
    log = served.log.read_text()
    assert "authentication failed for user 'admin'" in log
    assert wrong not in log and served.keys["admin"] not in log


def test_unknown_route_is_404_and_wrong_method_405_as_problems(client, alice):
    assert client.get("/api/v1/nothing", headers=alice).status_code == 404
    response = client.patch("/api/v1/dataset/sales", headers=alice)
    assert response.status_code == 405 and response.headers["content-type"] == PROBLEM


def test_request_id_is_echoed_or_made(client, alice):
    assert client.get("/api/v1/dataset/", headers={**alice, "X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    assert len(client.get("/api/v1/dataset/", headers=alice).headers["x-request-id"]) == 32


def test_access_log_has_user_and_route_but_no_key(client, served, alice):
    request_id = f"log-check-{client.base_url.scheme}"
    client.get("/api/v1/dataset/sales/metadata", headers={**alice, "X-Request-ID": request_id})
    for _ in range(100):  # the line is written just after the response is sent
        lines = [line for line in served.log.read_text().splitlines() if request_id in line]
        if lines:
            break
        time.sleep(0.05)
    record = json.loads(lines[0].split(" INFO ", 1)[1])
    assert record["user"] == "admin" and record["route"] == "/api/v1/dataset/{name:path}/metadata"
    assert record["status"] == 200 and served.keys["admin"] not in lines[0]


def test_metrics_count_requests_per_route_and_model(client, alice):
    client.post("/api/v1/model/clf/predict", json=[{"x": 0.0, "z": 0.0}], headers=alice)
    text = client.get("/metrics").text
    assert 'omega_http_requests_total{method="POST",route="/api/v1/model/{name:path}/predict",status="200"}' in text
    assert 'omega_model_requests_total{model="clf",status="200"}' in text
    assert "omega_http_request_seconds_bucket" in text


def test_openapi_document_and_docs_are_served(client):
    spec = client.get("/openapi.json").json()
    assert "/api/v1/dataset/{name}" in spec["paths"] and "/v2/models/{name}/infer" in spec["paths"]
    assert spec["components"]["securitySchemes"]["ApiKey"]["name"] == "Authorization"
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert not re.findall(r'(?:src|href)="https?://', docs.text), "the API docs load nothing from another site"
    for asset in re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', docs.text):
        assert client.get(asset).status_code == 200, asset


def test_open_inference_protocol_routes(client, alice):
    assert client.get("/v2/health/live").json() == {"live": True}
    assert client.get("/v2/health/ready").json() == {"ready": True}
    assert client.get("/v2").json()["name"] == "omegaml"
    assert client.get("/v2/models/clf/ready", headers=alice).json()["ready"] is True
    assert client.get("/v2/models/clf/versions/1/ready", headers=alice).status_code == 200
    assert client.get("/v2/models/clf/versions/1", headers=alice).json()["name"] == "clf"
    body = {"inputs": [{"name": "x", "datatype": "FP64", "shape": [2], "data": [0.0, 19.0]},
                       {"name": "z", "datatype": "FP64", "shape": [2], "data": [0.0, 0.0]}]}
    for path in ("/v2/models/clf/infer", "/v2/models/clf/versions/1/infer"):
        outputs = client.post(path, json=body, headers=alice).json()["outputs"]
        assert outputs == [{"name": "predict", "datatype": "INT64", "shape": [2], "data": [0, 1]}]
