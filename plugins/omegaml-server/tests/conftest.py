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


# --- the web UI in a real browser -----------------------------------------------------------------------------
#: where browser tests save screenshots of the main pages (a CI artifact; the README names it)
SCREENSHOTS = Path(os.environ.get("OMEGA_UI_SCREENSHOTS") or Path(__file__).resolve().parents[3] / "artifacts" / "ui-screenshots")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (Playwright's own browser download cannot work here)."""
    import shutil

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("the browser tests need Debian's chromium: apt-get install chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class BrowserUser:
    """One signed-in (or not yet) browser context on a served UI, recording dialogs and console errors."""

    def __init__(self, browser, base_url: str, served: Served, width: int = 1280, height: int = 900) -> None:
        self.base_url, self.served = base_url, served
        # the test CA is not in chromium's store; the HTTPS server's certificate is accepted for these tests only
        self.context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height},
                                           ignore_https_errors=base_url.startswith("https:"))
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _console(self, message) -> None:
        # an error status of a page is checked by the test itself; anything else (a CSP violation, a script
        # error) is recorded
        if message.type == "error" and not message.text.startswith("Failed to load resource: the server responded"):
            self.errors.append(message.text)

    def goto(self, path: str):
        """Open ``path``; the response (its status is checked by the caller)."""
        return self.page.goto(path)

    def sign_in(self, user: str, key: str | None = None) -> "BrowserUser":
        self.page.goto("/ui/signin")
        self.page.get_by_label("Username").fill(user)
        self.page.get_by_label("API key").fill(key if key is not None else self.served.keys[user])
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()
        return self

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url("**/ui/signin")

    def screenshot(self, name: str) -> Path:
        """Save a full-page screenshot as ``<SCREENSHOTS>/<name>.png``."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def session_cookie(self) -> dict:
        return next(c for c in self.context.cookies() if c["name"] == "omega_session")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def browser_user(browser, served):
    """``browser_user(user=None, https=False, width=1280)``: a new browser context on the served UI, signed in
    as ``user``; at the end of the test no page may have opened a dialog or logged a console error."""
    opened: list[BrowserUser] = []

    def open_as(user: str | None = None, https: bool = False, width: int = 1280) -> BrowserUser:
        server = served.https if https else served.http
        context_browser = BrowserUser(browser, server.url, served, width=width)
        opened.append(context_browser)
        return context_browser.sign_in(user) if user else context_browser

    yield open_as
    try:
        for user in opened:
            assert user.dialogs == [], f"a page opened a dialog: {user.dialogs}"
            assert user.errors == [], f"a page logged console errors: {user.errors}"
    finally:
        for user in opened:
            user.close()
