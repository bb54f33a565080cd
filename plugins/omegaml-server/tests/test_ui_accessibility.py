"""Every main page of the web UI can be used with a keyboard and a screen reader: the first Tab reaches the
skip link, every form field has a label, every button a name, and nothing scrolls sideways on a phone."""
import pytest

pytestmark = pytest.mark.browser

PAGES = ["/ui", "/ui/b/omega", "/ui/b/omega/datasets", "/ui/b/omega/datasets/sales", "/ui/b/omega/models",
         "/ui/b/omega/models/clf", "/ui/b/omega/jobs", "/ui/runtime", "/ui/account", "/ui/admin/users",
         "/ui/admin/grants"]

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter(el => el.type !== 'hidden' && el.labels.length === 0 && !el.getAttribute('aria-label'))
    .map(el => el.outerHTML)"""
NAMELESS_BUTTONS = """() => [...document.querySelectorAll('button, a[href]')]
    .filter(el => !(el.textContent || el.getAttribute('aria-label') || el.getAttribute('title') || '').trim())
    .map(el => el.outerHTML)"""


@pytest.mark.parametrize("width", [1280, 390])
def test_every_main_page_has_labelled_fields_named_buttons_and_fits_the_screen(browser_user, width):
    user = browser_user("root", width=width)
    for path in PAGES:
        assert user.goto(path).status == 200, path
        assert user.page.evaluate(UNLABELLED) == [], path
        assert user.page.evaluate(NAMELESS_BUTTONS) == [], path
        scroll_width = user.page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{path} is {scroll_width} px wide at {width} px"


def test_the_first_tab_reaches_the_skip_link_which_moves_focus_to_the_content(browser_user):
    user = browser_user("reader")
    user.goto("/ui/b/omega/datasets")
    user.page.keyboard.press("Tab")
    assert user.page.evaluate("document.activeElement.textContent") == "Skip to content"
    user.page.keyboard.press("Enter")
    user.page.keyboard.press("Tab")
    focused = user.page.evaluate("document.activeElement.closest('main') !== null")
    assert focused, "after the skip link, Tab goes to the page's content"


def test_the_sign_in_form_works_with_the_keyboard_alone(browser_user, served):
    user = browser_user()
    user.goto("/ui/signin")
    user.page.keyboard.type("reader")  # the username field has the focus
    user.page.keyboard.press("Tab")
    user.page.keyboard.type(served.keys["reader"])
    user.page.keyboard.press("Enter")
    user.page.wait_for_url("**/ui")
    assert user.page.get_by_role("heading", name="Buckets").is_visible()
