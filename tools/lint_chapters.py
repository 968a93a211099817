"""Lint the code cells of the chapters (book/*.md) with ruff.

Each MyST notebook is converted by jupytext into ``_build/lint/<name>.ipynb``
(ruff reads notebooks natively, IPython magics included) and checked with the
project's ruff settings (``pyproject.toml``; notebook-specific ignores under
``**/*.ipynb``).  Exit code: ruff's (0 clean, 1 findings).

    python tools/lint_chapters.py [book/01-bands.md ...]
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "lint"


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    chapters = [Path(a) for a in args] or sorted((ROOT / "book").glob("*.md"))
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.ipynb"):
        old.unlink()
    written = []
    for md in chapters:
        text = md.read_text(encoding="utf-8")
        if "```{code-cell}" not in text:
            continue
        nb = jupytext.reads(text, fmt="md:myst")
        target = OUT / (md.stem + ".ipynb")
        jupytext.write(nb, target, fmt="ipynb")
        written.append(target)
    if not written:
        print("no chapters with code cells")
        return 0
    ruff = Path(sys.executable).with_name("ruff")
    cmd = [str(ruff) if ruff.exists() else "ruff", "check", "--config", str(ROOT / "pyproject.toml"),
           *map(str, written)]
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
