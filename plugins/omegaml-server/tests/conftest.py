"""Shared fixtures: one storage and accounts database per session, served by real ``om serve`` processes
over HTTP and over HTTPS (a throwaway CA from trustme)."""
from __future__ import annotations

import os
import secrets
import ssl
from dataclasses import dataclass
from pathlib import Path

import pytest

#: users of the served session and the role each has on the bucket "omega" (none on "theirs")
ROLE_USERS = {"reader": "read", "writer": "write", "runner": "run", "admin": "admin", "nobody": None}
OTHER_BUCKET = "theirs"


@dataclass
class Served:
    home: Path
    accounts_url: str
    keys: dict[str, str]
    http: object
    https: object
    ca_file: str
    log: Path

    def headers(self, user: str, bucket: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"ApiKey {user}:{self.keys[user]}"}
        if bucket:
            headers["Bucket"] = bucket
        return headers


def _seed(home: Path) -> None:
    """Datasets and models the route tests read (written through the Python API, as a user would)."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    import omegaml_core as om

    omega = om.setup(mongo_url=f"sqlite:///{home / 'omega.db'}")
    rng = np.random.default_rng(0)
    sales = pd.DataFrame({"x": np.arange(20, dtype=float), "z": rng.normal(size=20),
                          "y": (np.arange(20) >= 10).astype(int), "region": ["EU", "US"] * 10})
    omega.datasets.put(sales, "sales")
    omega.datasets.put({"a": 1, "b": [1, 2]}, "config")
    clf = LogisticRegression().fit(sales[["x", "z"]], sales["y"])
    omega.models.put(clf, "clf")
    omega.models.put(clf, "clf")  # a second version: clf@1 and clf@2
    omega.models.put(StandardScaler().fit(sales[["x", "z"]]), "scaler")
    omega.models.put(LogisticRegression(), "unfitted")
    omega[OTHER_BUCKET].datasets.put(sales, "secret")
    omega[OTHER_BUCKET].models.put(clf, "clf")


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory):
    """`om serve` twice (HTTP and HTTPS) on one storage and accounts database, with users of every role."""
    import trustme

    from omegaml_server.accounts import Accounts
    from omegaml_server.testing import ServerProcess

    home = tmp_path_factory.mktemp("served")
    accounts_url = f"sqlite:///{home / 'accounts.db'}"
    accounts = Accounts(accounts_url)
    keys = {}
    for user, role in ROLE_USERS.items():
        accounts.create_user(user)
        keys[user] = accounts.create_key(user).secret
        if role:
            accounts.grant(user, "omega", role)
    accounts.create_user("owner")
    keys["owner"] = accounts.create_key("owner").secret
    accounts.grant("owner", OTHER_BUCKET, "admin")
    accounts.create_user("root")  # admin of every bucket: administers users and grants in the web UI
    keys["root"] = accounts.create_key("root", label="root's first key").secret
    accounts.grant("root", "*", "admin")
    accounts.close()
    _seed(home)

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile, ca_file = home / "cert.pem", home / "key.pem", home / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    for blob in cert.cert_chain_pems[1:]:
        blob.write_to_path(str(certfile), append=True)
    cert.private_key_pem.write_to_path(str(keyfile))
    ca.cert_pem.write_to_path(str(ca_file))

    env = {**{k: v for k, v in os.environ.items() if k != "OMEGA_BROKER"}, "OMEGA_HOME": str(home),
           "OMEGA_MONGO_URL": f"sqlite:///{home / 'omega.db'}", "OMEGA_ACCOUNTS_URL": accounts_url}
    log = home / "server.log"
    http = ServerProcess(env, ["--max-body", "1M"], log_path=log)
    https = ServerProcess(env, ["--max-body", "1M"], log_path=log, certfile=str(certfile), keyfile=str(keyfile))
    try:
        http.start()
        https.start(verify=ssl.create_default_context(cafile=str(ca_file)))
        yield Served(home, accounts_url, keys, http, https, str(ca_file), log)
    finally:
        http.stop()
        https.stop()


@pytest.fixture(scope="session")
def omega(served: Served):
    """The Python API on the served store (to create what a test then looks at through the server)."""
    import omegaml_core

    return omegaml_core.setup(mongo_url=f"sqlite:///{served.home / 'omega.db'}")


@pytest.fixture(scope="session", params=["http", "https"])
def client(request: pytest.FixtureRequest, served: Served):
    """An httpx client for the HTTP and the HTTPS server (certificates verified against the test CA)."""
    import httpx

    server = served.http if request.param == "http" else served.https
    with httpx.Client(base_url=server.url, verify=ssl.create_default_context(cafile=served.ca_file),
                      timeout=60) as http:
        yield http


@pytest.fixture
def unique() -> str:
    return f"t{secrets.token_hex(4)}"


# --- the web UI in a real browser (helpers in omegaml_server.testing_ui, shared with plugins' tests) ---------
@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (Playwright's own browser download cannot work here)."""
    from omegaml_server.testing_ui import chromium

    with chromium() as browser:
        yield browser


@pytest.fixture
def browser_user(browser, served):
    """``browser_user(user=None, https=False, width=1280)``: a new browser context on the served UI, signed in as
    ``user``; at the end of the test no page may have opened a dialog or logged a console error."""
    from omegaml_server.testing_ui import browser_users

    with browser_users(browser, served) as open_as:
        yield open_as
