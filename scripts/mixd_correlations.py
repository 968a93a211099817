#!/usr/bin/env python
"""Produce data/mixd_correlations.json: pair, density and spin correlations of the MixD+V ladder (DMRG).

For chapter 7 (``book/07-mixd-exact.md``, "The ladder's correlations"; issues 16 and 24 item 3).
Each point is one (L, N_h, J_perp, chi) computed by ``mixd_luttinger.dmrg_luttinger_point``:
a DMRG ground state at 2S^z = 0 with the cc and sc^2 pair correlations, the rung-density
structure factor N_+(q) and K_rho, the entanglement entropy (the keys of
``mixd_exact.dmrg_correlations``, same meaning), and for the Luther-Emery check the relative
density structure factor N_-(q) of n_{j,0} - n_{j,1} (``structure_factor_relative``), the
rung density and spin correlations from the reference rung (``density_corr``, ``spin_corr``),
the spin gap (a run at 2S^z = 2) and the relative-charge gap E(h0 + 1, h1 - 1) - E(h0, h1)
(a run in that sector of holes per leg; ``relative_charge_gap``).

Every (L, J) is computed at a series of bond dimensions (``--chis``), in rounds of
increasing chi: a point at chi_k starts from the MPS of chi_(k-1) when the cache folder
(``--cache-dir``, git-ignored, may be gone in the next session) still holds them
(``warm_start`` in the record), else from a product state.  A point is one Dask task; each
of its three DMRG runs is capped at ``--max-minutes`` / 3 (TeNPy ``max_hours``; a run
stopped by it is stored with ``shelved`` True and its convergence flags).  Stored points that
are converged and carry the Luther-Emery keys are skipped (``--redo`` recomputes them).

Energies in units of the rung repulsion V = 1; t_par / V = 0.1 as in the paper; N_h is the
even number nearest to ``--delta`` x L (delta = N_h / L, holes per rung).

Usage::

    .venv/bin/python scripts/mixd_correlations.py --plan                      # what is left, CPU hours
    nice -n 15 .venv/bin/python scripts/mixd_correlations.py --workers 2      # L = 40, 64; chi 128/256/512
    .venv/bin/python scripts/mixd_correlations.py --scheduler tcp://host:8786 --L 40 64 96
    .venv/bin/python scripts/mixd_correlations.py --small -o /tmp/x.json      # L = 8, chi 64 (tests)
    .venv/bin/python scripts/mixd_correlations.py --small --L 8 12 --chis 32 64 --J 2.0 -o /tmp/y.json

Exit codes: 0 all points converged, 1 some points failed (not stored), 3 all stored but
some DMRG run has ``converged = False`` (kept with the flag, never used by the chapter).
Each finished point is written at once (atomically; the file is valid JSON at all times).
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from nickelates import _atomic, engine, paths
from nickelates import mixd_luttinger as ml

T_PAR = 0.1
V = 1.0
#: DMRG settings of every run (see mixd_exact.dmrg_ground_state for the criterion). At chi = 128 the
#: mixer is off after sweep 8; min_sweeps = 20 lets the 8-sweep energy window lie after that (with
#: min_sweeps = 12 TeNPy's own one-sweep criterion stopped runs before the window was quiet). Every
#: record stores the settings it was computed with (``dmrg_settings``).
DMRG_KW = dict(max_sweeps=60, min_sweeps=20, max_E_err=1e-6, max_S_err=1e-5)
#: sc side, Leggett point (~0.79), the balance point (~1.07), cc side: the crossover at delta = 1/4
J_FULL = [1.4, 0.9, 2.0, 0.6, 1.1]
L_FULL = [40, 64]
CHIS_FULL = [128, 256, 512]
#: the --small instance (also the first points of the stored file, so that a test can compare)
L_SMALL, CHIS_SMALL, J_SMALL = [8], [64], [0.6, 2.0]
DEFAULT_OUT = paths.data_file("mixd_correlations.json")
DEFAULT_CACHE = paths.data_file("mixd_correlations.json").parent.parent / ".cache" / "mixd_correlations"
#: measured cost of one point (three DMRG runs) at L = 40, chi = 128 from a product state (s);
#: scaled by L chi^3, halved for a warm start -- for --plan only
SECONDS_L40_CHI128 = 600.0


def holes_for(L: int, delta: float) -> int:
    """The even hole number nearest to delta L (at least 2)."""
    return max(2, 2 * round(delta * L / 2))


def key(rec):
    return (rec["L"], rec["n_holes"], round(rec["J_perp"], 6), rec["chi_max"])


def is_done(rec) -> bool:
    """Converged (ground, S^z = 1, relative sector) and carrying the Luther-Emery keys."""
    return (rec.get("converged") is True and rec.get("converged_S1") is not False
            and "relative_charge_gap" in rec and rec.get("converged_rel") is not False)


def _cache_file(cache_dir, L, nh, J, chi) -> Path:
    return Path(cache_dir) / f"L{L}_nh{nh}_J{J:.6f}_chi{chi}.pkl"


def run_job(job):
    """One point; warm start from the cached states of the previous chi if present; cache its own."""
    L, nh, J, chi, prev_chi, max_minutes, cache_dir = job
    warm, warm_chi = None, None
    if prev_chi is not None and cache_dir:
        f = _cache_file(cache_dir, L, nh, J, prev_chi)
        if f.exists():
            try:
                warm, warm_chi = pickle.loads(f.read_bytes()), prev_chi
            except Exception:          # a truncated or foreign cache file: start fresh
                warm, warm_chi = None, None
    p = ml.dmrg_luttinger_point(L, nh, J, V, T_PAR, chi_max=chi, warm=warm, warm_chi=warm_chi,
                                max_hours=max_minutes / 60.0 / 3.0, **DMRG_KW)
    if cache_dir:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        _atomic.write_bytes(_cache_file(cache_dir, L, nh, J, chi), pickle.dumps(p.states), force=True)
    rec = p.record
    rec["delta"] = nh / L
    rec["dmrg_settings"] = dict(DMRG_KW, max_hours_per_run=round(max_minutes / 60.0 / 3.0, 4))
    return rec


def estimate_seconds(L, chi, warm):
    return SECONDS_L40_CHI128 * (L / 40) * (chi / 128) ** 3 * (0.5 if warm else 1.0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true",
                    help=f"test size: L = {L_SMALL}, chi = {CHIS_SMALL}, J = {J_SMALL} unless --L/--chis/--J")
    ap.add_argument("--L", type=int, nargs="+", default=None, help=f"ladder lengths (default {L_FULL})")
    ap.add_argument("--chis", type=int, nargs="+", default=None,
                    help=f"bond-dimension series, computed in increasing order (default {CHIS_FULL})")
    ap.add_argument("--J", type=float, nargs="+", default=None, help=f"J_perp / V (default {J_FULL})")
    ap.add_argument("--delta", type=float, default=0.25, help="holes per rung (N_h: the nearest even number)")
    ap.add_argument("--max-minutes", type=float, default=45.0, help="wall-time cap of one point (minutes)")
    ap.add_argument("--cache-dir", default=str(DEFAULT_CACHE),
                    help="folder of MPS checkpoints for warm starts ('' for none)")
    ap.add_argument("-o", "--out", default=str(DEFAULT_OUT), help="output JSON")
    ap.add_argument("--resume", action="store_true", help="(the default; kept for old command lines)")
    ap.add_argument("--redo", action="store_true", help="recompute points already stored")
    ap.add_argument("--plan", action="store_true", help="print the points still to compute and their cost; run nothing")
    engine.add_arguments(ap)   # --workers N (0: in this process) | --scheduler ADDRESS
    args = ap.parse_args(argv)
    Ls = args.L or (L_SMALL if args.small else L_FULL)
    chis = sorted(set(args.chis or (CHIS_SMALL if args.small else CHIS_FULL)))
    Js = args.J or (J_SMALL if args.small else J_FULL)
    if any(not 6 <= L <= 1000 for L in Ls):
        ap.error(f"--L must lie in [6, 1000], got {Ls}")
    if any(not 4 <= c <= 4096 for c in chis):
        ap.error(f"--chis must lie in [4, 4096], got {chis}")
    if any(not 0 <= J <= 100 for J in Js):
        ap.error(f"--J must lie in [0, 100], got {Js}")
    if not 0 < args.delta < 2:
        ap.error(f"--delta must lie in (0, 2), got {args.delta}")
    if not 0 < args.max_minutes <= 10000:
        ap.error(f"--max-minutes must lie in (0, 10000], got {args.max_minutes}")
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="tenpy")

    out = Path(args.out)
    records = json.loads(out.read_text())["points"] if out.exists() else []
    done = set() if args.redo else {key(r) for r in records if is_done(r)}
    rounds = []
    for k, chi in enumerate(chis):
        prev = chis[k - 1] if k else None
        jobs = [(L, holes_for(L, args.delta), float(J), chi, prev, args.max_minutes, args.cache_dir)
                for L in sorted(Ls) for J in Js]
        rounds.append([j for j in jobs if (j[0], j[1], round(j[2], 6), j[3]) not in done])
    if args.plan:
        total = 0.0
        for jobs in rounds:
            for L, nh, J, chi, prev, *_ in jobs:
                s = estimate_seconds(L, chi, prev is not None)
                total += s
                print(f"L={L} N_h={nh} J={J:.2f} chi={chi} (warm from {prev}): ~{s / 3600:.2f} CPU h"
                      f"{'  > cap, will be shelved' if s > 60 * args.max_minutes else ''}")
        print(f"{sum(map(len, rounds))} points, ~{total / 3600:.1f} CPU hours "
              f"(estimate: {SECONDS_L40_CHI128:.0f} s at L = 40, chi = 128, x L chi^3, warm x 0.5)")
        return 0
    import tenpy

    meta = dict(model="MixD+V ladder, Eq. (1) of Borchia, Lange & Grusdt (2025)",
                units="energies in units of V", t_par=T_PAR, V=V,
                function="nickelates.mixd_luttinger.dmrg_luttinger_point (keys of "
                         "nickelates.mixd_exact.dmrg_correlations keep their meaning)",
                dmrg_settings_default=DMRG_KW,
                dmrg_settings_note="each point stores the settings it was computed with (dmrg_settings)",
                chi_series="each (L, J) at several chi_max; a point at chi_k warm-started from chi_(k-1) "
                           "where the MPS cache held it (warm_start), else from a product state",
                relative_charge_gap="E_0(h0 + 1, h1 - 1) - E_0(h0, h1) at 2S^z = 0 (V), holes per leg "
                                    "conserved separately",
                structure_factor_relative="N_-(q) of n_{j,0} - n_{j,1} (holes), plane waves at the "
                                          "structure_factor's q",
                tenpy=tenpy.__version__, python=platform.python_version(),
                script="scripts/mixd_correlations.py")
    t_start, failed, n_todo = time.perf_counter(), 0, sum(map(len, rounds))
    for jobs in rounds:
        for res in engine.map_tasks(run_job, jobs, workers=args.workers, scheduler=args.scheduler):
            L, nh, J, chi = res.item[:4]
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
            _atomic.write_text(out, json.dumps(dict(meta=meta, points=records), indent=1), force=True)
            flag = "" if is_done(rec) else "  NOT CONVERGED" + (" (shelved)" if rec["shelved"] else "")
            rg = rec["relative_charge_gap"]
            print(f"L={L} N_h={nh} J={J:.2f} chi={chi}: E={rec['energy']:.10f} K_rho={rec['K_rho']:.3f} "
                  f"spin gap={rec['spin_gap']} rel. charge gap={rg} sweeps={rec['sweeps']} "
                  f"trunc={rec['truncation_error']:.1e} warm={rec['warm_start']} {rec['seconds']:.0f}s{flag}",
                  flush=True)
    bad = [key(r) for r in records if not is_done(r)]
    if bad:
        print(f"{len(bad)} points stored with an unconverged DMRG run or without the Luther-Emery keys: {bad}")
    if failed:
        print(f"{failed} of {n_todo} points failed (rerun: stored points are skipped)")
        return 1
    return 3 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
