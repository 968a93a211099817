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


# --------------------------------------------------------------------------
# separable anisotropy: omega-tilde_i(s) = omt[i, 0] + omt[i, 1] s, phi_i(s) = phi[i, 0] + phi[i, 1] s,
# s = eta_k^2 on the Fermi sheet; sheet averages by nodes s[j, l] with weights w[j, l] (sum 1)


@njit(cache=True)
def separable_moments(omt, phi, s, w, Om, g, f):
    """Sheet averages g[j, a, m] = <s^a B omt/R>_j and f[j, a, m] = <s^a B phi/R>_j (a = 0, 1)."""
    nb = omt.shape[0]
    N = omt.shape[2]
    L = s.shape[1]
    for j in range(nb):
        for m in range(N):
            g0 = 0.0
            g1 = 0.0
            f0 = 0.0
            f1 = 0.0
            for ll in range(L):
                sl = s[j, ll]
                o = omt[j, 0, m] + omt[j, 1, m] * sl
                p = phi[j, 0, m] + phi[j, 1, m] * sl
                R = math.sqrt(o * o + p * p)
                a = w[j, ll] * _band_factor(Om[j], R) / R
                g0 += a * o
                g1 += a * o * sl
                f0 += a * p
                f1 += a * p * sl
            g[j, 0, m] = g0
            g[j, 1, m] = g1
            f[j, 0, m] = f0
            f[j, 1, m] = f1


@njit(cache=True)
def separable_sweep(omt, phi, lz, ld, mu, gz, gd, s, w, wn, T, Om, omt_out, phi_out):
    """One fixed-point pass of the separable (a + c s) equations; arrays (n_bands, 2, N).

    lam^X_ij(k, k') = lam^X_ij (1 + g_X s s') in the A1g channel (the eta eta' term drops out);
    mu* acts on the isotropic component only.
    """
    nb = omt.shape[0]
    N = omt.shape[2]
    g = np.empty((nb, 2, N))
    f = np.empty((nb, 2, N))
    separable_moments(omt, phi, s, w, Om, g, f)
    pT = math.pi * T
    for i in range(nb):
        for n in range(N):
            so0 = 0.0
            so1 = 0.0
            sp0 = 0.0
            sp1 = 0.0
            for j in range(nb):
                m2 = 2.0 * mu[i, j]
                for m in range(N):
                    d = n - m if n >= m else m - n
                    t = n + m + 1
                    km = lz[i, j, d] - lz[i, j, t]
                    kp = ld[i, j, d] + ld[i, j, t]
                    so0 += km * g[j, 0, m]
                    so1 += km * g[j, 1, m]
                    sp0 += (kp - m2) * f[j, 0, m]
                    sp1 += kp * f[j, 1, m]
                tl = _tail(lz, i, j, n, N)
                so0 += tl * g[j, 0, N - 1]
                so1 += tl * g[j, 1, N - 1]
            omt_out[i, 0, n] = wn[n] + pT * so0
            omt_out[i, 1, n] = pT * gz * so1
            phi_out[i, 0, n] = pT * sp0
            phi_out[i, 1, n] = pT * gd * sp1


@njit(cache=True)
def separable_normal_state(lz, mu, gz, s, w, wn, T, Om, tol, max_iter):
    """Normal-state (phi = 0) omega-tilde coefficients (n_bands, 2, N); returns (omt, iterations, change)."""
    nb = lz.shape[0]
    N = wn.shape[0]
    omt = np.zeros((nb, 2, N))
    for i in range(nb):
        for n in range(N):
            omt[i, 0, n] = wn[n]
    phi = np.zeros((nb, 2, N))
    new_o = np.empty((nb, 2, N))
    new_p = np.empty((nb, 2, N))
    change = 0.0
    it = 0
    for _ in range(max_iter):
        it += 1
        separable_sweep(omt, phi, lz, lz, mu, gz, 0.0, s, w, wn, T, Om, new_o, new_p)
        change = 0.0
        for i in range(nb):
            for n in range(N):
                c = (abs(new_o[i, 0, n] - omt[i, 0, n]) + abs(new_o[i, 1, n] - omt[i, 1, n])) / new_o[i, 0, n]
                if c > change:
                    change = c
                omt[i, 0, n] = new_o[i, 0, n]
                omt[i, 1, n] = new_o[i, 1, n]
        if change < tol:
            break
    return omt, it, change


@njit(cache=True)
def separable_weights(omt, s, w, T, Om):
    """W[j, p, m] = pi T <s^p B / |omega-tilde_j(s)|>_j, p = 0, 1, 2 (normal state)."""
    nb = omt.shape[0]
    N = omt.shape[2]
    L = s.shape[1]
    out = np.zeros((nb, 3, N))
    for j in range(nb):
        for m in range(N):
            for ll in range(L):
                sl = s[j, ll]
                o = abs(omt[j, 0, m] + omt[j, 1, m] * sl)
                a = math.pi * T * w[j, ll] * _band_factor(Om[j], o) / o
                out[j, 0, m] += a
                out[j, 1, m] += a * sl
                out[j, 2, m] += a * sl * sl
    return out


@njit(cache=True)
def separable_matvec(y, L, R, ld, mu, gd, P):
    """Matrix-free product of the linearized separable kernel with y (n_bands * 2 * N vector).

    out = L (K~ (x) G) R y with blockwise 2 x 2 stacks L, R (n_bands, N, 2, 2),
    K~^(c)_ij(n, m) = (P_i / P_j) [ld_ij(|n-m|) + ld_ij(n+m+1) - 2 mu_ij delta_c0], G = (1, gd).
    Symmetric form: L = R = M^(1/2) (M the Gram matrix of sheet moments), P = sqrt(band weights).
    """
    nb = L.shape[0]
    N = L.shape[1]
    u = np.empty((nb, 2, N))
    for j in range(nb):
        for m in range(N):
            y0 = y[(j * 2) * N + m]
            y1 = y[(j * 2 + 1) * N + m]
            u[j, 0, m] = R[j, m, 0, 0] * y0 + R[j, m, 0, 1] * y1
            u[j, 1, m] = R[j, m, 1, 0] * y0 + R[j, m, 1, 1] * y1
    out = np.empty(nb * 2 * N)
    for i in range(nb):
        for n in range(N):
            z0 = 0.0
            z1 = 0.0
            for j in range(nb):
                f = P[i] / P[j]
                m2 = 2.0 * mu[i, j]
                for m in range(N):
                    d = n - m if n >= m else m - n
                    k = ld[i, j, d] + ld[i, j, n + m + 1]
                    z0 += f * (k - m2) * u[j, 0, m]
                    z1 += f * k * u[j, 1, m]
            z1 *= gd
            out[(i * 2) * N + n] = L[i, n, 0, 0] * z0 + L[i, n, 0, 1] * z1
            out[(i * 2 + 1) * N + n] = L[i, n, 1, 0] * z0 + L[i, n, 1, 1] * z1
    return out


# --------------------------------------------------------------------------
# real axis (Marsiglio, Schossmann & Carbotte 1988): the Matsubara solution as input.
# Retarded functions on a uniform symmetric grid x_k = (k - (n-1)/2) h; the boson modes of the
# pair (i, j) are energies E[i, j, l] with weights c[i, j, l] of the static coupling
# (lam_ij(z) = lam_ij sum_l c_l E_l^2 / (E_l^2 - z^2); alpha^2F_ij = sum_l lam_ij c_l E_l / 2 delta(nu - E_l)).


@njit(cache=True)
def real_axis_matsubara(x, wn, T, gm, fm, lz, ld, E, c, tail_o, mu, omt_out, phi_out):
    """Matsubara part of the real-axis equations at z = x_k (complex outputs (n_bands, n)).

    omt(z) = z + i pi T sum_{m,j} lam^Z_ij(z - i w_m) g_j(m)  (odd sum over m >= 0, plus tail_o[i, k]),
    phi(z) = pi T sum_{m,j} [lam^Delta_ij(z - i w_m) - mu*_ij] f_j(m)  (even sum), with
    g = omt_m / R_m, f = phi_m / R_m on the Matsubara axis; tail_o holds the odd sum beyond the cutoff.
    """
    nb = gm.shape[0]
    N = wn.shape[0]
    n = x.shape[0]
    L = E.shape[2]
    pT = math.pi * T
    for i in range(nb):
        for k in range(n):
            z = x[k] + 0j
            so = 0j
            sp = 0j
            for j in range(nb):
                for ll in range(L):
                    e = E[i, j, ll]
                    az = lz[i, j] * c[i, j, ll]
                    ad = ld[i, j] * c[i, j, ll]
                    if az == 0.0 and ad == 0.0:
                        continue
                    e2 = e * e
                    for m in range(N):
                        zm = z - 1j * wn[m]
                        zp = z + 1j * wn[m]
                        lm = e2 / (e2 - zm * zm)
                        lp = e2 / (e2 - zp * zp)
                        so += az * (lm - lp) * gm[j, m]
                        sp += ad * (lm + lp) * fm[j, m]
                m2 = 0.0
                for m in range(N):
                    m2 += 2.0 * fm[j, m]
                sp -= mu[i, j] * m2
            omt_out[i, k] = z + 1j * pT * so + tail_o[i, k]
            phi_out[i, k] = pT * sp


@njit(cache=True)
def _interp(v, x0, h, n, y, outside):
    """Linear interpolation of v (on x_k = x0 + k h) at y; ``outside`` beyond the grid."""
    p = (y - x0) / h
    if p < 0.0 or p > n - 1:
        return outside
    k = int(p)
    if k >= n - 1:
        return v[n - 1]
    t = p - k
    return v[k] * (1.0 - t) + v[k + 1] * t


@njit(cache=True)
def _retarded_ratios(omt, phi, eta, G, F):
    """G = omt / R, F = phi / R with R = sqrt((omt + i eta)^2 - phi^2), Im R > 0."""
    nb, n = omt.shape
    for j in range(nb):
        for k in range(n):
            o = omt[j, k] + 1j * eta
            R = np.sqrt(o * o - phi[j, k] * phi[j, k])
            if R.imag < 0.0:
                R = -R
            G[j, k] = o / R
            F[j, k] = phi[j, k] / R


@njit(cache=True)
def real_axis_iterate(x, T, base_o, base_p, lz, ld, E, c, eta, tol, max_iter, omt, phi):
    """Solve omt, phi on the grid x by fixed-point iteration of the real-axis (boson-emission) terms.

    omt_i = base_o_i + i pi sum_{j,l} lam^Z_ij c_l E_l/2 {[n(E)+f(E-x)] G_j(x-E) + [n(E)+f(E+x)] G_j(x+E)},
    phi_i = base_p_i + (same with lam^Delta and F_j). Starts from the values in omt, phi (overwritten);
    returns (iterations, last relative change).
    """
    nb, n = omt.shape
    L = E.shape[2]
    h = x[1] - x[0]
    x0 = x[0]
    G = np.empty((nb, n), dtype=np.complex128)
    F = np.empty((nb, n), dtype=np.complex128)
    new_o = np.empty((nb, n), dtype=np.complex128)
    new_p = np.empty((nb, n), dtype=np.complex128)
    change = 1.0
    it = 0
    for _ in range(max_iter):
        it += 1
        _retarded_ratios(omt, phi, eta, G, F)
        for i in range(nb):
            for k in range(n):
                so = 0j
                sp = 0j
                xk = x[k]
                for j in range(nb):
                    for ll in range(L):
                        e = E[i, j, ll]
                        az = lz[i, j] * c[i, j, ll]
                        ad = ld[i, j] * c[i, j, ll]
                        if az == 0.0 and ad == 0.0:
                            continue
                        nB = 1.0 / math.expm1(min(e / T, 700.0))
                        f1 = 0.5 * (1.0 - math.tanh(0.5 * (e - xk) / T))
                        f2 = 0.5 * (1.0 - math.tanh(0.5 * (e + xk) / T))
                        w1 = nB + f1
                        w2 = nB + f2
                        g1 = _interp(G[j], x0, h, n, xk - e, 1.0 + 0j)
                        g2 = _interp(G[j], x0, h, n, xk + e, 1.0 + 0j)
                        p1 = _interp(F[j], x0, h, n, xk - e, 0j)
                        p2 = _interp(F[j], x0, h, n, xk + e, 0j)
                        so += 0.5 * e * az * (w1 * g1 + w2 * g2)
                        sp += 0.5 * e * ad * (w1 * p1 + w2 * p2)
                new_o[i, k] = base_o[i, k] + 1j * math.pi * so
                new_p[i, k] = base_p[i, k] + 1j * math.pi * sp
        change = 0.0
        scale = 1e-300
        for i in range(nb):
            for k in range(n):
                s = abs(new_p[i, k])
                if s > scale:
                    scale = s
        for i in range(nb):
            for k in range(n):
                d = abs(new_o[i, k] - omt[i, k]) / (abs(new_o[i, k]) + scale)
                if d > change:
                    change = d
                d = abs(new_p[i, k] - phi[i, k]) / scale
                if d > change:
                    change = d
                omt[i, k] = new_o[i, k]
                phi[i, k] = new_p[i, k]
        if change < tol:
            break
    return it, change


# --------------------------------------------------------------------------
# finite bands with a tabulated DOS: the energy integrals of the Nambu Green's function
# (1/pi) int d(eps) n_j(eps) {omt, eps + chi, phi} / [omt^2 + (eps + chi)^2 + phi^2] on a fixed eps grid
# with trapezoid weights wq[j, q] (n_j included)


@njit(cache=True)
def band_integrals(omt, chi, phi, eps, wq, A, C, F):
    """A, C, F (n_bands, N) of omt, chi, phi (n_bands, N) on the grid eps with weights wq."""
    nb, N = omt.shape
    Q = eps.shape[0]
    for j in range(nb):
        for m in range(N):
            o2 = omt[j, m] * omt[j, m] + phi[j, m] * phi[j, m]
            a = 0.0
            c = 0.0
            for q in range(Q):
                x = eps[q] + chi[j, m]
                d = wq[j, q] / (o2 + x * x)
                a += d
                c += d * x
            A[j, m] = a * omt[j, m] / math.pi
            C[j, m] = c / math.pi
            F[j, m] = a * phi[j, m] / math.pi


@njit(cache=True)
def finite_band_sweep(omt, chi, phi, lz, ld, lo, wn, T, eps, wq, omt_out, chi_out, phi_out):
    """One pass of the finite-band equations with the band shift chi (arrays (n_bands, N)).

    omt_i(n) = w_n + pi T sum_{m,j} [lz_ij(n-m) A_j(m) + lo_ij(n-m) C_j(m)],
    chi_i(n) = -pi T sum_{m,j} [lz_ij(n-m) C_j(m) + lo_ij(n-m) A_j(m)],
    phi_i(n) = pi T sum_{m,j} ld_ij(n-m) F_j(m); lz, ld (n_bands, n_bands, 2N+1) even tables,
    lo (n_bands, n_bands, 4N+1) the odd table at index k + 2N for the signed k = n - m. The sums run over
    all m (m >= 0 with the parities of A (odd), C and F (even)); the Z sum beyond the cutoff uses the
    last A (as in :func:`sweep`).
    """
    nb, N = omt.shape
    A = np.empty((nb, N))
    C = np.empty((nb, N))
    F = np.empty((nb, N))
    band_integrals(omt, chi, phi, eps, wq, A, C, F)
    pT = math.pi * T
    o = 2 * N
    for i in range(nb):
        for n in range(N):
            so = 0.0
            sc = 0.0
            sp = 0.0
            for j in range(nb):
                for m in range(N):
                    d = n - m if n >= m else m - n
                    s = n + m + 1
                    so += (lz[i, j, d] - lz[i, j, s]) * A[j, m]
                    sc += (lz[i, j, d] + lz[i, j, s]) * C[j, m]
                    sp += (ld[i, j, d] + ld[i, j, s]) * F[j, m]
                    so += (lo[i, j, n - m + o] + lo[i, j, s + o]) * C[j, m]
                    sc += (lo[i, j, n - m + o] - lo[i, j, s + o]) * A[j, m]
                so += _tail(lz, i, j, n, N) * A[j, N - 1]
            omt_out[i, n] = wn[n] + pT * so
            chi_out[i, n] = -pT * sc
            phi_out[i, n] = pT * sp
