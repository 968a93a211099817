"""Benchmark: two-band Eliashberg equations (chapter 8), library vs plain NumPy, same run.

Library (``nickelates.eliashberg``): numba sweeps with Anderson mixing, started from the
linearized eigenvector on half the Matsubara cutoff; T_c from the leading eigenvalue of the
symmetrized linearized kernel (Lanczos) and Brent's method in log T.
Reference (plain NumPy): the same equations as dense einsum sums with linear mixing
(``eliashberg.solve_reference``); T_c by bisection on the largest real eigenvalue of the
non-symmetric linearized matrix (``numpy.linalg.eigvals``) built with NumPy.

Problem: the triplon s+- couplings at lambda = 0.4, N_beta/N_alpha = 2.5, omega_t = 1; last, the
separable kappa anisotropy (``critical_temperature_separable``: matrix-free Lanczos on the
symmetrized kernel) against a dense NumPy build of the same kernel with ``numpy.linalg.eigvals``.
Prints times, agreement and ratios and writes them to ``data/bench_eliashberg.json`` (chapter 8 glues
its performance prose from that file; ``--no-write`` leaves it alone). Run:
    .venv/bin/python benchmarks/bench_eliashberg.py
"""
import datetime
import json
import math
import platform
import sys
import time

import numpy as np

from nickelates import eliashberg as E
from nickelates import paths

NA, NB = 0.28597, 0.71560
LZ, LD = E.triplon_coupling_matrices(0.4 / math.sqrt(NA * NB), NA, NB)
WC = E.DEFAULT_CUTOFF


def best_of(f, repeat=3):
    f()
    ts, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t)
    return min(ts), out


def numpy_eigenvalue(T):
    """Largest real eigenvalue of the linearized kernel, plain NumPy (infinite band, mu* = 0)."""
    N = max(int(math.ceil(WC / (2 * math.pi * T) - 0.5)), 8)
    n = np.arange(N)
    wn = (2 * n + 1) * math.pi * T
    lam_k = 1.0 / (1.0 + (2 * math.pi * T * np.arange(2 * N + 1)) ** 2)
    cum = np.concatenate([[0.0], np.cumsum(lam_k)])
    # normal-state Z with the complete frequency sum: lam(0) + 2 sum_{k=1}^{n} lam(k)
    zsum = 2 * cum[n + 1] - lam_k[0]
    Kp = lam_k[np.abs(n[:, None] - n[None, :])] + lam_k[n[:, None] + n[None, :] + 1]
    A = np.zeros((2 * N, 2 * N))
    for i in range(2):
        omt = wn + math.pi * T * LZ[i].sum() * zsum
        for j in range(2):
            omt_j = wn + math.pi * T * LZ[j].sum() * zsum
            A[i * N:(i + 1) * N, j * N:(j + 1) * N] = math.pi * T * LD[i, j] * Kp / omt_j[None, :]
        del omt
    return float(np.max(np.linalg.eigvals(A).real))


def numpy_tc(lo=0.005, hi=0.1, rtol=1e-7):
    while hi / lo - 1 > rtol:
        mid = math.sqrt(lo * hi)
        if numpy_eigenvalue(mid) > 1:
            lo = mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


def row(t_lib, t_np, diff):
    return {"library_s": t_lib, "numpy_s": t_np, "ratio": t_np / t_lib, "rel_diff": abs(diff)}


def main():
    out = {}
    print("two-band triplon Eliashberg, lambda = 0.4, omega_t = 1 (one core of a shared machine)")
    t_lib, tc = best_of(lambda: E.critical_temperature(LZ, LD, 1.0))
    t_np, tc_np = best_of(numpy_tc, repeat=1)
    out["tc"] = row(t_lib, t_np, tc_np / tc - 1)
    print(f"T_c:  library {1e3 * t_lib:7.1f} ms (T_c = {tc:.8f})   NumPy {1e3 * t_np:8.1f} ms "
          f"(T_c = {tc_np:.8f}, rel. diff {tc_np / tc - 1:+.1e})   ratio {t_np / t_lib:5.1f}x")
    T = tc / 5
    t_lib, s = best_of(lambda: E.solve(LZ, LD, 1.0, T))
    N = s.wn.size
    t_np, (wn, Z, D) = best_of(lambda: E.solve_reference(LZ, LD, 1.0, T, n_matsubara=N), repeat=1)
    dev = float(np.max(np.abs(D[:, :50] - s.delta[:, :50])) / np.max(np.abs(s.delta)))
    out["solve"] = row(t_lib, t_np, dev)
    print(f"solve at T_c/5 (N = {N}): library {1e3 * t_lib:7.1f} ms ({s.iterations} it, both cutoffs)   "
          f"NumPy {1e3 * t_np:8.1f} ms (rel. diff {dev:.1e})   ratio {t_np / t_lib:5.1f}x")
    Ts = tc * np.linspace(0.1, 0.98, 12)

    def scan_lib():
        st = None
        for x in Ts:
            st = E.solve(LZ, LD, 1.0, x, start=st)
        return st

    t_lib, _ = best_of(scan_lib, repeat=1)
    t0 = time.perf_counter()
    for x in Ts[::4]:
        E.solve_reference(LZ, LD, 1.0, x, n_matsubara=max(int(math.ceil(WC / (2 * math.pi * x) - 0.5)), 8))
    t_np = (time.perf_counter() - t0) * len(Ts) / len(Ts[::4])
    out["scan"] = row(t_lib, t_np, 0.0)
    print(f"T scan, 12 temperatures: library {t_lib:6.2f} s   NumPy {t_np:7.2f} s (3 of 12 timed, scaled)   "
          f"ratio {t_np / t_lib:5.1f}x")
    out["separable"] = separable()
    out["real_axis"] = real_axis()
    out["note"] = ("seconds on one core of a shared machine; ratio = NumPy / library; rel_diff = relative "
                   "difference of the results (T_c, Delta, DOS)")
    out["date"] = datetime.date.today().isoformat()
    out["python"] = platform.python_version()
    if "--no-write" not in sys.argv:
        path = paths.data_dir() / "bench_eliashberg.json"
        path.write_text(json.dumps(out, indent=1) + "\n")
        print(f"wrote {path}")


def numpy_separable_eigenvalue(T, an):
    """Largest real eigenvalue of the linearized separable (a + c eta^2) kernel, plain NumPy (infinite band)."""
    N = max(int(math.ceil(WC / (2 * math.pi * T) - 0.5)), 8)
    n = np.arange(N)
    wn = (2 * n + 1) * math.pi * T
    lam_k = 1.0 / (1.0 + (2 * math.pi * T * np.arange(2 * N + 1)) ** 2)
    cum = np.concatenate([[0.0], np.cumsum(lam_k)])
    zsum = 2 * cum[n + 1] - lam_k[0]                     # complete odd sum (normal state, infinite band)
    Kp = lam_k[np.abs(n[:, None] - n[None, :])] + lam_k[n[:, None] + n[None, :] + 1]
    mom = an.moments()[:, 0]
    A = np.zeros((4 * N, 4 * N))
    G = (1.0, an.g_Delta)
    for j in range(2):
        omt0 = wn + math.pi * T * LZ[j].sum() * zsum
        omt1 = math.pi * T * an.g_Z * (LZ[j] @ mom) * zsum
        o = omt0[None, :] + omt1[None, :] * an.s[j][:, None]                   # (nodes, N)
        W = [math.pi * T * (an.w[j][:, None] * an.s[j][:, None] ** p / o).sum(0) for p in range(3)]
        for i in range(2):
            for a in range(2):
                for b in range(2):
                    r, c = (2 * i + a) * N, (2 * j + b) * N
                    A[r:r + N, c:c + N] = G[a] * LD[i, j] * Kp * W[a + b][None, :]
    return float(np.max(np.linalg.eigvals(A).real))


def separable():
    """The kappa anisotropy: separable kernel on nodes of a model sheet (eta^2 uniform in [0, 2])."""
    s = np.linspace(0.0, 2.0, 32)
    an = E.separable_anisotropy(0.5625, 0.5625, np.array([s, s]), np.ones((2, 32)))
    t_lib, tc = best_of(lambda: E.critical_temperature_separable(LZ, LD, 1.0, an))
    lo, hi = tc * 0.8, tc * 1.25
    t0 = time.perf_counter()
    while hi / lo - 1 > 1e-7:
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if numpy_separable_eigenvalue(mid, an) > 1 else (lo, mid)
    t_np = time.perf_counter() - t0
    tc_np = math.sqrt(lo * hi)
    print(f"separable T_c (kappa = 0.75): library {1e3 * t_lib:7.1f} ms (T_c = {tc:.8f})   NumPy {1e3 * t_np:8.1f} "
          f"ms (bisection from a 25 % bracket, rel. diff {tc_np / tc - 1:+.1e})   ratio {t_np / t_lib:5.1f}x")
    return row(t_lib, t_np, tc_np / tc - 1)


def real_axis():
    """Real-axis DOS at lambda = 1: numba MSC iteration (Matsubara input) vs the dense NumPy T = 0 reference."""
    w = np.unique(np.concatenate([np.arange(0.0025, 0.2, 0.005), np.arange(0.2, 0.32, 2e-4),
                                  np.arange(0.32, 1.1, 0.004), np.arange(1.1, 1.4, 0.001),
                                  np.arange(1.4, 3.0, 0.004)]))
    s = E.solve(1.0, 1.0, 1.0, 0.01)
    t_lib, r = best_of(lambda: E.solve_real_axis(1.0, 1.0, 1.0, 0.01, w, solution=s, eta=1e-3, n_grid=12001))
    t_np, ref = best_of(lambda: E.real_axis_reference(1.0, 1.0, w, eta=1e-3), repeat=1)
    win = (w > 0.3) & (w < 1.0)
    dev = float(np.max(np.abs(r.dos(1e-3)[0, win] - ref.dos(1e-3)[0, win])))
    print(f"real-axis DOS (lambda = 1, {w.size} points): library {1e3 * t_lib:7.1f} ms   NumPy (T = 0 real-axis "
          f"equations) {1e3 * t_np:8.1f} ms (max DOS diff {dev:.1e} at 0.3-1 omega)   ratio {t_np / t_lib:5.1f}x")
    return row(t_lib, t_np, dev)


if __name__ == "__main__":
    main()
