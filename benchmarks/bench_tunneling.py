"""Benchmark of nickelates.tunneling (chapter 5) against plain-NumPy evaluations.

1. Anisotropic Andreev conductance on the Fermi sheets: the numba kernel of
   ``btk`` (``g_anisotropic``) vs the same sigma_S formula vectorized in NumPy
   over (energies x trajectories), on identical nodes and the same smearing grid (``btk.smearing_grid``).
2. STM Fermi-surface average: ``fermi_surface_dos`` (groups the 8-fold
   repeated gap values before calling ``btk.dynes_dos``) vs a direct NumPy
   average over all Fermi-surface points.
Prints times, ratios and max differences (round-off only).

Run: .venv/bin/python benchmarks/bench_tunneling.py
"""
import math

import numpy as np

from nickelates import bands, btk, tunneling
from nickelates.book import best_of


def g_numpy(energy, nodes, gamma):
    z = np.abs(energy)[:, None] + 1j * gamma

    def gam(d):
        d = np.abs(d)[None, :]
        return np.where(d == 0, 0.0, d / (z + np.sqrt(z - d) * np.sqrt(z + d)))

    gp, gm = gam(nodes.dplus), gam(nodes.dminus)
    ph = np.where(nodes.dplus * nodes.dminus < 0, -1.0, 1.0)[None, :]
    t = nodes.tau[None, :]
    num = 1 + t * np.abs(gp) ** 2 + (t - 1) * np.abs(gp * gm) ** 2
    den = np.abs(1 + (t - 1) * gp * gm * ph) ** 2
    return (nodes.weight * t * num / den).sum(axis=1) / (nodes.weight * nodes.tau).sum()


def andreev_numpy(bias, p, ga, gb, temperature_K=3.0, Z=(0.58, 0.40), G=(6.6, 4.0)):
    nodes = [tunneling.sheet_nodes(p, "alpha", ga, Z[0]), tunneling.sheet_nodes(p, "beta", gb, Z[1])]
    gn = np.array([np.sum(n.weight * n.tau) for n in nodes])
    w = gn / gn.sum()
    e, h, kt, cut = btk.smearing_grid(float(np.max(np.abs(bias))), temperature_K, G, 3.0)
    n = e.size
    gg = sum(wi * g_numpy(e, nd, gam) for wi, nd, gam in zip(w, nodes, G))
    out = np.empty(bias.size)
    for i, v in enumerate(bias):
        j = np.arange(math.ceil((v - cut) / h), math.floor((v + cut) / h) + 1)
        x = np.abs(j * h - v) / kt
        ex = np.exp(-x)
        out[i] = np.sum(gg[np.minimum(np.abs(j), n - 1)] * ex / (1 + ex) ** 2) * h / kt
    return out


def main():
    mg = tunneling.triplon_gaps(0.45, 0.4, 0.3, 0.3)
    p = mg.p
    bias = np.linspace(-150.0, 150.0, 601)
    tunneling.andreev_spectrum(bias, p, mg.delta_alpha, mg.delta_beta)  # compile
    t_nb, s = best_of(lambda: tunneling.andreev_spectrum(bias, p, mg.delta_alpha, mg.delta_beta).total, n=5)
    t_np, r = best_of(lambda: andreev_numpy(bias, p, mg.delta_alpha, mg.delta_beta), n=3)
    print(f"{'case':44s} {'library (ms)':>12s} {'numpy (ms)':>11s} {'ratio':>7s} {'max |diff|':>11s}")
    print(f"{'Andreev, exact gaps, 601 bias, 3 K, (100)':44s} {1e3 * t_nb:12.1f} {1e3 * t_np:11.1f} "
          f"{t_np / t_nb:7.1f} {np.max(np.abs(s - r)):11.1e}")
    w = np.linspace(-200.0, 200.0, 4001)
    fs = bands.fermi_surface(p, "beta", n_theta=720)
    gap = np.abs(tunneling.gap_on_sheet(mg.delta_beta, fs)) * 1e3
    t_lib, a = best_of(lambda: tunneling.fermi_surface_dos(w, fs, gap, 1.0), n=5)

    def naive():
        z = np.abs(w)[:, None] + 1j * 1.0
        d = gap[None, :]
        dos = np.real(z / (np.sqrt(z - d) * np.sqrt(z + d)))
        return (dos * fs.weight).sum(axis=1) / fs.weight.sum()

    t_nv, b = best_of(naive, n=5)
    print(f"{'STM FS average, 720 points, 4001 energies':44s} {1e3 * t_lib:12.1f} {1e3 * t_nv:11.1f} "
          f"{t_nv / t_lib:7.1f} {np.max(np.abs(a - b)):11.1e}")


if __name__ == "__main__":
    main()
