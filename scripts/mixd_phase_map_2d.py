#!/usr/bin/env python
"""Produce data/mixd_phase_map_2d.npz: mean-field phase map of the 2D MixD+V bilayer.

The map runs over (J_perp/V, doping), for chapter 6 (``book/06-mixd-mean-field.md``).

Usage::

    .venv/bin/python scripts/mixd_phase_map_2d.py                  # 64x64, 40x40 points (~20-40 s)
    .venv/bin/python scripts/mixd_phase_map_2d.py --small -o /tmp/x.npz   # test-sized instance

The sweep shows a tqdm progress bar. Stored arrays: J_values, dopings, n_holes,
imbalance, order_bec, order_bcs, binding_energy, energy (shape nJ x ndoping),
plus shape, t_par, eps_diag and the wall time.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from nickelates import mixd, paths


def run(shape=(64, 64), nJ=40, nd=40, J_range=(0.5, 2.0), d_range=(0.02, 0.45),
        t_par=0.1, eps_diag=0.0, progress=True):
    J = np.linspace(*J_range, nJ)
    dop = np.linspace(*d_range, nd)
    t0 = time.perf_counter()
    out = mixd.phase_map(shape, J, dop, t_par=t_par, eps_diag=eps_diag, progress=progress)
    out["wall_time_s"] = time.perf_counter() - t0
    out["shape"] = np.array(shape)
    out["t_par"] = t_par
    out["eps_diag"] = eps_diag
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="8x8 lattice, 5x4 points")
    ap.add_argument("-o", "--out", default=str(paths.data_file("mixd_phase_map_2d.npz")))
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    if args.small:
        out = run(shape=(8, 8), nJ=5, nd=4, d_range=(0.05, 0.3), progress=not args.no_progress)
    else:
        out = run(progress=not args.no_progress)
    np.savez_compressed(args.out, **out)
    print(f"wrote {args.out} in {out['wall_time_s']:.1f} s")


if __name__ == "__main__":
    main()
