#!/usr/bin/env python
"""Do the chapters give the same numbers on every run?  (issue 25, item 2)

Executes the chapters that fit, minimise or diagonalize iteratively (by default 02, 04, 05b,
06, 07 and 08) twice, the second time while every core also runs a busy loop, and compares
every value the chapters glue into their prose (``myst_nb.glue``: the numbers a reader sees).
Any difference, and any failing cell, is reported by chapter, glue key and cell; the exit
code is 0 when every chapter reproduced every glued value exactly, 1 otherwise, 2 on bad
arguments.

    make determinism                                   # both passes, all six chapters
    .venv/bin/python tools/determinism.py 07 08        # some chapters
    .venv/bin/python tools/determinism.py --no-load    # the second pass without the load
    .venv/bin/python tools/determinism.py --json /tmp/determinism.json

The comparison is exact on the glued text (the value as formatted for the prose, or the repr
of a number glued without a format): a chapter whose numbers move in the last printed digit
between runs is not deterministic, whatever the cause (an unseeded start vector, a multistart
fit that depends on timing, a wall-clock budget).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
#: the chapters with fits, root finds, ARPACK/Lanczos or stochastic elements
DEFAULT_CHAPTERS = ("02", "04", "05b", "06", "07", "08")
GLUE_PREFIX = "application/papermill.record/"
#: wall-clock timings a chapter glues into its prose as such ("on this machine, this run"; never
#: asserted): reported side by side, not compared. Everything else must agree exactly.
TIMING_KEYS = {
    "04-andreev.md": {"t_conv_ss_ms", "t_conv_dd_ms", "t_fit3_s"},
    "06-mixd-mean-field.md": {"c6_t_16", "c6_t_512"},
}


def _spin(stop):  # pragma: no cover - runs in a child process
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF


class CpuLoad:
    """A busy loop on every core while the block runs (``with CpuLoad(n): ...``)."""

    def __init__(self, n: int):
        self.n = n
        self.stop = mp.Event()
        self.procs = []

    def __enter__(self):
        for _ in range(self.n):
            p = mp.Process(target=_spin, args=(self.stop,), daemon=True)
            p.start()
            self.procs.append(p)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for p in self.procs:
            p.join(5)
            if p.is_alive():
                p.kill()
        return False


def chapter_file(tag: str) -> Path:
    """``"07"`` -> ``book/07-mixd-exact.md`` (exactly one match)."""
    hits = sorted(p for p in BOOK.glob(f"{tag}-*.md"))
    if len(hits) != 1:
        raise SystemExit(f"determinism: chapter {tag!r} matches {len(hits)} files in book/ (need one)")
    return hits[0]


def glued_values(nb) -> dict:
    """{glue key: the glued text/plain} of an executed notebook, with the cell it came from."""
    out = {}
    for index, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            meta = o.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            data = o.get("data", {})
            text = data.get(GLUE_PREFIX + "text/plain", data.get("text/plain"))
            if text is None:  # a glued figure or table: compare its kind only
                text = "<" + ",".join(sorted(data)) + ">"
            out[meta["name"]] = {"value": text, "cell": index}
    return out


def execute(path: Path, timeout: int = 900) -> tuple[dict, str | None, float]:
    """Execute one chapter; return (glued values, failure message or None, seconds)."""
    import jupytext
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = jupytext.read(path)
    env_before = os.environ.get("NICKELATES_CHAPTER")
    os.environ["NICKELATES_CHAPTER"] = path.name
    os.environ.setdefault("NICKELATES_STATIC_BOOK", "1")
    t0 = time.perf_counter()
    error = None
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    except CellExecutionError as exc:
        index = next((i for i, c in enumerate(nb.cells)
                      if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        first = str(exc).split("------------------")[1].strip().splitlines()[0] if "----" in str(exc) else ""
        error = f"{path.name}: cell {index} ({first!r}) failed: {exc.ename}: {exc.evalue}"
    finally:
        if env_before is None:
            os.environ.pop("NICKELATES_CHAPTER", None)
        else:
            os.environ["NICKELATES_CHAPTER"] = env_before
    return glued_values(nb), error, time.perf_counter() - t0


def compare(a: dict, b: dict, timings=frozenset()) -> list[str]:
    """Lines describing every glue key whose value differs or exists in one run only.

    ``timings``: keys that are wall-clock timings, not compared.
    """
    lines = []
    for key in sorted((set(a) | set(b)) - set(timings)):
        va, vb = a.get(key, {}).get("value"), b.get(key, {}).get("value")
        if va != vb:
            cell = (a.get(key) or b.get(key))["cell"]
            lines.append(f"  {key} (cell {cell}): {va!r} -> {vb!r}")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("chapters", nargs="*", default=list(DEFAULT_CHAPTERS),
                    help="chapter numbers (default: %(default)s)")
    ap.add_argument("--no-load", action="store_true", help="run the second pass without the CPU load")
    ap.add_argument("--load-processes", type=int, default=os.cpu_count() or 2,
                    help="busy processes during the second pass (default: one per core)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    ap.add_argument("--json", type=Path, help="write the comparison here")
    args = ap.parse_args(argv)
    if args.load_processes < 1 or args.timeout < 1:
        ap.error("--load-processes and --timeout must be >= 1")
    paths = [chapter_file(tag) for tag in args.chapters]

    runs = {}
    for label in ("plain", "loaded"):
        load = CpuLoad(0 if (label == "plain" or args.no_load) else args.load_processes)
        with load:
            for path in paths:
                values, error, seconds = execute(path, args.timeout)
                runs.setdefault(path.name, {})[label] = {"values": values, "error": error,
                                                         "seconds": round(seconds, 1)}
                print(f"{label:7s} {path.name:28s} {len(values):4d} glued  {seconds:6.1f} s"
                      + (f"  FAILED: {error}" if error else ""), flush=True)

    bad = 0
    report = {}
    print("\nchapter                      glued  differing  failures")
    for name, r in runs.items():
        timings = TIMING_KEYS.get(name, set())
        diff = compare(r["plain"]["values"], r["loaded"]["values"], timings)
        missing = sorted(k for k in timings if k not in r["plain"]["values"])
        if missing:  # a renamed timing key must not hide a number from the comparison
            diff.append(f"  TIMING_KEYS names keys the chapter does not glue: {missing}")
        errors = [r[k]["error"] for k in ("plain", "loaded") if r[k]["error"]]
        bad += bool(diff or errors)
        print(f"{name:28s} {len(r['plain']['values']):5d}  {len(diff):9d}  {len(errors):8d}")
        for line in diff:
            print(line)
        for key in sorted(timings & set(r["plain"]["values"])):
            print(f"  timing {key}: {r['plain']['values'][key]['value']} -> "
                  f"{r['loaded']['values'].get(key, {}).get('value')} (not compared)")
        for e in errors:
            print("  " + e)
        report[name] = {"glued": len(r["plain"]["values"]), "differing": diff, "errors": errors,
                        "seconds": {k: r[k]["seconds"] for k in ("plain", "loaded")},
                        "load_processes": 0 if args.no_load else args.load_processes}
    if args.json:
        tmp = args.json.with_name(f".{args.json.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(report, indent=1))
        os.replace(tmp, args.json)
    print("deterministic" if not bad else f"NOT deterministic: {bad} chapter(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
