"""Lint the code cells of the chapters (book/*.md) with ruff.

Each MyST notebook is converted by jupytext into ``_build/lint/<name>.ipynb``
(ruff reads notebooks natively, IPython magics included) and checked with the
project's ruff settings (``pyproject.toml``; notebook-specific ignores under
``**/*.ipynb``).  Also flags code cells that end in a bare ``ch.glue(...)``
(see :func:`trailing_glue`) and code lines longer than :data:`MAX_CODE_LINE`
characters (they are cut off at the right edge of the HTML page).  Lines that
were already long when the limit came in are counted against a per-chapter
ratchet, ``tools/chapter_long_lines.json``: a chapter may never have more
long lines than its entry (a chapter missing from the file may have none);
``--update-ratchet`` lowers the entries to the current counts (never raises
them).  Exit code: 0 clean, 1 findings.

    python tools/lint_chapters.py [book/01-bands.md ...]
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "lint"
#: longest code line of a chapter (characters): what fits the page without a scroll bar
MAX_CODE_LINE = 88
RATCHET = ROOT / "tools" / "chapter_long_lines.json"


def long_lines(nb) -> list[tuple[int, str]]:
    """(code cell index, line) of every code line longer than :data:`MAX_CODE_LINE`."""
    return [(i, line) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for line in cell.source.splitlines() if len(line) > MAX_CODE_LINE]


def check_long_lines(counts: dict[str, list], update: bool = False) -> list[str]:
    """Compare the long-line counts with the ratchet; with ``update`` lower its entries."""
    allowed = json.loads(RATCHET.read_text(encoding="utf-8")) if RATCHET.exists() else {}
    problems = []
    for name, found in sorted(counts.items()):
        limit = int(allowed.get(name, 0))
        if len(found) > limit:
            first = found[0]
            problems.append(f"{name}: {len(found)} code lines longer than {MAX_CODE_LINE} characters "
                            f"(allowed {limit}); e.g. code cell {first[0]}: {first[1].strip()[:60]!r}...")
        elif len(found) < limit and update:
            allowed[name] = len(found)
    if update:
        allowed = {k: v for k, v in sorted(allowed.items()) if v > 0 and k in counts}
        RATCHET.write_text(json.dumps(allowed, indent=1) + "\n", encoding="utf-8")
    return problems


def trailing_glue(md: Path, nb) -> list[str]:
    """Code cells whose last line is a bare ``ch.glue(...)``.

    ``Chapter.glue`` returns its value, so such a cell also prints an ``Out[]``
    result: noise in the book, and in a cell with a ``mystnb: figure`` option a
    second output that carries the figure's label again (a duplicate target,
    an error under ``-W``).  End the line with ``;``.
    """
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines = [line for line in cell.source.splitlines() if line.strip()]
        if lines and lines[-1].startswith("ch.glue(") and not lines[-1].rstrip().endswith(";"):
            found.append(f"{md.name}: code cell {i}: the last line is a bare ch.glue(...); end it with ';'")
    return found


def bare_widget(md: Path, nb) -> list[str]:
    """Code cells whose last line displays an explorer's ``.widget`` instead of the explorer.

    The explorer itself knows where it is shown: live in Jupyter, a one-line note in the
    static HTML book (where its widgets would be dead and cost the widget manager).
    """
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines = [line for line in cell.source.splitlines() if line.strip()]
        if lines and re.fullmatch(r"(display\()?\w+\.widget\)?;?", lines[-1].strip()):
            found.append(f"{md.name}: code cell {i}: shows '{lines[-1].strip()}'; display the explorer itself")
    return found


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    update = "--update-ratchet" in args
    args = [a for a in args if a != "--update-ratchet"]
    chapters = [Path(a) for a in args] or sorted((ROOT / "book").glob("*.md"))
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.ipynb"):
        old.unlink()
    written, problems, counts = [], [], {}
    for md in chapters:
        text = md.read_text(encoding="utf-8")
        if "```{code-cell}" not in text:
            continue
        nb = jupytext.reads(text, fmt="md:myst")
        problems += trailing_glue(md, nb)
        problems += bare_widget(md, nb)
        counts[md.name] = long_lines(nb)
        target = OUT / (md.stem + ".ipynb")
        jupytext.write(nb, target, fmt="ipynb")
        written.append(target)
    if not written:
        print("no chapters with code cells")
        return 0
    ruff = Path(sys.executable).with_name("ruff")
    cmd = [str(ruff) if ruff.exists() else "ruff", "check", "--config", str(ROOT / "pyproject.toml"),
           *map(str, written)]
    problems += check_long_lines(counts, update=update and not args)
    for p in problems:
        print(p)
    return subprocess.call(cmd, cwd=ROOT) or (1 if problems else 0)


if __name__ == "__main__":
    sys.exit(main())
