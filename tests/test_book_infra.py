"""Book infrastructure: launch environment, offline assets config, equation map.

Fast checks that run with the unit tests (before the slow book build), so that a
malformed source label or a pin drifting between requirements files fails early.
"""
from __future__ import annotations

import importlib.util
import json
import re
import sys
import types
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PAPERS = ROOT.parent / "shared" / "papers"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


eqmap = _load("equation_map")
assets = _load("offline_assets")


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line!r} is not pinned with =="
            pins[name.lower()] = version
    return pins


# ----------------------------------------------------------------------------- launch environment
#: In requirements.txt but deliberately not in the Binder image (book build and tests only).
NOT_FOR_BINDER = {"jupyter-book", "sphinx", "myst-nb", "sphinxcontrib-bibtex", "sphinx-exercise",
                  "sphinx-togglebutton", "nbconvert", "pytest", "selenium", "hypothesis", "ruff", "numpydoc"}


def test_binder_requirements_in_sync():
    main, binder = _pins(ROOT / "requirements.txt"), _pins(ROOT / "binder" / "requirements.txt")
    drift = {n: (main.get(n), v) for n, v in binder.items() if main.get(n) != v}
    assert not drift, f"binder/requirements.txt pins differ from requirements.txt: {drift}"
    missing = set(main) - set(binder) - NOT_FOR_BINDER
    assert not missing, f"add to binder/requirements.txt (same pins): {sorted(missing)}"


def test_binder_postbuild_installs_library():
    text = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in text and "jupytext --to ipynb" in text


# ----------------------------------------------------------------------------- config
def _config():
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def test_offline_assets_wired_into_config():
    cfg = _config()["sphinx"]["config"]
    assert ".cache/book-static" in cfg["html_static_path"]
    assert cfg["mathjax_path"] == assets.MATHJAX_ENTRY
    assert list(cfg["nb_ipywidgets_js"]) == [assets.REQUIREJS_ENTRY, assets.WIDGETS_SETUP_ENTRY,
                                             assets.WIDGETS_ENTRY]
    assert not any("://" in k for k in cfg["nb_ipywidgets_js"])


def test_launch_buttons_configured():
    cfg = _config()
    lb = cfg["launch_buttons"]
    assert lb["binderhub_url"] and lb["colab_url"] and lb["thebe"] is True
    assert cfg["repository"]["url"].startswith("https://github.com/")  # other hosts break -W
    assert "book_html" in cfg["sphinx"]["local_extensions"]
    # hidden until the repository has a public address (the placeholder leads nowhere)
    assert cfg["sphinx"]["config"]["launch_buttons_public"] is False


def _page_context(**extra):
    from sphinx.builders.html._assets import _JavaScript

    scripts = [_JavaScript("_static/mathjax/tex-mml-chtml.js"), _JavaScript("_static/requirejs/require.js"),
               _JavaScript(None, type="application/vnd.jupyter.widget-state+json", body="{}"),
               _JavaScript("_static/jupyter-widgets/embed-amd.js")]
    return {"script_files": scripts, "body": "<p>text</p>",
            "header_buttons": [{"label": "launch-buttons", "buttons": []}, {"label": "download-buttons"}],
            **extra}


def test_widget_manager_dropped_from_pages_without_a_widget():
    ln = _load("book_html")
    ctx = _page_context()
    ln.drop_unused_widget_manager(None, "book/01-bands", "page.html", ctx, None)
    assert [js.filename for js in ctx["script_files"]] == ["_static/mathjax/tex-mml-chtml.js"]
    ctx = _page_context(body='<script type="application/vnd.jupyter.widget-view+json">{}</script>')
    ln.drop_unused_widget_manager(None, "book/01-bands", "page.html", ctx, None)
    assert len(ctx["script_files"]) == 4          # a page that shows a widget keeps its manager


def test_launch_buttons_hidden_until_public():
    ln = _load("book_html")
    app = types.SimpleNamespace(config=types.SimpleNamespace(launch_buttons_public=False))
    ctx = _page_context()
    ln.rewrite_launch_links(app, "book/01-bands", "page.html", ctx, None)
    assert [g["label"] for g in ctx["header_buttons"]] == ["download-buttons"]


def test_launch_notebook_has_colab_setup_cell():
    ln = _load("book_html")
    app = types.SimpleNamespace(
        config=types.SimpleNamespace(html_theme_options={"repository_url": "https://github.com/o/r",
                                                         "repository_branch": "main"}),
        env=types.SimpleNamespace(doc2path=lambda d: str(ROOT / f"{d}.md")),
    )
    nb = ln.notebook_for(app, "book/01-bands")
    assert "clone" in nb.cells[0].source and "https://github.com/o/r" in nb.cells[0].source
    compile(nb.cells[0].source, "setup", "exec")
    assert "jupytext" not in nb.metadata and nb.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


# ----------------------------------------------------------------------------- equation map
def test_source_numbering_complete():
    data = json.loads((ROOT / "data" / "source_numbering.json").read_text())
    src = data["sources"]
    assert set(src) == set(eqmap.SOURCES)

    def ns(key, kind):
        return [it["n"] for it in src[key]["items"] if it["kind"] == kind]

    for key in ("liu2026triplon", "liu2026triplonv1"):
        assert ns(key, "eq") == [str(i) for i in range(1, 19)]
    assert ns("liu2026triplon", "fig") == ["1", "2", "3", "4", "5"]
    assert ns("liu2026triplonv1", "fig") == ["1", "2", "3", "4"]
    b = ns("borchia2025mixd", "eq")
    assert b == ([str(i) for i in range(1, 14)] + [f"A{i}" for i in range(1, 15)]
                 + [f"B{i}" for i in range(1, 21)] + ["C1", "C2"])
    assert ns("borchia2025mixd", "fig") == [str(i) for i in range(1, 8)]
    assert ns("guo2025andreev", "fig") == ["1", "2", "3", "4"] + [f"ED{i}" for i in range(1, 12)]
    assert ns("guo2025andreev", "tab") == ["ED3"]
    assert ns("guo2025andreev", "eq")[0] == "1" and len(ns("guo2025andreev", "eq")) == 11


@pytest.mark.skipif(not PAPERS.is_dir(), reason="shared/papers not beside the repository")
def test_source_numbering_matches_papers():
    committed = json.loads((ROOT / "data" / "source_numbering.json").read_text())
    assert eqmap.extract(PAPERS) == committed, "run: python tools/equation_map.py --extract"


def _fake_book(tmp_path: Path, toc_docs: list[str], chapters: dict[str, str]) -> Path:
    (tmp_path / "book").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "source_numbering.json").write_text(
        (ROOT / "data" / "source_numbering.json").read_text())
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: x\n    chapters:\n"
        + "".join(f"      - file: {d}\n" for d in toc_docs))
    for name, text in chapters.items():
        (tmp_path / "book" / name).write_text(text)
    return tmp_path


def test_equation_map_links_labels(tmp_path):
    root = _fake_book(tmp_path, ["book/01-a"], {
        "01-a.md": "(chap-a)=\n# A\n\n(src-liu2026triplon-eq-5)=\n(src-liu2026triplon-fig-2)=\n"
                   "## Bands\n% computes: nickelates.bands.dispersion, nickelates.bands.fillings\n\ntext\n\n"
                   "(src-borchia2025mixd-eq-b7-b9)=\n### Mean field\n",
        "02-c.md": "(src-borchia2025mixd-eq-b8--again)=\n## Second section on B8\n",
        "09-b.md": "(src-guo2025andreev-fig-ed3)=\n## Not in the TOC yet\n",
    })
    labels, problems = eqmap.scan_chapters(root)
    assert not problems
    assert {l["label"] for l in labels} == {"src-liu2026triplon-eq-5", "src-liu2026triplon-fig-2",
                                             "src-borchia2025mixd-eq-b7-b9", "src-guo2025andreev-fig-ed3",
                                             "src-borchia2025mixd-eq-b8--again"}
    text, problems = eqmap.build(root)
    assert not problems
    rows = {}
    for sec in text.split("\n## ")[1:]:
        key = re.search(r"\{cite:p\}`(\w+)`", sec)
        if key:
            rows[key.group(1)] = {m.group(1): m.group(0) for m in re.finditer(r"^\| (.+?) \|.*$", sec, flags=re.M)}
    liu, bor, guo = rows["liu2026triplon"], rows["borchia2025mixd"], rows["guo2025andreev"]
    assert "{ref}`ch. 1: Bands <src-liu2026triplon-eq-5>`" in liu["Eq. (5)"]
    assert "`nickelates.bands.dispersion`" in liu["Eq. (5)"]
    assert "not yet covered" in rows["liu2026triplonv1"]["Eq. (5)"]
    assert "{ref}`ch. 1: Mean field <src-borchia2025mixd-eq-b7-b9>`" in bor["Eq. (B8)"]
    assert "in preparation (02-c.md)" in bor["Eq. (B8)"]          # 02-c is not in the fake TOC
    assert "not yet covered" in bor["Eq. (B10)"]
    assert "in preparation (09-b.md)" in guo["Extended Data Fig. 3"]
    assert "{ref}`" not in guo["Extended Data Fig. 3"]        # never a dangling link under -W
    assert "Coverage: 6 of" in text


def test_equation_map_link_titles_are_plain_text():
    """A {ref} to a section would show the raw TeX of its title: the map writes plain titles."""
    assert eqmap.plain_title(r"From real-space hopping to the $\eta_{\bk}$ form factor") == \
        "From real-space hopping to the ηₖ form factor"
    assert eqmap.plain_title(r"Fig. 4: $\widetilde N/N$ and `code`") == "Fig. 4: Ñ/N and code"
    # no raw underscore in a link text (the browser test's check): Unicode or run in
    assert eqmap.plain_title(r"$T_c$ and $2\Delta/k_BT_c$, $N_{\rm sc}$") == "Tc and 2Δ/kBTc, Nsc"


def test_equation_map_reports_bad_labels(tmp_path):
    root = _fake_book(tmp_path, ["book/01-a"], {
        "01-a.md": "(src-liu2026triplon-eq-99)=\n## Wrong number\n\n(src-nopaper-eq-1)=\n## Unknown\n\n"
                   "(src-liu2026triplon-eq-1)=\nno heading here\n\n(src-Liu-eq 1)=\n## malformed\n",
    })
    _, problems = eqmap.build(root)
    text = "\n".join(problems)
    assert "no Eq. 99" in text and "unknown source key 'nopaper'" in text
    assert "not followed by a heading" in text and "malformed" in text


def test_equation_map_of_this_book_is_clean():
    """The chapters' labels are well formed (caught here, before the slow build)."""
    text, problems = eqmap.build(ROOT)
    assert not problems, problems
    assert "# Equation and figure map" in text


def _labels_in(doc: Path) -> set[str]:
    t = doc.read_text(encoding="utf-8")
    return (set(re.findall(r"^\(([^()\s]+)\)=\s*$", t, flags=re.M))
            | set(re.findall(r"^:(?:label|name):\s*(\S+)", t, flags=re.M))
            | set(re.findall(r"^\$\$\s*\((\S+)\)\s*$", t, flags=re.M)))


REFERENCE_PAGES = ["notation.md", "course-map.md", "equation-map.md"]


@pytest.mark.parametrize("page", REFERENCE_PAGES)
def test_reference_pages_link_only_built_labels(page):
    """{ref} targets of the reference pages exist (else -W fails the book build).

    A page in _toc.yml may link only labels of pages in _toc.yml; a page not yet
    in the TOC may also link the other reference pages (they go in together).
    """
    path = ROOT / "book" / page
    toc = eqmap.toc_files(ROOT)
    sources = {ROOT / f"{d}.md" for d in toc}
    if f"book/{path.stem}" not in toc:
        sources |= {ROOT / "book" / p for p in REFERENCE_PAGES}
    known = set()
    for f in sources:
        if f.exists():
            known |= _labels_in(f)
    refs = set(re.findall(r"\{ref\}`(?:[^`<]*<)?([^`>]+)>?`", path.read_text(encoding="utf-8")))
    missing = refs - known
    assert not missing, f"{page}: {{ref}} targets not in _toc.yml's pages: {sorted(missing)}"


# ----------------------------------------------------------------------------- API reference
apiref = _load("api_reference")


def test_api_pages_up_to_date():
    """book/api.md and book/api/*.md are what tools/api_reference.py writes from the docstrings."""
    assert apiref.main(["--check"]) == 0, "run: python tools/api_reference.py"


def _public_names():
    """(exported name, defining name) of every public function and class, re-exports included."""
    import importlib
    import inspect

    out = []
    for modname in apiref.public_modules():
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", None) or []:
            obj = getattr(mod, name)
            if (inspect.isclass(obj) or inspect.isfunction(inspect.unwrap(obj))) and \
                    getattr(obj, "__module__", "").startswith("nickelates"):
                out.append((f"{modname}.{name}", f"{obj.__module__}.{obj.__name__}"))
    return out


def test_api_page_lists_every_public_name():
    listed = set()
    for page in [ROOT / "book" / "api.md", *(ROOT / "book" / "api").glob("*.md")]:
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(r"^\.\. auto(?:function|class|data):: (\S+)$", text, flags=re.M):
            listed.add(m.group(1))
    names = _public_names()
    assert len(names) > 250
    missing = sorted(exported for exported, home in names if exported not in listed and home not in listed)
    assert not missing, f"public names not on the API pages: {missing}"
    assert "nickelates.pairing.solve_gap" in listed and "nickelates.btk.fitting.fit" in listed


def test_api_docstring_escapes():
    """|x| and Delta_ in plain-text docstrings must not become reST substitutions or links."""
    assert apiref.escape_pipes("the |Δ| of ``|x|`` and :math:`|y|`") == r"the \|Δ\| of ``|x|`` and :math:`|y|`"
    assert apiref.escape_pipes(">>> abs(-1)|2\n3") == ">>> abs(-1)|2\n3"
    assert apiref.escape_pipes("g+- = gamma(E, |Delta_+-|)") == r"g+- = gamma(E, \|Delta\_+-\|)"
    assert apiref.escape_pipes("| a | b |") == "| a | b |"
    lit = apiref.literal_formulas("text:\n\n    sigma = 1\n        / 2\n\nmore\n")
    assert "::" in lit and lit.endswith("more\n")


def test_api_summaries_do_not_stop_at_an_abbreviation():
    """The API tables' one-line summaries (autosummary's first sentence) never end in "Eq." or "Fig."."""
    import inspect

    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document
    from sphinx.ext import autosummary

    apiref.extend_summary_abbreviations()
    document = new_document("<api>", get_default_settings(Parser))
    document.settings.report_level = 5          # quiet: only the summary text matters
    cut = []
    for exported, _home in _public_names():
        modname, name = exported.rsplit(".", 1)
        doc = inspect.getdoc(getattr(sys.modules[modname], name)) or ""
        summary = autosummary.extract_summary(doc.splitlines(), document)
        if re.search(r"\b(Eqs?|Figs?|Refs?|Sec|Tab)\.$", summary):
            cut.append(f"{exported}: {summary!r}")
    assert not cut, "summaries cut at an abbreviation:\n" + "\n".join(cut)


def test_every_public_constant_has_a_doc_comment():
    """Issue 26: a public constant's API entry shows its own ``#:`` comment, not its type's docstring."""
    import importlib
    import inspect

    from sphinx.pycode import ModuleAnalyzer

    documented = set()            # names with a doc comment in some public module (re-exports included)
    for modname in apiref.public_modules():
        found = ModuleAnalyzer.for_module(modname).find_attr_docs()
        documented |= {name for (_cls, name), lines in found.items() if any(x.strip() for x in lines)}
    missing = []
    for modname in apiref.public_modules():
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", None) or []:
            obj = getattr(mod, name)
            if inspect.ismodule(obj) or inspect.isclass(obj) or callable(obj):
                continue
            if name not in documented:
                missing.append(f"{modname}.{name}")
    assert not missing, f"public constants without a '#:' doc comment: {missing}"


@pytest.mark.slow
def test_failing_assert_names_chapter_and_cell(monkeypatch):
    """Issue 25 item 2: a bare failing assert in a chapter says which chapter and cell."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from nickelates import book\nch = book.setup(inline=False)"),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("# the check\nassert x == 2")]
    monkeypatch.setenv("NICKELATES_CHAPTER", "book/99-example.md")
    with pytest.raises(CellExecutionError) as info:
        NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    text = str(info.value)
    assert "AssertionError in chapter 99-example.md, cell In [3] (first line: 'assert x == 2')" in text


def test_first_code_line_skips_comments_and_magics():
    from nickelates.book import _first_code_line

    assert _first_code_line("\n# c\n%matplotlib inline\n  assert a < b  \n") == "assert a < b"
    assert _first_code_line("# only a comment") == ""
    assert _first_code_line("x = " + "1" * 100).endswith("...")


def _reading_minutes(md: Path) -> tuple[int, float]:
    """(stated, counted) time to learn: 150 words and one shown code cell per minute."""
    import jupytext

    text = md.read_text(encoding="utf-8")
    stated = int(re.search(r"\*\*Time to learn:\*\* about (\d+) min", text).group(1))
    words = cells = 0
    for c in jupytext.reads(text, fmt="md:myst").cells:
        if c.cell_type == "markdown":
            t = re.sub(r"\{glue:text\}`[^`]*`|\$[^$]*\$", "X", c.source)
            words += len(re.findall(r"[A-Za-zα-ωΑ-Ω0-9][\w'’-]*", t))
        elif c.cell_type == "code" and not {"remove-input", "remove-cell", "hide-input", "hide-cell"} \
                & set(c.metadata.get("tags", [])):
            cells += 1
    return stated, words / 150 + cells


@pytest.mark.parametrize("md", sorted((ROOT / "book").glob("0*.md")), ids=lambda p: p.stem)
def test_time_to_learn_matches_the_stated_pace(md):
    """Issue 26: "Time to learn" follows from its stated pace (words / 150 + shown code cells),
    within 5 minutes or 10 % (the chapters round to 5 minutes)."""
    stated, counted = _reading_minutes(md)
    assert abs(stated - counted) <= max(5.0, 0.1 * counted), (stated, round(counted, 1))
