"""The built API reference (objects.inv of _build/html) documents every public name of nickelates."""
from __future__ import annotations

import importlib.util
import inspect
import re

from book_helpers import ROOT


def _public_names():
    spec = importlib.util.spec_from_file_location("api_reference_tool", ROOT / "tools" / "api_reference.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = []
    for modname in tool.public_modules():
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", None) or []:
            obj = getattr(mod, name)
            if (inspect.isclass(obj) or inspect.isfunction(inspect.unwrap(obj))) and \
                    getattr(obj, "__module__", "").startswith("nickelates"):
                out.append((f"{modname}.{name}", f"{obj.__module__}.{obj.__name__}"))
    return out


def _inventory(book_html):
    from sphinx.util.inventory import InventoryFile

    with open(book_html / "objects.inv", "rb") as f:
        inv = InventoryFile.load(f, "", lambda base, uri: uri)
    return {name: uri for kind, entries in inv.items() if kind.startswith("py:") for name, (*_, uri, _t) in
            entries.items()}


def test_every_public_name_in_objects_inv(book_html):
    inv = _inventory(book_html)
    names = _public_names()
    assert len(names) > 250
    missing = sorted(e for e, home in names if e not in inv and home not in inv)
    assert not missing, missing
    assert inv["nickelates.pairing.solve_gap"].startswith("book/api/pairing.html")


def test_chapters_link_to_the_api(book_html):
    """The chapters' {py:func} roles became links into the API pages."""
    linked = {}
    for page in sorted((book_html / "book").glob("0[0-9]-*.html")):
        linked[page.name] = len(re.findall(r'href="api/[^"]+\.html#nickelates\.', page.read_text(encoding="utf-8")))
    assert sum(linked.values()) >= 20, linked
    assert linked.get("03-pairing.html", 0) >= 5, linked
