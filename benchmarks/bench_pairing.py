"""Benchmark: exact gap equations (chapter 3), library vs plain NumPy, same run.

Library (``nickelates.pairing``): energy-shell quadrature of the 1/8 wedge
(Fermi-surface coordinates near xi = 0, linear triangles further out), Newton
on the six gap moments, Richardson over three grids.
Reference (plain NumPy): full uniform N x N grid, hard cutoff |xi| < Omega,
gaps as arrays, linear mixing (``pairing.naive_solve_gap``); T_c by bisection
on the leading eigenvalue of the linearized equations on the same grid.

Accuracy is measured against the library at n_k = 1024 (itself converged to
~1e-7). Prints times, errors and ratios. Run:
    .venv/bin/python benchmarks/bench_pairing.py [--big]
(--big adds the N = 2048 reference grid, ~0.5 GB of memory).
"""
import math
import sys
import time

import numpy as np

from nickelates import bands as B
from nickelates import pairing as P

P45 = B.with_density(B.PAPER_V3, 0.45)
OM = 0.3
KA = KB = 0.75
V = P.V_for_lambda(P45, 0.4)
KW = dict(V=V, kappa_a=KA, kappa_b=KB, Omega=OM)


def best_of(f, repeat=5):
    f()  # warm-up / compile / cache
    ts = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t)
    return min(ts), out


def cold(f):
    """Time including the construction of the quadrature (empty cache)."""
    P.clear_cache()
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def rel_err(ca, cb, ref):
    c = np.abs(np.array(list(ca) + list(cb)))
    r = np.abs(np.array(ref.coef_alpha + ref.coef_beta))
    return float(np.max(np.abs(c - r)) / np.max(r))


# ---------------------------------------------------------------- plain-NumPy T_c


def naive_tc(p, n_grid, rtol=1e-6):
    """Bisection in T on the leading eigenvalue of the linearized equations, full grid, hard cutoff."""
    k = -math.pi + 2 * math.pi * (np.arange(n_grid) + 0.5) / n_grid
    kx, ky = np.meshgrid(k, k, indexing="ij")
    xa, xb = B.dispersion(kx, ky, p)
    eta = B.eta(kx, ky)
    sh = {}
    for band, xi in (("alpha", xa), ("beta", xb)):
        m = np.abs(xi) < OM
        sh[band] = (np.abs(xi[m]), eta[m] ** 2)
    Nk = float(n_grid * n_grid)
    k2 = KA * KB

    def mu(T_K):
        T = T_K * P.K_B
        chi = {}
        for band, (x, s) in sh.items():
            K = np.tanh(x / (2 * T)) / (2 * x)
            chi[band] = [np.sum(K * s ** m) / Nk for m in range(3)]
        M = np.zeros((4, 4))
        ca, cb = chi["alpha"], chi["beta"]
        M[0:2, 2:4] = -V * np.array([[cb[0], cb[1]], [k2 * cb[1], k2 * cb[2]]])
        M[2:4, 0:2] = -V * np.array([[ca[0], ca[1]], [k2 * ca[1], k2 * ca[2]]])
        return max(np.linalg.eigvals(M).real)

    lo, hi = 1.0, OM / P.K_B
    n = 0
    while (hi - lo) > rtol * hi:
        mid = 0.5 * (lo + hi)
        if mu(mid) > 1:
            lo = mid
        else:
            hi = mid
        n += 1
    return 0.5 * (lo + hi), n


def main():
    big = "--big" in sys.argv
    print(f"parameters: n_c = 0.45 (v3 bands), lambda = 0.4 (V = {V:.4f} eV), kappa_a = kappa_b = {KA}, "
          f"Omega = {OM} eV\n")
    ref = P.solve_gap(P45, n_k=1024, **KW)
    print(f"reference (library, n_k = 1024): Delta_alpha = {ref.coef_alpha}, Delta_beta = {ref.coef_beta} eV, "
          f"est. error {ref.error_estimate:.1e}\n")

    # ------------------------------------------------ T = 0 gaps
    print("T = 0 gaps")
    print(f"{'solver':34s} {'time (ms)':>10s} {'rel. error':>11s}")
    ours = {}
    settings = [(n, False) for n in (32, 64)] + [(n, True) for n in (64, 128, 256, 512)]
    for n_k, ex in settings:
        t, sol = best_of(lambda n_k=n_k, ex=ex: P.solve_gap(P45, n_k=n_k, extrapolate=ex, **KW))
        tc_, _ = cold(lambda n_k=n_k, ex=ex: P.solve_gap(P45, n_k=n_k, extrapolate=ex, **KW))
        e = rel_err(sol.coef_alpha, sol.coef_beta, ref)
        name = f"n_k={n_k}{'' if ex else ' single grid'}"
        ours[name] = (t, e, tc_)
        print(f"{'library ' + name:34s} {1e3 * t:10.1f} {e:11.1e}   cold (incl. quadrature) {1e3 * tc_:.0f} ms")
    naive = {}
    grids = (256, 512, 1024, 2048) if big else (256, 512, 1024)
    for N in grids:
        t, out = best_of(lambda N=N: P.naive_solve_gap(P45, n_grid=N, start=0.05, tol=1e-9, **KW), repeat=2)
        e = rel_err(out[0], out[1], ref)
        naive[N] = (t, e, out[2])
        label = f"numpy full grid N={N} ({out[2]} iters)"
        print(f"{label:34s} {1e3 * t:10.1f} {e:11.1e}")
    print("\nequal accuracy (library grid with error <= reference grid error, cold cache included):")
    for N, (t, e, _) in naive.items():
        cands = [(nk, v) for nk, v in ours.items() if v[1] <= e]
        if cands:
            nk, (to, eo, tcold) = min(cands, key=lambda kv: kv[1][2])
            print(f"  numpy N={N:5d} (err {e:.1e}, {1e3 * t:7.1f} ms) vs library {nk} (err {eo:.1e}, "
                  f"{1e3 * tcold:6.1f} ms cold, {1e3 * to:5.1f} ms cached): ratio {t / tcold:6.1f}x cold, "
                  f"{t / to:6.1f}x cached")
    t512, e512 = ours["n_k=512"][0], ours["n_k=512"][1]
    print(f"  target 1e-6: library n_k=512 reaches {e512:.1e} in {1e3 * t512:.1f} ms (cached quadrature); "
          f"numpy error at N={max(naive)} is {naive[max(naive)][1]:.1e}")

    # ------------------------------------------------ T_c
    print("\nT_c (rtol 1e-6 on the root)")
    tc_ref = P.critical_temperature(P45, n_k=1024, **KW)
    lib = {}
    for n_k, ex in ((64, False), (128, False), (128, True), (256, True)):
        t, tc = best_of(lambda n_k=n_k, ex=ex: P.critical_temperature(P45, n_k=n_k, extrapolate=ex, rtol=1e-7, **KW),
                        repeat=3)
        tcold, _ = cold(lambda n_k=n_k, ex=ex: P.critical_temperature(P45, n_k=n_k, extrapolate=ex, rtol=1e-7, **KW))
        e = abs(tc / tc_ref - 1)
        name = f"n_k={n_k}{'' if ex else ' single grid'}"
        lib[name] = (t, e, tcold)
        print(f"  library {name:18s}: T_c = {tc:.4f} K, rel. error {e:.1e}, {1e3 * t:.0f} ms cached, "
              f"{1e3 * tcold:.0f} ms cold")
    for N in (512, 1024):
        t0 = time.perf_counter()
        tcn, nb = naive_tc(P45, N)
        tn = time.perf_counter() - t0
        e = abs(tcn / tc_ref - 1)
        nk, (to, eo, tcold) = min(((k, v) for k, v in lib.items() if v[1] <= e), key=lambda kv: kv[1][2])
        print(f"  numpy N={N}: T_c = {tcn:.4f} K, rel. error {e:.1e}, {1e3 * tn:.0f} ms ({nb} bisections); "
              f"equal accuracy: library {nk} (err {eo:.1e}) ratio {tn / tcold:.1f}x cold, {tn / to:.1f}x cached")

    # ------------------------------------------------ Delta(T), 15 points
    print("\nDelta(T), 15 temperatures from 0 to 1.05 T_c")
    Ts = np.linspace(0, 1.05 * tc_ref, 15)
    t, cur = best_of(lambda: P.gap_vs_temperature(P45, temperatures=Ts, **KW), repeat=2)
    print(f"  library n_k=256: {1e3 * t:.0f} ms, est. rel. error {cur.error_estimate:.1e}")
    t0 = time.perf_counter()
    start = 0.05
    for T in Ts:
        if T >= tc_ref:
            continue
        try:
            ca, cb, _ = P.naive_solve_gap(P45, n_grid=512, T=float(T), start=start, tol=1e-9, maxiter=20000, **KW)
            start = abs(ca[0]) or start
        except Exception as exc:  # near T_c linear mixing slows down critically
            print(f"  numpy N=512 at T = {T:.1f} K: {type(exc).__name__}")
    tn = time.perf_counter() - t0
    print(f"  numpy N=512 (linear mixing, warm starts): {1e3 * tn:.0f} ms; ratio {tn / t:.1f}x")


if __name__ == "__main__":
    main()
