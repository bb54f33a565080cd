"""The authorization matrix: each role x each route x own/other bucket, from ONE table."""
from __future__ import annotations

import itertools

import pytest

from conftest import OTHER_BUCKET, ROLE_USERS
from omegaml_server.accounts import includes

#: (route, method, path, role needed, request options, status when allowed). ``{scratch}`` is a fresh name
#: that exists as a dataset (and as a model copy) before the request.
ROUTES = [
    ("dataset list", "GET", "/api/v1/dataset/", "read", {}, 200),
    ("dataset get", "GET", "/api/v1/dataset/sales", "read", {}, 200),
    ("dataset metadata", "GET", "/api/v1/dataset/sales/metadata", "read", {}, 200),
    ("dataset put", "PUT", "/api/v1/dataset/{scratch}", "write", {"json": [{"a": 1}]}, 200),
    ("dataset drop", "DELETE", "/api/v1/dataset/{scratch}", "write", {}, 200),
    ("model list", "GET", "/api/v1/model/", "read", {}, 200),
    ("model metadata", "GET", "/api/v1/model/clf", "read", {}, 200),
    ("predict", "POST", "/api/v1/model/clf/predict?datax=sales[x,z]", "read", {}, 200),
    ("predict into a dataset", "POST", "/api/v1/model/clf/predict?datax=sales[x,z]&result={scratch}", "write", {}, 200),
    ("fit", "POST", "/api/v1/model/{scratch}/fit?datax=sales[x,z]&datay=sales[y]", "run", {}, 200),
    ("task result", "GET", "/api/v1/task/0123456789abcdef/result", "read", {}, 404),
    ("v2 model metadata", "GET", "/v2/models/clf", "read", {}, 200),
    ("v2 model ready", "GET", "/v2/models/clf/ready", "read", {}, 200),
    ("v2 infer", "POST", "/v2/models/clf/infer", "read",
     {"json": {"inputs": [{"name": "x", "datatype": "FP64", "shape": [1], "data": [1.0]},
                          {"name": "z", "datatype": "FP64", "shape": [1], "data": [0.0]}]}}, 200),
]
CASES = [pytest.param(route, user, bucket, id=f"{route[0]}-{user}-{bucket}")
         for route, user, bucket in itertools.product(ROUTES, ROLE_USERS, ("own", "other"))]


def expected_status(route: tuple, user: str, bucket: str) -> int:
    granted, needed, allowed_status = ROLE_USERS[user], route[3], route[5]
    if bucket == "other" or granted is None or not includes(granted, needed):
        return 403
    return allowed_status


@pytest.fixture(scope="module")
def http(served):
    import httpx

    with httpx.Client(base_url=served.http.url, timeout=60) as client:
        yield client


@pytest.mark.parametrize("route, user, bucket", CASES)
def test_authorization_matrix(route, user, bucket, http, served, omega, unique):
    import pandas as pd

    _, method, path, _, options, _ = route
    store_bucket = omega if bucket == "own" else omega[OTHER_BUCKET]
    store_bucket.datasets.put(pd.DataFrame({"a": [0]}), unique)
    store_bucket.models.put(omega.models.get("unfitted"), unique)
    headers = served.headers(user, None if bucket == "own" else OTHER_BUCKET)
    response = http.request(method, path.format(scratch=unique), headers=headers, **options)
    assert response.status_code == expected_status(route, user, bucket), response.text
    if response.status_code == 403:
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("name", ["secret", "does-not-exist"])
def test_another_buckets_403_does_not_reveal_whether_the_object_exists(http, served, name):
    response = http.get(f"/api/v1/dataset/{name}", headers=served.headers("admin", OTHER_BUCKET))
    assert response.status_code == 403
    assert name not in response.json()["detail"]


def test_the_owner_of_the_other_bucket_gets_in(http, served):
    assert http.get("/api/v1/dataset/secret/metadata", headers=served.headers("owner", OTHER_BUCKET)).status_code == 200


def test_an_invalid_bucket_header_is_400(http, served):
    assert http.get("/api/v1/dataset/", headers=served.headers("admin", "no/such")).status_code == 400


def test_a_key_with_rules_reaches_only_what_they_match(http, served):
    from omegaml_server.accounts import Accounts

    accounts = Accounts(served.accounts_url)
    secret = accounts.create_key("reader", rules=["model/clf/predict"]).secret
    accounts.close()
    headers = {"Authorization": f"ApiKey reader:{secret}"}
    assert http.post("/api/v1/model/clf/predict?datax=sales[x,z]", headers=headers).status_code == 200
    refused = http.get("/api/v1/dataset/", headers=headers)
    assert refused.status_code == 403 and "API key's rules" in refused.json()["detail"]


def test_a_disabled_user_and_a_revoked_key_fail_at_once(http, served):
    from omegaml_server.accounts import Accounts

    accounts = Accounts(served.accounts_url)
    accounts.create_user("temp")
    accounts.grant("temp", "omega", "read")
    key = accounts.create_key("temp")
    headers = {"Authorization": f"ApiKey temp:{key.secret}"}
    assert http.get("/api/v1/dataset/", headers=headers).status_code == 200
    accounts.disable_user("temp")
    assert http.get("/api/v1/dataset/", headers=headers).status_code == 401
    accounts.enable_user("temp")
    accounts.revoke_key(key.key_id)
    assert http.get("/api/v1/dataset/", headers=headers).status_code == 401
    accounts.close()


def test_a_wrong_key_is_401_even_with_an_invalid_bucket(http):
    assert http.get("/api/v1/dataset/", headers={"Authorization": "ApiKey admin:wrong", "Bucket": "no/such"}).status_code == 401
