"""Browser tests of the web UI, for this package's tests and plugins' tests: Debian's chromium driven by Playwright.

    with launch_browser() as browser, browser_users(browser, server_url, keys, screenshots) as open_as:
        user = open_as("alice")          # a new browser context, signed in as alice (keys["alice"])
        user.goto("/ui/runtime")
        user.screenshot("runtime")       # screenshots/runtime.png

At the end of ``browser_users`` no page may have opened a dialog or logged a console error.
"""
from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def launch_browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright (Playwright's own browser download cannot work here)."""
    import pytest

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
    """One signed-in (or not yet) browser context on a served UI, recording dialogs and console errors.

    ``served`` is anything with ``keys`` (user -> API key); ``screenshots`` is the folder of ``screenshot()``.
    """

    def __init__(self, browser: Any, base_url: str, served: Any, width: int = 1280, height: int = 900,
                 screenshots: Path | None = None) -> None:
        self.base_url, self.served = base_url, served
        self.screenshots = screenshots or Path("artifacts") / "ui-screenshots"
        # a test CA is not in chromium's store; an HTTPS server's certificate is accepted for these tests only
        self.context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height},
                                           ignore_https_errors=base_url.startswith("https:"))
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.accept_confirms = False

    def _dialog(self, dialog: Any) -> None:
        # a confirm() the test asked for (accept_confirms) is accepted; any other dialog is recorded as a failure
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
        """Save a full-page screenshot as ``<screenshots>/<name>.png``."""
        self.screenshots.mkdir(parents=True, exist_ok=True)
        path = self.screenshots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def session_cookie(self) -> dict:
        return next(c for c in self.context.cookies() if c["name"] == "omega_session")

    def close(self) -> None:
        self.context.close()


@contextlib.contextmanager
def browser_users(browser: Any, url_for: Callable[[bool], str] | str, served: Any,
                  screenshots: Path | None = None) -> Iterator[Callable[..., BrowserUser]]:
    """``open_as(user=None, https=False, width=1280)``: new browser contexts on a served UI (``url_for(https)``
    gives its URL), signed in as ``user``; at the end none may have seen a dialog or logged a console error."""
    opened: list[BrowserUser] = []

    def open_as(user: str | None = None, https: bool = False, width: int = 1280) -> BrowserUser:
        base_url = url_for if isinstance(url_for, str) else url_for(https)
        context_browser = BrowserUser(browser, base_url, served, width=width, screenshots=screenshots)
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


def keys_of(keys: Mapping[str, str]) -> Any:
    """An object with ``keys`` (what BrowserUser signs in with), for servers started without a ``Served``."""
    from types import SimpleNamespace

    return SimpleNamespace(keys=dict(keys))
