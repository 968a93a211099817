#!/usr/bin/env python
"""Produce data/mixd_phase_map_2d.npz: mean-field phase map of the 2D MixD+V bilayer.

The map runs over (J_perp/V, doping), for chapter 6 (``book/06-mixd-mean-field.md``).

Usage::

    .venv/bin/python scripts/mixd_phase_map_2d.py                  # 64x64, 40x40 points (~20-40 s)
    .venv/bin/python scripts/mixd_phase_map_2d.py --small -o /tmp/x.npz   # test-sized instance
    .venv/bin/python scripts/mixd_phase_map_2d.py --workers 2     # J rows as tasks on a local Dask cluster

The sweep shows a tqdm progress bar. Stored arrays: J_values, dopings, n_holes,
imbalance, order_bec, order_bcs, binding_energy, energy (shape nJ x ndoping),
plus shape, t_par, eps_diag and the wall time.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from nickelates import engine, mixd, paths


_ROWS = ("imbalance", "order_bec", "order_bcs", "binding_energy", "energy")


def _row(task):
    """One J_perp row of the map (a Dask task)."""
    shape, J, dop, t_par, eps_diag = task
    return mixd.phase_map(shape, [J], dop, t_par=t_par, eps_diag=eps_diag, progress=False)


def run(shape=(64, 64), nJ=40, nd=40, J_range=(0.5, 2.0), d_range=(0.02, 0.45),
        t_par=0.1, eps_diag=0.0, progress=True, workers=0, scheduler=None):
    """The phase map; ``workers=0`` in this process, else the J rows as tasks on Dask (``nickelates.engine``)."""
    J = np.linspace(*J_range, nJ)
    dop = np.linspace(*d_range, nd)
    t0 = time.perf_counter()
    if workers == 0 and scheduler is None:
        out = mixd.phase_map(shape, J, dop, t_par=t_par, eps_diag=eps_diag, progress=progress)
    else:
        rows = {}
        tasks = [(tuple(shape), float(x), dop, t_par, eps_diag) for x in J]
        for res in engine.map_tasks(_row, tasks, workers=workers, scheduler=scheduler):
            if not res.ok:
                raise RuntimeError(f"J_perp = {res.item[1]}: {res.error}")
            rows[res.index] = res.value
        out = {k: np.concatenate([rows[i][k] for i in range(nJ)], axis=0) for k in _ROWS}
        out.update(n_holes=rows[0]["n_holes"], J_values=J, dopings=rows[0]["dopings"])
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
    engine.add_arguments(ap)   # --workers N | --scheduler ADDRESS (default: in this process)
    args = ap.parse_args(argv)
    workers = 0 if args.workers is None and args.scheduler is None else args.workers
    kw = dict(progress=not args.no_progress, workers=workers, scheduler=args.scheduler)
    if args.small:
        out = run(shape=(8, 8), nJ=5, nd=4, d_range=(0.05, 0.3), **kw)
    else:
        out = run(**kw)
    np.savez_compressed(args.out, **out)
    print(f"wrote {args.out} in {out['wall_time_s']:.1f} s")


if __name__ == "__main__":
    main()
