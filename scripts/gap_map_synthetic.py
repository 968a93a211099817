"""Larger synthetic gap map of an inhomogeneous film for chapter 5 (section on gap maps).

Builds a smooth n_c(r) map, the triplon model's STM grid (``gapmap.synthetic.synthetic_film``),
writes it as a Nanonis .3ds file, fits it back with the two-gap Dynes map fitter on a LocalCluster
with 1 and with 2 workers (timing both), and writes

* data/gap_map_synthetic.nc   -- fitted maps (2 workers) + truth maps (truth_*) on dims (y, x)
* data/gap_map_synthetic.json -- settings, accuracy against the truth, spectra/s for 1 and 2 workers

Run: .venv/bin/python scripts/gap_map_synthetic.py [--n 32] [--small] [--workers-list 1,2]
"""
import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from nickelates import gapmap, paths
from nickelates.gapmap import synthetic

T = 4.0


def accuracy(maps, truth):
    ok = maps["ok"].values
    d1, d2 = maps["delta1"].values, maps["delta2"].values
    big, small = np.maximum(d1, d2)[ok], np.minimum(d1, d2)[ok]
    out = {"ok": int(ok.sum()), "pixels": int(ok.size)}
    for label, fitted, tname in (("large", big, "delta_alpha_max"), ("small", small, "delta_beta_max")):
        t = truth[tname].values[ok]
        slope, icpt = np.polyfit(t, fitted, 1)
        out[label] = {"truth": tname, "fit_mean_meV": float(fitted.mean()), "truth_mean_meV": float(t.mean()),
                      "fit_std_meV": float(fitted.std()), "truth_std_meV": float(t.std()),
                      "slope": float(slope), "intercept_meV": float(icpt),
                      "corr": float(np.corrcoef(t, fitted)[0, 1]),
                      "rms_after_linear_map_meV": float(np.std(fitted - (slope * t + icpt)))}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--small", action="store_true", help="8 x 8 grid (tests)")
    ap.add_argument("--workers-list", default="1,2")
    ap.add_argument("--out-prefix", default=str(paths.data_dir() / "gap_map_synthetic"))
    args = ap.parse_args()
    n = 8 if args.small else args.n
    ncm = synthetic.smooth_field(n, n, 0.40, 0.50, length=n / 6, seed=1)
    bias = np.linspace(-120.0, 120.0, 121)
    film = synthetic.synthetic_film(ncm, bias, T=T, noise=0.01)
    with tempfile.TemporaryDirectory() as tmp:
        f3ds = Path(tmp) / "film.3ds"
        side = n * 1e-9
        gapmap.write_3ds(f3ds, film.grid.values, bias, size_m=(side, side), center_m=(side / 2, side / 2))
        grid = gapmap.read_grid(f3ds)
    rates, maps = {}, None
    for w in [int(s) for s in args.workers_list.split(",")]:
        t = time.perf_counter()
        maps = gapmap.fit_map(grid, model="dynes", temperature=T, n_gaps=2, workers=w)
        rates[str(w)] = {"spectra_per_second": maps.attrs["spectra_per_second"],
                         "wall_s_incl_cluster_start": time.perf_counter() - t}
        print(f"{w} worker(s): {maps.attrs['spectra_per_second']:.1f} spectra/s")
    acc = accuracy(maps, film.truth)
    out = maps.copy()
    for name in film.truth.data_vars:
        out["truth_" + name] = (("y", "x"), film.truth[name].values, film.truth[name].attrs)
    out.attrs["film_settings"] = json.dumps(film.settings)
    prefix = Path(args.out_prefix)
    gapmap.write_maps(out, prefix.with_suffix(".nc"), force=True)
    summary = {"grid": [n, n], "bias_mV": [float(bias[0]), float(bias[-1]), int(bias.size)], "T_K": T,
               "n_c_range": [0.40, 0.50], "model": "dynes", "n_gaps": 2, "film": film.settings,
               "accuracy": acc, "rates": rates}
    if "1" in rates and "2" in rates:
        summary["scaling_2_over_1"] = rates["2"]["spectra_per_second"] / rates["1"]["spectra_per_second"]
    gapmap.atomic_write_bytes(prefix.with_suffix(".json"), json.dumps(summary, indent=1).encode(), force=True)
    print(json.dumps(summary["accuracy"], indent=1))
    print("scaling 2/1:", summary.get("scaling_2_over_1"))


if __name__ == "__main__":
    main()
