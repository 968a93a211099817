"""``python -m nickelates course``: student and instructor notebooks of the book's chapters.

Writes ``DIR/student/NN-slug.ipynb`` (solutions removed, an empty answer cell
after each exercise, outputs cleared), ``DIR/instructor/NN-slug.ipynb`` (with the
solutions, executed) and ``DIR/README.md`` (the index), one pair per chapter.
Exercises are numbered per chapter ("Exercise 3.2"), as in the HTML book.
Executing every instructor notebook takes a few minutes.

Exit codes: 0 written; 1 a chapter failed to execute (the message names the
chapter file, the cell's index and first line, and the error; the chapters
before it are written) or a file could not be written (full disk: no temporary
left, earlier files unchanged); 2 bad options, an output folder that cannot be
written, or existing notebooks or README.md without ``--force``; 130 Ctrl-C.

Examples
--------
  python -m nickelates course --out course
  python -m nickelates course --out course --only 01 03 --force
  python -m nickelates course --out course --no-execute
"""
from __future__ import annotations

import sys

HELP = "write student (no solutions) and instructor (executed) notebooks of the chapters"
DESCRIPTION = __doc__.split("\n", 1)[1]


def add_arguments(p):
    """Add the options of ``course`` to the argparse parser ``p``."""
    p.add_argument("--out", "-o", required=True, help="output directory (created if missing)")
    p.add_argument("--only", nargs="+", metavar="NN", default=None,
                   help="chapters to export, by number or file name (default: all)")
    p.add_argument("--force", action="store_true", help="replace existing notebooks")
    p.add_argument("--no-execute", action="store_true",
                   help="do not execute the instructor notebooks (solutions kept, no outputs)")
    p.add_argument("--timeout", type=float, default=900.0,
                   help="seconds allowed per cell when executing (default 900)")


def parser():
    """A stand-alone parser of the ``course`` options (for tests and ``--help``)."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m nickelates course", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(p)
    return p


def _select(only):
    from . import course

    files = course.chapter_files()
    if not only:
        return files
    chosen = []
    for key in only:
        match = [f for f in files if f.name == key or f.stem == key or f.name[:2] == key.zfill(2)]
        if not match:
            raise ValueError(f"--only {key!r}: no such chapter; choose from "
                             + ", ".join(f.name[:2] for f in files))
        chosen += [m for m in match if m not in chosen]
    return chosen


def run(args) -> int:
    """Run the command; return the exit code (0 written, 1 a failing chapter or a full disk, 2 bad options)."""
    from . import course

    if not args.timeout > 0:
        print(f"error: --timeout must be > 0 seconds, got {args.timeout}", file=sys.stderr)
        return 2
    try:
        files = _select(args.only)
        res = course.export_course(args.out, chapters=files, execute=not args.no_execute, force=args.force,
                                   timeout=args.timeout, progress=lambda m: print(m, flush=True))
    except FileExistsError as exc:
        print(f"error: --out {args.out}: {exc}", file=sys.stderr)
        return 2
    except course.ChapterExecutionError as exc:
        print(f"error: a chapter failed to execute: {exc}", file=sys.stderr)
        return 1
    except (ValueError, TypeError) as exc:
        print(f"error: {str(exc).replace('out: folder', '--out: folder', 1)}", file=sys.stderr)
        return 2
    except OSError as exc:
        from ._atomic import describe

        print(f"error: {describe(exc)}", file=sys.stderr)
        return 1
    n_ex = sum(c.exercises for c in res.chapters)
    print(f"wrote {len(res.chapters)} chapters ({n_ex} exercises) to {res.out}: student/, instructor/, "
          f"{res.index.name}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(parser().parse_args()))
