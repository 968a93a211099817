#!/usr/bin/env python
"""Exploratory DMRG of the MixD+V bilayer on width-2 cylinders (issue 24 item 5).

One J_perp, cylinders of length L_x <= 12 (four legs: y = 0, 1 around, two layers; the
electron number of each layer and 2S^z conserved; ``nickelates.mixd_cylinder``).  Per
(L_x, chi): the ground-state energy and convergence flags, the rung (cc) pair correlation
<Delta+(x0, 0) Delta(x, y)> along x (y = 0 and y = 1) and around the cylinder, and the
inter-rung sc^2 pairs on the bonds along x, D_x(x, y) = singlet of (x, y, layer 0) and
(x + 1, y, layer 1), and around, D_y(x) = singlet of (x, 0, layer 0) and (x, 1, layer 1),
each correlated with the reference cc pair Delta(x0, 0): equal signs of the x and y bond
amplitudes are an extended-s pair wave function, opposite signs a d-wave one.  Nothing
here is converged in L_x or chi unless the stored flags say so; it is labelled exploratory.

    .venv/bin/python scripts/mixd_cylinders.py --Lx 4 8 12 --chi 256 --J 1.1 --workers 2 -o data/mixd_cylinders.json
    .venv/bin/python scripts/mixd_cylinders.py --small -o /tmp/cyl.json     # L_x = 2, 3, chi 64 (tests)

Each finished point is written at once (atomically); stored converged points are skipped.
Energies in units of V; t_par / V = 0.1; N_h = the even number nearest to delta x 2 L_x
(holes per rung of the four-leg cylinder, delta = N_h / (2 L_x)), split evenly over the layers.
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

import numpy as np

from nickelates import _atomic, engine
from nickelates.mixd_cylinder import MixDCylinderModel

T_PAR, V = 0.1, 1.0
DMRG_KW = dict(max_sweeps=40, min_sweeps=10, max_E_err=1e-7, max_S_err=1e-5)
_SPINS = (("u", "d", 1.0), ("d", "u", -1.0))


def site(x, y, layer):
    return 4 * x + 2 * y + layer


def pair_corr(psi, left, right):
    """<s+(a, b) s(c, d)> of singlet pairs s(a, b) = (c_a,up c_b,dn - c_a,dn c_b,up)/sqrt 2 (MPS sites)."""
    (a, b), (c, d) = left, right
    val = 0.0
    for s1, s1b, e1 in _SPINS:
        for s2, s2b, e2 in _SPINS:
            term = [(f"Cd{s1b}", b), (f"Cd{s1}", a), (f"C{s2}", c), (f"C{s2b}", d)]
            val += 0.5 * e1 * e2 * float(np.real(psi.expectation_value_term(term)))
    return val


def run_point(job):
    from tenpy.algorithms import dmrg
    from tenpy.networks.mps import MPS

    Lx, nh, J, chi = job
    h0, h1 = (nh + 1) // 2, nh // 2
    M = MixDCylinderModel(Lx, J, V, T_PAR)
    # product state: holes spread over each layer, spins alternating
    labels, k = [], 0
    holes = [{int((i + 0.5) * 2 * Lx / n) for i in range(n)} if n else set() for n in (h0, h1)]
    for x in range(Lx):
        for y in (0, 1):
            for layer in (0, 1):
                if 2 * x + y in holes[layer]:
                    labels.append("empty")
                else:
                    labels.append("up" if k % 2 == 0 else "down")
                    k += 1
    psi = MPS.from_product_state(M.lat.mps_sites(), labels, bc="finite")
    chi_list, c, sweep = {}, 32, 0
    while c < chi:
        chi_list[sweep], c, sweep = c, 2 * c, sweep + 2
    chi_list[sweep] = chi
    params = dict(mixer=True, mixer_params=dict(amplitude=1e-4, decay=2.0, disable_after=max(8, sweep + 4)),
                  trunc_params=dict(chi_max=chi, svd_min=1e-10), chi_list=chi_list,
                  max_sweeps=DMRG_KW["max_sweeps"], min_sweeps=max(DMRG_KW["min_sweeps"], sweep + 6),
                  max_E_err=DMRG_KW["max_E_err"], max_S_err=DMRG_KW["max_S_err"], max_hours=0.7)
    t0 = time.perf_counter()
    eng = dmrg.TwoSiteDMRGEngine(psi, M, params)
    E, psi = eng.run()
    Es = [float(e) for e in eng.sweep_stats["E"]]
    window = Es[-8:]
    converged = len(Es) >= 8 and max(window) - min(window) < DMRG_KW["max_E_err"] and len(Es) < DMRG_KW["max_sweeps"]
    x0 = Lx // 4 if Lx >= 4 else 0
    ref = (site(x0, 0, 0), site(x0, 0, 1))
    xs = list(range(x0 + 1, Lx))
    cc_x = {y: [pair_corr(psi, ref, (site(x, y, 0), site(x, y, 1))) for x in xs] for y in (0, 1)}
    cc_y = pair_corr(psi, ref, (site(x0, 1, 0), site(x0, 1, 1)))
    xs_b = list(range(x0 + 1, Lx - 1))
    dx = [pair_corr(psi, ref, (site(x, 0, 0), site(x + 1, 0, 1))) for x in xs_b]
    dy = [pair_corr(psi, ref, (site(x, 0, 0), site(x, 1, 1))) for x in xs_b]
    nh_site = np.asarray(psi.expectation_value("Nh")).real
    return dict(Lx=Lx, n_holes=nh, holes_layer=[h0, h1], delta=nh / (2 * Lx), J_perp=J, V=V, t_par=T_PAR,
                chi_max=chi, chi=int(max(psi.chi)), energy=float(E), converged=bool(converged), sweeps=len(Es),
                truncation_error=float(eng.sweep_stats["max_trunc_err"][-1]), reference_x=x0,
                x=xs, pair_cc_x_y0=cc_x[0], pair_cc_x_y1=cc_x[1], pair_cc_around=cc_y, x_bond=xs_b,
                pair_sc2_x_bond=dx, pair_sc2_y_bond=dy,
                sign_xy=[int(np.sign(a * b)) for a, b in zip(dx, dy)],
                hole_density=nh_site.tolist(), dmrg_settings=dict(DMRG_KW, max_hours=0.7),
                seconds=round(time.perf_counter() - t0, 1))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="L_x = 2 and 3, chi = 64 (tests)")
    ap.add_argument("--Lx", type=int, nargs="+", default=[4, 8, 12])
    ap.add_argument("--chi", type=int, nargs="+", default=[128, 256])
    ap.add_argument("--J", type=float, default=1.1)
    ap.add_argument("--delta", type=float, default=0.25, help="holes per rung")
    ap.add_argument("-o", "--out", required=True)
    engine.add_arguments(ap)
    args = ap.parse_args(argv)
    Lxs, chis = ([2, 3], [64]) if args.small else (args.Lx, args.chi)
    if any(not 1 <= L <= 12 for L in Lxs):
        ap.error(f"--Lx must lie in [1, 12], got {Lxs}")
    if any(not 8 <= c <= 2048 for c in chis):
        ap.error(f"--chi must lie in [8, 2048], got {chis}")
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    out = Path(args.out)
    recs = json.loads(out.read_text())["points"] if out.exists() else []
    done = {(r["Lx"], r["n_holes"], r["J_perp"], r["chi_max"]) for r in recs if r["converged"]}
    jobs = [(L, max(2, 2 * round(args.delta * 2 * L / 2)), args.J, c) for L in Lxs for c in chis]
    jobs = [j for j in jobs if j not in done]
    meta = dict(model="MixD+V bilayer, width-2 cylinder (nickelates.mixd_cylinder, y_bonds = 2)",
                status="exploratory", t_par=T_PAR, V=V, python=platform.python_version(),
                script="scripts/mixd_cylinders.py")
    failed = 0
    for res in engine.map_tasks(run_point, jobs, workers=args.workers, scheduler=args.scheduler):
        if not res.ok:
            failed += 1
            print(f"FAILED {res.item}: {res.error}", flush=True)
            continue
        r = res.value
        recs = [q for q in recs if (q["Lx"], q["n_holes"], q["J_perp"], q["chi_max"]) != res.item] + [r]
        _atomic.write_text(out, json.dumps(dict(meta=meta, points=recs), indent=1), force=True)
        print(f"Lx={r['Lx']} N_h={r['n_holes']} chi={r['chi_max']}: E={r['energy']:.10f} converged={r['converged']} "
              f"sign(D_x D_y)={r['sign_xy']} {r['seconds']:.0f}s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
