#!/usr/bin/env python
"""Produce data/mixd_dmrg.json: DMRG (TeNPy) and exact-diagonalization data of the MixD+V ladder.

For chapter 7 (``book/07-mixd-exact.md``).

Energies in units of the rung repulsion V = 1; t_par / V = 0.1 as in the paper.

Usage::

    .venv/bin/python scripts/mixd_dmrg.py --workers 2  # full data set (~1.5 h on 2 idle cores)
    .venv/bin/python scripts/mixd_dmrg.py --small -o /tmp/x.json   # CI-sized instance
    .venv/bin/python scripts/mixd_dmrg.py --workers 2              # on a local Dask cluster
    .venv/bin/python scripts/mixd_dmrg.py --scheduler tcp://host:8786   # on an existing cluster

Every DMRG run also measures the energy variance of its final MPS (``variance``, V^2), and
each write recomputes the error budget (``energy_error``, ``chi_sufficient``, ``meta.counts``;
``mixd_exact.annotate_error_budget``).  The variance of runs stored before it was measured,
and one chi doubling, come from ``scripts/mixd_error_budget.py``.

Exit codes: 0 all points converged, 1 some points failed (not stored), 3 some DMRG runs
did not converge: they are kept under "rejected" (with their energy, spread and truncation
error), never under "points", which is all that ``mixd_exact.load_data`` and the chapters read.

The full run contains the ``--small`` instance as a subset, so a test can
rerun ``--small`` and compare with the stored file point by point.
Each finished point is written immediately (the file is valid JSON at all times).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from nickelates import engine
from nickelates import mixd_exact as mx

T_PAR = 0.1
V = 1.0
J_GRID = [0.6, 0.8, 1.0, 1.2, 1.4, 1.7, 2.0]

#: DMRG settings shared by every point (chi_max is set per point). A point counts as
#: converged when, after at least min_sweeps, its last 8 sweep energies spread by less than
#: max_E_err (units of V) and the entropy change is below max_S_err (see
#: mixd_exact.dmrg_ground_state); points that miss it are stored with converged = False and
#: never used by the chapters.
DMRG_KW = dict(max_sweeps=60, min_sweeps=16, max_E_err=1e-6, max_S_err=1e-5, svd_min=1e-10)
#: J_perp / V at and below which an L = 30 point is on the sc side (J_c ~ 1.07-1.10): chi up to 256
SC_SIDE = 1.2


def plan(small: bool):
    """List of ("dmrg"|"ed", L, n_holes, J_perp, chi_max) jobs, cheapest blocks first."""
    small_jobs = [("ed", 6, nh, 1.0, 0) for nh in (2, 3, 4)]
    small_jobs += [("dmrg", 6, nh, 1.0, 64) for nh in (2, 3, 4)]
    if small:
        return small_jobs
    jobs = list(small_jobs)
    # exact diagonalization, L = 8 (E_B at N_h = 4 needs 2, 3, 4)
    jobs += [("ed", 8, nh, J, 0) for J in J_GRID for nh in (2, 3, 4)]
    # DMRG validation against ED at L = 8
    # (chi = 64 on the sc side of L >= 8 leaves a truncation error ~1e-5 and sweep energies that
    # never settle to 1e-6: those points are not worth 80 sweeps, chi = 128 and 256 are used there)
    jobs += [("dmrg", 8, nh, J, 128) for J in (0.6, 1.0, 2.0) for nh in (2, 3, 4)]
    # L = 16: delta = 4/16 (Fig. 3 inset) and E_B at N_h = 8
    jobs += [("dmrg", 16, nh, J, 128) for J in J_GRID for nh in (4, 6, 7, 8)]
    # deepest on the sc side chi = 128 leaves the entropy still drifting at L = 16 (N_h = 7)
    jobs += [("dmrg", 16, nh, 0.6, 256) for nh in (4, 6, 7, 8)]
    # L = 30 (paper's size): delta = 8/30 (Fig. 3 inset) and E_B at N_h = 14 (Fig. 5), N_h = 12, 13
    # for E_B at N_h = 13; chi = 128 everywhere, 256 on the sc side and 64 on the cc side, for the
    # extrapolation in the truncation error
    L30 = [(nh, J) for J in J_GRID for nh in (8, 12, 13, 14)]
    jobs += [("dmrg", 30, nh, J, 128) for nh, J in L30]
    # L = 30 energies at low doping for Fig. 4
    jobs += [("dmrg", 30, nh, J, 128) for J in (0.8, 1.2, 2.0) for nh in (2, 4, 6)]
    jobs += [("dmrg", 30, nh, J, 256) for nh, J in L30 if J <= SC_SIDE]
    jobs += [("dmrg", 30, nh, J, 64) for nh, J in L30 if J > SC_SIDE]
    # bond-dimension scan at one hard point
    jobs += [("dmrg", 30, 14, 1.0, chi) for chi in (128, 256)]
    unique = []
    for j in jobs:
        if j not in unique:
            unique.append(j)
    return unique


def run_job(kind, L, nh, J, chi):
    t0 = time.perf_counter()
    if kind == "ed":
        r = mx.ground_state(L=L, n_holes=nh, J_perp=J, V=V, t_par=T_PAR)
        rec = dict(kind="ed", L=L, n_holes=nh, J_perp=J, V=V, t_par=T_PAR, dim=r.dim,
                   energy=r.energy, n_cc=r.n_cc, n_sc=r.n_sc, gap=r.gap,
                   cc_profile=[float(x) for x in r.cc_profile])
    else:
        r = mx.dmrg_ground_state(L, nh, J, V, T_PAR, chi_max=chi, raise_on_fail=False, variance=True,
                                 **DMRG_KW)
        rec = dict(kind="dmrg", L=L, n_holes=nh, J_perp=J, V=V, t_par=T_PAR, chi_max=chi,
                   chi=r.chi, energy=r.energy, n_cc=r.n_cc, n_sc=r.n_sc, converged=r.converged,
                   variance=r.variance,
                   truncation_error=r.truncation_error, delta_E=r.delta_E, delta_S=r.delta_S,
                   E_spread_8=max(r.energies[-8:]) - min(r.energies[-8:]), sweeps=r.sweeps,
                   sweep_energies=list(r.energies),
                   cc_profile=[float(x) for x in r.cc_profile])
    if kind == "dmrg":
        rec["min_sweeps"], rec["max_sweeps"] = DMRG_KW["min_sweeps"], DMRG_KW["max_sweeps"]
    rec["seconds"] = round(time.perf_counter() - t0, 2)
    return rec


def write(out: Path, meta: dict, records: list) -> None:
    """Write the data file atomically: converged runs under "points", the others under "rejected".

    The chapters and ``mixd_exact.load_data`` read only "points", so an unconverged run can
    never reach a figure; "rejected" keeps its record (energy, spread, truncation error) so
    that a rerun with ``--resume`` does not repeat it and a reader can see what failed.
    """
    for r in records:             # runs of the first rerun blocks, before settings were stored
        if r["kind"] == "dmrg" and "min_sweeps" not in r:
            r["min_sweeps"], r["max_sweeps"] = 30, (80 if r["chi_max"] == 64 and r["L"] <= 16 else 60)
    ok = [r for r in records if r["kind"] == "ed" or r["converged"]]
    bad = [r for r in records if r["kind"] == "dmrg" and not r["converged"]]
    # the error budget (issue 24): energy_error, chi_sufficient, meta counts, from the records
    content = mx.annotate_error_budget(dict(meta=meta, points=ok, rejected=bad))
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(content, indent=1))
    tmp.replace(out)


def _run_job_tuple(job):
    return run_job(*job)


def key(rec):
    return (rec["kind"], rec["L"], rec["n_holes"], round(rec["J_perp"], 6), rec.get("chi_max", 0))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="CI-sized instance only")
    ap.add_argument("-o", "--out", default=str(mx.DATA_FILE))
    ap.add_argument("--resume", action="store_true", help="skip points already in --out")
    ap.add_argument("--seed-ed", metavar="FILE",
                    help="start from the exact-diagonalization points of FILE (ED does not change "
                         "with the DMRG settings); DMRG points are recomputed")
    engine.add_arguments(ap)   # --workers N (0: in this process) | --scheduler ADDRESS
    args = ap.parse_args(argv)
    # TeNPy's own deprecation notices (the same ones pyproject.toml lets through in the tests)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="tenpy")
    import tenpy

    out = Path(args.out)
    records = []
    if args.resume and out.exists():
        stored = json.loads(out.read_text())
        records = stored["points"] + stored.get("rejected", [])
    if args.seed_ed and not records:
        records = [r for r in json.loads(Path(args.seed_ed).read_text())["points"] if r["kind"] == "ed"]
    done = {key(r) for r in records}
    meta = dict(model="MixD+V ladder, Eq. (1) of Borchia, Lange & Grusdt (2025)",
                units="energies in units of V", t_par=T_PAR, V=V,
                dmrg="TeNPy TwoSiteDMRGEngine with mixer, conserved (N_leg0, N_leg1, 2Sz)",
                dmrg_settings=DMRG_KW, tenpy=tenpy.__version__, python=platform.python_version(),
                script="scripts/mixd_dmrg.py" + (" --small" if args.small else ""),
                settings_note="dmrg_settings are those of the last run; each DMRG record carries "
                              "its own min_sweeps / max_sweeps, and converged is the 8-sweep energy "
                              "window criterion of mixd_exact.dmrg_ground_state (max_E_err, max_S_err)")
    t_start = time.perf_counter()
    todo = [job for job in plan(args.small) if (job[0], job[1], job[2], round(job[3], 6), job[4]) not in done]
    failed = 0
    for res in engine.map_tasks(_run_job_tuple, todo, workers=args.workers, scheduler=args.scheduler):
        kind, L, nh, J, chi = res.item
        if not res.ok:              # reported, never stored as a point
            failed += 1
            print(f"FAILED {kind} L={L} N_h={nh} J={J:.2f} chi={chi}: {res.error}", flush=True)
            continue
        rec = res.value
        records.append(rec)
        meta["wall_seconds"] = round(time.perf_counter() - t_start, 1)
        write(out, meta, records)
        conv = "" if kind == "ed" else (f"  sweeps={rec['sweeps']} trunc={rec['truncation_error']:.1e} "
                                        f"spread={rec['E_spread_8']:.1e}"
                                        + ("" if rec["converged"] else "  NOT CONVERGED"))
        print(f"{kind:4s} L={L:2d} N_h={nh:2d} J={J:.2f} chi={chi:3d}  E={rec['energy']:.10f}  "
              f"n_cc={rec['n_cc']:.5f}  {rec['seconds']:.1f}s{conv}", flush=True)
    write(out, meta, records)      # also repacks a file written by an older version
    unconverged = [key(r) for r in records if r["kind"] == "dmrg" and not r["converged"]]
    if unconverged:
        print(f"{len(unconverged)} DMRG runs did not converge (kept under 'rejected', never used "
              f"as points): {unconverged}")
    if failed:
        print(f"{failed} of {len(todo)} points failed (rerun with --resume)")
        return 1
    return 3 if unconverged else 0


if __name__ == "__main__":
    raise SystemExit(main())
