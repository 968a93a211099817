"""Chapter 8's STM spectra from the real-axis Eliashberg equations (no Pade), Einstein and dispersive triplon.

At chapter 8's setting (``eliashberg.SETTINGS``: v3 bands at n_c = 0.45, lambda = 0.4, kappa = 0,
omega_t = J_c, solution at T_c/5) the script solves

* the real-axis equations with the Matsubara solution as input (``eliashberg.solve_real_axis``),
  for the Einstein triplon and for the dispersive one (``eliashberg.triplon_spectrum``, hopping 1/16,
  16 modes, its own T_c and solution at T_c/5);
* the 256-point Pade continuation of the same Einstein solution, and the beta-band DOS minimum
  above Delta + omega_t for 32, 64, 128 and 256 Pade points;

and stores the 4 K dI/dV curves (band weights N_i, ``eliashberg.tunneling_conductance``) on a
bias grid, their ranges over 260-400 mV and the settings in ``data/eliashberg_stm.json``. The
dispersive real-axis run is the heavy part (about half a minute); the chapter recomputes the
Einstein curve itself and checks it against the file.

Usage: python scripts/eliashberg_stm.py [output.json] [--small]
(--small: coarse grids for the test of this script; the stored file is the default run.)
"""
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from nickelates import bands, couplings, paths
from nickelates import eliashberg as E

K_B = 8.617333262e-5
WINDOW_MV = (260.0, 400.0)
T_STM_K = 4.0


def run(small=False):
    s = E.SETTINGS
    p = bands.with_density(bands.PAPER_V3, s["n_c"])
    d = bands.fermi_level_dos(p)
    NA, NB = d.N_alpha, d.N_beta
    J_c = couplings.dimer_exchange(couplings.T_C, couplings.U_PAPER)
    lz, ld = E.triplon_coupling_matrices(s["lam"] / math.sqrt(NA * NB), NA, NB)
    n_grid, eta, n_bins = (2001, 3e-4, 4) if small else (18001, 3e-5, 16)
    w = np.linspace(0.0, 0.45, 901 if small else 4501)
    bias = np.linspace(-450.0, 450.0, 181 if small else 901)
    win = (np.abs(bias) >= WINDOW_MV[0]) & (np.abs(bias) <= WINDOW_MV[1])
    out = {"settings": dict(s, omega_t=J_c, N_alpha=NA, N_beta=NB, n_grid=n_grid, eta=eta, n_bins=n_bins,
                            T_stm_K=T_STM_K, window_mV=list(WINDOW_MV), small=small),
           "bias_mV": bias.tolist()}
    tc = E.critical_temperature(lz, ld, J_c)
    sol = E.solve(lz, ld, J_c, s["T_frac"] * tc)
    t0 = time.perf_counter()
    r = E.solve_real_axis(lz, ld, J_c, sol.T, w, solution=sol, n_grid=n_grid, eta=eta)
    g = E.tunneling_conductance(r, 1e-3 * bias, T_STM_K * K_B, weights=[NA, NB])
    out["einstein"] = {"Tc_K": tc / K_B, "gap_edges_meV": (1e3 * r.gap_edge()).tolist(), "didv": g.tolist(),
                       "range": [float(g[win].min()), float(g[win].max())], "seconds": time.perf_counter() - t0}
    pade = {}
    m = (w > 0.25) & (w < 0.45)
    for n_p in (32, 64, 128, 256):
        c = E.continue_to_real_axis(sol, w, n_points=n_p)
        pade[str(n_p)] = {"beta_dos_min": float(c.dos(1e-5)[1][m].min()),
                          "alpha_dos_min": float(c.dos(1e-5)[0][m].min()),
                          "gap_edges_meV": (1e3 * c.gap_edge()).tolist()}
    gp = E.tunneling_conductance(c, 1e-3 * bias, T_STM_K * K_B, weights=[NA, NB])
    pade["didv_256"] = gp.tolist()
    pade["range_256"] = [float(gp[win].min()), float(gp[win].max())]
    out["pade"] = pade
    out["direct_dos_min"] = [float(x) for x in E.real_axis_dos(lz, ld, J_c, sol.T, w[m], solution=sol,
                                                                n_grid=n_grid, eta=eta).min(axis=1)]
    spec, fac = E.triplon_spectrum(J_c, hopping=1 / 16, n_bins=n_bins)
    t0 = time.perf_counter()
    tcd = E.critical_temperature(lz * fac, ld * fac, spec)
    sd = E.solve(lz * fac, ld * fac, spec, s["T_frac"] * tcd)
    rd = E.solve_real_axis(lz * fac, ld * fac, spec, sd.T, w, solution=sd, n_grid=n_grid, eta=eta)
    gd = E.tunneling_conductance(rd, 1e-3 * bias, T_STM_K * K_B, weights=[NA, NB])
    out["dispersive"] = {"Tc_K": tcd / K_B, "gap_edges_meV": (1e3 * rd.gap_edge()).tolist(), "didv": gd.tolist(),
                         "range": [float(gd[win].min()), float(gd[win].max())],
                         "seconds": time.perf_counter() - t0}
    return out


def main(argv):
    small = "--small" in argv
    args = [a for a in argv if not a.startswith("--")]
    path = Path(args[0]) if args else paths.data_dir() / "eliashberg_stm.json"
    out = run(small)
    path.write_text(json.dumps(out) + "\n")
    print(f"Einstein 4 K dI/dV over {WINDOW_MV} mV: {out['einstein']['range']}; Pade 256: "
          f"{out['pade']['range_256']}; dispersive: {out['dispersive']['range']}; wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
