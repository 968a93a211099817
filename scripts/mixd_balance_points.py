"""Exact and mean-field sc/cc balance points J_c(δ) of the MixD+V ladder (issue 16, chapter 7).

For each ladder length L and hole number N_h the exact balance point (the J_perp/V
where the ground state has N_sc = 2 N_cc) is found by Brent's method on ED ground
states (``mixd_exact.balance_point_details``), and the mean field's imbalance zero
at the same (L, N_h) and at L = 30 for comparison (Brent on ``mixd.solve_mean_field``).
Writes ``data/mixd_balance_points.json`` with the settings, per-point evaluations
and timings.  Failures (no sign change on the scan range) are stored with their
reason, never dropped.

    python scripts/mixd_balance_points.py            # L = 6 and 8 (about 30 min on one core)
    python scripts/mixd_balance_points.py --small    # L = 4 and 6 (a minute), for the tests
    python scripts/mixd_balance_points.py --workers 2 | --scheduler tcp://host:8786   # on Dask
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np
from scipy.optimize import brentq

from nickelates import __version__, engine, mixd, paths
from nickelates import mixd_exact as mx
from nickelates.errors import ConvergenceError

T_PAR, V = 0.1, 1.0


def mean_field_balance(L, n_holes, J_range=(0.2, 4.0)):
    def f(J):
        return mixd.solve_mean_field(shape=(L,), n_holes=n_holes, J_perp=J, V=V, t_par=T_PAR).imbalance
    grid = np.linspace(*J_range, 40)
    vals = [f(J) for J in grid]
    for a, b, fa, fb in zip(grid[:-1], grid[1:], vals[:-1], vals[1:]):
        if np.sign(fa) != np.sign(fb):
            return float(brentq(f, a, b, xtol=1e-9))
    raise ConvergenceError(f"mean-field imbalance does not change sign on {J_range} (L={L}, N_h={n_holes})")


def point(task):
    """One (L, N_h): the exact balance point and the mean field's, with timings."""
    L, n_holes, xtol = task
    row = {"L": L, "n_holes": n_holes, "doping": n_holes / (2 * L)}
    t0 = time.perf_counter()
    try:
        r = mx.balance_point_details(L, n_holes, T_PAR, V, xtol=xtol)
        row.update(J_exact=r.J_perp, evaluations=r.evaluations, jump=r.jump,
                   imbalance_at_root=r.imbalance_at_root, ok=True, reason="")
    except ConvergenceError as exc:
        row.update(J_exact=None, ok=False, reason=str(exc))
    row["seconds_exact"] = time.perf_counter() - t0
    for key, LL in (("J_mf_same_L", L), ("J_mf_L30", 30)):
        nh = n_holes if LL == L else int(round(n_holes / (2 * L) * 2 * 30))
        try:
            row[key] = mean_field_balance(LL, nh)
        except ConvergenceError as exc:
            row[key] = None
            row[key + "_reason"] = str(exc)
        if LL == 30:
            row["n_holes_L30"] = nh
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="L = 4 and 6 only (test size)")
    ap.add_argument("--out", default=None, help="output JSON (default data/mixd_balance_points[_small].json)")
    ap.add_argument("--xtol", type=float, default=1e-6, help="root tolerance in J_perp/V")
    engine.add_arguments(ap)   # --workers N (0: in this process) | --scheduler ADDRESS
    args = ap.parse_args(argv)
    sizes = (4, 6) if args.small else (6, 8)
    out = args.out or paths.data_file("mixd_balance_points_small.json" if args.small
                                      else "mixd_balance_points.json")
    points = [(L, n_holes, args.xtol) for L in sizes for n_holes in range(2, L + 1, 2)]
    rows = []                       # the mean field holds at most L holes: N_h <= L
    for res in engine.map_tasks(point, points, workers=args.workers, scheduler=args.scheduler):
        row = res.value if res.ok else {"L": res.item[0], "n_holes": res.item[1], "ok": False,
                                        "reason": res.error}
        print(json.dumps(row), flush=True)
        rows.append(row)
    rows.sort(key=lambda r: (r["L"], r["n_holes"]))
    meta = {"script": "scripts/mixd_balance_points.py", "argv": sys.argv[1:], "t_par": T_PAR, "V": V,
            "xtol": args.xtol, "sizes": sizes, "nickelates": __version__, "python": platform.python_version(),
            "method": "ED ground states (mixd_exact.balance_point_details, Brent) vs mean field (Brent)"}
    tmp = f"{out}.tmp{os.getpid()}"
    with open(tmp, "w") as fh:
        json.dump({"meta": meta, "points": rows}, fh, indent=1)
    os.replace(tmp, out)
    print(f"wrote {out}")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
