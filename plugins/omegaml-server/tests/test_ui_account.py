"""The account pages in a real browser: API keys (created and shown once, revoked and refused at once by the REST
API), and the admin pages for users and grants, which only admins (admin on every bucket) see and may use."""
import re

import httpx
import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def accounts(served):
    from omegaml_server.accounts import Accounts

    accounts = Accounts(served.accounts_url)
    yield accounts
    accounts.close()


@pytest.fixture
def person(accounts, unique):
    """A fresh user with a read grant on bucket omega and one key: (name, key)."""
    accounts.create_user(unique)
    accounts.grant(unique, "omega", "read")
    return unique, accounts.create_key(unique, label="first").secret


def rest_status(served, user: str, key: str) -> int:
    return httpx.get(f"{served.http.url}/api/v1/dataset/sales/metadata",
                     headers={"Authorization": f"ApiKey {user}:{key}", "Bucket": "omega"}).status_code


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html)[1]


def test_a_new_key_is_shown_once_and_a_revoked_key_fails_at_once_on_the_rest_api(browser_user, served, person):
    name, first = person
    user = browser_user()
    user.sign_in(name, first)
    user.goto("/ui/account")
    user.page.get_by_label("Label").fill("notebook <b>laptop</b>")
    user.page.get_by_label("Expires after").fill("30d")
    with user.page.expect_response(lambda r: r.url.endswith("/ui/account/keys")) as answer:
        user.page.get_by_role("button", name="Create key").click()
    assert answer.value.status == 200 and answer.value.headers["cache-control"] == "no-store"
    secret = user.page.locator("#new-key").inner_text().strip()
    assert "shown only this once" in user.page.inner_text("main")
    assert user.page.get_by_role("button", name="Copy key").is_visible()
    assert secret not in user.page.url and all(secret not in c["value"] for c in user.context.cookies())
    assert rest_status(served, name, secret) == 200

    user.goto("/ui/account")
    assert secret not in user.page.content()  # never shown again
    row = user.page.locator("tr", has_text="notebook <b>laptop</b>")  # the label is text, not markup
    assert "usable" in row.inner_text() and "UTC" in row.locator("td").nth(3).inner_text()
    user.accept_confirms = True
    row.get_by_role("button", name=re.compile("^Revoke key")).click()
    user.page.wait_for_load_state()
    assert "no longer works" in user.page.get_by_role("status").inner_text()
    assert rest_status(served, name, secret) == 401
    assert rest_status(served, name, first) == 200  # the session's own key still works, and so does the session
    assert user.page.locator("tr", has_text="notebook <b>laptop</b>").locator(".badge.bad").is_visible()
    assert secret not in served.log.read_text()


def test_revoking_the_key_this_session_was_opened_with_ends_the_session(browser_user, served, person):
    name, first = person
    user = browser_user()
    user.sign_in(name, first)
    user.goto("/ui/account")
    row = user.page.locator("tr", has_text="this session")
    assert "revoking it signs you out" in row.inner_text()
    user.accept_confirms = True
    row.get_by_role("button", name=re.compile("^Revoke key")).click()
    user.page.wait_for_url("**/ui/signin")
    assert "this session ended" in user.page.inner_text("body")
    user.goto("/ui/account")
    assert "/ui/signin" in user.page.url
    assert rest_status(served, name, first) == 401


def test_a_user_cannot_revoke_someone_elses_key(browser_user, served, person, accounts):
    name, first = person
    user = browser_user()
    user.sign_in(name, first)
    cookie = user.session_cookie()["value"]
    csrf = csrf_of(httpx.get(f"{served.http.url}/ui/account", cookies={"omega_session": cookie}).text)
    others = accounts.list_keys("reader")[0].key_id
    refused = httpx.post(f"{served.http.url}/ui/account/keys/{others}/revoke", cookies={"omega_session": cookie},
                         data={"csrf": csrf})
    assert refused.status_code == 404
    assert rest_status(served, "reader", served.keys["reader"]) == 200


def test_a_bad_expiry_creates_no_key_and_says_what_to_write(browser_user, person, accounts):
    name, first = person
    user = browser_user()
    user.sign_in(name, first)
    user.goto("/ui/account")
    user.page.get_by_label("Expires after").fill("next tuesday")
    user.page.get_by_role("button", name="Create key").click()
    user.page.wait_for_load_state()
    assert "30d" in user.page.get_by_role("alert").inner_text()
    assert len(accounts.list_keys(name)) == 1


@pytest.mark.parametrize("who", ["reader", "admin"])  # admin: admin on bucket omega only, not on every bucket
def test_admin_pages_and_forms_are_refused_to_non_admins_who_see_no_admin_links(browser_user, served, who, unique,
                                                                                 accounts):
    user = browser_user(who)
    user.goto("/ui/account")
    assert user.page.get_by_role("link", name="Users", exact=True).count() == 0
    assert user.page.get_by_role("link", name="Grants", exact=True).count() == 0
    for path in ("/ui/admin/users", "/ui/admin/grants"):
        response = user.goto(path)
        assert response.status == 403 and "only admins" in user.page.inner_text("main")
    cookie = user.session_cookie()["value"]
    csrf = csrf_of(httpx.get(f"{served.http.url}/ui/account", cookies={"omega_session": cookie}).text)
    posts = [("/ui/admin/users", {"username": unique, "bucket": "omega", "role": "admin"}),
             ("/ui/admin/grants", {"username": who, "bucket": "*", "role": "admin"}),
             ("/ui/admin/users/root/disable", {}),
             ("/ui/admin/grants/revoke", {"username": "root", "bucket": "*"})]
    for path, data in posts:
        answer = httpx.post(f"{served.http.url}{path}", cookies={"omega_session": cookie}, data={"csrf": csrf, **data})
        assert answer.status_code == 403, path
    assert unique not in [u.username for u in accounts.list_users()]
    assert accounts.role_of(who, "elsewhere") is None and accounts.get_user("root").active


def test_an_admin_adds_a_user_with_a_key_then_disabling_them_ends_their_session_and_keys(browser_user, served,
                                                                                          unique, accounts):
    admin = browser_user("root")
    admin.page.get_by_role("link", name="Account").click()
    admin.page.get_by_role("link", name="Users", exact=True).click()
    admin.page.get_by_label("Username").fill(unique)
    admin.page.get_by_label("Grant on bucket").fill("omega")
    admin.page.get_by_label("Role").select_option("read")
    admin.page.get_by_role("button", name="Add user").click()
    admin.page.wait_for_load_state()
    secret = admin.page.locator("#new-key").inner_text().strip()
    assert f"Added user {unique} with read on bucket omega" in admin.page.inner_text("main")

    newcomer = browser_user()
    newcomer.sign_in(unique, secret)
    assert newcomer.page.get_by_role("link", name="omega", exact=True).is_visible()

    admin.goto("/ui/admin/users")
    admin.screenshot("admin-users")
    admin.accept_confirms = True
    admin.page.get_by_role("button", name=f"Disable {unique}").click()
    admin.page.wait_for_load_state()
    assert "1 web session ended" in admin.page.get_by_role("status").inner_text()
    assert rest_status(served, unique, secret) == 401
    newcomer.goto("/ui/account")
    assert "/ui/signin" in newcomer.page.url

    admin.page.get_by_role("button", name=f"Enable {unique}").click()
    admin.page.wait_for_load_state()
    assert rest_status(served, unique, secret) == 200
    assert admin.page.get_by_role("button", name="Disable root").count() == 0  # no way to lock yourself out


def test_an_admin_grants_a_role_and_revokes_it(browser_user, served, person, accounts):
    name, _ = person
    admin = browser_user("root")
    admin.goto("/ui/admin/grants")
    admin.page.get_by_label("User").select_option(name)
    admin.page.get_by_label("Bucket").fill("theirs")
    admin.page.get_by_label("Role").select_option("write")
    admin.page.get_by_role("button", name="Grant").click()
    admin.page.wait_for_load_state()
    assert f"granted write on bucket theirs to {name}" in admin.page.get_by_role("status").inner_text()
    assert accounts.role_of(name, "theirs") == "write"
    admin.screenshot("admin-grants")
    admin.accept_confirms = True
    admin.page.get_by_role("button", name=f"Revoke write on theirs from {name}").click()
    admin.page.wait_for_load_state()
    assert accounts.role_of(name, "theirs") is None
    assert admin.page.get_by_role("button", name="Revoke admin on * from root").count() == 0


@pytest.mark.parametrize("width", [1280, 390])
def test_the_account_page_is_readable_at_desktop_and_phone_widths(browser_user, width):
    user = browser_user("root", width=width)
    user.goto("/ui/account")
    assert user.page.get_by_role("heading", name="Your API keys").is_visible()
    assert user.page.get_by_text("root's first key").is_visible()
    page_width = user.page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width, f"the page scrolls sideways at {width} px ({page_width} px wide)"
    user.screenshot("account" if width == 1280 else f"account-{width}")



def test_adding_a_user_with_a_bad_bucket_creates_nothing_and_says_why(browser_user, unique, accounts):
    admin = browser_user("root")
    admin.goto("/ui/admin/users")
    admin.page.get_by_label("Username").fill(unique)
    admin.page.get_by_label("Grant on bucket").fill("no such/bucket")
    admin.page.get_by_role("button", name="Add user").click()
    admin.page.wait_for_load_state()
    assert admin.page.get_by_role("alert").inner_text().startswith("user not added")
    assert unique not in [u.username for u in accounts.list_users()]
