"""Apparent BTK gaps of the triplon model over (n_c, kappa) (chapter 5).

Stage 1 (the map, ``tunneling.apparent_gap_map``): for every point of the
(n_c, kappa) grid the exact s+- gaps of the triplon model (``pairing.solve_gap``
via ``tunneling.triplon_gaps``; lambda = 0.4, Omega = 0.3 eV) are turned into
the Andreev spectrum a point contact would record at the T = 3 K settings of
Guo et al. (Table 3: Z = 0.58 / 0.40, Gamma = 6.6 / 4.0 meV, (100) contact),
and that spectrum is fitted with the experimentalists' two-isotropic-s-gap
BTK model (``btk.fit``).

Stage 2 (magnitude matched, ``tunneling.apparent_gap_map(..., target_meV=(23, 6))``): on a coarser
(n_c, kappa) grid, lambda is lowered (Omega = 0.3 eV kept) until the model's
largest gap is 23 meV, the measured Delta1, and the spectrum is fitted again;
the point whose apparent (Delta1, Delta2) is closest to the measured (23, 6)
meV in log distance is the best match.

Points that fail (no star-shaped Fermi sheet, no convergence) are kept in the
file with their reasons (``ok``/``failed_*`` arrays) and printed at the end.
About one to three seconds per point; the chapter reads the result
(``tunneling.load_apparent_gap_map``).

Usage: python scripts/apparent_gap_map.py [output.npz] [--tiny | --small] [--workers N | --scheduler ADDRESS]
       [--scratch DIR] [--fresh]
(the n_c rows run as Dask tasks with --workers/--scheduler; in this process by default; every
finished row is kept in --scratch, so an interrupted run resumes where it stopped.)
The stored file: ``.venv/bin/python scripts/apparent_gap_map.py --workers 1`` (kappa to 2.0).
"""
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nickelates import engine, paths, tunneling

N_C = (0.32, 0.34, 0.36, 0.40, 0.45, 0.50, 0.60, 0.70, 0.80, 0.90, 1.00)
# kappa to 2: chapter 2's chains give kappa = 0.77-1.15, and the ratio keeps rising past 1
KAPPA = (0.0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.1, 1.3, 1.6, 2.0)
N_C_MATCH = (0.32, 0.36, 0.45, 0.60, 0.80, 0.90, 1.00)
KAPPA_MATCH = (0.0, 0.3, 0.6, 0.75, 0.9, 1.1, 1.3, 1.6, 2.0)
TARGET = (23.0, 6.0)
TINY = dict(n_c=(0.40, 0.45), kappa=(0.0, 0.3), starts=2, n_bias=121, n_k=64,
            n_c_match=(0.45,), kappa_match=(0.3,))
#: one filling, one kappa inside and one far beyond the old grid (the test-sized rerun)
SMALL = dict(n_c=(0.45,), kappa=(0.3, 1.3), starts=2, n_bias=121, n_k=64,
             n_c_match=(0.45,), kappa_match=(1.3,))
#: finished rows are kept here (one .npz per row, keyed by its settings) so that a rerun resumes
SCRATCH = Path(tempfile.gettempdir()) / "apparent_gap_map_rows"


def _row(task):
    """One n_c row of a map (a Dask task): ``tunneling.apparent_gap_map`` on [n_c] x kappa."""
    n_c, kappa, kw = task
    return tunneling.apparent_gap_map([n_c], kappa, progress=False, **kw)


def _row_file(scratch, n_c, kappa, kw):
    """The scratch file of one row: its name is a hash of everything that determines the row."""
    key = repr((round(float(n_c), 9), tuple(round(float(k), 9) for k in kappa), sorted(kw.items())))
    return Path(scratch) / f"row_{hashlib.sha1(key.encode()).hexdigest()[:16]}.npz"


def _sweep(n_c, kappa, kw, workers, scheduler, progress, scratch=None):
    """The map row by row: in this process (workers=0) or on Dask, joined with ApparentGapMap.concatenate.

    With ``scratch`` (a directory) every finished row is written there at once and
    rows already there are read instead of recomputed (a rerun resumes).
    """
    if scratch is None and workers == 0 and scheduler is None:
        return tunneling.apparent_gap_map(n_c, kappa, progress=progress, **kw)
    rows, todo = {}, []
    for i, x in enumerate(n_c):
        f = None if scratch is None else _row_file(scratch, x, kappa, kw)
        if f is not None and f.exists():
            rows[i] = tunneling.load_apparent_gap_map(f)
        else:
            todo.append((i, f))
    if progress and rows:
        print(f"  {len(rows)} of {len(n_c)} rows read from {scratch}", flush=True)
    items = [(n_c[i], kappa, kw) for i, _ in todo]
    for res in engine.map_tasks(_row, items, workers=workers, scheduler=scheduler):
        if not res.ok:          # a whole row failed outside the per-point bookkeeping
            raise RuntimeError(f"n_c = {res.item[0]}: {res.error}")
        i, f = todo[res.index]
        rows[i] = res.value
        if f is not None:
            f.parent.mkdir(parents=True, exist_ok=True)
            tmp = f.with_suffix(".tmp.npz")
            np.savez(tmp, **res.value.to_arrays())
            tmp.replace(f)
        if progress:
            print(f"  n_c = {res.item[0]:.2f} done ({len(rows)}/{len(n_c)})", flush=True)
    return tunneling.ApparentGapMap.concatenate([rows[i] for i in range(len(n_c))])


def run(n_c=N_C, kappa=KAPPA, lam=0.4, Omega=0.3, starts=3, n_bias=201, n_k=128, progress=True,
        n_c_match=N_C_MATCH, kappa_match=KAPPA_MATCH, workers=0, scheduler=None, scratch=None):
    """Both stages; returns a dict with the two ``tunneling.ApparentGapMap`` and the timings (s).

    ``workers``/``scheduler``: 0 runs in this process; otherwise the n_c rows are
    tasks on a Dask cluster (``nickelates.engine``), joined afterwards. ``scratch``:
    a directory where finished rows are kept and from which a rerun resumes.
    """
    t0 = time.perf_counter()
    gap_map = _sweep(n_c, kappa, dict(lam=lam, Omega=Omega, starts=starts, n_bias=n_bias, n_k=n_k),
                     workers, scheduler, progress, scratch)
    t1 = time.perf_counter()
    matched = _sweep(n_c_match, kappa_match, dict(target_meV=TARGET, Omega=Omega, starts=starts, n_bias=241),
                     workers, scheduler, progress, scratch)
    t2 = time.perf_counter()
    settings = dict(tunneling.GUO_T3, starts=starts, n_bias=n_bias, n_k=n_k, interface="100", lam=lam,
                    Omega=Omega, n_bias_match=241, n_k_match=128)
    return {"map": gap_map, "matched": matched, "seconds_map": t1 - t0, "seconds_match": t2 - t1,
            "settings": settings}


def save(result, path):
    """Write both maps (keys of ``ApparentGapMap.to_arrays``; the matched one with prefix ``match_``).

    Beside ``ratio`` (``match_ratio``) the file holds ``rms`` (the fit's rms residual)
    and ``gap_over_Omega`` (the model's largest gap over the cutoff), and the same with
    ``match_``; the validity cut of chapter 5 uses both.
    """
    arrays = {**result["map"].to_arrays(), **result["matched"].to_arrays("match_")}
    arrays["match_distance"] = result["matched"].distance()
    meta = {"seconds_map": result["seconds_map"], "seconds_match": result["seconds_match"],
            "settings": repr(result["settings"])}
    np.savez(path, **arrays, **{k: np.array(v) for k, v in meta.items()})


def main(argv):
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output", nargs="?", default=None, help="output .npz (default data/apparent_gap_map.npz)")
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--tiny", action="store_true", help="2 x 2 test-sized map")
    size.add_argument("--small", action="store_true", help="1 x 2 map with kappa = 0.3 and 1.3")
    ap.add_argument("--scratch", default=str(SCRATCH),
                    help="directory of finished rows; a rerun resumes from it (default %(default)s)")
    ap.add_argument("--fresh", action="store_true", help="ignore and overwrite the rows in --scratch")
    engine.add_arguments(ap)   # --workers N (0: this process) | --scheduler ADDRESS
    args = ap.parse_args(argv)
    path = Path(args.output) if args.output else paths.data_file("apparent_gap_map.npz")
    workers = 0 if args.workers is None and args.scheduler is None else args.workers
    scratch = Path(args.scratch)
    if args.fresh and scratch.exists():
        for f in scratch.glob("row_*.npz"):
            f.unlink()
    size = TINY if args.tiny else SMALL if args.small else {}
    res = run(**size, workers=workers, scheduler=args.scheduler, scratch=scratch)
    save(res, path)
    gap_map, matched = res["map"], res["matched"]
    ratio = gap_map.masked("ratio")
    i, j = np.unravel_index(np.ma.argmax(ratio), ratio.shape)
    print(f"map ({res['seconds_map']:.1f} s): {gap_map.summary()}")
    print(f"largest apparent ratio {ratio[i, j]:.2f} at n_c = {gap_map.n_c[i]}, kappa = {gap_map.kappa[j]} "
          f"(rms {gap_map.rms[i, j]:.1e}, max gap / Omega {gap_map.gap_over_Omega[i, j]:.2f})")
    good = np.ma.masked_array(gap_map.ratio, mask=~gap_map.valid())
    if good.count():
        i, j = np.unravel_index(np.ma.argmax(good), good.shape)
        print(f"largest valid ratio {good[i, j]:.2f} at n_c = {gap_map.n_c[i]}, kappa = {gap_map.kappa[j]}")
    dist = np.ma.masked_array(matched.distance(), mask=~matched.ok)
    print(f"magnitude-matched ({res['seconds_match']:.1f} s): {matched.summary()}")
    if dist.count():
        i, j = np.unravel_index(np.ma.argmin(dist), dist.shape)
        print(f"best n_c = {matched.n_c[i]}, kappa = {matched.kappa[j]}, lambda = {matched.lam[i, j]:.3f}: "
              f"apparent Delta1 = {matched.delta1[i, j]:.1f}, Delta2 = {matched.delta2[i, j]:.1f} meV")
    print("wrote", path)
    return 0 if gap_map.n_failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
