"""Benchmark of the MixD+V ladder ED (chapter 7) against plain-NumPy/Python references.

1. Hamiltonian assembly: numba CSR kernel vs a pure-Python loop with a dict lookup.
2. Ground state: sparse Lanczos in one (N_leg0, N_leg1, S^z) sector vs dense
   ``numpy.linalg.eigh`` of the same sector, and vs a dense eigh of the sector that
   conserves only the *total* electron number (what the per-leg symmetry saves).
3. Energy variance of an MPS (issue 24): TeNPy's MPO contraction
   (``mps_energy_variance``) vs the dense vector and the full sector matrix
   (``ExactDiag``: v.H^2.v - (v.H.v)^2).

Run: ``.venv/bin/python benchmarks/bench_mixd_exact.py``; prints times and ratios.
"""
from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sps

from nickelates import mixd_exact as mx


def python_reference_csr(codes, L, t, J, V):
    """Same matrix, built in plain Python (dict for the index lookup)."""
    index = {int(c): i for i, c in enumerate(codes)}
    rows, cols, vals = [], [], []
    buf_c = np.empty(1 + L + 4 * (L - 1), dtype=np.int64)
    buf_v = np.empty_like(buf_c, dtype=float)
    twoL = 2 * L
    for i, c in enumerate(codes):
        c = int(c)
        diag = 0.0
        for j in range(L):
            o0, o1 = (c >> j) & 1, (c >> (L + j)) & 1
            if o0 == 0 and o1 == 0:
                diag += V
            elif o0 and o1:
                u0, u1 = (c >> (twoL + j)) & 1, (c >> (twoL + L + j)) & 1
                if u0 != u1:
                    diag -= 0.5 * J
                    c2 = c ^ (1 << (twoL + j)) ^ (1 << (twoL + L + j))
                    rows.append(index[c2])
                    cols.append(i)
                    vals.append(0.5 * J)
        rows.append(i)
        cols.append(i)
        vals.append(diag)
        for mu in range(2):
            for j in range(L - 1):
                sa, sb = mu * L + j, mu * L + j + 1
                oa, ob = (c >> sa) & 1, (c >> sb) & 1
                if oa + ob != 1:
                    continue
                sf, st = (sa, sb) if oa else (sb, sa)
                up = (c >> (twoL + sf)) & 1
                c2 = c & ~(1 << sf) & ~(1 << (twoL + sf)) | (1 << st) | (up << (twoL + st))
                rows.append(index[c2])
                cols.append(i)
                vals.append(-t)
    del buf_c, buf_v
    n = len(codes)
    return sps.csr_matrix((vals, (rows, cols)), shape=(n, n))


def timed(f, *a, repeat=3, **kw):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f(*a, **kw)
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    L, nh, J, V, t = 6, 3, 1.0, 1.0, 0.1
    mx.hamiltonian(3, 2, J)  # compile / load the numba cache
    t_nb, (H_nb, codes) = timed(mx.hamiltonian, L, nh, J, V, t)   # basis + numba CSR assembly
    t_py, H_py = timed(lambda: python_reference_csr(mx.basis(L, nh), L, t, J, V), repeat=1)
    assert abs(H_nb - H_py).max() < 1e-14
    print(f"assembly L={L} N_h={nh} dim={codes.size}: numba {t_nb * 1e3:.1f} ms, "
          f"python {t_py * 1e3:.0f} ms, ratio {t_py / t_nb:.0f}x")

    L, nh = 5, 2
    t_sp, r = timed(mx.ground_state, L=L, n_holes=nh, J_perp=J)
    H, codes = mx.hamiltonian(L, nh, J)
    t_de, w = timed(np.linalg.eigvalsh, H.toarray(), repeat=1)
    assert abs(w[0] - r.energy) < 1e-10
    # dense reference in the sector conserving only total N (all leg splittings) and S^z
    dims = [mx.sector_dimension(L, nh, None, (h0, nh - h0)) for h0 in range(nh + 1)]
    print(f"ground state L={L} N_h={nh}: sector dim {r.dim}, Lanczos {t_sp * 1e3:.1f} ms, dense eigh "
          f"{t_de * 1e3:.0f} ms, ratio {t_de / t_sp:.0f}x; total-N-only sector would have "
          f"{sum(dims)} states ({sum(dims) / r.dim:.1f}x, dense cost x{(sum(dims) / r.dim) ** 3:.0f})")

    # 3. the energy variance of a truncated MPS: MPO contraction vs dense sector matrix
    from tenpy.algorithms.exact_diag import ExactDiag

    L, nh = 4, 2
    _, psi = mx._dmrg(L, nh, J, chi_max=64, max_sweeps=10, min_sweeps=2, raise_on_fail=False)
    psi.compress_svd({"chi_max": 6, "svd_min": 1e-14})
    t_mpo, (E, var) = timed(mx.mps_energy_variance, psi, L, J)

    def dense():
        ed = ExactDiag(mx.MixDLadderModel(L, J), charge_sector=mx._charge_sector(L, nh, None, None)[3],
                       max_size=1e12)
        ed.build_full_H_from_mpo()
        v = ed.mps_to_full(psi).to_ndarray()
        v = v / np.linalg.norm(v)
        Hv = ed.full_H.to_ndarray() @ v
        return Hv @ Hv - (v @ Hv) ** 2

    t_dense, var_dense = timed(dense, repeat=1)
    assert abs(var - var_dense) < 1e-10 * max(1.0, var_dense)
    print(f"variance L={L} N_h={nh} chi=6: MPO contraction {t_mpo * 1e3:.1f} ms, dense sector "
          f"{t_dense * 1e3:.0f} ms, ratio {t_dense / t_mpo:.1f}x (variance {var:.3e} V^2)")


if __name__ == "__main__":
    main()
