"""Exact and mean-field sc/cc balance points J_c(δ) of the MixD+V ladder (issue 16, chapter 7).

For each ladder length L and hole number N_h the exact balance point (the J_perp/V
where the ground state has N_sc = 2 N_cc) is found by Brent's method on ED ground
states (``mixd_exact.balance_point_details``), and the mean field's imbalance zero
at the same (L, N_h) and at L = 30 for comparison (``mixd.balance_point``).
Writes ``data/mixd_balance_points.json`` with the settings, per-point evaluations
and timings.  Failures (no sign change on the scan range) are stored with their
reason, never dropped.

    python scripts/mixd_balance_points.py            # L = 6 and 8 (about 30 min on one core)
    python scripts/mixd_balance_points.py --small    # L = 4 and 6 (a minute), for the tests
    python scripts/mixd_balance_points.py --workers 2 | --scheduler tcp://host:8786   # on Dask
    nice -n 15 python scripts/mixd_balance_points.py --dmrg 16 --chi 128 --workers 1
        # DMRG balance points at L = 16, N_h = 4, 8, 12, 16 -> data/mixd_balance_points_dmrg.json

DMRG roots use ``method="dmrg"`` with the settings ``DMRG_OPTIONS`` (every ground state
must meet its convergence criterion, else the point is stored with ok = False and the reason)
and a narrower bracketing scan, J/V in [0.7, 1.5].
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time


from nickelates import __version__, engine, mixd, paths
from nickelates import mixd_exact as mx
from nickelates.errors import ConvergenceError

T_PAR, V = 0.1, 1.0
#: DMRG settings of the balance-point ground states (see mixd_exact.dmrg_ground_state)
DMRG_OPTIONS = dict(max_sweeps=40, min_sweeps=12, max_E_err=1e-6, max_S_err=1e-5)


def mean_field_balance(L, n_holes):
    """The mean field's imbalance zero (``mixd.balance_point``, the paper's model)."""
    return mixd.balance_point(L, n_holes, t_par=T_PAR, V=V)


def point(task):
    """One (L, N_h): the exact balance point and the mean field's, with timings."""
    L, n_holes, xtol, method, chi = task
    row = {"L": L, "n_holes": n_holes, "doping": n_holes / (2 * L), "method": method}
    kw = {}
    if method == "dmrg":
        kw = dict(method="dmrg", chi_max=chi, J_range=(0.7, 1.5), n_scan=5, dmrg_options=DMRG_OPTIONS)
        row["chi_max"] = chi
    t0 = time.perf_counter()
    try:
        r = mx.balance_point_details(L, n_holes, T_PAR, V, xtol=xtol, **kw)
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
    ap.add_argument("--xtol", type=float, default=None,
                    help="root tolerance in J_perp/V (default 1e-6 for ED, 1e-4 for DMRG)")
    ap.add_argument("--dmrg", type=int, metavar="L", default=None,
                    help="DMRG balance points at this L (N_h = L/4, L/2, 3L/4, L) instead of ED")
    ap.add_argument("--chi", type=int, default=128, help="DMRG bond dimension (with --dmrg)")
    engine.add_arguments(ap)   # --workers N (0: in this process) | --scheduler ADDRESS
    args = ap.parse_args(argv)
    if args.dmrg is not None:
        if args.dmrg < 8 or args.dmrg % 4:
            ap.error(f"--dmrg must be a multiple of 4, at least 8, got {args.dmrg}")
        if not 4 <= args.chi <= 4096:
            ap.error(f"--chi must lie in [4, 4096], got {args.chi}")
        sizes = (args.dmrg,)
        xtol = 1e-4 if args.xtol is None else args.xtol
        points = [(args.dmrg, k * args.dmrg // 4, xtol, "dmrg", args.chi) for k in (1, 2, 3, 4)]
        out = args.out or paths.data_file("mixd_balance_points_dmrg.json")
    else:
        sizes = (4, 6) if args.small else (6, 8)
        xtol = 1e-6 if args.xtol is None else args.xtol
        out = args.out or paths.data_file("mixd_balance_points_small.json" if args.small
                                          else "mixd_balance_points.json")
        points = [(L, n_holes, xtol, "ed", 0) for L in sizes for n_holes in range(2, L + 1, 2)]
    if not 1e-12 <= xtol <= 0.1:
        ap.error(f"--xtol must lie in [1e-12, 0.1], got {xtol}")
    rows = []                       # the mean field holds at most L holes: N_h <= L
    for res in engine.map_tasks(point, points, workers=args.workers, scheduler=args.scheduler):
        row = res.value if res.ok else {"L": res.item[0], "n_holes": res.item[1], "ok": False,
                                        "reason": res.error}
        print(json.dumps(row), flush=True)
        rows.append(row)
    rows.sort(key=lambda r: (r["L"], r["n_holes"]))
    meta = {"script": "scripts/mixd_balance_points.py", "argv": sys.argv[1:], "t_par": T_PAR, "V": V,
            "xtol": xtol, "sizes": sizes, "dmrg_options": DMRG_OPTIONS if args.dmrg else None, "nickelates": __version__, "python": platform.python_version(),
            "method": ("DMRG" if args.dmrg else "ED") + " ground states (mixd_exact.balance_point_details, "
                      "Brent) vs mean field (Brent)"}
    tmp = f"{out}.tmp{os.getpid()}"
    with open(tmp, "w") as fh:
        json.dump({"meta": meta, "points": rows}, fh, indent=1)
    os.replace(tmp, out)
    print(f"wrote {out}")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
