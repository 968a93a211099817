"""``python -m nickelates figures``: write the reproduced paper figures as PNG and PDF.

For readers who want the results, not the book: every figure of the three
papers that the book reproduces (and a few of its own extensions) is rebuilt
from the library and saved as ``DIR/NAME.png`` / ``DIR/NAME.pdf``, with a
progress bar. ``--list`` shows the names, the source each reproduces and a
description. Figures that read data files (``data/*.json``, ``*.npz``, written
by ``scripts/``) need a repository checkout.

Exit codes: 0 written; 1 a file could not be written (full disk: no temporary
left, an earlier file unchanged, the figures before it written); 2 bad options,
a missing or read-only DIR, existing files without --force, missing data;
130 Ctrl-C.

Examples
--------
  python -m nickelates figures --out figs
  python -m nickelates figures --out figs --only liu-fig2 borchia-fig6 --format pdf
  python -m nickelates figures --out figs --fast --force
"""
from __future__ import annotations

import sys

HELP = "write every reproduced paper figure (PNG and PDF) into a directory"
DESCRIPTION = __doc__.split("\n", 1)[1]


def add_arguments(p):
    """Add the options of ``figures`` to the argparse parser ``p``."""
    p.add_argument("--out", "-o", default=None, help="output directory (created if missing)")
    p.add_argument("--only", nargs="+", metavar="NAME", default=None,
                   help="build only these figures (see --list)")
    p.add_argument("--format", default="png,pdf",
                   help="comma-separated formats among png, pdf, svg (default png,pdf)")
    p.add_argument("--fast", action="store_true",
                   help="coarser grids and fewer fit starts (same figures, quicker)")
    p.add_argument("--dpi", type=int, default=150, help="resolution of raster formats (default 150)")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--list", action="store_true", help="list the figures and exit")


def run(args) -> int:
    """Run the command; return the exit code (0 written, 1 full disk, 2 bad options or files, 130 Ctrl-C)."""
    from . import figures

    try:
        specs = figures.select(args.only)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for s in specs:
            print(f"{s.name:24s} {s.source:45s} {s.description}")
        return 0
    if not args.out:
        print("error: --out DIR is required (or use --list)", file=sys.stderr)
        return 2
    formats = tuple(f.strip().lower().lstrip(".") for f in args.format.split(",") if f.strip())
    if not 10 <= args.dpi <= 1200:
        print(f"error: --dpi must lie in [10, 1200], got {args.dpi}", file=sys.stderr)
        return 2
    import matplotlib
    matplotlib.use("Agg", force=False)
    try:
        done = figures.write_figures(specs, args.out, formats, fast=args.fast, force=args.force,
                                     dpi=args.dpi, progress=not args.no_progress)
    except ValueError as exc:               # bad options, existing files, unwritable DIR: before any work
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        from ._atomic import describe, is_disk_error

        if is_disk_error(exc):              # full disk while writing: the figures written before stay
            print(f"error: {describe(exc)}", file=sys.stderr)
            return 1
        print(f"error: {exc}", file=sys.stderr)   # e.g. a missing data file
        return 2
    total = sum(dt for _, dt in done.values())
    print(f"wrote {sum(len(p) for p, _ in done.values())} files for {len(done)} figures into "
          f"{args.out} in {total:.1f} s")
    return 0
