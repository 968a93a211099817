"""Benchmark: MixD+V mean-field solver (chapter 6), library vs plain NumPy, same run.

The library folds the Brillouin zone by k -> -k, treats the sc-sc kernel
(3/2)(t^2/J) cos(k - k') as separable (one or two harmonics) and runs the
inner equations in numba; the reference (``mixd.solve_mean_field_dense``)
iterates the gap equation with the dense N x N kernel in plain NumPy.
Targets on one core: 16x16 solve <= 50 ms, 512x512 <= 1 s, 40x40-point 2D
phase map (64x64 bilayer) <= 60 s.

Times are CPU seconds of this (single-threaded) process, best of a few runs.
Run: .venv/bin/python benchmarks/bench_mixd.py  [--quick: skip the 1600-point map]
"""
import sys
import time

import numpy as np

from nickelates import mixd


def best_of(f, repeat=5):
    """Best single-core CPU time (time.process_time: robust on a shared machine)."""
    f()  # warm-up / compile
    ts = []
    out = None
    for _ in range(repeat):
        t = time.process_time()
        out = f()
        ts.append(time.process_time() - t)
    return min(ts), out


def main(quick=False):
    print("MixD+V mean field, t/V = 0.1, J/V = 1, doping 12/256")
    rows = {}
    for L in (16, 32, 64, 128, 256, 512):
        nh = 12 * L * L // 256
        rep = 5 if L <= 128 else 2
        t, s = best_of(lambda L=L, nh=nh: mixd.solve_mean_field(shape=(L, L), n_holes=nh, J_perp=1.0), rep)
        rows[L] = t
        print(f"  library  {L:4d}x{L:<4d} {t * 1e3:9.2f} ms   E/N = {s.energy / L**2:.10f}  "
              f"({s.evaluations} beta evaluations)")
    ref = {}
    for L in (16, 24, 32):
        nh = max(1, round(12 * L * L / 256))
        t, (G, beta, mu, delta) = best_of(
            lambda L=L, nh=nh: mixd.solve_mean_field_dense(shape=(L, L), n_holes=nh, J_perp=1.0), 1)
        s = mixd.solve_mean_field(shape=(L, L), n_holes=nh, J_perp=1.0)
        ref[L] = t
        print(f"  NumPy dense-kernel reference {L:3d}x{L:<3d} {t * 1e3:9.1f} ms   "
              f"|dE| = {abs(G - s.energy):.1e}, max|dDelta| = {np.max(np.abs(delta - s.delta_k)):.1e}")
    print(f"  ratio reference/library: 16x16 {ref[16] / rows[16]:8.0f}x, 32x32 {ref[32] / rows[32]:8.0f}x")
    # dense kernel: N^2 memory and time; extrapolate the reference to 512x512
    p = np.polyfit(np.log([24**2, 32**2]), np.log([ref[24], ref[32]]), 1)
    est = np.exp(np.polyval(p, np.log(512.0**2)))
    print(f"  reference scaling (rough, two sizes) t ~ N^{p[0]:.2f}; extrapolated 512x512: {est:.1e} s "
          f"(and {8 * 512.0**4 / 1e9:.0f} GB for the dense kernel) -> ratio ~{est / rows[512]:.0e}x")
    print(f"  targets: 16x16 {rows[16] * 1e3:.1f} ms (<= 50 ms) {'OK' if rows[16] <= 0.05 else 'MISSED'}; "
          f"512x512 {rows[512]:.2f} s (<= 1 s) {'OK' if rows[512] <= 1.0 else 'MISSED'}")
    if not quick:
        t0 = time.process_time()
        w0 = time.perf_counter()
        mixd.phase_map((64, 64), np.linspace(0.5, 2.0, 40), np.linspace(0.02, 0.45, 40))
        tm = time.process_time() - t0
        print(f"  (phase map wall time {time.perf_counter() - w0:.1f} s on this machine)")
        print(f"  40x40-point phase map on the 64x64 bilayer: {tm:.1f} s (<= 60 s) "
              f"{'OK' if tm <= 60 else 'MISSED'}; the dense reference would need "
              f"~{1600 * np.exp(np.polyval(p, np.log(64.0**2))):.0e} s")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
