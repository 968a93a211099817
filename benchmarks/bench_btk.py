"""Benchmark of nickelates.btk (chapter 4) against a plain-NumPy evaluation.

The NumPy reference (``nickelates.btk.conductance_reference``) evaluates exactly the same formula on the same angle
nodes and smearing grid (vectorized over energies x angles), so the max
difference measures only floating-point round-off. Targets on one core:
two-gap s-wave spectrum (1001 bias points, 3 K, angle-resolved) <= 5 ms,
d-wave <= 20 ms, complete two-gap fit <= 1 s.

Run: .venv/bin/python benchmarks/bench_btk.py
"""
import time

import numpy as np

from nickelates import btk


def best_time(f, repeat=7, number=1):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            out = f()
        ts.append((time.perf_counter() - t) / number)
    return min(ts), out


def main():
    bias = np.linspace(-100.0, 100.0, 1001)
    T = 3.0
    cases = {
        "two-gap s+s (Table 3, 3 K)": btk.table3_gaps(3.0, w1=0.5),
        "two-gap s+d (alpha2=0.3)": (btk.Gap(23.0, 0.58, 6.6, 0.5, "s"),
                                     btk.Gap(6.0, 0.40, 4.0, 0.5, "d", 0.3)),
        "two-gap d+d (alpha=0.3, 0.1)": (btk.Gap(23.0, 0.58, 6.6, 0.5, "d", 0.3),
                                         btk.Gap(6.0, 0.40, 4.0, 0.5, "d", 0.1)),
        "one-gap d (110), alpha=pi/4": (btk.Gap(23.0, 0.58, 6.6, 1.0, "d", np.pi / 4),),
    }
    egrid, h, kt, cutoff = btk.smearing_grid(float(np.max(np.abs(bias))), T, [6.6, 4.0])
    print(f"smearing grid (nickelates.btk.smearing_grid): {egrid.size} points, h = {h:.3f} meV, "
          f"cutoff 40 kT = {cutoff:.2f} meV")
    print(f"{'case':32s} {'numba (ms)':>11s} {'numpy (ms)':>11s} {'ratio':>7s} {'max |diff|':>11s}")
    for name, gaps in cases.items():
        btk.conductance_multi(bias, gaps, T)  # compile / load cache
        tn, gn = best_time(lambda g=gaps: btk.conductance_multi(bias, g, T), repeat=15)
        tr, gr = best_time(lambda g=gaps: btk.conductance_reference(bias, g, T), repeat=3)
        print(f"{name:32s} {1e3 * tn:11.2f} {1e3 * tr:11.1f} {tr / tn:7.1f} {np.max(np.abs(gn - gr)):11.2e}")

    # accuracy of the default discretization against a refined one
    for name, gaps in list(cases.items())[:3]:
        g = btk.conductance_multi(bias, gaps, T)
        gf = btk.conductance_multi(bias, gaps, T, points_per_width=12, n_angles=96)
        print(f"discretization error {name:32s}: {np.max(np.abs(g - gf)):.1e}")

    # complete two-gap fit (s+s, 1001 points, noise 0.3 %, 6 starts)
    g = btk.conductance_multi(bias, cases["two-gap s+s (Table 3, 3 K)"], T)
    y = g + np.random.default_rng(0).normal(0, 0.003, bias.size)
    btk.fit(bias, y, T=T, sigma=0.003, starts=1)
    tf, res = best_time(lambda: btk.fit(bias, y, T=T, sigma=0.003, starts=6), repeat=3)
    print(f"complete two-gap s+s fit (1001 points, 6 starts): {tf:.3f} s, reduced chi2 {res.redchi:.3f}, "
          f"delta = {res.values['delta1']:.2f}, {res.values['delta2']:.2f} meV")
    tf1, _ = best_time(lambda: btk.fit(bias, y, T=T, sigma=0.003, starts=1), repeat=3)
    print(f"single-start two-gap s+s fit: {tf1:.3f} s")


if __name__ == "__main__":
    main()
