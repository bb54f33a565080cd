"""The OpenAPI document fuzzed with schemathesis, authenticated: no 5xx, and responses match the document.

The fuzzing user has admin on its own bucket ``fuzz`` (so generated puts and drops touch nothing else);
examples per operation are bounded to keep the run short.
"""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis import checks  # noqa: E402

CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_headers(served):
    from omegaml_server.accounts import Accounts

    accounts = Accounts(served.accounts_url)
    accounts.create_user("fuzzer")
    accounts.grant("fuzzer", "fuzz", "admin")
    secret = accounts.create_key("fuzzer").secret
    accounts.close()
    return {"Authorization": f"ApiKey fuzzer:{secret}", "Bucket": "fuzz"}


@pytest.fixture(scope="module")
def api_schema(served):
    return schemathesis.openapi.from_url(f"{served.http.url}/openapi.json")


def operations(api_schema) -> list:
    return [result.ok() for result in api_schema.get_all_operations()]


def test_api_conforms_to_its_openapi_document(api_schema, fuzz_headers):
    """Every operation, a bounded number of generated requests each (schemathesis' pytest loader does not
    work with this pytest version, so the operations are driven with hypothesis directly)."""
    from hypothesis import given

    failures = []
    for operation in operations(api_schema):

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case):
            case.call_and_validate(headers=fuzz_headers, checks=CHECKS, timeout=30)

        try:
            fuzz()
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
