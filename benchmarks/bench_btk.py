"""Benchmark of nickelates.btk (chapter 4) against a plain-NumPy evaluation.

The NumPy reference (``nickelates.btk.conductance_reference``) evaluates exactly the same formula on the same angle
nodes and smearing grid (vectorized over energies x angles), so the max
difference measures only floating-point round-off. Targets on one core:
two-gap s-wave spectrum (1001 bias points, 3 K, angle-resolved) <= 5 ms,
d-wave <= 20 ms, complete two-gap fit <= 1 s. Issue 13: the one-gap fit of a
polarized contact (ratio to the same fit without P), the Gamma = 0 smearing at
3 K (ratio to Gamma > 0), and a seven-spectrum joint series fit (ratio to seven
independent two-gap fits of the same spectra). Issue 22: the spin-split (zeeman,
with and without Maki depairing) and SIS spectra and the lock-in instrument function,
each timed against the Dynes spectrum of the same bias axis, with the numba-vs-NumPy
difference; the one-gap fit with lock-in against the one without.

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

    # Gamma = 0 at 3 K (gap-edge-aware panels) vs Gamma > 0 (uniform trapezoid grid)
    b6 = np.linspace(-6, 6, 241)
    btk.conductance(b6, 1.5, 0.43, 0.0, 3.0)
    t0, _ = best_time(lambda: btk.conductance(b6, 1.5, 0.43, 0.0, 3.0), repeat=15)
    t1, _ = best_time(lambda: btk.conductance(b6, 1.5, 0.43, 0.3, 3.0), repeat=15)
    print(f"one-gap spectrum, 241 points, 3 K: Gamma = 0 {1e3 * t0:.2f} ms, Gamma = 0.3 meV {1e3 * t1:.2f} ms "
          f"(ratio {t0 / t1:.1f})")

    # one-gap polarized contact (6 starts) vs the unpolarized fit of an unpolarized spectrum
    rng = np.random.default_rng(1)
    yp = btk.conductance(b6, 1.5, 0.2, 0.1, 1.8, polarization=0.45) + rng.normal(0, 0.003, b6.size)
    yu = btk.conductance(b6, 1.5, 0.2, 0.1, 1.8) + rng.normal(0, 0.003, b6.size)
    btk.fit(b6, yp, n_gaps=1, T=1.8, sigma=0.003, polarization=True, starts=1)
    tp, rp = best_time(lambda: btk.fit(b6, yp, n_gaps=1, T=1.8, sigma=0.003, polarization=True), repeat=3)
    tu, _ = best_time(lambda: btk.fit(b6, yu, n_gaps=1, T=1.8, sigma=0.003), repeat=3)
    print(f"one-gap polarized fit (241 points, 6 starts): {tp:.3f} s (unpolarized fit: {tu:.3f} s, ratio "
          f"{tp / tu:.1f}); P = {rp.values['P']:.3f} +/- {rp.stderr['P']:.3f} (true 0.45)")

    # seven-spectrum series fit (Table 3 temperatures 3 .. 40 K, BCS-like gaps) vs seven separate fits
    rows = [0, 2, 4, 5, 6, 7, 8]
    tab = btk.TABLE3[rows]
    z1, z2 = btk.TABLE3[:, 3].mean(), btk.TABLE3[:, 4].mean()
    b80 = np.linspace(-80, 80, 241)
    spectra = []
    for t, g1, g2 in tab[:, :3]:
        gaps = (btk.Gap(float(btk.gap_bcs([t], 23.0, 68.0)[0]), z1, g1, 0.5),
                btk.Gap(float(btk.gap_bcs([t], 6.0, 68.0)[0]), z2, g2, 0.5))
        spectra.append((b80, btk.conductance_multi(b80, gaps, t) + rng.normal(0, 0.004, b80.size)))
    ts, rs = best_time(lambda: btk.fit_series(spectra, tab[:, 0], sigma=0.004), repeat=1)
    tsep, _ = best_time(lambda: [btk.fit(b, g, T=float(t), sigma=0.004, starts=4)
                                 for (b, g), t in zip(spectra, tab[:, 0])], repeat=1)
    print(f"seven-spectrum series fit: {ts:.2f} s (seven separate two-gap fits: {tsep:.2f} s, ratio "
          f"{ts / tsep:.1f}); Delta1(0) = {rs.values['delta1_0']:.2f} +/- {rs.stderr['delta1_0']:.2f} meV, "
          f"Tc = {rs.values['Tc']:.1f} +/- {rs.stderr['Tc']:.1f} K (true 23, 68)")

    issue22(rng)


def issue22(rng):
    """Spin-split, SIS and lock-in spectra and fits against the Dynes ones (ratios)."""
    b = np.linspace(-3.0, 3.0, 241)
    T = 0.3
    cases = {"dynes": {}, "zeeman h=0.3": {"model": "zeeman", "h": 0.3},
             "zeeman h=0.3 zeta=0.1": {"model": "zeeman", "h": 0.3, "zeta": 0.1},
             "sis tip 0.8": {"model": "sis", "tip_gap": 0.8},
             "dynes + lock-in 0.3 mV": {"lockin_mV": 0.3},
             "zeeman + lock-in 0.3 mV": {"model": "zeeman", "h": 0.3, "lockin_mV": 0.3}}
    base = None
    gaps = (btk.Gap(1.0, 0.0, 0.03),)
    print(f"{'one gap, 241 points, 0.3 K':32s} {'numba (ms)':>11s} {'vs dynes':>9s} {'max |numba - numpy|':>20s}")
    for name, kw in cases.items():
        kw = {"model": "dynes", **kw}
        btk.conductance_multi(b, gaps, T, **kw)
        t, g = best_time(lambda kw=kw: btk.conductance_multi(b, gaps, T, **kw), repeat=9)
        gr = btk.conductance_reference(b, gaps, T, **kw)
        base = base or t
        print(f"{name:32s} {1e3 * t:11.2f} {t / base:9.1f} {np.max(np.abs(g - gr)):20.1e}")
    y = btk.conductance(b, 1.0, 0.0, 0.03, T, model="dynes", lockin_mV=0.3) + rng.normal(0, 0.003, b.size)
    btk.fit(b, y, n_gaps=1, T=T, model="dynes", lockin_mV=0.3, starts=1)
    tl, rl = best_time(lambda: btk.fit(b, y, n_gaps=1, T=T, model="dynes", lockin_mV=0.3), repeat=3)
    t0, _ = best_time(lambda: btk.fit(b, y, n_gaps=1, T=T, model="dynes"), repeat=3)
    print(f"one-gap Dynes fit with lock-in 0.3 mV: {tl:.3f} s (without: {t0:.3f} s, ratio {tl / t0:.1f}); "
          f"delta = {rl.values['delta1']:.4f} meV (true 1), gamma = {rl.values['gamma1']:.4f} meV (true 0.03)")


if __name__ == "__main__":
    main()
