"""Sphinx extension for the HTML book: launch notebooks and clean pages.

Loaded by ``_config.yml`` (``sphinx.local_extensions``).

Launch buttons (Colab, Binder). The chapters are
MyST-Markdown notebooks; Colab can only open ``.ipynb`` files that live on
GitHub, and Binder's JupyterLab opens ``.md`` as text. So:

* after an HTML build, every notebook page is converted with jupytext into
  ``<outdir>/_notebooks/<docname>.ipynb`` (no outputs; never committed) with a
  first cell that, on Colab, clones the repository and installs the library.
  Publishing ``_build/html`` on the site branch (``launch_notebooks_branch``,
  default ``gh-pages``) makes the Colab links resolve;
* the Colab button of sphinx-book-theme is rewritten to point at that file,
  and the Binder button at ``<docname>.ipynb`` (``binder/postBuild`` creates
  those in the Binder image with jupytext).

Clean pages (no console errors, which tests/browser checks):

* repeated inline ``<script>`` entries are dropped (sphinx-thebe and
  sphinx-togglebutton register theirs twice; a repeated ``const`` is a SyntaxError);
* (in ``_config.yml``: ``html_context.default_mode: auto``, without which the
  theme logs "Got invalid theme mode" on a reader's first visit.)
"""
from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat

NOTEBOOK_DIR = "_notebooks"

SETUP_SOURCE = '''\
# Setup for Colab (does nothing elsewhere): fetch the book's repository,
# install its library, and run from book/ like the book build does.
import os, subprocess, sys
if "google.colab" in sys.modules and not os.path.isdir("/content/{repo}"):
    subprocess.run(["git", "clone", "-q", "--depth", "1", "-b", "{branch}", "{url}", "/content/{repo}"], check=True)
    # the library (its dependencies come from pyproject.toml) and the two packages
    # that only some chapters import
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "/content/{repo}",
                    "pymablock", "physics-tenpy"], check=True)
    sys.path.insert(0, "/content/{repo}/lib")
if "google.colab" in sys.modules:
    os.chdir("/content/{repo}/book")
'''


def _repo(app):
    opts = app.config.html_theme_options or {}
    url = (opts.get("repository_url") or "").rstrip("/")
    if "github.com/" not in url:
        return None
    org, repo = url.split("github.com/")[-1].split("/")[:2]
    return url, org, repo, opts.get("repository_branch") or "main"


def notebook_for(app, docname: str) -> nbformat.NotebookNode:
    """The launch notebook of one page: its cells, without outputs, after a setup cell."""
    src = Path(app.env.doc2path(docname))
    nb = jupytext.read(src)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    info = _repo(app)
    if info:
        url, _org, repo, branch = info
        setup = nbformat.v4.new_code_cell(SETUP_SOURCE.format(url=url, repo=repo, branch=branch))
        setup.metadata["tags"] = ["remove-cell"]
        nb.cells.insert(0, setup)
    nb.metadata.setdefault("kernelspec", {"display_name": "Python 3", "language": "python", "name": "python3"})
    nb.metadata.pop("jupytext", None)
    return nb


def _is_notebook_page(app, docname: str) -> bool:
    return "kernelspec" in app.env.metadata.get(docname, {})


def rewrite_launch_links(app, pagename, templatename, context, doctree):
    """Point the Colab and Binder buttons at the launch notebooks, or hide them.

    While ``launch_buttons_public`` is false (``_config.yml``: the repository has
    no public address yet) the launch buttons are removed: a button to a
    placeholder repository only leads a reader to an error page.
    """
    if not app.config.launch_buttons_public:
        context["header_buttons"] = [g for g in context.get("header_buttons", [])
                                     if g.get("label") != "launch-buttons"]
        return
    info = _repo(app)
    if info is None or not _is_notebook_page(app, pagename):
        return
    _url, org, repo, branch = info
    site_branch = app.config.launch_notebooks_branch
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for b in group.get("buttons", []):
            if b.get("text") == "Colab":
                b["url"] = (f"https://colab.research.google.com/github/{org}/{repo}/blob/"
                            f"{site_branch}/{NOTEBOOK_DIR}/{pagename}.ipynb")
            elif b.get("text") == "Binder" and "urlpath=" in b.get("url", ""):
                head, _, path = b["url"].partition("urlpath=")
                b["url"] = head + "urlpath=" + str(Path(path).with_suffix(".ipynb"))


def dedupe_scripts(app, pagename, templatename, context, doctree):
    """Drop repeated <script> entries.

    sphinx-thebe 0.3.1 registers its inline config twice under Sphinx 7, and
    the repeated ``const`` is a SyntaxError.
    """
    files = context.get("script_files")
    if not files:
        return
    seen, unique = set(), []
    for js in files:
        # (filename, attributes): one copy has filename None, the other "" (inline scripts)
        key = (getattr(js, "filename", str(js)) or "",
               tuple(sorted((k, str(v)) for k, v in getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


#: MIME type of a widget view in a notebook output, and of the saved widget state
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _is_widget_script(js) -> bool:
    name = getattr(js, "filename", None) or ""
    attrs = getattr(js, "attributes", {}) or {}
    return (attrs.get("type") == WIDGET_STATE or "jupyter-widgets/" in name
            or name.endswith("requirejs/require.js"))


def drop_unused_widget_manager(app, pagename, templatename, context, doctree):
    """Ship the ipywidgets manager (require.js, embed-amd.js, ~3.6 MB) only to pages that show a widget.

    The chapters' live explorers show a one-line note in the static book
    (``NICKELATES_STATIC_BOOK``), but their widgets were still created while the
    chapter executed, so the notebook carries their state and myst-nb would load
    the manager and the state (figures in base64 included) into every page.
    """
    files = context.get("script_files")
    if not files or WIDGET_VIEW in (context.get("body") or ""):
        return
    context["script_files"] = [js for js in files if not _is_widget_script(js)]


def write_notebooks(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir) / NOTEBOOK_DIR
    for docname in sorted(app.env.found_docs):
        if not _is_notebook_page(app, docname):
            continue
        target = out / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook_for(app, docname), target)


#: the book's own stylesheet: code cells of 88 characters fit the text column at 1400 px
#: (sphinx-book-theme's column is ~750 px; its monospace at 0.875 em needs ~775 px for 88);
#: on a phone a long chapter title took half the first screen: smaller headings there
BOOK_CSS = """\
/* written by tools/book_html.py */
div.cell_input pre { font-size: 0.8em; }
@media (max-width: 576px) {
  main h1 { font-size: 1.75rem; }
  main h2 { font-size: 1.4rem; }
}
"""
BOOK_CSS_NAME = "book.css"


def write_book_css(app):
    """Write :data:`BOOK_CSS` into the first static folder (copied to ``_static/``) and link it."""
    if not app.config.html_static_path:
        return
    folder = Path(app.confdir) / app.config.html_static_path[0]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / BOOK_CSS_NAME).write_text(BOOK_CSS, encoding="utf-8")
    app.add_css_file(BOOK_CSS_NAME)


def setup(app):
    app.add_config_value("launch_notebooks_branch", "gh-pages", "html")
    app.add_config_value("launch_buttons_public", False, "html")
    app.connect("builder-inited", write_book_css)
    # sphinx-book-theme builds the launch buttons at priority 501
    app.connect("html-page-context", rewrite_launch_links, priority=600)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("html-page-context", drop_unused_widget_manager, priority=910)
    app.connect("build-finished", write_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
