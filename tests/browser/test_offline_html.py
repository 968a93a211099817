"""Static checks of the built HTML: it loads nothing from other hosts.

Every `<script src>`, `<link href>` (stylesheets, preloads, icons), `<img src>`,
`<iframe>`/`<source>`/`<embed>`/`<object>` and CSS `url(...)` must point into
the build; plain hyperlinks (`<a href>`: bibliography, launch buttons) are
fine. Local references must exist. The launch notebooks must be there.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat

from book_helpers import html_pages

RESOURCE_ATTRS = {
    "script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src",
    "embed": "src", "object": "data", "audio": "src", "video": "src", "track": "src",
}
LINK_NON_RESOURCE = {"canonical", "alternate", "author", "license", "next", "prev", "search", "index"}
CSS_URL = re.compile(r"url\(\s*['\"]?(https?:)?//", re.I)


class _Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.inline_css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "style":
            self._in_style = True
        if "style" in a and a["style"]:
            self.inline_css.append(a["style"])
        key = RESOURCE_ATTRS.get(tag)
        if not key or not a.get(key):
            return
        if tag == "link" and set((a.get("rel") or "").lower().split()) & LINK_NON_RESOURCE:
            return
        self.refs.append((tag, a[key]))

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.inline_css.append(data)


def _is_external(url: str) -> bool:
    u = urlparse(url)
    return u.scheme in {"http", "https", "ftp", "ws", "wss"} or url.startswith("//")


def _scan(html: Path):
    ext, missing = {}, {}
    for page in html_pages(html):
        p = _Resources()
        p.feed((html / page).read_text(encoding="utf-8"))
        bad = [f"<{t}> {u}" for t, u in p.refs if _is_external(u)]
        bad += [f"css {c[:80]}" for c in p.inline_css if CSS_URL.search(c)]
        if bad:
            ext[page] = bad
        gone = []
        for t, u in p.refs:
            if _is_external(u) or u.startswith(("data:", "#", "mailto:", "javascript:")):
                continue
            target = (html / page).parent / unquote(urlparse(u).path)
            if not target.exists():
                gone.append(f"<{t}> {u}")
        if gone:
            missing[page] = gone
    return ext, missing


def test_no_external_resources_in_pages(book_html):
    ext, _ = _scan(book_html)
    assert not ext, "pages load from other hosts:\n" + json.dumps(ext, indent=1)


def test_local_resources_exist(book_html):
    _, missing = _scan(book_html)
    assert not missing, json.dumps(missing, indent=1)


def test_no_external_urls_in_stylesheets(book_html):
    bad = [str(c.relative_to(book_html)) for c in (book_html / "_static").rglob("*.css")
           if CSS_URL.search(c.read_text(encoding="utf-8", errors="replace"))]
    assert not bad, bad


def test_mathjax_and_widget_js_are_local(book_html):
    pages = {p: (book_html / p).read_text(encoding="utf-8") for p in html_pages(book_html)}
    math_pages = [p for p, t in pages.items() if 'class="math' in t]
    assert math_pages, "no page with math?"
    for p in math_pages:
        assert re.search(r'<script[^>]+src="[./]*_static/mathjax/tex-mml-chtml\.js', pages[p]), p
    assert (book_html / "_static/mathjax/output/chtml/fonts/woff-v2").is_dir()
    widget_pages = [p for p, t in pages.items() if "application/vnd.jupyter.widget-view+json" in t]
    for p in widget_pages:
        assert re.search(r'src="[./]*_static/requirejs/require\.js[?"]', pages[p]), p
        assert re.search(r'src="[./]*_static/jupyter-widgets/embed-amd\.js[?"]', pages[p]), p


def test_no_widget_manager_without_a_widget(book_html):
    """The static book shows no live widget, so no page ships the widget manager or its state."""
    pages = {p: (book_html / p).read_text(encoding="utf-8") for p in html_pages(book_html)}
    views = [p for p, t in pages.items() if "application/vnd.jupyter.widget-view+json" in t]
    assert not views, f"widget views in the static HTML (explorers must show their note): {views}"
    shipped = [p for p, t in pages.items()
               if "embed-amd.js" in t or "application/vnd.jupyter.widget-state+json" in t]
    assert not shipped, f"pages loading the widget manager or its state: {shipped}"
    notes = [p for p, t in pages.items() if 'class="explorer-note"' in t]
    assert len(notes) >= 8, f"explorer notes on {notes}"


def test_launch_notebooks_generated(book_html):
    """Colab needs .ipynb: one per chapter page, without outputs, behind the Colab button."""
    chapters = [p for p in html_pages(book_html) if p.startswith("book/0")]
    assert chapters
    for page in chapters:
        doc = page.removesuffix(".html")
        nb = nbformat.read(book_html / "_notebooks" / f"{doc}.ipynb", as_version=4)
        nbformat.validate(nb)
        assert "google.colab" in nb.cells[0].source
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        text = (book_html / page).read_text(encoding="utf-8")
        # launch buttons hidden while the repository has no public address (_config.yml)
        assert "colab.research.google.com" not in text and "mybinder.org" not in text, page
