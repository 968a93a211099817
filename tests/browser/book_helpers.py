"""Shared helpers of the built-book tests (imported by conftest and the tests)."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]


def html_pages(html: Path) -> list[str]:
    """Every HTML page of the build, as paths relative to the output root."""
    skip_dirs = {"_static", "_sources", "_images", "_notebooks"}
    return sorted(
        p.relative_to(html).as_posix()
        for p in html.rglob("*.html")
        if not skip_dirs.intersection(p.relative_to(html).parts[:-1])
    )


def network(entries, base: str):
    """Failed and external requests from Chromium's performance log."""
    urls, failed, external, foreign = {}, [], [], set()
    for e in entries:
        msg = json.loads(e["message"])["message"]
        method, p = msg.get("method", ""), msg.get("params", {})
        if method == "Network.requestWillBeSent":
            url = p["request"]["url"]
            urls[p["requestId"]] = url
            if p.get("documentURL", "").startswith("chrome://"):  # the browser's own pages
                foreign.add(p["requestId"])
                continue
            if urlparse(url).scheme in {"http", "https", "ws", "wss"} and not url.startswith(base):
                external.append(url)
        elif method == "Network.responseReceived":
            r = p["response"]
            if r.get("status", 200) >= 400 and not r["url"].endswith("/favicon.ico"):
                failed.append(f"{r['status']} {r['url']}")
        elif method == "Network.loadingFailed" and not p.get("canceled") and p["requestId"] not in foreign:
            url = urls.get(p["requestId"], "?")
            if not url.endswith("/favicon.ico"):  # browsers probe it; the book has none
                failed.append(f"{p.get('errorText')} {url}")
    return failed, sorted(set(external))
