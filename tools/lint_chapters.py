"""Lint the code cells of the chapters (book/*.md) with ruff.

Each MyST notebook is converted by jupytext into ``_build/lint/<name>.ipynb``
(ruff reads notebooks natively, IPython magics included) and checked with the
project's ruff settings (``pyproject.toml``; notebook-specific ignores under
``**/*.ipynb``).  Also flags code cells that end in a bare ``ch.glue(...)``
(see :func:`trailing_glue`).  Exit code: 0 clean, 1 findings.

    python tools/lint_chapters.py [book/01-bands.md ...]
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "lint"


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


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    chapters = [Path(a) for a in args] or sorted((ROOT / "book").glob("*.md"))
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.ipynb"):
        old.unlink()
    written, problems = [], []
    for md in chapters:
        text = md.read_text(encoding="utf-8")
        if "```{code-cell}" not in text:
            continue
        nb = jupytext.reads(text, fmt="md:myst")
        problems += trailing_glue(md, nb)
        target = OUT / (md.stem + ".ipynb")
        jupytext.write(nb, target, fmt="ipynb")
        written.append(target)
    if not written:
        print("no chapters with code cells")
        return 0
    ruff = Path(sys.executable).with_name("ruff")
    cmd = [str(ruff) if ruff.exists() else "ruff", "check", "--config", str(ROOT / "pyproject.toml"),
           *map(str, written)]
    for p in problems:
        print(p)
    return subprocess.call(cmd, cwd=ROOT) or (1 if problems else 0)


if __name__ == "__main__":
    sys.exit(main())
