"""The web UI's script pages, on a real `om serve` in a real browser (chromium)."""
import re
import textwrap
from urllib.parse import quote

import pytest

pytest.importorskip("omegaml_server")
pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
XSS = "<img src=x onerror=alert(1)>"


def put_module(served, name: str, body: str) -> None:
    path = served.home / f"{re.sub(r'[^a-z0-9_]', '_', name.lower())}.py"
    path.write_text(textwrap.dedent(body))
    served.omega.scripts.put(str(path), name, kind="python.package")


def script_url(name: str) -> str:
    return f"/ui/b/omega/scripts/{quote(name, safe='/')}"


def test_run_now_with_arguments_shows_the_run_with_its_output_and_the_script_lists_it(served, browser_user, unique):
    put_module(served, unique, """
        def run(om, **kwargs):
            print('hello', kwargs.get('who'))
            return {'got': kwargs}
    """)
    user = browser_user("runner")
    user.goto(script_url(unique))
    assert user.page.get_by_text("No runs yet").is_visible()
    assert user.page.get_by_text(f"{unique}.run(om, **kwargs)").is_visible()
    user.page.get_by_label("Keyword arguments").fill('who=ana\nn=3')
    user.page.get_by_role("button", name="Run now").click()
    user.page.wait_for_url(re.compile(rf".*/scripts/results/{unique}_.*Z$"))
    assert user.page.get_by_role("status").inner_text().startswith(f"ran {unique} in")
    assert user.page.locator("pre.stream").inner_text() == "hello ana\n"
    assert '"n": 3' in user.page.locator("pre.nb-out").first.inner_text()
    user.page.get_by_role("link", name=unique, exact=True).first.click()
    rows = user.page.locator("table.list tbody tr")
    assert rows.count() == 1 and "ok" in rows.first.inner_text() and '"who": "ana"' in rows.first.inner_text()
    user.screenshot("script")


def test_a_failed_run_shows_the_error_and_stderr(served, browser_user, unique):
    put_module(served, unique, """
        import sys

        def run(om, **kwargs):
            print('about to fail', file=sys.stderr)
            raise KeyError('missing thing')
    """)
    user = browser_user("runner")
    user.goto(script_url(unique))
    user.page.get_by_role("button", name="Run now").click()
    user.page.wait_for_url(re.compile(rf".*/scripts/results/{unique}_.*Z$"))
    assert "the run failed" in user.page.locator(".flash.error").first.inner_text()
    assert "KeyError" in user.page.locator("main [role=alert]").inner_text()
    assert "about to fail" in user.page.locator("pre.stderr").inner_text()
    user.goto(script_url(unique))
    assert "failed" in user.page.locator("table.list tbody tr").first.inner_text()


def test_a_reader_sees_the_empty_state_and_no_run_button_and_the_server_refuses_a_run(served, browser_user, unique):
    import httpx

    put_module(served, unique, "def run(om, **kwargs):\n    return 1\n")
    user = browser_user("reader")
    user.goto(script_url(unique))
    assert user.page.get_by_text(f"No runs yet: run it with om scripts run {unique} key=value").is_visible()
    assert user.page.get_by_role("button", name="Run now").count() == 0
    cookie = user.session_cookie()["value"]
    html = httpx.get(served.http.url + script_url(unique), cookies={"omega_session": cookie}).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)[1]
    refused = httpx.post(served.http.url + script_url(unique), cookies={"omega_session": cookie},
                         data={"csrf": csrf, "action": "run"})
    assert refused.status_code == 403
    assert served.omega.scripts.list(f"results/{unique}_*") == []


def test_a_bad_argument_line_is_explained_and_nothing_runs(served, browser_user, unique):
    put_module(served, unique, "def run(om, **kwargs):\n    return 1\n")
    user = browser_user("runner")
    user.goto(script_url(unique))
    user.page.get_by_label("Keyword arguments").fill("just words")
    user.page.get_by_role("button", name="Run now").click()
    assert "is not key=value" in user.page.get_by_role("alert").inner_text()
    assert served.omega.scripts.list(f"results/{unique}_*") == []


def test_an_xss_payload_as_a_script_name_and_its_output_is_shown_harmlessly(served, browser_user, script_env):
    from omegaml_scripts import scripts

    put_module(served, XSS, """
        def run(om, **kwargs):
            print('<script>alert(1)</script>')
            return '<img src=x onerror=alert(2)>'
    """)
    scripts(served.omega).run(XSS, who=XSS)
    user = browser_user("reader", width=390)
    user.goto(script_url(XSS))
    assert user.page.get_by_role("heading", level=1).inner_text().startswith(XSS)
    assert user.page.evaluate("document.documentElement.scrollWidth") <= 390
    user.page.locator("table.list tbody a").first.click()
    assert user.page.locator("pre.stream").inner_text() == "<script>alert(1)</script>\n"
    assert XSS in user.page.locator("main").inner_text()
    assert user.page.locator("main script, main [onerror]").count() == 0
    assert user.page.evaluate("document.documentElement.scrollWidth") <= 390
