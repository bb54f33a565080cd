"""The web UI's dataset page, in a real browser: schema, a paged window of the rows equal to
``om.datasets.get``, filters, the per-column summary, escaping and who may drop."""
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
def frame():
    rng = np.random.default_rng(7)
    return pd.DataFrame({"amount": rng.normal(100, 20, size=130).round(3), "count": np.arange(130),
                         "region": rng.choice(["EU", "US", "APAC"], size=130),
                         "when": pd.date_range("2024-01-01", periods=130, freq="D")})


def table_cells(user, table: str = "#preview") -> tuple[list[str], list[list[str]]]:
    """The header and body cells of a table on the page, as their text."""
    headers = user.page.locator(f"{table} thead th").all_inner_texts()
    rows = [row.locator("th, td").all_inner_texts() for row in user.page.locator(f"{table} tbody tr").all()]
    return [h.strip() for h in headers], [[c.strip() for c in r] for r in rows]


def navigate(user, action) -> None:
    """Do ``action`` (a click, a key press) and wait for the page it opens."""
    with user.page.expect_navigation():
        action()


def expected_cells(frame: pd.DataFrame) -> list[list[str]]:
    return [[cell(v) for v in row] for row in frame.itertuples(index=True, name=None)]


def path_of(name: str, **query) -> str:
    from omegaml_server.ui.context import UiContext

    return UiContext.url(None, "omega", "datasets", name, **query)  # url() does not use self


def test_the_preview_shows_a_window_of_rows_equal_to_om_datasets_get(browser_user, omega, unique, frame):
    omega.datasets.put(frame, unique, chunk_rows=50)
    user = browser_user("reader")
    assert user.goto(path_of(unique, offset=40, limit=20)).status == 200
    headers, rows = table_cells(user)
    assert headers[1:] == ["amount", "count", "region", "when"]
    assert rows == expected_cells(omega.datasets.get(unique).iloc[40:60])  # across the chunk boundary at 50
    assert "Rows 41 to 60 of 130" in user.page.inner_text("main")
    user.screenshot("dataset")


def test_the_schema_lists_columns_dtypes_and_statistics_of_all_rows(browser_user, omega, unique, frame):
    omega.datasets.put(frame, unique, chunk_rows=50)
    user = browser_user("reader")
    user.goto(path_of(unique))
    _, schema = table_cells(user, "#schema")
    assert [row[:2] for row in schema] == [["amount", "float64"], ["count", "int64"], ["region", str(frame.dtypes["region"])],
                                           ["when", str(frame.dtypes["when"])]]
    assert schema[1][2:] == ["0", "0", "129"]  # nulls, min, max of all 130 rows (three chunks' statistics)
    source = user.page.locator("#summary-source").inner_text()
    assert "of all rows" in source and "first 130 rows" in source
    charts = user.page.locator("ul.charts svg[role=img]")
    assert charts.count() == 4
    assert charts.first.get_attribute("aria-label") == "histogram of amount"


def test_paging_links_move_through_the_rows(browser_user, omega, unique, frame):
    omega.datasets.put(frame, unique, chunk_rows=50)
    user = browser_user("reader")
    user.goto(path_of(unique, limit=50))
    navigate(user, user.page.get_by_role("link", name="next rows →").click)
    assert table_cells(user)[1] == expected_cells(omega.datasets.get(unique).iloc[50:100])
    navigate(user, user.page.get_by_role("link", name="next rows →").click)
    assert len(table_cells(user)[1]) == 30
    assert user.page.get_by_role("link", name="next rows →").count() == 0
    navigate(user, user.page.get_by_role("link", name="← previous rows").click)
    assert "Rows 51 to 100 of 130" in user.page.inner_text("main")


def test_filters_typed_with_the_keyboard_select_rows_like_the_python_api(browser_user, omega, unique, frame):
    omega.datasets.put(frame, unique, chunk_rows=50)
    user = browser_user("reader")
    user.goto(path_of(unique))
    where = user.page.get_by_label("Filters, one column__op=value per line")
    where.focus()
    user.page.keyboard.type("amount__gt=100\nregion__in=[\"EU\", \"US\"]")
    user.page.get_by_label("Rows per page").select_option("20")
    user.page.get_by_role("button", name="Apply filters").focus()
    navigate(user, lambda: user.page.keyboard.press("Enter"))
    expected = omega.datasets.get(unique, amount__gt=100, region__in=["EU", "US"])
    assert table_cells(user)[1] == expected_cells(expected.iloc[:20])
    assert where.input_value() == "amount__gt=100\nregion__in=[\"EU\", \"US\"]"
    assert "matching the filters" in user.page.locator("#summary-source").inner_text()
    navigate(user, user.page.get_by_role("link", name="next rows →").click)
    assert table_cells(user)[1] == expected_cells(expected.iloc[20:40])


@pytest.mark.parametrize("where,says", [
    ("nosuch=1", "unknown column 'nosuch'"),
    ("amount__near=1", "unknown filter operator 'near'"),
    ("amount > 5", "is not column__op=value"),
    ("region__in=EU", "needs a list of values"),
])
def test_a_wrong_filter_shows_what_is_wrong_on_the_page(browser_user, omega, unique, frame, where, says):
    omega.datasets.put(frame, unique)
    user = browser_user("reader")
    assert user.goto(path_of(unique, where=where)).status == 200
    alert = user.page.locator("#preview-error")
    assert says in alert.inner_text()
    assert user.page.get_by_label("Filters, one column__op=value per line").input_value() == where


def test_bad_paging_values_show_a_message(browser_user, omega, unique, frame):
    omega.datasets.put(frame, unique)
    user = browser_user("reader")
    assert user.goto(path_of(unique, offset="-3")).status == 200
    assert "offset must be 0 or more" in user.page.locator("#preview-error").inner_text()
    user.goto(path_of(unique, limit="lots"))
    assert "limit must be a whole number" in user.page.locator("#preview-error").inner_text()


def test_an_empty_window_and_no_matching_rows_say_so(browser_user, omega, unique, frame):
    omega.datasets.put(frame, unique)
    user = browser_user("reader")
    user.goto(path_of(unique, offset=500))
    assert "no rows from row 501 on" in user.page.inner_text("main")
    user.goto(path_of(unique, where="count__gt=1000"))
    assert "No rows match the filters" in user.page.inner_text("main")


def test_plain_python_data_is_shown_as_json(browser_user):
    user = browser_user("reader")
    user.goto("/ui/b/omega/datasets/config")
    assert user.page.locator("#value").inner_text() == '{"a": 1, "b": [1, 2]}'


def test_names_columns_and_attributes_with_markup_show_literally_and_never_run(browser_user, omega, unique):
    name = f"{unique}{XSS}"
    column = "<script>alert('col')</script>"
    omega.datasets.put(pd.DataFrame({column: [XSS, "b"], "v": [1, 2]}), name, attributes={"note": XSS})
    user = browser_user("reader")
    user.goto(f"/ui/b/omega/datasets?q={unique}*")  # the listing is paged; other tests add datasets
    navigate(user, user.page.get_by_role("link", name=name).click)
    assert user.page.get_by_role("heading", level=1).inner_text() == name
    headers, rows = table_cells(user)
    assert headers[1] == column and rows[0][1] == XSS
    assert XSS in user.page.locator("table.kv").inner_text()
    assert user.page.locator("main img").count() == 0 and user.page.locator("main script").count() == 0


def test_a_reader_sees_no_drop_button_and_the_server_refuses_the_drop(browser_user, served, omega, unique):
    omega.datasets.put(pd.DataFrame({"a": [1]}), unique)
    user = browser_user("reader")
    user.goto(path_of(unique))
    assert user.page.get_by_text(f"Drop {unique}").count() == 0
    cookie = user.session_cookie()["value"]
    html = httpx.get(f"{served.http.url}{path_of(unique)}", cookies={"omega_session": cookie}).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)[1]
    answer = httpx.post(f"{served.http.url}{path_of(unique)}", cookies={"omega_session": cookie},
                        data={"csrf": csrf, "action": "drop", "confirm": unique})
    assert answer.status_code == 403 and "it needs role 'write'" in html_module.unescape(answer.text)
    assert omega.datasets.exists(unique)


def test_a_writer_drops_a_dataset_after_typing_its_name(browser_user, omega, unique):
    omega.datasets.put(pd.DataFrame({"a": [1]}), unique)
    user = browser_user("writer")
    user.goto(path_of(unique))
    user.page.get_by_text(f"Drop {unique}").click()
    user.page.get_by_label("Type the name to confirm").fill(unique)
    navigate(user, user.page.get_by_role("button", name="Drop", exact=True).click)
    assert f"dropped {unique}" in user.page.get_by_role("status").inner_text()
    assert not omega.datasets.exists(unique)


def test_the_dataset_page_is_readable_on_a_phone(browser_user, omega, unique, frame):
    omega.datasets.put(frame, unique)
    user = browser_user("reader", width=390)
    user.goto(path_of(unique, limit=20))
    width = user.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"
    user.screenshot("dataset-390")
