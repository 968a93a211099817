"""Write the synthetic sample spectrum data/btk_sample_spectrum.csv (chapter 4, CLI demo).

Raw (non-normalized) point-contact dI/dV = background(V) * G(V) + noise, where
G is the two-s-wave-gap BTK conductance of the 3 K row of Extended Data
Table 3 of Guo et al. (w1 = 0.5, our choice), and the background a smooth
quadratic with a small asymmetry. Columns: bias (mV), dI/dV (mS).

Usage: python scripts/make_btk_sample.py [output.csv]
"""
import sys
from pathlib import Path

import numpy as np

from nickelates import btk, paths

SEED = 20250915
NOISE = 0.003          # relative noise of dI/dV
BIAS_MAX = 150.0       # mV
N = 1201


def make(path):
    bias = np.linspace(-BIAS_MAX, BIAS_MAX, N)
    G = btk.conductance_multi(bias, btk.table3_gaps(3.0, w1=0.5), 3.0)
    background = 0.85 * (1.0 + 1.5e-3 * bias / 10 + 2.0e-5 * bias ** 2)   # mS
    rng = np.random.default_rng(SEED)
    didv = background * (G + rng.normal(0.0, NOISE, bias.size))
    header = ("# synthetic point-contact spectrum made by scripts/make_btk_sample.py\n"
              "# model: two s-wave gaps, Extended Data Table 3 row T = 3 K of Guo et al. "
              "(Delta = 23, 6 meV; Z = 0.58, 0.4; Gamma = 6.6, 4 meV), w1 = 0.5\n"
              f"# background 0.85*(1 + 1.5e-4 V + 2e-5 V^2) mS, relative noise {NOISE}, seed {SEED}\n"
              "bias (mV),dI/dV (mS)\n")
    with open(path, "w") as fh:
        fh.write(header)
        for v, g in zip(bias, didv):
            fh.write(f"{v:.3f},{g:.6f}\n")
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else paths.data_file("btk_sample_spectrum.csv")
    print("wrote", make(out))
