"""Fixtures for the tests of the built HTML book (run by `make browser-test`).

These tests look at `_build/html` (or `$BOOK_HTML`). They are opt-in
(`BOOK_BROWSER_TEST=1`, which `make browser-test` sets) so that a plain
`pytest tests` does not start a browser or a book build. If the book has not
been built yet, the fixture builds it with `make book`.

Chromium: Debian's `chromium` + `chromium-driver` (`.ci/run` installs them).
Without them the tests fail under CI (`CI=true`) and are skipped locally.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from book_helpers import ROOT

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    if os.environ.get("BOOK_BROWSER_TEST") == "1":
        return
    skip = pytest.mark.skip(reason="tests of the built book: run `make browser-test` (sets BOOK_BROWSER_TEST=1)")
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(skip)


def _unavailable(msg: str):
    if IN_CI:
        pytest.fail(msg + " (CI=true: the browser test must run; .ci/run installs chromium + chromium-driver)")
    pytest.skip(msg + " -- install with: apt-get install chromium chromium-driver")


@pytest.fixture(scope="session")
def book_html() -> Path:
    html = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
    if not (html / "index.html").is_file():
        if "BOOK_HTML" in os.environ:
            pytest.fail(f"BOOK_HTML={html} has no index.html")
        subprocess.run(["make", "book"], cwd=ROOT, check=True)
    assert (html / "index.html").is_file(), f"no built book in {html}"
    return html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="session")
def server(book_html):
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: a free port
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _find(*names: str) -> str | None:
    for n in names:
        if n and (os.path.isabs(n) and os.access(n, os.X_OK)):
            return n
        if n and shutil.which(n):
            return shutil.which(n)
    return None


#: Flags for a browser on a closed network: no sandbox (CI runs as root), no GPU,
#: no background traffic, and every host name except the local server unresolvable,
#: so that anything the book tried to fetch from the internet fails visibly.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--metrics-recording-only",
    "--hide-scrollbars",
    "--window-size=1400,900",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def driver():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (it is pinned in requirements.txt)")
    chromium = _find(os.environ.get("CHROME_BIN", ""), "chromium", "chromium-browser", "google-chrome")
    chromedriver = _find(os.environ.get("CHROMEDRIVER", ""), "/usr/bin/chromedriver", "chromedriver")
    if chromium is None or chromedriver is None:
        _unavailable(f"headless Chromium not available (chromium: {chromium}, chromedriver: {chromedriver})")
    profile = tempfile.mkdtemp(prefix="book-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for f in CHROMIUM_FLAGS + [f"--user-data-dir={profile}"]:
        opts.add_argument(f)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # An explicit chromedriver path: selenium-manager never downloads anything.
    drv = webdriver.Chrome(service=Service(chromedriver), options=opts)
    drv.set_page_load_timeout(60)
    drv.set_script_timeout(60)
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)
