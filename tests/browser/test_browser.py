"""The built book in a real browser: headless Chromium on a closed network.

One pass over every page of `_build/html` (served on 127.0.0.1) records, per
page: console errors, failed or external requests, math typesetting, images,
and the response of the static frame sliders; the tests below assert on that
record. A screenshot of each page opening goes to `_build/screenshots/`, and a
summary to `_build/screenshots/report.json`.
"""
from __future__ import annotations

import json
import time

import pytest

from book_helpers import ROOT, html_pages, network as _network

SCREENSHOTS = ROOT / "_build" / "screenshots"

#: Raw TeX that is known and not the book's fault, per page. The bibliography shows
#: the title of guo2025andreev as written in references.bib ("La$_3$Ni$_2$O$_{7-\delta}$"),
#: which pybtex does not typeset; remove this entry once the .bib title uses Unicode.
KNOWN_RAW_TEX: dict = {}

WAIT_MATHJAX = r"""
const done = arguments[arguments.length - 1];
const hasMJ = [...document.scripts].some(s => /mathjax/i.test(s.src));
if (!hasMJ) { done('no-mathjax'); return; }
const t0 = Date.now();
(function poll() {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(() => done('ok'), e => done('error: ' + e));
  } else if (Date.now() - t0 > 20000) { done('timeout: MathJax never started'); }
  else { setTimeout(poll, 50); }
})();
"""

WAIT_IMAGES = r"""
const done = arguments[arguments.length - 1];
// frames of a frame slider beyond the first have no src until the slider reaches them
const imgs = [...document.images].filter(i => i.getAttribute('src') || !i.dataset.src);
imgs.forEach(i => { i.loading = 'eager'; });
Promise.all(imgs.map(i => i.decode().then(() => null, () => null))).then(() => {
  done({
    n: imgs.length,
    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0))
                .map(i => (i.getAttribute('src') || '').slice(0, 120)),
  });
});
"""

MATH_STATE = r"""
const math = [...document.querySelectorAll('span.math, div.math')];
const untypeset = math.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80));
const errors = [...document.querySelectorAll('mjx-merror, [data-mjx-error]')]
  .map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120));
const root = (document.querySelector('main') || document.body).cloneNode(true);
root.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight, mjx-assistive-mml')
    .forEach(e => e.remove());
const text = root.textContent;
const raw = [];
for (const pat of [/\$\$/g, /\\\(/g, /\\\[/g, /\\begin\{/g, /\$[^$\n]{0,80}[\\_^][^$\n]{0,80}\$/g]) {
  for (const m of text.matchAll(pat)) {
    raw.push(text.slice(Math.max(0, m.index - 30), m.index + 50).replace(/\s+/g, ' '));
  }
}
return {n_math: math.length, n_mjx: document.querySelectorAll('mjx-container').length,
        untypeset: untypeset, errors: errors, raw: raw};
"""

WAIT_WIDGETS = r"""
const done = arguments[arguments.length - 1];
const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
const t0 = Date.now();
(function poll() {
  const missing = views.filter(v => !v.parentElement.querySelector('.jupyter-widgets, .lm-Widget'));
  if (!missing.length || Date.now() - t0 > 15000) {
    done({n: views.length, unrendered: missing.map(v => v.textContent.slice(0, 120))});
  } else { setTimeout(poll, 100); }
})();
"""

SLIDER_STATE = r"""
const s = arguments[0], k = arguments[1];
const frames = [...s.querySelectorAll('.fs-frame')];
const vis = frames.filter(f => getComputedStyle(f).display !== 'none');
const input = s.querySelectorAll('input[type=range]')[k];
const label = input.parentElement.querySelector('.fs-label') || s.querySelector('.fs-label');
return {n: frames.length, visible: vis.map(f => +f.dataset.i),
        ok: vis.length === 1 && vis[0].complete && vis[0].naturalWidth > 0,
        label: (label || {}).textContent, value: input.value};
"""

#: Markdown that did not render: table rows or separator rows left as text in paragraphs
RAW_MARKDOWN = r"""
const root = (document.querySelector('main') || document.body);
const bad = [];
for (const e of root.querySelectorAll('p, li, dd, td, th, div.cell_output .output')) {
  if (e.closest('pre, code, .highlight, script, style, mjx-container')) continue;
  const clone = e.cloneNode(true);
  clone.querySelectorAll('pre, code, mjx-container, script, style').forEach(x => x.remove());
  const text = clone.textContent;
  // a separator row (| --- |) or a whole row (a line that starts and ends with | around 2+ cells);
  // prose with absolute values (|Δ| on the sheet ... |b| (d)) does not end with |
  if (/\|\s*:?-{3,}:?\s*\|/.test(text) || /(^|\n)[ \t]*\|(?:[^|\n]*\|){2,}[ \t]*(\n|$)/.test(text)) {
    bad.push(text.replace(/\s+/g, ' ').slice(0, 160));
  }
}
return bad;
"""


#: what the page loaded on opening (uncompressed): the document and every local resource so far
PAGE_WEIGHT = r"""
const nav = performance.getEntriesByType('navigation')[0] || {};
const res = performance.getEntriesByType('resource');
return {doc: nav.decodedBodySize || 0, resources: res.reduce((a, r) => a + (r.decodedBodySize || 0), 0),
        n: res.length,
        biggest: res.map(r => [r.decodedBodySize || 0, r.name.replace(location.origin, '')])
                    .sort((a, b) => b[0] - a[0]).slice(0, 3)};
"""

#: figures, code overflow, leftovers: what a reader sees on the page (issue 26)
PAGE_CHECKS = r"""
const main = document.querySelector('main') || document.body;
const outImgs = [...main.querySelectorAll('.cell_output img, .output img')]
  .filter(i => !i.closest('.frame-slider'));
const uncaptioned = outImgs.filter(i => {
  const fig = i.closest('figure');
  return !(fig && fig.querySelector('figcaption') && fig.querySelector('figcaption').textContent.trim());
}).map(i => (i.getAttribute('src') || '').split('/').pop().slice(0, 60));
const overflow = [...main.querySelectorAll('div.cell_input pre')]
  .filter(p => p.scrollWidth > p.clientWidth + 1).length;
const text = main.innerText;
const tmp = [...text.matchAll(/(\/tmp\/\S+|\/var\/folders\/\S+|tmp[a-z0-9_]{8}\b)/g)].map(m => m[0].slice(0, 80));
const rawUnderscore = [...main.querySelectorAll('figcaption, caption, a')]
  .filter(e => !e.closest('pre, code, .highlight') && !e.querySelector('mjx-container, code'))
  .map(e => e.textContent.trim())
  .filter(t => /\b[A-Za-z]{1,4}_[A-Za-z0-9{\\]/.test(t) && !/^[\w.]+$/.test(t) && !/\.(py|md|json|nc)\b/.test(t))
  .map(t => t.slice(0, 80));
return {images: outImgs.length, uncaptioned: uncaptioned, code_overflow: overflow, tmp_paths: tmp,
        raw_underscore: rawUnderscore};
"""


def _visit(driver, server: str, page: str, book_html=None) -> dict:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    t0 = time.perf_counter()
    url = f"{server}/{page}"
    driver.get(url)
    if driver.execute_script("return !!document.querySelector('meta[http-equiv=refresh]')"):
        # index.html forwards to the first chapter: check the page a reader lands on
        WebDriverWait(driver, 15).until(
            lambda d: d.current_url != url and d.execute_script("return document.readyState") == "complete")
    rec = {"page": page, "url": driver.current_url.removeprefix(server + "/"),
           "mathjax": driver.execute_async_script(WAIT_MATHJAX)}
    rec["widgets"] = driver.execute_async_script(WAIT_WIDGETS)
    rec["images"] = driver.execute_async_script(WAIT_IMAGES)
    rec["math"] = driver.execute_script(MATH_STATE)
    known = KNOWN_RAW_TEX.get(page, ())
    rec["math"]["raw_known"] = [t for t in rec["math"]["raw"] if any(k in t for k in known)]
    rec["math"]["raw"] = [t for t in rec["math"]["raw"] if not any(k in t for k in known)]
    driver.execute_script("window.scrollTo(0, 0)")
    shot = SCREENSHOTS / (page.replace("/", "__").removesuffix(".html") + ".png")
    driver.save_screenshot(str(shot))
    rec["screenshot"] = str(shot.relative_to(ROOT))

    rec["raw_markdown"] = driver.execute_script(RAW_MARKDOWN)
    rec["weight"] = driver.execute_script(PAGE_WEIGHT)
    rec["checks"] = driver.execute_script(PAGE_CHECKS)
    sliders = []
    for s in driver.find_elements(By.CSS_SELECTOR, ".frame-slider"):
        # every range input of the slider (two for a 2D grid of frames)
        for k, rng in enumerate(s.find_elements(By.CSS_SELECTOR, "input[type=range]")):
            before = driver.execute_script(SLIDER_STATE, s, k)
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", rng)
            rng.send_keys(Keys.ARROW_RIGHT)  # a keyboard move, as a reader would do it
            # the new frame is a file fetched when the slider reaches it: give it a moment
            t_wait = time.perf_counter()
            while True:
                after = driver.execute_script(SLIDER_STATE, s, k)
                if after["ok"] or time.perf_counter() - t_wait > 10:
                    break
                time.sleep(0.05)
            sliders.append({"input": k, "before": before, "after": after,
                            "changed": after["visible"] != before["visible"]
                            and after["label"] != before["label"] and after["ok"] and before["ok"]})
    rec["sliders"] = sliders
    rec["page_bytes"] = (book_html / page).stat().st_size if book_html else None

    console = driver.get_log("browser")
    # browsers probe /favicon.ico on their own; the book has none (not an error of the book)
    rec["console_errors"] = [f"{c['level']}: {c['message'][:300]}" for c in console
                             if c["level"] == "SEVERE" and "/favicon.ico " not in c["message"]]
    rec["failed_requests"], rec["external_requests"] = _network(driver.get_log("performance"), server)
    rec["seconds"] = round(time.perf_counter() - t0, 2)
    return rec


@pytest.fixture(scope="module")
def visits(driver, server, book_html):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = html_pages(book_html)
    assert "index.html" in pages and len(pages) >= 3, pages
    # Drop what Chromium's own start page logged (it tries to reach external hosts);
    # no book page has been opened yet, so first-visit errors of the book still count.
    driver.get("about:blank")
    driver.get_log("browser"), driver.get_log("performance")
    t0 = time.perf_counter()
    out = {p: _visit(driver, server, p, book_html) for p in pages}
    summary = {"pages": len(out), "seconds": round(time.perf_counter() - t0, 1), "visits": out}
    (SCREENSHOTS / "report.json").write_text(json.dumps(summary, indent=1))
    print(f"\nbrowser test: {len(out)} pages in {summary['seconds']} s")
    for p, r in out.items():
        w = r["weight"]
        print(f"  {p:40s} {r['seconds']:5.1f} s  math {r['math']['n_mjx']:4d}  img {r['images']['n']:3d}"
              f"  sliders {len(r['sliders'])}  widgets {r['widgets']['n']}  html {r['page_bytes'] / 1e6:5.2f} MB"
              f"  loaded {(w['doc'] + w['resources']) / 1e6:5.2f} MB  uncaptioned {len(r['checks']['uncaptioned'])}"
              f"  code overflow {r['checks']['code_overflow']}")
    return out


def _bad(visits, fn):
    return {p: v for p, r in visits.items() if (v := fn(r))}


def test_no_console_errors(visits):
    assert not _bad(visits, lambda r: r["console_errors"])


def test_no_failed_requests(visits):
    assert not _bad(visits, lambda r: r["failed_requests"])


def test_no_requests_leave_localhost(visits):
    """Works offline: nothing is fetched from another host (they are unresolvable here)."""
    assert not _bad(visits, lambda r: r["external_requests"])


def test_every_equation_typeset(visits):
    assert not _bad(visits, lambda r: r["mathjax"] not in ("ok", "no-mathjax") and r["mathjax"])
    assert not _bad(visits, lambda r: r["mathjax"] == "no-mathjax" and r["math"]["n_math"] and "no MathJax")
    assert not _bad(visits, lambda r: r["math"]["untypeset"])
    assert not _bad(visits, lambda r: r["math"]["errors"])
    assert not _bad(visits, lambda r: r["math"]["raw"])
    # the chapters do have math, and it was typeset
    assert sum(r["math"]["n_mjx"] for r in visits.values()) > 50


def test_every_image_loaded(visits):
    assert not _bad(visits, lambda r: r["images"]["broken"])


def test_no_widget_views_in_static_pages(visits):
    """The static book shows no (dead) live widget: explorers show their one-line note instead."""
    assert not _bad(visits, lambda r: r["widgets"]["n"])


def test_markdown_rendered(visits):
    """No Markdown table left as raw text (e.g. an unescaped `|` in a cell broke the table)."""
    assert not _bad(visits, lambda r: r["raw_markdown"])


#: most a page may load on opening (uncompressed: the HTML and the local assets it fetches)
MAX_PAGE_BYTES = 5e6


def test_pages_stay_light(visits):
    """Every page loads at most 5 MB on opening (frames beyond the first load when reached)."""
    def heavy(r):
        w = r["weight"]
        total = w["doc"] + w["resources"]
        return total > MAX_PAGE_BYTES and f"{total / 1e6:.1f} MB, biggest {w['biggest']}"
    assert not _bad(visits, heavy)


#: figures still without a numbered caption, per page: a ratchet (lower it as chapters are captioned)
KNOWN_UNCAPTIONED: dict = {}
#: code cells still wider than the page at 1400 px, per page: a ratchet (88-character lines fit;
#: these are the cells with a longer line, tools/chapter_long_lines.json counts the lines)
KNOWN_CODE_OVERFLOW: dict = {}
#: captions and link texts still showing raw ``_`` maths, per page: a ratchet (write them as maths or
#: Unicode); API and index pages show identifiers and are not checked
KNOWN_RAW_UNDERSCORE: dict = {}
_IDENTIFIER_PAGES = ("book/api/", "book/api.html", "genindex.html", "py-modindex.html", "search.html")


def test_every_figure_captioned(visits):
    """Every output image of a chapter sits in a figure with a caption (frame sliders aside)."""
    assert not _bad(visits, lambda r: len(r["checks"]["uncaptioned"]) > KNOWN_UNCAPTIONED.get(r["page"], 0)
                    and r["checks"]["uncaptioned"])


def test_code_fits_the_page(visits):
    """No code block scrolls sideways at 1400 px (the chapters' lint holds lines to 88 characters)."""
    assert not _bad(visits, lambda r: r["checks"]["code_overflow"] > KNOWN_CODE_OVERFLOW.get(r["page"], 0)
                    and r["checks"]["code_overflow"])


def test_no_leftovers(visits):
    """No temporary-directory path in a page, no raw ``_`` maths in captions and link texts."""
    assert not _bad(visits, lambda r: r["checks"]["tmp_paths"])
    assert not _bad(visits, lambda r: not r["page"].startswith(_IDENTIFIER_PAGES)
                    and len(r["checks"]["raw_underscore"]) > KNOWN_RAW_UNDERSCORE.get(r["page"], 0)
                    and r["checks"]["raw_underscore"])


def test_frame_sliders_respond(visits):
    n = sum(len(r["sliders"]) for r in visits.values())
    assert n >= 1, "no .frame-slider found in the book"
    assert not _bad(visits, lambda r: [s for s in r["sliders"] if not s["changed"]])


def test_screenshots_written(visits):
    for r in visits.values():
        shot = ROOT / r["screenshot"]
        assert shot.is_file() and shot.stat().st_size > 5000, shot


def test_search_works_offline(driver, server):
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{server}/search.html?q=Fermi")
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.querySelectorAll('ul.search li').length") > 0
    )
    hits = driver.execute_script("return [...document.querySelectorAll('ul.search li a')].map(a => a.href)")
    assert any("01-bands" in h for h in hits), hits
    # browsers probe /favicon.ico on their own; the book has none (not an error of the book)
    console = [c for c in driver.get_log("browser")
               if c["level"] == "SEVERE" and "/favicon.ico " not in c["message"]]
    assert not console, console


def test_raw_markdown_check_catches_a_broken_table(driver):
    """The check of test_markdown_rendered flags a table left as text (and not a real table or code)."""
    import urllib.parse

    page = ("<main><p>| κ | |Δβ| on sheet |\n| --- | --- |\n| 0 | 37.0 |</p>"
            "<table><tr><td>fine</td></tr></table><pre>| a | b |\n| --- | --- |</pre>"
            "<p>a | b is prose</p><p>|Delta_beta| on the diagonal or |b_beta| (d), eV.\n|x| too</p>"
            "<p>| 1 | 2 |</p></main>")
    driver.get("data:text/html;charset=utf-8," + urllib.parse.quote(page))
    bad = driver.execute_script(RAW_MARKDOWN)
    assert len(bad) == 2 and "| --- |" in bad[0] and bad[1] == "| 1 | 2 |", bad


#: what a reader sees on opening a chapter on a phone: the page must not scroll sideways
FIRST_SCREEN = r"""
const main = document.querySelector('main') || document.body;
const h1 = main.querySelector('h1');
const vis = [...main.querySelectorAll('h1, h2, h3, p, li, details > summary, .cell_input')]
  .filter(e => { const r = e.getBoundingClientRect();
                 return r.height > 0 && r.top < window.innerHeight && r.bottom > 0; });
return {width: window.innerWidth,
        page_overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        title: h1 ? h1.textContent.replace('#', '').trim() : '',
        first_screen: vis.map(e => (e.classList.contains('cell_input') ? '[code] ' : '')
                                   + e.textContent.trim().replace(/\s+/g, ' ').slice(0, 90)).slice(0, 8),
        code_toggle_first: !!(vis.find(e => e.classList.contains('cell_input')))};
"""


def _get_with_retry(driver, url, tries=3):
    """driver.get, retried when a loaded machine makes the renderer miss its 60 s deadline."""
    from selenium.common.exceptions import TimeoutException

    for k in range(tries):
        try:
            return driver.get(url)
        except TimeoutException:
            if k == tries - 1:
                raise
            time.sleep(2)


def test_first_screen_at_phone_width(driver, server, book_html):
    """At 420 px each chapter opens on its title and Overview, without sideways scrolling;
    the first screens at 420 and 1400 px are saved (``narrow__*.png``, ``first_screens.json``)."""
    pages = [p for p in html_pages(book_html) if p.startswith("book/0")]
    assert pages, "no chapter pages"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    out = {}
    try:
        for width in (1400, 420):
            driver.set_window_size(width, 900)
            for page in pages:
                _get_with_retry(driver, f"{server}/{page}")
                driver.execute_async_script(WAIT_MATHJAX)
                driver.execute_script("window.scrollTo(0, 0)")
                rec = driver.execute_script(FIRST_SCREEN)
                if width == 420:
                    driver.save_screenshot(str(SCREENSHOTS / ("narrow__" + page.replace("/", "__")
                                                              .removesuffix(".html") + ".png")))
                out.setdefault(page, {})[str(width)] = rec
    finally:
        driver.set_window_size(1400, 900)
    (SCREENSHOTS / "first_screens.json").write_text(json.dumps(out, indent=1))
    narrow = {p: r["420"] for p, r in out.items()}
    assert not {p: r["page_overflow"] for p, r in narrow.items() if r["page_overflow"] > 1}
    assert not [p for p, r in out.items() if any(v["code_toggle_first"] for v in r.values())
                and p not in KNOWN_CODE_FIRST]
    assert not [p for p, r in narrow.items() if not any("Overview" in t for t in r["first_screen"])
                and p not in KNOWN_NO_OVERVIEW]


#: chapters whose first screen still shows a code cell / no Overview (ratchets; issue 26)
KNOWN_CODE_FIRST: set = set()
KNOWN_NO_OVERVIEW: set = set()
