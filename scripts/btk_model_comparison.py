"""Fit one synthetic s+s spectrum with s+s, s+d, d+s and d+d BTK models (chapter 4).

Reproduces the logic of Fig. 2b-e of Guo et al.: which gap-symmetry
combinations can describe a two-gap spectrum? The spectrum is synthesized from
the T = 3 K row of Extended Data Table 3 (two s-wave gaps, w1 = 0.5, our
choice) with Gaussian noise, and each model is fitted with the multi-start
fitter of nickelates.btk (alpha of each d-wave gap free in [0, pi/4]; the
first start of the d-wave models is the s+s solution, gap 1 is the larger).
The d-wave fits take several seconds each, hence this script; it writes
data/btk_model_comparison.json, which the chapter reads.

Usage: python scripts/btk_model_comparison.py [output.json]
"""
import json
import sys
import time
from pathlib import Path

import numpy as np

from nickelates import btk, paths

MODELS = ("s,s", "s,d", "d,s", "d,d")


def run(n_points=321, bias_max=80.0, noise=0.004, starts=6, seed=7, models=MODELS, T=3.0):
    bias = np.linspace(-bias_max, bias_max, n_points)
    truth = btk.conductance_multi(bias, btk.table3_gaps(T, w1=0.5), T)
    y = truth + np.random.default_rng(seed).normal(0.0, noise, bias.size)
    out = {"T_K": T, "noise": noise, "seed": seed, "w1_true": 0.5, "starts": starts,
           "bias_mV": bias.tolist(), "G": y.tolist(), "fits": {}}
    start_from = None
    for m in models:
        t0 = time.perf_counter()
        # besides the automatic multi-start, also start from the s+s solution
        r = btk.fit(bias, y, symmetry=m, T=T, sigma=noise, starts=starts, initial=start_from)
        if m == "s,s":
            start_from = dict(r.values)
        out["fits"][m] = {"values": r.values, "stderr": r.stderr, "redchi": r.redchi,
                          "chisqr": r.chisqr, "nvarys": r.nvarys, "aic": r.aic, "bic": r.bic,
                          "seconds": time.perf_counter() - t0}
    return out


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else paths.data_file("btk_model_comparison.json")
    res = run()
    with open(path, "w") as fh:
        json.dump(res, fh, indent=1)
    for m, f in res["fits"].items():
        print(f"{m}: reduced chi2 = {f['redchi']:.3f}  ({f['seconds']:.1f} s)")
    print("wrote", path)
