"""The UI's notebook renderer: text stays text, HTML outputs are sanitized, only PNG/JPEG data images pass."""
from nbformat.v4 import new_code_cell, new_notebook, new_output

from omegaml_notebook.render import render_cells, render_output, sanitize_html


def test_html_outputs_keep_tables_and_links_but_lose_scripts_handlers_styles_and_frames():
    html = sanitize_html('<table class="dataframe"><tr><td style="color:red">1</td></tr></table>'
                         '<script>alert(1)</script><style>td{}</style><img src=x onerror=alert(1)>'
                         '<a href="javascript:alert(1)">js</a><a href="https://example.org">ok</a>'
                         '<a href="data:text/html,x">data</a><iframe src="https://example.org"></iframe>'
                         '<form action="/ui/signout"><button>go</button></form>')
    assert "<td>1</td>" in html and '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in html
    for banned in ("script", "style", "onerror", "javascript", "data:", "iframe", "form", "button", "alert"):
        assert banned not in html, banned


def test_images_are_data_uris_of_png_or_jpeg_only():
    png = render_output(new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}))
    assert png == {"kind": "image", "src": "data:image/png;base64,iVBORw0KGgo=", "alt": "<Figure>"}
    svg = render_output(new_output("display_data", data={"image/svg+xml": "<svg onload=alert(1)/>", "text/plain": "fig"}))
    assert svg == {"kind": "text", "text": "fig"}
    bad = render_output(new_output("display_data", data={"image/png": 'x" onerror="alert(1)'}))
    assert bad["kind"] == "text" and "not valid base64" in bad["text"]
    inline = sanitize_html('<img src="data:image/svg+xml;base64,PHN2Zz4="><img src="data:image/png;base64,AAAA">')
    assert inline == '<img><img src="data:image/png;base64,AAAA">'


def test_tracebacks_lose_ansi_codes_and_the_failed_cell_is_marked():
    cell = new_code_cell("1/0", execution_count=2)
    cell.outputs = [new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                               traceback=["\x1b[0;31mZeroDivisionError\x1b[0m: division by zero"])]
    cells = render_cells(new_notebook(cells=[new_code_cell("x = 1"), cell]), failed_cell=1)
    assert [c["failed"] for c in cells] == [False, True]
    assert cells[1]["outputs"] == [{"kind": "error", "text": "ZeroDivisionError: division by zero"}]
