#!/usr/bin/env python
"""Produce data/mixd_correlations.json: pair, density and spin correlations of the MixD+V ladder (DMRG).

For chapter 7 (``book/07-mixd-exact.md``, "The ladder's correlations"; issue 16).
Each point is one call of ``mixd_exact.dmrg_correlations`` (a DMRG ground state at
2S^z = 0 with the cc and sc^2 pair correlations, the rung-density structure factor and
K_rho, the entanglement entropy, and a second run at 2S^z = 2 for the spin gap).

Energies in units of the rung repulsion V = 1; t_par / V = 0.1 as in the paper.

Usage::

    nice -n 15 .venv/bin/python scripts/mixd_correlations.py --workers 1   # L = 40, 5 J (~1 h)
    .venv/bin/python scripts/mixd_correlations.py --small -o /tmp/x.json    # L = 8, for the tests
    .venv/bin/python scripts/mixd_correlations.py --scheduler tcp://host:8786

Exit codes: 0 all points converged, 1 some points failed (not stored), 3 all stored but
some DMRG run has ``converged = False`` (kept with the flag, never used by the chapter).
Each finished point is written at once (atomically; the file is valid JSON at all times).
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

from nickelates import engine, paths
from nickelates import mixd_exact as mx

T_PAR = 0.1
V = 1.0
#: DMRG settings of every run (see mixd_exact.dmrg_ground_state for the criterion). At chi = 128 the
#: mixer is off after sweep 8; min_sweeps = 20 lets the 8-sweep energy window lie after that (with
#: min_sweeps = 12 TeNPy's own one-sweep criterion stopped runs before the window was quiet). Every
#: record stores the settings it was computed with (``dmrg_settings``).
DMRG_KW = dict(max_sweeps=60, min_sweeps=20, max_E_err=1e-6, max_S_err=1e-5)
#: sc side, Leggett point (~0.79), the balance point (~1.07), cc side: the crossover at delta = 1/4
J_FULL = [1.4, 0.9, 2.0, 0.6, 1.1]
DEFAULT_OUT = paths.data_file("mixd_correlations.json")


def plan(small: bool):
    """List of (L, n_holes, J_perp, chi_max) jobs."""
    small_jobs = [(8, 2, J, 64) for J in (0.6, 2.0)]
    if small:
        return small_jobs
    # the full run contains the --small instance (first: cheapest), so that a test can rerun it and compare
    return small_jobs + [(40, 10, J, 128) for J in J_FULL]


def run_job(L, nh, J, chi):
    t0 = time.perf_counter()
    c = mx.dmrg_correlations(L, nh, J, V, T_PAR, chi_max=chi, raise_on_fail=False, **DMRG_KW)
    rec = c.to_dict()
    rec["dmrg_settings"] = dict(DMRG_KW)
    rec["seconds"] = round(time.perf_counter() - t0, 2)
    return rec


def _run_job_tuple(job):
    return run_job(*job)


def key(rec):
    return (rec["L"], rec["n_holes"], round(rec["J_perp"], 6), rec["chi_max"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="CI-sized instance (L = 8) only")
    ap.add_argument("-o", "--out", default=str(DEFAULT_OUT), help="output JSON")
    ap.add_argument("--resume", action="store_true",
                    help="skip points already in --out with both runs (S^z = 0 and 1) converged; "
                         "recompute the others and replace them when done")
    engine.add_arguments(ap)   # --workers N (0: in this process) | --scheduler ADDRESS
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="tenpy")
    import tenpy

    out = Path(args.out)
    records = []
    if args.resume and out.exists():
        records = json.loads(out.read_text())["points"]
    done = {key(r) for r in records if r["converged"] is True and r["converged_S1"] is not False}
    meta = dict(model="MixD+V ladder, Eq. (1) of Borchia, Lange & Grusdt (2025)",
                units="energies in units of V", t_par=T_PAR, V=V,
                function="nickelates.mixd_exact.dmrg_correlations", dmrg_settings_default=DMRG_KW,
                dmrg_settings_note="each point stores the settings it was computed with (dmrg_settings)",
                tenpy=tenpy.__version__, python=platform.python_version(),
                script="scripts/mixd_correlations.py" + (" --small" if args.small else ""))
    todo = [job for job in plan(args.small) if (job[0], job[1], round(job[2], 6), job[3]) not in done]
    t_start, failed = time.perf_counter(), 0
    for res in engine.map_tasks(_run_job_tuple, todo, workers=args.workers, scheduler=args.scheduler):
        L, nh, J, chi = res.item
        if not res.ok:
            failed += 1
            print(f"FAILED L={L} N_h={nh} J={J:.2f} chi={chi}: {res.error}", flush=True)
            continue
        rec = res.value
        old = [r for r in records if key(r) == key(rec)]
        if old and old[0]["converged"] is True and rec["converged"] is not True:
            print(f"L={L} N_h={nh} J={J:.2f} chi={chi}: recomputed ground state not converged; "
                  "the stored (converged) point is kept", flush=True)
            continue
        records = [r for r in records if key(r) != key(rec)] + [rec]
        records.sort(key=key)
        meta["wall_seconds"] = round(time.perf_counter() - t_start, 1)
        tmp = out.with_name(out.name + f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(dict(meta=meta, points=records), indent=1))
        tmp.replace(out)
        flag = "" if rec["converged"] and rec["converged_S1"] is not False else "  NOT CONVERGED"
        print(f"L={L} N_h={nh} J={J:.2f} chi={chi}: E={rec['energy']:.10f} K_rho={rec['K_rho']:.3f} "
              f"spin gap={rec['spin_gap']} sweeps={rec['sweeps']} trunc={rec['truncation_error']:.1e} "
              f"{rec['seconds']:.0f}s{flag}", flush=True)
    bad = [key(r) for r in records if not r["converged"] or r["converged_S1"] is False]
    if bad:
        print(f"{len(bad)} points stored with an unconverged DMRG run: {bad}")
    if failed:
        print(f"{failed} of {len(todo)} points failed (rerun with --resume)")
        return 1
    return 3 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
