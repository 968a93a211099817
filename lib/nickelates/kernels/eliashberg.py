"""Numba kernels of the isotropic multiband Eliashberg equations (Matsubara axis).

Conventions (``nickelates.eliashberg``): positive Matsubara frequencies
w_n = (2n+1) pi T, n = 0..N-1; every function is even (Z, Delta) in n -> -n-1,
so a sum over all m becomes a sum over m >= 0 with the kernel
lam(|n-m|) + lam(n+m+1) (even functions) or lam(|n-m|) - lam(n+m+1)
(odd functions such as sgn(w_m)). ``lam[i, j, k]`` is the coupling of band i
to the intermediate band j at the bosonic frequency nu_k = 2 pi T k.

The band factor B_j(m) = (2/pi) arctan(Omega_j / R_j(m)) is the energy
integral over a flat band |xi| < Omega_j (B = 1 for an infinite band, passed
as Omega_j = inf).

Units: any, as long as T, the boson energies and Omega share them. No
validation here (done by the science module).
"""
import math

import numpy as np
from numba import njit


@njit(cache=True)
def coupling_table(lam, omega, T, kmax):
    """lam_ij(nu_k) = lam_ij omega_ij^2 / (omega_ij^2 + nu_k^2) for k = 0..kmax (Einstein boson)."""
    nb = lam.shape[0]
    out = np.empty((nb, nb, kmax + 1))
    for i in range(nb):
        for j in range(nb):
            w2 = omega[i, j] * omega[i, j]
            for k in range(kmax + 1):
                nu = 2.0 * math.pi * T * k
                out[i, j, k] = lam[i, j] * w2 / (w2 + nu * nu)
    return out


@njit(cache=True)
def _band_factor(Om, R):
    if math.isinf(Om):
        return 1.0
    return 2.0 / math.pi * math.atan(Om / R)


@njit(cache=True)
def _tail(lz, i, j, n, N):
    """sum_{m >= N} [lam(m - n) - lam(n + m + 1)] = sum_{k = N-n}^{N+n} lam(k) (table holds k <= 2N)."""
    t = 0.0
    for k in range(N - n, N + n + 1):
        t += lz[i, j, k]
    return t


@njit(cache=True)
def sweep(omt, phi, lz, ld, mu, wn, T, Om, omt_out, phi_out):
    """One fixed-point pass: new (omega-tilde, phi) from the old ones, written into the outputs.

    omt = Z w_n, phi = Z Delta, arrays (n_bands, N); mu (n_bands, n_bands) is mu*.
    """
    nb, N = omt.shape
    g = np.empty((nb, N))
    f = np.empty((nb, N))
    for j in range(nb):
        for m in range(N):
            R = math.sqrt(omt[j, m] * omt[j, m] + phi[j, m] * phi[j, m])
            B = _band_factor(Om[j], R)
            g[j, m] = omt[j, m] / R * B
            f[j, m] = phi[j, m] / R * B
    pT = math.pi * T
    for i in range(nb):
        for n in range(N):
            so = 0.0
            sp = 0.0
            for j in range(nb):
                m2 = 2.0 * mu[i, j]
                for m in range(N):
                    d = n - m if n >= m else m - n
                    s = n + m + 1
                    so += (lz[i, j, d] - lz[i, j, s]) * g[j, m]
                    sp += (ld[i, j, d] + ld[i, j, s] - m2) * f[j, m]
            # tail m >= N of the odd (Z) sum, with g frozen at its last value (1 for an infinite band)
            for j in range(nb):
                so += _tail(lz, i, j, n, N) * g[j, N - 1]
            a = wn[n] + pT * so
            b = pT * sp
            omt_out[i, n] = a
            phi_out[i, n] = b


@njit(cache=True)
def normal_state(lz, wn, T, Om, tol, max_iter):
    """omega-tilde of the normal state (phi = 0) by iteration; returns (omt, iterations, change)."""
    nb = lz.shape[0]
    N = wn.shape[0]
    omt = np.empty((nb, N))
    for i in range(nb):
        for n in range(N):
            omt[i, n] = wn[n]
    new = np.empty((nb, N))
    pT = math.pi * T
    change = 0.0
    it = 0
    for _ in range(max_iter):
        it += 1
        change = 0.0
        for i in range(nb):
            for n in range(N):
                so = 0.0
                for j in range(nb):
                    for m in range(N):
                        d = n - m if n >= m else m - n
                        so += (lz[i, j, d] - lz[i, j, n + m + 1]) * _band_factor(Om[j], abs(omt[j, m]))
                    so += _tail(lz, i, j, n, N) * _band_factor(Om[j], abs(omt[j, N - 1]))
                new[i, n] = wn[n] + pT * so
                c = abs(new[i, n] - omt[i, n]) / new[i, n]
                if c > change:
                    change = c
        for i in range(nb):
            for n in range(N):
                omt[i, n] = new[i, n]
        all_inf = True
        for j in range(nb):
            if not math.isinf(Om[j]):
                all_inf = False
        if change < tol or all_inf:
            break
    return omt, it, change


@njit(cache=True)
def column_weights(omt, T, Om):
    """Weight pi T B_j(m) / |omega-tilde_j(m)| of phi_j(m) in the linearized kernel."""
    nb, N = omt.shape
    out = np.empty((nb, N))
    for j in range(nb):
        for m in range(N):
            out[j, m] = math.pi * T * _band_factor(Om[j], abs(omt[j, m])) / abs(omt[j, m])
    return out


@njit(cache=True)
def linear_matrix(ld, mu, omt, T, Om):
    """Linearized gap kernel A[(i,n),(j,m)] acting on phi_j(m) (band-major order)."""
    nb, N = omt.shape
    A = np.empty((nb * N, nb * N))
    pT = math.pi * T
    for j in range(nb):
        for m in range(N):
            w = pT * _band_factor(Om[j], abs(omt[j, m])) / abs(omt[j, m])
            for i in range(nb):
                m2 = 2.0 * mu[i, j]
                for n in range(N):
                    d = n - m if n >= m else m - n
                    A[i * N + n, j * N + m] = (ld[i, j, d] + ld[i, j, n + m + 1] - m2) * w
    return A


@njit(cache=True)
def pade_coefficients(z, f):
    """Vidberg-Serene continued-fraction coefficients of the N-point Pade approximant (complex)."""
    N = z.shape[0]
    g = np.zeros((N, N), dtype=np.complex128)
    for i in range(N):
        g[0, i] = f[i]
    n_valid = N
    scale = abs(f[0]) + 1e-300
    for p in range(1, N):
        if abs(g[p - 1, p - 1]) <= 1e-14 * scale:   # the fraction terminates: f is rational of low order
            n_valid = p - 1 if p > 1 else 1
            break
        stop = False
        for i in range(p, N):
            den = (z[i] - z[p - 1]) * g[p - 1, i]
            if den == 0:
                stop = True
                break
            g[p, i] = (g[p - 1, p - 1] - g[p - 1, i]) / den
        if stop:
            n_valid = p
            break
    a = np.zeros(n_valid, dtype=np.complex128)
    for p in range(n_valid):
        a[p] = g[p, p]
    return a


@njit(cache=True)
def pade_evaluate(z, a, w):
    """Evaluate the continued fraction with nodes z and coefficients a at the points w."""
    N = a.shape[0]
    out = np.empty(w.shape[0], dtype=np.complex128)
    for k in range(w.shape[0]):
        A0 = 0.0 + 0.0j
        A1 = a[0]
        B0 = 1.0 + 0.0j
        B1 = 1.0 + 0.0j
        for n in range(1, N):
            t = (w[k] - z[n - 1]) * a[n]
            A2 = A1 + t * A0
            B2 = B1 + t * B0
            # rescale to avoid overflow
            s = abs(B2)
            if s > 1e100 or (s < 1e-100 and s > 0.0):
                A1 = A1 / s
                B1 = B1 / s
                A2 = A2 / s
                B2 = B2 / s
            A0, A1 = A1, A2
            B0, B1 = B1, B2
        out[k] = A1 / B1
    return out
