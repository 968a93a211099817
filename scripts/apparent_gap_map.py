"""Apparent BTK gaps of the triplon model over (n_c, kappa) (chapter 5).

Stage 1 (the map): for every point of the (n_c, kappa) grid the exact s+-
gaps of the triplon model (``pairing.solve_gap`` via
``tunneling.triplon_gaps``; lambda = 0.4, Omega = 0.3 eV) are turned into the
Andreev spectrum a point contact would record at the T = 3 K settings of
Guo et al. (Table 3: Z = 0.58 / 0.40, Gamma = 6.6 / 4.0 meV, (100) contact),
and that spectrum is fitted with the experimentalists' two-isotropic-s-gap
BTK model (``btk.fit``).

Stage 2 (magnitude matched): on a coarser (n_c, kappa) grid, lambda is
lowered (Omega = 0.3 eV kept) until the model's largest gap is 23 meV, the
measured Delta1, and the spectrum is fitted again; the point whose apparent
(Delta1, Delta2) is closest to the measured (23, 6) meV in log distance is the
best match.

About one to three seconds per point; the chapter reads the result.

Usage: python scripts/apparent_gap_map.py [output.npz] [--tiny]
"""
import sys
import time
from pathlib import Path

import numpy as np

from nickelates import tunneling as T

ROOT = Path(__file__).resolve().parents[1]
N_C = (0.32, 0.34, 0.36, 0.40, 0.45, 0.50, 0.60, 0.70, 0.80, 0.90, 1.00)
KAPPA = (0.0, 0.15, 0.3, 0.45, 0.6, 0.75)
N_C_MATCH = (0.32, 0.36, 0.45, 0.60, 0.80, 0.90, 1.00)
KAPPA_MATCH = (0.0, 0.3, 0.6, 0.75, 0.9)
TARGET = (23.0, 6.0)
TINY = dict(n_c=(0.40, 0.45), kappa=(0.0, 0.3), starts=2, n_bias=121, n_k=64,
            n_c_match=(0.45,), kappa_match=(0.3,))


def magnitude_matched(n_c, kappa, *, Omega=0.3, starts=3, progress=True):
    """Stage 2: lambda for a 23 meV largest gap, then the apparent gaps, on a grid."""
    from tqdm.auto import tqdm

    shape = (len(n_c), len(kappa))
    out = {k: np.full(shape, np.nan) for k in ("lam", "delta1", "delta2", "ratio", "w1", "rms",
                                               "alpha_max", "beta_max", "alpha_min", "beta_min")}
    for i, nc in enumerate(tqdm(n_c, desc="magnitude-matched", disable=not progress)):
        for j, k in enumerate(kappa):
            try:
                lam = T.lambda_for_gap(TARGET[0], nc, k, Omega)
                mg = T.triplon_gaps(nc, lam, k, Omega)
                ap = T.apparent_gaps(mg.p, mg.delta_alpha, mg.delta_beta, starts=starts)
            except ValueError:
                continue
            vals = dict(lam=lam, delta1=ap.delta1, delta2=ap.delta2, ratio=ap.ratio, w1=ap.w1,
                        rms=np.sqrt(ap.redchi), alpha_max=mg.extrema["alpha"][1],
                        beta_max=mg.extrema["beta"][1], alpha_min=mg.extrema["alpha"][0],
                        beta_min=mg.extrema["beta"][0])
            for key, v in vals.items():
                out[key][i, j] = v
    dist = np.hypot(np.log(out["delta1"] / TARGET[0]), np.log(out["delta2"] / TARGET[1]))
    out["distance"] = dist
    return {f"match_{k}": v for k, v in out.items()} | {"match_n_c": np.asarray(n_c, float),
                                                         "match_kappa": np.asarray(kappa, float)}


def run(n_c=N_C, kappa=KAPPA, lam=0.4, Omega=0.3, starts=3, n_bias=201, n_k=128, progress=True,
        n_c_match=N_C_MATCH, kappa_match=KAPPA_MATCH):
    t0 = time.perf_counter()
    m = T.apparent_gap_map(n_c, kappa, lam=lam, Omega=Omega, starts=starts, n_bias=n_bias,
                           n_k=n_k, progress=progress)
    m["seconds_map"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    m.update(magnitude_matched(n_c_match, kappa_match, Omega=Omega, starts=starts, progress=progress))
    m["seconds_match"] = time.perf_counter() - t1
    m["settings"] = dict(T.GUO_T3, starts=starts, n_bias=n_bias, n_k=n_k, interface="100")
    return m


def save(m, path):
    arrays = {k: v for k, v in m.items() if isinstance(v, np.ndarray)}
    meta = dict(lam=m["lam"], Omega=m["Omega"], source=m["source"], seconds_map=m["seconds_map"],
                seconds_match=m["seconds_match"], settings=repr(m["settings"]), failed=repr(m["failed"]))
    np.savez(path, **arrays, **{k: np.array(v) for k, v in meta.items()})


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(args[0]) if args else ROOT / "data" / "apparent_gap_map.npz"
    kw = TINY if "--tiny" in sys.argv else {}
    res = run(**kw)
    save(res, path)
    i, j = np.unravel_index(np.nanargmax(res["ratio"]), res["ratio"].shape)
    print(f"map: {res['ratio'].size} points in {res['seconds_map']:.1f} s; largest apparent ratio "
          f"{res['ratio'][i, j]:.2f} at n_c = {res['n_c'][i]}, kappa = {res['kappa'][j]}; "
          f"failed: {len(res['failed'])}")
    d = res["match_distance"]
    i, j = np.unravel_index(np.nanargmin(d), d.shape)
    print(f"magnitude-matched ({res['seconds_match']:.1f} s): best n_c = {res['match_n_c'][i]}, "
          f"kappa = {res['match_kappa'][j]}, lambda = {res['match_lam'][i, j]:.3f}: apparent "
          f"Delta1 = {res['match_delta1'][i, j]:.1f}, Delta2 = {res['match_delta2'][i, j]:.1f} meV")
    print("wrote", path)
