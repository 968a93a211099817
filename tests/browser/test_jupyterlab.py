"""The chapters live in JupyterLab: each opens as a notebook, runs, and its explorer responds.

A JupyterLab server (tools/lab.py's command line: 127.0.0.1, a free port, a token,
no browser, no update check or news, the read-only extension manager) serves
``book/``; headless Chromium (the same closed-network flags as the HTML test)
opens every chapter that has an explorer at ``/lab/tree/NN-x.md``, where the
default viewer of ``.md`` files is jupytext's "Jupytext Notebook". The test then

* checks that the page is a notebook (cells, a kernel), not a text editor;
* runs the chapter cell by cell (``LAB_TEST_CELLS=all``, the default; ``explorer``:
  only the cells up to and including the explorer cell, a quicker loop), and fails on
  any error output or a dead kernel;
* moves the first slider of the explorer with the keyboard (as a reader would)
  and waits until the figure in the explorer's output has changed;
* fails on any request that leaves 127.0.0.1 and on browser console errors.

``LAB_TEST_CHAPTERS=REGEX`` restricts the chapters (e.g. ``0[17]``). A summary goes to
``_build/screenshots/jupyterlab.json``, with a screenshot per chapter (``lab__NN-x.png``).
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from book_helpers import ROOT, network

SHOTS = ROOT / "_build" / "screenshots"
MODE = os.environ.get("LAB_TEST_CELLS", "all")

#: every chapter of the book with a live explorer (found in its code cells)
CHAPTERS = sorted(p.name for p in (ROOT / "book").glob("[0-9][0-9]-*.md")
                  if re.search(r"\.explorer\(", p.read_text(encoding="utf-8"))
                  and re.search(os.environ.get("LAB_TEST_CHAPTERS", ""), p.name))


def _lab_tool():
    spec = importlib.util.spec_from_file_location("lab_tool", ROOT / "tools" / "lab.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def lab():
    """A JupyterLab server on ``book/`` (started here, stopped at the end)."""
    tool = _lab_tool()
    tmp = Path(tempfile.mkdtemp(prefix="book-lab-"))
    port, token = tool.free_port(), secrets.token_hex(16)
    settings = tool.write_settings(tmp / "user-settings")
    cmd = tool.command(root=ROOT / "book", port=port, token=token, settings_dir=settings,
                       workspaces_dir=tmp / "workspaces", checkpoints_dir=tmp / "checkpoints",
                       python=sys.executable, expose_app=True)
    env = tool.environment()
    env.update(JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), JUPYTER_CONFIG_DIR=str(tmp / "config"),
               IPYTHONDIR=str(tmp / "ipython"))
    log = open(tmp / "server.log", "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    t0 = time.time()
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.time() - t0 > 90:
            proc.kill()
            pytest.fail(f"JupyterLab did not start: {(tmp / 'server.log').read_text()[-3000:]}")
        time.sleep(0.5)
    yield {"base": base, "token": token, "log": tmp / "server.log"}
    os.killpg(proc.pid, signal.SIGTERM)  # the server and its kernels (its own process group)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()
    shutil.rmtree(tmp, ignore_errors=True)


PANEL = r"""
const app = window.jupyterapp;
if (!app) return {ready: false, why: 'no window.jupyterapp'};
const w = app.shell.currentWidget;
if (!w || !w.context) return {ready: false, why: 'no document'};
const nb = w.content;
const isNb = !!(nb && nb.widgets && nb.node.classList.contains('jp-Notebook'));
const k = w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
return {ready: isNb && !!k && k.status === 'idle' && w.context.isReady, path: w.context.path,
        notebook: isNb, cells: isNb ? nb.widgets.length : 0,
        code: isNb ? nb.widgets.filter(c => c.model.type === 'code').length : 0,
        kernel: k ? k.status : null, title: w.title.label};
"""

#: run cells (all, or the given indices) one after the other; resolves when done
RUN = r"""
const done = arguments[arguments.length - 1];
const which = arguments[0];
const app = window.jupyterapp, w = app.shell.currentWidget, nb = w.content;
const cells = nb.widgets.map((c, i) => [c, i]).filter(([c, i]) => c.model.type === 'code'
                                                      && (which === null || which.includes(i)));
(async () => {
  for (const [c, i] of cells) {
    nb.activeCellIndex = i;
    nb.deselectAll();
    await app.commands.execute('notebook:run-cell');
    const t0 = Date.now();
    while (c.model.executionCount === null || c.promptNode.textContent.includes('*')) {
      if (Date.now() - t0 > 300000) { done({timeout: i}); return; }
      await new Promise(r => setTimeout(r, 100));
    }
    // let the kernel settle (idle for 0.2 s: the widget messages of the cell's outputs
    // handled) before the next cell, as a reader running cells one by one would
    const kernel = w.sessionContext.session.kernel;
    let idleSince = Date.now();
    while (Date.now() - idleSince < 200) {
      if (kernel.status !== 'idle') idleSince = Date.now();
      if (Date.now() - t0 > 300000) { done({timeout: i}); return; }
      await new Promise(r => setTimeout(r, 50));
    }
    const errs = c.model.outputs.toJSON().filter(o => o.output_type === 'error');
    if (errs.length) { done({error: i, ename: errs[0].ename, evalue: errs[0].evalue,
                                traceback: (errs[0].traceback || []).join('\\n').slice(-4000)}); return; }
  }
  done({ran: cells.length});
})().catch(e => done({error: -1, evalue: String(e)}));
"""

#: the explorer's cell: the code cell whose output holds ipywidgets sliders
EXPLORER = r"""
const nb = window.jupyterapp.shell.currentWidget.content;
for (let i = 0; i < nb.widgets.length; i++) {
  const c = nb.widgets[i];
  if (c.model.type !== 'code') continue;
  const sl = c.node.querySelectorAll('.jp-OutputArea .widget-slider');
  if (sl.length) {
    const img = c.node.querySelector('.jp-OutputArea .widget-output img');
    return {cell: i, sliders: sl.length, img: img ? img.src.length + ':' + img.src.slice(-64) : null,
            readout: [...c.node.querySelectorAll('.widget-readout')].map(r => r.textContent)};
  }
}
return null;
"""

ERRORS = r"""
const nb = window.jupyterapp.shell.currentWidget.content;
const out = [];
nb.widgets.forEach((c, i) => {
  if (c.model.type !== 'code') return;
  for (const o of c.model.outputs.toJSON()) {
    if (o.output_type === 'error') out.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
  }
  // widget outputs (Output widget) render tracebacks as stderr nodes
  c.node.querySelectorAll('.widget-output [data-mime-type="application/vnd.jupyter.stderr"]')
   .forEach(e => { if (/Error|Traceback/.test(e.textContent)) out.push(`cell ${i} widget: ` + e.textContent.slice(0, 300)); });
  c.node.querySelectorAll('.widget-html span[style*="#b00"]')
   .forEach(e => out.push(`cell ${i} status: ` + e.textContent.slice(0, 300)));
});
const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
if (!k || k.status === 'dead') out.push('kernel dead');
return out;
"""

#: forget the notebook's changes and shut its kernel down (no "save?" dialog on leaving)
CLOSE = r"""
const done = arguments[arguments.length - 1];
const w = window.jupyterapp.shell.currentWidget;
w.context.model.dirty = false;
w.sessionContext.shutdown().then(() => done('ok'), e => done(String(e)));
"""


def _explorer_cells(path: Path) -> list[int] | None:
    """Indices (in jupytext's notebook) of the code cells up to and including the explorer cell."""
    import jupytext

    nb = jupytext.read(path)
    code = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    exp = [i for i, s in code if re.search(r"\.explorer\(", s)]
    return [i for i, _ in code if i <= exp[0]] if exp else None


def _move_slider(driver, cell: int):
    """Press ArrowRight (ArrowLeft at the right end) on the explorer's first slider handle."""
    from selenium.webdriver.common.keys import Keys

    h = driver.execute_script("return window.jupyterapp.shell.currentWidget.content.widgets[arguments[0]]"
                              ".node.querySelector('.widget-slider .noUi-handle')", cell)
    assert h is not None, "the explorer has no slider handle"
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", h)
    at_max = h.get_attribute("aria-valuenow") == h.get_attribute("aria-valuemax")
    h.click()
    h.send_keys(Keys.ARROW_LEFT if at_max else Keys.ARROW_RIGHT)


def _explore(driver) -> dict:
    """Find the explorer's output, move its first slider, wait for a new figure."""
    from selenium.webdriver.support.ui import WebDriverWait

    out = {"explorer_before": None, "explorer_after": None}
    try:
        WebDriverWait(driver, 60).until(lambda d: (d.execute_script(EXPLORER) or {}).get("img"))
    except Exception as exc:  # recorded, asserted below
        out["explorer_error"] = "no explorer figure: " + repr(exc)[:300]
        return out
    before = out["explorer_before"] = driver.execute_script(EXPLORER)
    _move_slider(driver, before["cell"])
    try:
        WebDriverWait(driver, 120, poll_frequency=0.25).until(
            lambda d: (d.execute_script(EXPLORER) or {}).get("img") not in (None, before["img"]))
    except Exception as exc:
        out["explorer_error"] = "figure did not change after the slider move: " + repr(exc)[:200]
    out["explorer_after"] = driver.execute_script(EXPLORER)
    return out


@pytest.fixture(scope="module")
def lab_runs(lab, driver):
    from selenium.webdriver.support.ui import WebDriverWait

    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.set_script_timeout(900)  # running a whole chapter is one async script
    driver.get("about:blank")
    driver.get_log("browser"), driver.get_log("performance")
    runs = {}
    for name in CHAPTERS:
        t0 = time.perf_counter()
        rec = {"chapter": name, "mode": MODE}
        driver.get(f"{lab['base']}/lab/tree/{name}?reset&token={lab['token']}")
        WebDriverWait(driver, 120, poll_frequency=0.5).until(
            lambda d: (d.execute_script(PANEL) or {}).get("ready"))
        rec["panel"] = driver.execute_script(PANEL)
        rec["opened_s"] = round(time.perf_counter() - t0, 1)
        which = None if MODE == "all" else _explorer_cells(ROOT / "book" / name)
        rec["run"] = driver.execute_async_script(RUN, which)
        rec["ran_s"] = round(time.perf_counter() - t0, 1)
        rec["errors"] = driver.execute_script(ERRORS)
        if "ran" in rec["run"]:
            rec.update(_explore(driver))
            rec["errors"] += [e for e in driver.execute_script(ERRORS) if e not in rec["errors"]]
        else:
            rec["explorer_error"] = f"the chapter did not run: {rec['run']}"
        driver.save_screenshot(str(SHOTS / f"lab__{name.removesuffix('.md')}.png"))
        rec["console_errors"] = [c["message"][:300] for c in driver.get_log("browser") if c["level"] == "SEVERE"]
        rec["failed_requests"], rec["external_requests"] = network(driver.get_log("performance"), lab["base"])
        driver.execute_async_script(CLOSE)
        rec["seconds"] = round(time.perf_counter() - t0, 1)
        runs[name] = rec
    (SHOTS / "jupyterlab.json").write_text(json.dumps(runs, indent=1))
    print(f"\nJupyterLab test ({MODE} cells): {len(runs)} chapters")
    for n, r in runs.items():
        b, a = r.get("explorer_before") or {}, r.get("explorer_after") or {}
        print(f"  {n:28s} {r['seconds']:6.1f} s  cells run {r['run'].get('ran')}  sliders {b.get('sliders')}"
              f"  readout {b.get('readout', [None])[:1]} -> {a.get('readout', [None])[:1]}")
    return runs


def test_chapters_with_explorers_found():
    assert len(CHAPTERS) >= (1 if os.environ.get("LAB_TEST_CHAPTERS") else 6), CHAPTERS


def test_chapters_open_as_notebooks(lab_runs):
    bad = {n: r["panel"] for n, r in lab_runs.items()
           if not (r["panel"]["notebook"] and r["panel"]["path"] == n and r["panel"]["code"] >= 3)}
    assert not bad, bad


def test_chapters_run_without_errors(lab_runs):
    bad = {n: (r["run"], r["errors"]) for n, r in lab_runs.items() if "ran" not in r["run"] or r["errors"]}
    assert not bad, bad


def test_explorer_slider_redraws_figure(lab_runs):
    bad = {n: r.get("explorer_error", "no explorer output") for n, r in lab_runs.items()
           if r.get("explorer_error") or not r.get("explorer_after")}
    assert not bad, bad
    moved = {n: r for n, r in lab_runs.items()
             if r["explorer_after"]["img"] == r["explorer_before"]["img"]}
    assert not moved, moved


def test_lab_stays_offline(lab_runs):
    assert not {n: r["external_requests"] for n, r in lab_runs.items() if r["external_requests"]}
    assert not {n: r["failed_requests"] for n, r in lab_runs.items() if r["failed_requests"]}


def test_lab_leaves_book_folder_clean(lab_runs):
    """Checkpoints went to the server's temporary folder, not into book/."""
    assert not (ROOT / "book" / ".ipynb_checkpoints").exists()


def test_lab_no_console_errors(lab_runs):
    assert not {n: r["console_errors"] for n, r in lab_runs.items() if r["console_errors"]}
