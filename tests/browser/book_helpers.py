"""Shared helpers of the built-book tests (imported by conftest and the tests)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def html_pages(html: Path) -> list[str]:
    """Every HTML page of the build, as paths relative to the output root."""
    skip_dirs = {"_static", "_sources", "_images", "_notebooks"}
    return sorted(
        p.relative_to(html).as_posix()
        for p in html.rglob("*.html")
        if not skip_dirs.intersection(p.relative_to(html).parts[:-1])
    )
