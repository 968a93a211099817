"""Benchmark: gap-map fits (single-gap Dynes, 121 bias points) in spectra/s, 0/1/2 Dask workers.

Reference in the same run: scipy ``least_squares`` on the chapter-4 library's
``btk.conductance(model="dynes")`` with finite-difference derivatives, cold
start per spectrum (the path one would write without the map mode).
Prints spectra/s, the ratio to the reference, the 2-worker / 1-worker scaling
on a 32 x 32 grid and the accuracy of the recovered map against the truth.

Issue 22: in one process, the throughput of ``fit_rows`` with the lock-in
instrument function (peak 0.3 mV, folded into the window matrix) and with the
degree-2 background, each as a ratio to the plain model (target: lock-in and
gates together cost <= 15 %), and of ``fit_map(workers=0)`` with its trust
gates on and off.

Run: .venv/bin/python benchmarks/bench_gapmap.py [--n 32] [--skip-dask]
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


def make_grid_with(n, lockin_mV=None, background=False, noise=0.01, seed=0):
    """Grid of the model with the lock-in folded in (and a sloped background): what a fit with them sees."""
    yy, xx = np.mgrid[0:n, 0:n]
    truth = 1.0 + 0.3 * np.sin(2 * np.pi * xx / n) * np.cos(np.pi * yy / n)
    rng = np.random.default_rng(seed)
    x = BIAS / np.max(np.abs(BIAS))
    bg = (1 + 0.1 * x + 0.2 * x * x) if background else 1.0
    cube = np.array([[bg * btk.conductance(BIAS, truth[i, j], 0.0, 0.1, T, model="dynes", lockin_mV=lockin_mV)
                      for j in range(n)] for i in range(n)])
    cube = cube * (1 + noise * rng.standard_normal(cube.shape))
    return truth, cube


def _interleaved(configs, repeat):
    """Best spectra/s of each config, the configs run in turn ``repeat`` times (fair on a busy machine)."""
    best = dict.fromkeys(configs, 0.0)
    outs = {}
    for _ in range(repeat):
        for name, (run, count) in configs.items():
            t = time.perf_counter()
            outs[name] = run()
            best[name] = max(best[name], count / (time.perf_counter() - t))
    return best, outs


def issue22_costs(n, repeat=5):
    """Throughput ratios of the lock-in, the background and the trust gates (one process, interleaved runs)."""
    vm = 0.3
    truth, plain = make_grid_with(n)
    _, lock = make_grid_with(n, lockin_mV=vm)
    _, sloped = make_grid_with(n, background=True)
    F.fit_rows(plain[:1, :2], BIAS, T, lockin_mV=vm, background=True)        # compile outside the timing
    m = n * n
    rows = {"plain": (lambda: F.fit_rows(plain, BIAS, T), m),
            "lock-in": (lambda: F.fit_rows(lock, BIAS, T, lockin_mV=vm), m),
            "background": (lambda: F.fit_rows(sloped, BIAS, T, background=True), m)}
    r, o = _interleaved(rows, repeat)
    print(f"fit_rows, {n} x {n}, one process, best of {repeat}: plain {r['plain']:7.1f} spectra/s, with lock-in "
          f"{vm} mV peak {r['lock-in']:7.1f} (ratio {r['lock-in'] / r['plain']:.3f}), with degree-2 background "
          f"{r['background']:7.1f} (ratio {r['background'] / r['plain']:.3f})")
    for name, out in o.items():
        print(f"  {name:10s}: ok {int(out['ok'].sum())}/{out['ok'].size}, "
              f"max |delta - truth| = {np.nanmax(np.abs(out['delta1'] - truth)):.2e} meV")
    grids = {False: xr.DataArray(plain, dims=("y", "x", "bias"), coords={"bias": BIAS}),
             True: xr.DataArray(lock, dims=("y", "x", "bias"), coords={"bias": BIAS})}

    def run_map(with_lockin, gates):
        kw = {"lockin_mV": vm} if with_lockin else {}
        return lambda: gapmap.fit_map(grids[with_lockin], temperature=T, workers=0, gates=gates, **kw)
    try:
        run_map(True, True)()
    except TypeError:            # an engine without the gates / lock-in options
        return
    maps = {(lk, g): (run_map(lk, g), m) for lk in (False, True) for g in (False, True)}
    r, _ = _interleaved(maps, repeat)
    base = r[False, False]
    print(f"fit_map(workers=0), {n} x {n}, best of {repeat}: plain {base:7.1f} spectra/s; relative throughput: "
          f"lock-in {r[True, False] / base:.3f}, gates {r[False, True] / base:.3f}, lock-in + gates "
          f"{r[True, True] / base:.3f} (target >= 0.85)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=32, help="grid side (default 32)")
    ap.add_argument("--skip-dask", action="store_true", help="only the one-process issue-22 ratios")
    args = ap.parse_args()
    issue22_costs(min(args.n, 16))
    if args.skip_dask:
        return
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
