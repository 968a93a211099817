"""Benchmark: gap-map fits (single-gap Dynes, 121 bias points) in spectra/s, 0/1/2 Dask workers.

Reference in the same run: scipy ``least_squares`` on the chapter-4 library's
``btk.conductance(model="dynes")`` with finite-difference derivatives, cold
start per spectrum (the path one would write without the map mode).
Prints spectra/s, the ratio to the reference, the 2-worker / 1-worker scaling
on a 32 x 32 grid and the accuracy of the recovered map against the truth.

Run: .venv/bin/python benchmarks/bench_gapmap.py [--n 32]
"""
import argparse
import time

import numpy as np
import xarray as xr
from scipy.optimize import least_squares

from nickelates import btk, gapmap
from nickelates.gapmap import fit as F

T = 2.0
BIAS = np.linspace(-5.0, 5.0, 121)


def make_grid(n, noise=0.01, seed=0):
    yy, xx = np.mgrid[0:n, 0:n]
    truth = 1.0 + 0.3 * np.sin(2 * np.pi * xx / n) * np.cos(np.pi * yy / n)
    m = F.spectrum_model(BIAS, T)
    rng = np.random.default_rng(seed)
    cube = np.array([[m([truth[i, j], 0.1, 1.0]) for j in range(n)] for i in range(n)])
    cube = cube * (1 + noise * rng.standard_normal(cube.shape))
    return truth, xr.DataArray(cube, dims=("y", "x", "bias"), coords={"bias": BIAS})


def reference(grid, k=8):
    """Cold-start least squares on btk.conductance for the first k spectra; (spectra/s, deltas)."""
    data = grid.values.reshape(-1, BIAS.size)[:k]
    out = []
    t = time.perf_counter()
    for g in data:
        def resid(p, g=g):
            return p[2] * btk.conductance(BIAS, p[0], 0.0, p[1], T, model="dynes", angle_resolved=False) - g
        r = least_squares(resid, [1.0, 0.2, 1.0], bounds=([0, 0.01, 0.1], [7.5, 5, 10]))
        out.append(r.x[0])
    return k / (time.perf_counter() - t), np.array(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=32, help="grid side (default 32)")
    args = ap.parse_args()
    truth, grid = make_grid(args.n)
    ref_rate, ref_d = reference(grid)
    print(f"grid {args.n} x {args.n}, {BIAS.size} bias points, T = {T} K, single-gap Dynes, 1 % noise")
    print(f"reference (least_squares on btk.conductance, cold starts): {ref_rate:8.1f} spectra/s, "
          f"max |delta - truth| = {np.max(np.abs(ref_d - truth.ravel()[:ref_d.size])):.2e} meV")
    rates = {}
    for workers in (0, 1, 2):
        t = time.perf_counter()
        maps = gapmap.fit_map(grid, temperature=T, workers=workers)
        wall = time.perf_counter() - t
        rate = maps.attrs["spectra_per_second"]
        rates[workers] = rate
        ok = maps["ok"].values
        err = np.abs(maps["delta1"].values - truth)[ok]
        err8 = np.abs(maps["delta1"].values.ravel()[:8] - truth.ravel()[:8])
        label = "in process (no Dask)" if workers == 0 else f"LocalCluster, {workers} worker(s)"
        print(f"{label:28s}: {rate:8.1f} spectra/s ({rate / ref_rate:5.1f} x reference; wall {wall:5.1f} s incl. "
              f"cluster start), ok {ok.sum()}/{ok.size}, max |delta - truth| = {err.max():.2e} meV "
              f"(first 8 pixels: {err8.max():.2e}), mean nfev {maps['nfev'].values.mean():.1f}")
    print(f"per worker (1 worker): {rates[1]:.1f} spectra/s (target >= 50); "
          f"2 workers / 1 worker = {rates[2] / rates[1]:.2f} (target >= 1.6)")


if __name__ == "__main__":
    main()
