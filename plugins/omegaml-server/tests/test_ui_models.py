"""The web UI's model page, in a real browser: class, versions, lineage, grid-search scores, predict on a
dataset of the bucket, promote (with and without a hook's refusal), escaping and who may act."""
import html as html_module
import re

import httpx
import numpy as np
import pandas as pd
import pytest

from omegaml_server.ui.preview import cell

pytestmark = pytest.mark.browser
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def fitted(omega, unique):
    """A model fitted and grid-searched through the runtime on datasets ``<unique>-X`` and ``<unique>-Y``."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    omega.datasets.put(X, f"{unique}-X")
    omega.datasets.put(pd.Series((X["a"] + X["b"] > 0).astype(int), name="y"), f"{unique}-Y")
    omega.models.put(LogisticRegression(), unique)
    omega.runtime.model(unique).fit(f"{unique}-X", f"{unique}-Y").get()
    omega.runtime.model(unique).gridsearch(f"{unique}-X", f"{unique}-Y", {"C": [0.01, 0.1, 1.0, 10.0]}, cv=3).get()
    return unique


def path_of(name: str, bucket: str = "omega") -> str:
    from omegaml_server.ui.context import UiContext

    return UiContext.url(None, bucket, "models", name)  # url() does not use self


def navigate(user, action) -> None:
    with user.page.expect_navigation():
        action()


def flash(user) -> str:
    return user.page.locator(".flash").inner_text()


def test_the_model_page_shows_kind_class_and_versions(browser_user):
    user = browser_user("reader")
    assert user.goto("/ui/b/omega/models/clf").status == 200
    facts = user.page.locator("#model-facts").inner_text()
    assert "sklearn.linear_model._logistic.LogisticRegression" in facts and "sklearn.joblib" in user.page.inner_text("main")
    versions = user.page.locator("#versions tbody tr td:first-child").all_inner_texts()
    assert versions[:2] == ["clf@2 latest", "clf@1"]


def test_lineage_links_the_datasets_and_the_grid_search_is_a_chart(browser_user, fitted):
    user = browser_user("reader")
    user.goto(path_of(fitted))
    search = user.page.locator("#gridsearch-chart svg")
    assert search.get_attribute("aria-label") == "mean test score per candidate"
    assert search.locator("rect").count() == 4
    assert "C=0.01" in search.locator("rect").first.locator("title").text_content()
    assert len(user.page.locator("#versions tbody tr").all()) == 3  # put, fit, gridsearch
    user.screenshot("model")
    navigate(user, user.page.locator("#lineage").get_by_role("link", name=f"{fitted}-X").click)
    assert user.page.get_by_role("heading", level=1).inner_text() == f"{fitted}-X"


def test_predict_on_a_dataset_chosen_from_the_list_shows_the_result(browser_user, omega, fitted):
    user = browser_user("reader")
    user.goto(path_of(fitted))
    user.page.get_by_label("Dataset").select_option(f"{fitted}-X")
    navigate(user, user.page.get_by_role("button", name="Predict").click)
    expected = omega.models.get(fitted).predict(omega.datasets.get(f"{fitted}-X"))
    shown = user.page.locator("#prediction tbody td").all_inner_texts()
    assert shown == [cell(v) for v in expected[:20]]
    assert "Predicted 60 rows" in user.page.locator("#predict-summary").inner_text()


def test_a_failing_predict_says_why_on_the_page(browser_user, omega, fitted, unique):
    omega.datasets.put(pd.DataFrame({"other": [1.0, 2.0]}), f"{unique}-wrong")
    user = browser_user("reader")
    user.goto(path_of(fitted))
    user.page.get_by_label("Dataset").select_option(f"{unique}-wrong")
    navigate(user, user.page.get_by_role("button", name="Predict").click)
    message = user.page.locator("#predict-error").inner_text()
    assert f"predict on '{unique}-wrong' failed" in message and "columns the model was fitted on" in message


def test_promote_copies_the_model_to_a_bucket_the_user_may_write(browser_user, omega, fitted, unique):
    target = f"{unique}prod"
    user = browser_user("root")  # admin of every bucket: may write in the target
    user.goto(path_of(fitted))
    user.page.get_by_label("Target bucket").fill(target)
    navigate(user, user.page.get_by_role("button", name="Promote").click)
    assert flash(user) == f"promoted {fitted} to bucket {target}"
    assert omega[target].models.exists(fitted)


def test_a_hooks_refusal_of_the_promotion_is_a_message_on_the_page(browser_user, omega, unique):
    # omegaml-sklearn's omega_before_promote hook refuses unfitted models (PromotionRefused)
    from sklearn.linear_model import LogisticRegression

    omega.models.put(LogisticRegression(), unique)
    target = f"{unique}prod"
    user = browser_user("root")
    user.goto(path_of(unique))
    user.page.get_by_label("Target bucket").fill(target)
    navigate(user, user.page.get_by_role("button", name="Promote").click)
    assert user.page.url.endswith(path_of(unique))
    assert user.page.get_by_role("alert").inner_text().startswith(f"not promoted: model '{unique}' (sklearn.linear_model")
    assert "is not fitted" in flash(user) and "sqlite" not in flash(user)
    assert not omega[target].models.exists(unique)


def test_promote_needs_the_write_role_on_the_target_bucket_too(browser_user, omega, fitted):
    user = browser_user("writer")  # writes in omega, has no grant on theirs
    user.goto(path_of(fitted))
    user.page.get_by_label("Target bucket").fill("theirs")
    navigate(user, user.page.get_by_role("button", name="Promote").click)
    assert "you (writer) may not write in bucket 'theirs'" in flash(user)
    assert not omega["theirs"].models.exists(fitted)


def test_a_reader_sees_no_promote_or_drop_and_the_server_refuses_them(browser_user, served, omega, fitted):
    user = browser_user("reader")
    user.goto(path_of(fitted))
    assert user.page.get_by_role("button", name="Promote").count() == 0
    assert user.page.get_by_text(f"Drop {fitted}").count() == 0
    cookie = user.session_cookie()["value"]
    page = httpx.get(f"{served.http.url}{path_of(fitted)}", cookies={"omega_session": cookie}).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    for form in ({"action": "promote", "target": "omega"}, {"action": "drop", "confirm": fitted}):
        answer = httpx.post(f"{served.http.url}{path_of(fitted)}", cookies={"omega_session": cookie},
                            data={"csrf": csrf, **form})
        assert answer.status_code == 403 and "it needs role 'write'" in html_module.unescape(answer.text)
    assert omega.models.exists(fitted)


def test_a_model_name_and_attributes_with_markup_show_literally(browser_user, omega, unique):
    from sklearn.linear_model import LogisticRegression

    name = f"{unique}{XSS}"
    omega.models.put(LogisticRegression(), name, attributes={"note": XSS, "fitted_on": {"X": XSS}})
    user = browser_user("reader")
    user.goto(f"/ui/b/omega/models?q={unique}*")  # the listing is paged; other tests add models
    navigate(user, user.page.get_by_role("link", name=name).click)
    assert user.page.get_by_role("heading", level=1).inner_text() == name
    assert XSS in user.page.locator("table.kv").inner_text()
    assert f"Fitted on X: {XSS}" in user.page.locator("#lineage").inner_text()
    assert user.page.locator("main img").count() == 0


def test_the_model_page_is_readable_on_a_phone(browser_user, fitted):
    user = browser_user("writer", width=390)
    user.goto(path_of(fitted))
    width = user.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"
    user.screenshot("model-390")
