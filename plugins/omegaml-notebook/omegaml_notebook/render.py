"""An executed notebook as safe HTML parts for the web UI (no nbconvert: its HTML needs inline scripts and styles).

Each cell becomes a dict the template renders with autoescaping: sources, streams,
``text/plain`` and tracebacks (ANSI codes stripped) are text; images are
``data:`` URIs for PNG and JPEG only; ``text/html`` outputs are sanitized with
``nh3`` against a strict allow-list (no scripts, event handlers, styles, frames,
forms, or links other than http(s) and mailto) and are the only markup passed through.
Markdown cells and ``text/markdown`` outputs are shown as text.
"""
from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from markupsafe import Markup

#: the most characters of one text output (or source) shown; longer ones keep their end
TEXT_LIMIT = 100_000
#: the largest image shown (bytes, base64)
IMAGE_LIMIT = 4_000_000
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")
IMAGE_TYPES = ("image/png", "image/jpeg")
BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]+$")

ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "div",
                "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol",
                "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
                "tfoot", "th", "thead", "tr", "u", "ul", "var"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"},
                      "th": {"colspan", "rowspan", "scope"}, "abbr": {"title"}, "ol": {"start"}}
LINK_SCHEMES = ("http://", "https://", "mailto:")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: links only to http(s)/mailto/#fragment, images only as PNG/JPEG data URIs."""
    if tag == "a" and attribute == "href":
        return value if value.lower().startswith(LINK_SCHEMES) or value.startswith("#") else None
    if tag == "img" and attribute == "src":
        return value if _data_uri_ok(value) else None
    return value


def _data_uri_ok(value: str) -> bool:
    for mime in IMAGE_TYPES:
        prefix = f"data:{mime};base64,"
        if value.startswith(prefix):
            return len(value) <= IMAGE_LIMIT and bool(BASE64.match(value[len(prefix):]))
    return False


def sanitize_html(html: str) -> Markup:
    """``html`` reduced to the allow-list (script and style elements removed with their content)."""
    import nh3

    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=_keep_attribute,
                        clean_content_tags={"script", "style", "template", "noscript"},
                        url_schemes={"http", "https", "mailto", "data"}, strip_comments=True,
                        link_rel="noopener noreferrer nofollow")
    return Markup(cleaned)


def plain(text: Any) -> str:
    """Notebook text (a string or list of lines) without ANSI codes, cut to TEXT_LIMIT (keeping the end)."""
    if isinstance(text, list):
        text = "".join(str(t) for t in text)
    text = ANSI.sub("", str(text or ""))
    return text if len(text) <= TEXT_LIMIT else f"[... {len(text) - TEXT_LIMIT} characters cut ...]\n" + text[-TEXT_LIMIT:]


def _image(data: dict) -> dict[str, Any] | None:
    for mime in IMAGE_TYPES:
        raw = data.get(mime)
        if isinstance(raw, list):
            raw = "".join(raw)
        if not isinstance(raw, str):
            continue
        raw = "".join(raw.split())
        try:
            base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            return {"kind": "text", "text": f"[{mime} output that is not valid base64 is not shown]"}
        if len(raw) > IMAGE_LIMIT:
            return {"kind": "text", "text": f"[{mime} output of {len(raw):,} bytes is too large to show]"}
        return {"kind": "image", "src": f"data:{mime};base64,{raw}", "alt": plain(data.get("text/plain"))[:200]}
    return None


def render_output(output: dict) -> dict[str, Any]:
    """One output as ``{'kind': 'stream'|'text'|'error'|'image'|'html', ...}`` (text is escaped by the template)."""
    kind = output.get("output_type")
    if kind == "stream":
        return {"kind": "stream", "name": output.get("name", "stdout"), "text": plain(output.get("text"))}
    if kind == "error":
        trace = output.get("traceback") or [f"{output.get('ename')}: {output.get('evalue')}"]
        return {"kind": "error", "text": plain("\n".join(str(t) for t in trace))}
    if kind in ("execute_result", "display_data"):
        data = output.get("data") or {}
        image = _image(data)
        if image is not None:
            return image
        if "text/html" in data:
            return {"kind": "html", "html": sanitize_html(plain(data["text/html"]))}
        for mime in ("text/markdown", "text/plain", "application/json"):
            if mime in data:
                return {"kind": "text", "text": plain(data[mime])}
        return {"kind": "text", "text": f"[output of type {', '.join(sorted(data)) or 'none'} is not shown]"}
    return {"kind": "text", "text": f"[{kind} output is not shown]"}


def render_cells(nb: Any, failed_cell: int | None = None) -> list[dict[str, Any]]:
    """The cells of notebook ``nb`` for the template; ``failed_cell`` (an index) is marked as the failure."""
    cells = []
    for index, cell in enumerate(nb.get("cells", [])):
        cell_type = cell.get("cell_type", "code")
        tags = cell.get("metadata", {}).get("tags", [])
        cells.append({"index": index, "type": cell_type, "source": plain(cell.get("source")),
                      "count": cell.get("execution_count"), "tags": [str(t) for t in tags],
                      "failed": index == failed_cell,
                      "outputs": [render_output(o) for o in cell.get("outputs", [])] if cell_type == "code" else []})
    return cells
