"""The web UI's sign-in, sessions and security headers, in a real browser (chromium) and over plain HTTP."""
import re

import httpx
import pytest

pytestmark = pytest.mark.browser


def test_the_root_redirects_to_the_ui_and_the_ui_asks_to_sign_in(browser_user):
    user = browser_user()
    response = user.goto("/")
    assert user.page.url.endswith("/ui/signin?next=%2Fui")
    assert response.status == 200
    user.screenshot("signin")


def test_signing_in_shows_the_buckets_and_signing_out_ends_the_session(browser_user):
    user = browser_user("reader")
    assert user.page.get_by_role("heading", name="Buckets").is_visible()
    assert user.page.get_by_role("link", name="omega", exact=True).is_visible()
    user.screenshot("buckets")
    user.sign_out()
    user.goto("/ui/b/omega")
    assert "/ui/signin" in user.page.url


def test_a_wrong_key_is_refused_with_a_message_and_no_cookie(browser_user, served):
    user = browser_user()
    user.sign_in("reader", "not-the-key")
    assert user.page.get_by_role("alert").inner_text().startswith("the username or API key is not valid")
    assert not [c for c in user.context.cookies() if c["name"] == "omega_session"]
    assert "not-the-key" not in served.log.read_text()


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(browser_user):
    plain = browser_user("reader").session_cookie()
    assert plain["httpOnly"] and plain["sameSite"] == "Lax" and plain["expires"] > 0 and not plain["secure"]
    secure = browser_user("reader", https=True).session_cookie()
    assert secure["httpOnly"] and secure["secure"] and secure["sameSite"] == "Lax"


def test_a_stolen_session_cookie_stops_working_after_sign_out(browser_user, served):
    victim = browser_user("writer")
    stolen = victim.session_cookie()["value"]
    thief = httpx.Client(base_url=served.http.url, cookies={"omega_session": stolen}, follow_redirects=False)
    assert thief.get("/ui/b/omega/datasets").status_code == 200
    victim.sign_out()
    answer = thief.get("/ui/b/omega/datasets")
    assert answer.status_code == 303 and "/ui/signin" in answer.headers["location"]


def test_pages_forbid_inline_scripts_framing_and_caching(served):
    response = httpx.get(f"{served.http.url}/ui/signin")
    policy = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", policy)[1]
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert "content-security-policy" not in httpx.get(f"{served.http.url}/v2/health/live").headers


def test_a_form_posted_from_another_site_is_refused(browser_user, served):
    user = browser_user("writer")
    cookie = user.session_cookie()["value"]
    page = httpx.get(f"{served.http.url}/ui/b/omega/datasets/sales", cookies={"omega_session": cookie}).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    forged = httpx.post(f"{served.http.url}/ui/b/omega/datasets/sales", cookies={"omega_session": cookie},
                        data={"csrf": csrf, "action": "drop", "confirm": "sales"},
                        headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    no_token = httpx.post(f"{served.http.url}/ui/b/omega/datasets/sales", cookies={"omega_session": cookie},
                          data={"action": "drop", "confirm": "sales"})
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    assert httpx.get(f"{served.http.url}/api/v1/dataset/sales/metadata",
                     headers=served.headers("reader")).status_code == 200


def test_sign_in_goes_back_only_to_pages_of_this_ui(browser_user):
    user = browser_user()
    user.goto("/ui/signin?next=https://evil.example/")
    user.page.get_by_label("Username").fill("reader")
    user.page.get_by_label("API key").fill(user.served.keys["reader"])
    user.page.get_by_role("button", name="Sign in").click()
    user.page.wait_for_load_state()
    assert user.page.url == f"{user.base_url}/ui"


def test_a_user_without_a_grant_gets_a_page_that_says_whom_to_ask(browser_user):
    user = browser_user("nobody")
    assert "no grant on any bucket" in user.page.inner_text("main")
    response = user.goto("/ui/b/omega/datasets")
    assert response.status == 403
    assert "om grants add nobody omega read" in user.page.inner_text("main")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_listing_is_readable_at_desktop_and_phone_widths(browser_user, width):
    user = browser_user("reader", width=width)
    user.goto("/ui/b/omega/datasets")
    assert user.page.get_by_role("link", name="sales", exact=True).is_visible()
    page_width = user.page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width, f"the page scrolls sideways at {width} px ({page_width} px wide)"
    user.screenshot(f"datasets-{width}")
