"""The web UI's notebook job pages, on a real `om serve` in a real browser (chromium)."""
import re

import pytest
from notebook_helpers import notebook

pytest.importorskip("omegaml_server")
pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

XSS_HTML = ('<script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">click me</a>'
            '<iframe src="javascript:alert(1)"></iframe><b style="background:url(javascript:alert(1))">bold</b>'
            '<table><tr><td>cell</td></tr></table>')
XSS_NAME = "<img src=x onerror=alert(1)>"


def job_url(name: str) -> str:
    from urllib.parse import quote

    return f"/ui/b/omega/jobs/{quote(name, safe='/')}"


def test_run_now_with_parameters_shows_the_new_run_and_the_job_lists_it(served, browser_user, unique):
    served.omega.jobs.put(notebook("print('n is', n)", "n * 10", parameters="n = 1"), unique)
    user = browser_user("runner")
    user.goto(job_url(f"{unique}.ipynb"))
    assert user.page.get_by_text("No runs yet").is_visible()
    user.page.get_by_label("Parameters (key=value lines, or a JSON object)").fill("n=4")
    user.page.get_by_role("button", name="Run now").click()
    user.page.wait_for_url(re.compile(rf".*/jobs/results/{unique}_.*\.ipynb$"))
    assert user.page.get_by_role("status").inner_text().startswith(f"ran {unique}.ipynb")
    assert user.page.get_by_role("heading", name=f"Run of {unique}.ipynb").is_visible()
    outputs = user.page.locator("pre.nb-out").all_inner_texts()
    assert "n is 4\n" in outputs and "40" in outputs
    assert user.page.locator("#cell-1 pre.nb-source").inner_text() == "# Parameters\nn = 4"  # the injected cell
    user.screenshot("notebook-run")
    user.page.get_by_role("link", name=f"{unique}.ipynb").first.click()
    rows = user.page.locator("table.list tbody tr")
    assert rows.count() == 1 and "ok" in rows.first.inner_text() and '{"n": 4}' in rows.first.inner_text()
    assert [r.name for r in served.omega.jobs.list(f"results/{unique}_*", raw=True)]


def test_a_scheduled_job_shows_its_schedule_and_next_run_times(served, browser_user, unique):
    from omegaml_notebook import jobs

    served.omega.jobs.put(notebook("1 + 1"), unique)
    jobs(served.omega).schedule(unique, "fridays at 06:00", tz="Europe/Zurich")
    jobs(served.omega).run(unique)
    user = browser_user("runner")
    user.goto(job_url(f"{unique}.ipynb"))
    assert user.page.get_by_text("Runs at 06:00, on Friday (Europe/Zurich)").is_visible()
    times = user.page.locator("ul.next-times li").all_inner_texts()
    assert len(times) == 5 and all(t.endswith("06:00+01:00") or t.endswith("06:00+02:00") for t in times)
    assert user.page.locator("table.list tbody tr").count() == 1
    user.screenshot("job")


def test_a_writer_sets_and_removes_a_schedule_in_the_page_and_a_bad_one_is_explained(served, browser_user, unique):
    from omegaml_notebook import jobs

    served.omega.jobs.put(notebook("1 + 1"), unique)
    user = browser_user("writer")
    user.goto(job_url(f"{unique}.ipynb"))
    assert user.page.get_by_text(f'om jobs schedule {unique} "0 6 * * FRI"').is_visible()
    assert user.page.get_by_role("button", name="Run now").count() == 0  # write does not include run
    user.page.get_by_label("When (cron").fill("sometimes")
    user.page.get_by_role("button", name="Save schedule").click()
    assert "cannot read the schedule 'sometimes'" in user.page.get_by_role("alert").inner_text()
    user.page.get_by_label("When (cron").fill("every 15 minutes")
    user.page.get_by_role("button", name="Save schedule").click()
    assert user.page.get_by_role("status").inner_text() == "scheduled: every 15 minutes (UTC)"
    assert jobs(served.omega).get_schedule(unique)["cron"] == "*/15 * * * *"
    user.page.get_by_role("button", name="Remove the schedule").click()
    assert user.page.get_by_role("status").inner_text() == "schedule removed"
    assert jobs(served.omega).get_schedule(unique) is None


def test_a_failed_run_points_at_the_failing_cell_with_a_plain_traceback(served, browser_user, unique):
    served.omega.jobs.put(notebook("x = 1", "raise ValueError('bad input ' + str(x))", "print('never')"), unique)
    user = browser_user("runner")
    user.goto(job_url(f"{unique}.ipynb"))
    user.page.get_by_role("button", name="Run now").click()
    user.page.wait_for_url(re.compile(rf".*/jobs/results/{unique}_.*\.ipynb$"))
    assert "the run failed" in user.page.locator(".flash.error").first.inner_text()
    alert = user.page.locator("main [role=alert]").inner_text()
    assert "cell 1" in alert and "ValueError: bad input 1" in alert
    failed = user.page.locator("li.nb-cell.failed")
    assert failed.get_attribute("id") == "cell-1"
    trace = failed.locator("pre.nb-out.error").inner_text()
    assert "ValueError" in trace and "\x1b" not in trace and "[0;31m" not in trace


def test_a_reader_sees_empty_states_and_no_buttons_and_the_server_refuses_a_run(served, browser_user, unique):
    import httpx

    served.omega.jobs.put(notebook("1"), unique)
    user = browser_user("reader")
    user.goto(job_url(f"{unique}.ipynb"))
    assert user.page.get_by_text(f"No runs yet: run it with om jobs run {unique} -p key=value").is_visible()
    assert user.page.get_by_text(f'Not scheduled. Schedule it with om jobs schedule {unique} "0 6 * * FRI".').is_visible()
    assert user.page.get_by_role("button", name="Run now").count() == 0
    assert user.page.get_by_role("button", name="Save schedule").count() == 0
    cookie = user.session_cookie()["value"]
    html = httpx.get(served.http.url + job_url(f"{unique}.ipynb"), cookies={"omega_session": cookie}).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)[1]
    for action in ("run", "schedule"):
        refused = httpx.post(served.http.url + job_url(f"{unique}.ipynb"), cookies={"omega_session": cookie},
                             data={"csrf": csrf, "action": action, "spec": "hourly"})
        assert refused.status_code == 403, action
    assert served.omega.jobs.list(f"results/{unique}_*") == []


def xss_notebook():
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

    cell = new_code_cell("show()", execution_count=1)
    cell.outputs = [new_output("display_data", data={"text/html": XSS_HTML, "text/plain": "html"}),
                    new_output("stream", name="stdout", text="<script>alert(2)</script>"),
                    new_output("display_data", data={"image/svg+xml": "<svg onload=alert(3)></svg>",
                                                     "text/plain": "<svg>"}),
                    new_output("error", ename="Boom", evalue="<img src=x onerror=alert(4)>",
                               traceback=["\x1b[0;31mBoom\x1b[0m: <img src=x onerror=alert(4)>"])]
    nb = notebook()
    nb.cells = [new_markdown_cell("# <script>alert(5)</script>"), cell]
    return nb


def assert_harmless(user):
    page = user.page
    assert page.locator("main script").count() == 0
    assert page.locator("main iframe, main svg, main [onerror], main [onload], main [style]").count() == 0
    assert page.locator("main a[href^='javascript']").count() == 0
    assert page.locator("main img[src]:not([src^='data:'])").count() == 0
    assert page.locator(".nb-html b").inner_text() == "bold" and page.locator(".nb-html td").inner_text() == "cell"
    assert page.locator(".nb-html a").inner_text() == "click me"
    assert "<script>alert(2)</script>" in page.locator("pre.nb-out.stream").inner_text()
    assert "# <script>alert(5)</script>" in page.locator("li.nb-cell.markdown pre").inner_text()


def test_an_xss_payload_in_a_notebook_name_and_its_outputs_is_shown_harmlessly(served, browser_user):
    omega = served.omega
    omega.jobs.put(xss_notebook(), XSS_NAME)
    run_name = f"results/{XSS_NAME}_20260101T000000.000000Z.ipynb"
    omega.jobs.put(xss_notebook(), run_name, attributes={
        "source_job": f"{XSS_NAME}.ipynb", "status": "failed", "started": "2026-01-01T00:00:00.000000Z",
        "finished": "2026-01-01T00:00:01.000000Z", "duration": 1.0, "parameters": {"who": XSS_NAME},
        "worker": XSS_NAME, "cell": 1, "ename": "<b>Boom</b>", "evalue": XSS_NAME})
    user = browser_user("runner")
    user.goto(job_url(f"{XSS_NAME}.ipynb"))
    assert user.page.get_by_role("heading", level=1).inner_text().startswith(f"{XSS_NAME}.ipynb")
    user.page.get_by_text("The notebook (2 cells)").click()
    assert_harmless(user)
    user.page.locator("table.list tbody a").first.click()
    assert "Boom" in user.page.locator("main [role=alert]").inner_text()
    assert_harmless(user)
    assert user.dialogs == []


def test_the_run_page_fits_a_phone_screen(served, browser_user, unique):
    served.omega.jobs.put(notebook("print('x' * 300)", "list(range(200))"), unique)
    from omegaml_notebook import jobs

    run = jobs(served.omega).run(unique)
    user = browser_user("reader", width=390)
    user.goto(job_url(run.name))
    assert user.page.get_by_text("x" * 50).first.is_visible()
    assert user.page.evaluate("document.documentElement.scrollWidth") <= 390
    user.goto(job_url(f"{unique}.ipynb"))
    assert user.page.evaluate("document.documentElement.scrollWidth") <= 390
