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

**Resumable roots on stored ground states** (``--holes``; issue 24 item 2, e.g. L = 30)::

    python scripts/mixd_balance_points.py --dmrg 30 --holes 8 14 --chi 256 --plan   # runs still needed
    nice -n 15 python scripts/mixd_balance_points.py --dmrg 30 --holes 8 14 --chi 256 --workers 2
    python scripts/mixd_balance_points.py --dmrg 8 --holes 2 --chi 32 --xtol 1e-2 --out /tmp/b.json  # test size

The imbalance f(J) = (N_sc - 2 N_cc)/N_h is read from every converged DMRG ground state
stored for (L, N_h) in ``data/mixd_dmrg.json`` (the run with the largest chi per J; never
written here) and from the runs this mode added to its output file (``dmrg_runs``).  The
bracket is the stored sign change (else a scan of ``--J-range``), and Brent's method
(scipy ``brentq``, tolerance ``--xtol``) is *replayed* on those values: the first J it asks
for that is not stored becomes a Dask task (one ground state at ``--chi`` and its
warm-started doubling to 2 chi, with variances; capped at ``--max-minutes``), the result is
written at once (atomically), and the replay starts again.  Interrupted runs resume
where they stopped.  Error of the root: each f carries the error propagated from its
energy's ``energy_error`` through the linear co-convergence of f and E under the last
bond-dimension doubling, delta f = |Delta f / Delta E| energy_error (one chi stored: the
largest |Delta f / Delta E| of the same L); then J_exact_error = sqrt(xtol^2 +
(delta f / |f'|)^2) with f' the secant through the two evaluations that bracket the root.
Points carry ``L``, ``J_exact``, ``J_exact_error``, ``delta`` = N_h / L (chapter 7's delta;
``doping`` keeps its meaning N_h / 2L) and are merged into the output file by (L, N_h).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time


import math
from pathlib import Path

import numpy as np

from nickelates import __version__, _atomic, engine, mixd, paths
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
    row = {"L": L, "n_holes": n_holes, "doping": n_holes / (2 * L), "delta": n_holes / L, "method": method}
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


# --------------------------------------------------------------------------- resumable roots on stored runs
#: a ground state at L = 30, chi = 256 took a median 150 s; its warm doubling to 512 about 4 x that
SECONDS_PER_EVALUATION = {30: 750.0}


class _Need(Exception):
    """Brent's replay asked for an imbalance that is not stored."""

    def __init__(self, J):
        super().__init__(J)
        self.J = J


def _jkey(J):
    return round(float(J), 9)


def imbalance_of(p):
    """(N_sc - 2 N_cc)/N_h of one stored run."""
    return mx.crossover_ratio(p["n_sc"], p["n_cc"], p["L"], p["n_holes"])


def runs_by_J(runs, L, n_holes):
    """{J: [runs sorted by chi]} of the DMRG runs of (L, N_h), unconverged ones included."""
    out = {}
    for p in runs:
        if p.get("kind", "dmrg") == "dmrg" and p["L"] == L and p["n_holes"] == n_holes:
            out.setdefault(_jkey(p["J_perp"]), []).append(p)
    return {J: sorted(v, key=lambda p: p["chi_max"]) for J, v in out.items()}


def largest_slope(runs, L):
    """The largest |Delta f / Delta E| between the two largest converged chi of any stored (N_h, J) at L."""
    best = 0.0
    groups = {}
    for p in runs:
        if p.get("kind", "dmrg") == "dmrg" and p["L"] == L and p.get("converged") is True:
            groups.setdefault((p["n_holes"], _jkey(p["J_perp"])), []).append(p)
    for g in groups.values():
        if len(g) >= 2:
            a, b = sorted(g, key=lambda p: p["chi_max"])[-2:]
            dE = abs(b["energy"] - a["energy"])
            if dE > 0:
                best = max(best, abs(imbalance_of(b) - imbalance_of(a)) / dE)
    return best


def balance_with_error(runs, slope_max):
    """(f, delta f, chi, source) of the best converged run at one J, or None if none converged."""
    ok = [p for p in runs if p.get("converged") is True]
    if not ok:
        return None
    best = ok[-1]
    f = imbalance_of(best)
    eE = best.get("energy_error")
    if len(ok) >= 2:
        prev = ok[-2]
        df, dE = abs(f - imbalance_of(prev)), abs(best["energy"] - prev["energy"])
        slope = df / dE if dE > 0 else 0.0
        err = df if eE is None else slope * eE
    else:
        err = None if eE is None else slope_max * eE
    return f, err, best["chi_max"], best.get("source", "data/mixd_dmrg.json")


def root_state(L, n_holes, runs, slope_max, xtol, J_range, n_scan):
    """Replay the root find on the stored runs: ("need", [J, ...]), ("fail", reason) or ("done", row)."""
    from scipy.optimize import brentq

    byJ = runs_by_J(runs, L, n_holes)
    vals = {}
    for J, rs in byJ.items():
        v = balance_with_error(rs, slope_max)
        if v is not None:
            vals[J] = v
    Js = sorted(vals)
    bracket = None
    for a, b in zip(Js, Js[1:]):
        if vals[a][0] > 0 > vals[b][0]:
            bracket = (a, b)
    if bracket is None:
        grid = [_jkey(J) for J in np.linspace(J_range[0], J_range[1], n_scan)]
        missing = [J for J in grid if J not in vals]
        unconv = [J for J in missing if J in byJ]
        if unconv:
            return "fail", f"no converged ground state at J = {unconv} (chi up to {byJ[unconv[0]][-1]['chi_max']})"
        if missing:
            return "need", missing
        return "fail", f"the imbalance does not change sign on J in {list(J_range)}"

    def F(J):
        k = _jkey(J)
        if k in vals:
            return vals[k][0]
        if k in byJ:
            raise RuntimeError(f"no converged ground state at J = {k}")
        raise _Need(k)

    try:
        root = brentq(F, *bracket, xtol=xtol, rtol=4 * np.finfo(float).eps, maxiter=100)
    except _Need as need:
        return "need", [need.J]
    except RuntimeError as exc:
        return "fail", str(exc)
    pos = max(J for J in vals if vals[J][0] > 0 and J <= root + xtol)
    neg = min(J for J in vals if vals[J][0] < 0 and J >= root - xtol)
    (fa, ea, *_), (fb, eb, *_) = vals[pos], vals[neg]
    slope = (fb - fa) / (neg - pos)
    errs = [e for e in (ea, eb) if e is not None]
    df = max(errs) if errs else None
    J_err = math.hypot(xtol, df / abs(slope)) if df is not None else xtol
    near = min((pos, neg), key=lambda J: abs(J - root))
    used = [dict(J_perp=J, imbalance=vals[J][0], imbalance_error=vals[J][1], chi_max=vals[J][2],
                 source=vals[J][3]) for J in Js]
    row = dict(L=L, n_holes=n_holes, doping=n_holes / (2 * L), delta=n_holes / L, method="dmrg",
               chi_max=max(vals[J][2] for J in (pos, neg)), J_exact=float(root), J_exact_error=float(J_err),
               J_exact_error_note=("sqrt(xtol^2 + (delta f / |f'|)^2), delta f = |Delta f/Delta E| energy_error"
                                   if df is not None else "xtol only: no energy_error stored for the bracket"),
               xtol=xtol, bracket=[float(pos), float(neg)], slope=float(slope),
               imbalance_at_root=float(vals[near][0]), imbalance_error_at_root=df,
               jump=bool(abs(neg - pos) < 4 * xtol and min(abs(fa), abs(fb)) > 0.02),
               evaluations=used, reused_stored=sum(1 for u in used if u["source"] == "data/mixd_dmrg.json"),
               ok=True, reason="")
    return "done", row


def evaluate(task):
    """One new ground state at chi and its warm-started doubling (both with variances), as run dicts."""
    L, n_holes, J, chi, max_minutes = task
    first, second = mx.dmrg_bond_doubling(L, n_holes, J, V, T_PAR, chi_max=chi, factor=2,
                                          max_hours=max_minutes / 60.0 / 2.0, **DMRG_OPTIONS)
    step = max(abs(second.energy - first.energy), 1e-10)
    out = []
    for r, err in ((first, 2 * step), (second, step)):
        out.append(dict(kind="dmrg", L=L, n_holes=n_holes, J_perp=float(J), V=V, t_par=T_PAR,
                        chi_max=r.chi_max, chi=r.chi, energy=r.energy, n_cc=r.n_cc, n_sc=r.n_sc,
                        converged=r.converged, truncation_error=r.truncation_error, sweeps=r.sweeps,
                        variance=r.variance, energy_error=err, shelved=r.shelved,
                        seconds=round(r.seconds, 1), delta=n_holes / L, source="dmrg_runs",
                        energy_error_rule="full step of the doubling (larger chi), twice that (smaller chi)"))
    return out


def cached_roots(args, ap) -> int:
    """The resumable root find of --holes (see the module docstring)."""
    L = args.dmrg
    holes = sorted(set(args.holes))
    if any(not 1 <= h <= 2 * L for h in holes):
        ap.error(f"--holes must lie in [1, 2L = {2 * L}], got {holes}")
    xtol = 1e-3 if args.xtol is None else args.xtol
    if not 1e-12 <= xtol <= 0.1:
        ap.error(f"--xtol must lie in [1e-12, 0.1], got {xtol}")
    out = Path(args.out or paths.data_file("mixd_balance_points_dmrg.json"))
    content = json.loads(out.read_text()) if out.exists() else {"meta": {}, "points": []}
    content.setdefault("dmrg_runs", [])
    stored = [dict(p, source="data/mixd_dmrg.json")
              for p in json.loads(Path(args.dmrg_data).read_text())["points"]]
    J_range = tuple(args.J_range)
    meta = content["meta"]
    meta.setdefault("xtol", xtol)
    meta["cached_roots"] = dict(
        script="scripts/mixd_balance_points.py", argv=sys.argv[1:], dmrg_data=str(args.dmrg_data),
        dmrg_options=DMRG_OPTIONS, chi=args.chi, xtol=xtol, J_range=list(J_range),
        method="Brent (scipy brentq) replayed on stored converged DMRG ground states; missing "
               "J's computed (chi and its warm doubling), cached in dmrg_runs",
        J_exact_error="sqrt(xtol^2 + (delta f / |f'|)^2); delta f = |Delta f / Delta E| x energy_error of "
                      "the run used (last doubling; one chi: the largest slope of the same L); f' the "
                      "secant through the two evaluations bracketing the root",
        delta="N_h / L (holes per rung, chapter 7); doping = N_h / 2L unchanged",
        nickelates=__version__, python=platform.python_version())

    def save():
        _atomic.write_text(out, json.dumps(content, indent=1), force=True)

    failed = {}
    while True:
        runs = stored + content["dmrg_runs"]
        slope_max = largest_slope(runs, L)
        needs, todo = {}, []
        for h in holes:
            if h in failed:
                continue
            state, what = root_state(L, h, runs, slope_max, xtol, J_range, args.n_scan)
            if state == "need":
                needs[h] = what
                todo += [(L, h, J, args.chi, args.max_minutes) for J in what]
            elif state == "fail":
                failed[h] = what
            else:
                row = what
                row["J_mf_same_L"] = mean_field_balance(L, h) if h <= L else None
                content["points"] = [p for p in content["points"] if (p["L"], p["n_holes"]) != (L, h)] + [row]
                content["points"].sort(key=lambda p: (p["L"], p["n_holes"]))
                if not args.plan:
                    save()
                print(f"L={L} N_h={h}: J_c = {row['J_exact']:.5f} +- {row['J_exact_error']:.1e} "
                      f"({len(row['evaluations'])} ground states, {row['reused_stored']} from data/mixd_dmrg.json)",
                      flush=True)
                holes = [x for x in holes if x != h]
        if args.plan:
            per = SECONDS_PER_EVALUATION.get(L, 750.0 * (L / 30) * (args.chi / 256) ** 3)
            for h, Js in needs.items():
                print(f"L={L} N_h={h}: next ground states at J = {Js} (chi {args.chi} and {2 * args.chi}); "
                      f"Brent needs ~{max(len(Js), 8)} more in all, ~{max(len(Js), 8) * per / 3600:.1f} CPU h")
            for h, why in failed.items():
                print(f"L={L} N_h={h}: cannot proceed: {why}")
            return 0
        if not todo:
            break
        for res in engine.map_tasks(evaluate, todo, workers=args.workers, scheduler=args.scheduler):
            _, h, J, *_ = res.item
            if not res.ok:
                failed[h] = f"DMRG at J = {J} failed: {res.error}"
                print(f"FAILED L={L} N_h={h} J={J}: {res.error}", flush=True)
                continue
            content["dmrg_runs"].extend(res.value)
            save()
            print(f"L={L} N_h={h} J={J:.6f}: f = {imbalance_of(res.value[-1]):+.6f} "
                  f"(chi {res.value[-1]['chi_max']}, converged {res.value[-1]['converged']})", flush=True)
    for h, why in failed.items():
        row = dict(L=L, n_holes=h, doping=h / (2 * L), delta=h / L, method="dmrg", J_exact=None,
                   J_exact_error=None, ok=False, reason=why, jump=False)
        content["points"] = [p for p in content["points"] if (p["L"], p["n_holes"]) != (L, h)] + [row]
        print(f"L={L} N_h={h}: not found: {why}")
    save()
    print(f"wrote {out}")
    return 1 if failed else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="L = 4 and 6 only (test size)")
    ap.add_argument("--out", default=None, help="output JSON (default data/mixd_balance_points[_small].json)")
    ap.add_argument("--xtol", type=float, default=None,
                    help="root tolerance in J_perp/V (default 1e-6 for ED, 1e-4 for DMRG)")
    ap.add_argument("--dmrg", type=int, metavar="L", default=None,
                    help="DMRG balance points at this L (N_h = L/4, L/2, 3L/4, L) instead of ED")
    ap.add_argument("--chi", type=int, default=128, help="DMRG bond dimension (with --dmrg)")
    ap.add_argument("--holes", type=int, nargs="+", default=None,
                    help="with --dmrg: resumable roots at these N_h on the stored ground states (any L >= 8)")
    ap.add_argument("--dmrg-data", default=str(mx.DATA_FILE),
                    help="stored DMRG runs to reuse (read only; default data/mixd_dmrg.json)")
    ap.add_argument("--J-range", type=float, nargs=2, default=(0.7, 1.5), help="bracketing scan if none is stored")
    ap.add_argument("--n-scan", type=int, default=5, help="points of that scan")
    ap.add_argument("--max-minutes", type=float, default=45.0, help="wall-time cap of one new ground-state pair")
    ap.add_argument("--plan", action="store_true", help="with --holes: print the DMRG runs still needed; run nothing")
    engine.add_arguments(ap)   # --workers N (0: in this process) | --scheduler ADDRESS
    args = ap.parse_args(argv)
    if args.holes is not None:
        if args.dmrg is None or args.dmrg < 8:
            ap.error("--holes needs --dmrg L with L >= 8")
        if not 4 <= args.chi <= 2048:
            ap.error(f"--chi must lie in [4, 2048], got {args.chi}")
        if not 0 < args.max_minutes <= 10000:
            ap.error(f"--max-minutes must lie in (0, 10000], got {args.max_minutes}")
        if not 0 <= args.J_range[0] < args.J_range[1] <= 100 or not 2 <= args.n_scan <= 200:
            ap.error("--J-range must be J_lo < J_hi in [0, 100] and --n-scan in [2, 200]")
        return cached_roots(args, ap)
    if args.plan:
        ap.error("--plan needs --holes")
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
