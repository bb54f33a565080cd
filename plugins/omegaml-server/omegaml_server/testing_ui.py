"""The web UI in a real browser, for tests of the server and of plugins' pages: Debian's chromium driven by
Playwright, a signed-in :class:`BrowserUser` that records dialogs and console errors, and screenshots.

A plugin's conftest keeps thin fixtures::

    @pytest.fixture(scope="session")
    def browser():
        with chromium() as browser:
            yield browser

    @pytest.fixture
    def browser_user(browser, served):        # served: anything with .http.url, .https.url and .keys
        with browser_users(browser, served) as open_as:
            yield open_as
"""
from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

#: where browser tests save screenshots of the main pages (a CI artifact; the README names it)
SCREENSHOTS = Path(os.environ.get("OMEGA_UI_SCREENSHOTS")
                   or Path(__file__).resolve().parents[3] / "artifacts" / "ui-screenshots")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def launch_chromium(playwright: Any) -> Any:
    """Debian's chromium through Playwright (Playwright's own browser download cannot work here)."""
    executable = shutil.which("chromium")
    if executable is None:
        import pytest

        pytest.fail("the browser tests need Debian's chromium: apt-get install chromium (.ci/run installs it)")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A launched chromium for the ``with`` block (the session's ``browser`` fixture)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


class BrowserUser:
    """One signed-in (or not yet) browser context on a served UI, recording dialogs and console errors.

    ``served`` is anything with ``keys`` (username -> API key secret).
    """

    def __init__(self, browser: Any, base_url: str, served: Any, width: int = 1280, height: int = 900) -> None:
        self.base_url, self.served = base_url, served
        # the test CA is not in chromium's store; the HTTPS server's certificate is accepted for these tests only
        self.context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height},
                                           ignore_https_errors=base_url.startswith("https:"))
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        #: accept ``confirm()`` dialogs (the UI's ``data-confirm`` forms); any other dialog fails the test
        self.accept_confirms = False
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _dialog(self, dialog: Any) -> None:
        if self.accept_confirms and dialog.type == "confirm":
            dialog.accept()
            return
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        # an error status of a page is checked by the test itself; anything else (a CSP violation, a script
        # error) is recorded
        if message.type == "error" and not message.text.startswith("Failed to load resource: the server responded"):
            self.errors.append(message.text)

    def goto(self, path: str) -> Any:
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


@contextlib.contextmanager
def browser_users(browser: Any, served: Any) -> Iterator[Callable[..., BrowserUser]]:
    """``open_as(user=None, https=False, width=1280)``: a new browser context on the served UI, signed in as
    ``user``; when the block ends no page may have opened a dialog or logged a console error.

    ``served`` has ``http`` and ``https`` servers (with ``url``; ``https`` may be None) and ``keys``.
    """
    opened: list[BrowserUser] = []

    def open_as(user: str | None = None, https: bool = False, width: int = 1280) -> BrowserUser:
        server = served.https if https else served.http
        context_browser = BrowserUser(browser, server.url, served, width=width)
        opened.append(context_browser)
        return context_browser.sign_in(user) if user else context_browser

    try:
        yield open_as
        for user in opened:
            assert user.dialogs == [], f"a page opened a dialog: {user.dialogs}"
            assert user.errors == [], f"a page logged console errors: {user.errors}"
    finally:
        for user in opened:
            user.close()


@dataclass(frozen=True)
class Address:
    url: str


@dataclass
class ServedUi:
    """A served UI for ``browser_users``: ``http.url``, each user's API key (``keys``) and request ``headers``."""

    http: Address
    keys: dict[str, str]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    https: Address | None = None
    #: the Python API on the served store and the server's OMEGA_HOME (set by ``serve_ui``)
    omega: Any = None
    home: Path | None = None


def served_at(url: str, keys: dict[str, str]) -> ServedUi:
    """A :class:`ServedUi` for a server started by the test itself."""
    return ServedUi(Address(url), dict(keys))


@contextlib.contextmanager
def serve_ui(home: Path, roles: dict[str, str], bucket: str = "omega",
             env: dict[str, str] | None = None) -> Iterator[ServedUi]:
    """``om serve`` on a new embedded store in ``home`` with one user per entry of ``roles`` (user -> role on
    ``bucket``; see ``testing.serve_store``), for ``browser_users``; ``.omega`` is the Python API on that store."""
    import omegaml_core as om

    from .testing import serve_store

    omega = om.setup(mongo_url=f"sqlite:///{home / 'omega.db'}")
    with serve_store(omega.config.storage_url, home, roles, bucket, env) as (url, headers):
        keys = {user: h["Authorization"].split(":", 1)[1] for user, h in headers.items()}
        yield ServedUi(Address(url), keys, headers, omega=omega, home=home)


# --- pytest fixtures: a conftest imports them (``from omegaml_server.testing_ui import browser, browser_user``)
# and defines ``served`` (anything ``browser_users`` accepts) --------------------------------------------------
import pytest  # noqa: E402  (only tests import this module)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, launched once per test session."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def browser_user(browser: Any, served: Any) -> Iterator[Callable[..., BrowserUser]]:
    """``browser_user(user=None, https=False, width=1280)``: a new browser context on the served UI, signed in as
    ``user``; at the end of the test no page may have opened a dialog or logged a console error."""
    with browser_users(browser, served) as open_as:
        yield open_as
