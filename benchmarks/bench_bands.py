"""Benchmark: Fermi-level DOS and fillings, library vs plain NumPy, same run.

Prints wall times, ratios and the accuracy reached by each against the
converged contour integral. Run: .venv/bin/python benchmarks/bench_bands.py
"""
import math
import time

import numpy as np

from nickelates import bands as B
from nickelates.kernels import bands as K


def best_of(f, repeat=5):
    f()  # warm-up / compile
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t)
    return min(ts), out


def numpy_triangle(args, n):
    """Plain-NumPy linear-triangle method (same algorithm as the kernel, vectorized)."""
    t1, t2, t3, eps, mu = args
    k = np.linspace(0, math.pi, n + 1)
    kx, ky = np.meshgrid(k, k, indexing="ij")
    cx, cy = np.cos(kx), np.cos(ky)
    e = -4 * (t1 * 0.5 * (cx + cy) + t2 * cx * cy + t3 * 0.5 * (np.cos(2 * kx) + np.cos(2 * ky))) + eps * (cx - cy) ** 2 - mu
    w = (cx - cy) ** 2
    tris = []
    for a, b, c in (((0, 0), (1, 0), (0, 1)), ((1, 1), (1, 0), (0, 1))):
        sl = [(slice(i, n + i), slice(j, n + j)) for i, j in (a, b, c)]
        tris.append((np.stack([e[s].ravel() for s in sl]), np.stack([w[s].ravel() for s in sl])))
    E = np.concatenate([t[0] for t in tris], axis=1)
    W = np.concatenate([t[1] for t in tris], axis=1)
    o = np.argsort(E, axis=0)
    E = np.take_along_axis(E, o, 0)
    W = np.take_along_axis(W, o, 0)
    e1, e2, e3 = E
    w1, w2, w3 = W
    with np.errstate(divide="ignore", invalid="ignore"):
        c1 = (e1 < 0) & (e2 > 0)
        c2 = (e2 <= 0) & (e3 > 0)
        F = np.where(e3 <= 0, 1.0, 0.0)
        x1 = -e1
        F = np.where(c1, x1 ** 2 / ((e2 - e1) * (e3 - e1)), F)
        F = np.where(c2, 1 - e3 ** 2 / ((e3 - e1) * (e3 - e2)), F)
        G1 = 2 * x1 / ((e2 - e1) * (e3 - e1))
        G2 = 2 * e3 / ((e3 - e1) * (e3 - e2))
        G = np.where(c1, G1, np.where(c2, G2, 0.0))
        wa1 = w1 + (w3 - w1) * x1 / (e3 - e1)
        wb1 = w1 + (w2 - w1) * x1 / (e2 - e1)
        wa2 = w3 + (w1 - w3) * e3 / (e3 - e1)
        wb2 = w3 + (w2 - w3) * e3 / (e3 - e2)
        GW = np.where(c1, G1 * 0.5 * (wa1 + wb1), np.where(c2, G2 * 0.5 * (wa2 + wb2), 0.0))
    m = E.shape[1]
    return F.sum() / m, G.sum() / m, GW.sum() / m


def main():
    p = B.with_density(B.PAPER_V3, 0.45)
    ref = B.fermi_level_dos(p, rtol=1e-13)
    fill_ref = B.fillings(p, rtol=1e-13)

    def relerr(d):
        return max(abs(a / b - 1) for a, b in zip(d, ref))

    print("Fermi-level DOS (N_a, N_b, Nt_a, Nt_b) at n_c = 0.45, v3 parameters")
    t_lib, d_lib = best_of(lambda: B.fermi_level_dos(p))
    print(f"  library (contour integral)        {t_lib * 1e3:8.2f} ms   rel. error {relerr(d_lib):.1e}")
    for n in (512, 2048):
        t_np, _ = best_of(lambda n=n: [numpy_triangle(p.band(b), n) for b in B.BAND_NAMES], repeat=2)
        t_nb, _ = best_of(lambda n=n: [K.triangle_quarter(*p.band(b), n) for b in B.BAND_NAMES], repeat=3)
        d_np = [numpy_triangle(p.band(b), n) for b in B.BAND_NAMES]
        d = (d_np[0][1], d_np[1][1], d_np[0][2], d_np[1][2])
        print(f"  plain NumPy triangles n={n:5d}     {t_np * 1e3:8.2f} ms   rel. error {relerr(d):.1e}"
              f"   | numba same grid {t_nb * 1e3:7.2f} ms  (ratio NumPy/numba {t_np / t_nb:5.1f})")
        print(f"      ratio NumPy(n={n}) / library contour: {t_np / t_lib:7.1f}")
    n = 512
    k = np.linspace(-math.pi, math.pi, 4 * n, endpoint=False)
    kx, ky = np.meshgrid(k, k)

    def numpy_count():
        xa, xb = B.dispersion(kx, ky, p)
        return (xa < 0).mean(), (xb < 0).mean()

    t_cnt, f_cnt = best_of(numpy_count, repeat=3)
    t_fl, f_lib = best_of(lambda: B.fillings(p))
    e_cnt = max(abs(a - b) for a, b in zip(f_cnt, fill_ref))
    e_lib = max(abs(a - b) for a, b in zip(f_lib, fill_ref))
    print("Fillings (n_a, n_b)")
    print(f"  library (contour)                 {t_fl * 1e3:8.2f} ms   abs. error {e_lib:.1e}")
    print(f"  plain NumPy k-point count {4 * n}^2   {t_cnt * 1e3:8.2f} ms   abs. error {e_cnt:.1e}   ratio {t_cnt / t_fl:6.1f}")
    t_mu, _ = best_of(lambda: B.mu_for_density(0.45, B.PAPER_V3), repeat=3)
    print(f"mu_for_density(0.45)                {t_mu * 1e3:8.2f} ms")


if __name__ == "__main__":
    main()
