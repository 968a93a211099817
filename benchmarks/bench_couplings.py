"""Timing of the channel-cluster ED (chapter 2) against a plain-NumPy reference.

The library diagonalizes the 256-state cluster block by block in the total
particle number (largest block 70 states) and builds the des Cloizeaux
effective Hamiltonian per block. The reference diagonalizes the full 256x256
matrix once and sorts the eigenvectors into particle-number sectors
afterwards. Both must give the same couplings; the script prints the ratio.

Run: .venv/bin/python benchmarks/bench_couplings.py
"""
import time

import numpy as np

from nickelates import clusters

ARGS = (0.6, 1.8, 6.8, 5.6)


def reference(g):
    H0, Vm, low, meta = clusters.channel_cluster_hamiltonian(g, *ARGS)
    H = H0 + Vm
    w, vec = np.linalg.eigh(H)                       # full 256x256
    nd = {"cov": 2, "ion": 2, "rem_a": 1, "rem_b": 1, "add_a": 3, "add_b": 3, "empty": 0, "full": 4}
    ntot = np.kron(np.array([nd[k] for k in meta["kind"]]), np.ones(16, int)) + meta["ncond"]
    nvec = np.rint(np.einsum("ij,i,ij->j", vec, ntot, vec)).astype(int)
    heff = np.zeros((64, 64))
    for N in np.unique(ntot[low]):
        lowb = [j for j in low if ntot[j] == N]
        cols = np.flatnonzero(nvec == N)[: len(lowb)]
        A = vec[np.ix_(lowb, cols)]
        u, _, vt = np.linalg.svd(A)
        Q = u @ vt
        idx = [list(low).index(j) for j in lowb]
        heff[np.ix_(idx, idx)] = Q @ np.diag(w[cols]) @ Q.T
    return clusters.effective_channel_couplings(heff)


def timeit(f, n=20):
    f()
    t = time.perf_counter()
    for _ in range(n):
        f()
    return (time.perf_counter() - t) / n


if __name__ == "__main__":
    g = 0.3
    a, b = clusters.channel_cluster_couplings_ed(g, *ARGS), reference(g)
    assert np.allclose(a.as_tuple(), b.as_tuple(), atol=1e-10)
    t_lib = timeit(lambda: clusters.channel_cluster_couplings_ed(g, *ARGS))
    t_ref = timeit(lambda: reference(g))
    print(f"channel-cluster ED: library {t_lib * 1e3:.1f} ms, full-matrix reference {t_ref * 1e3:.1f} ms, "
          f"ratio {t_ref / t_lib:.2f}x")
