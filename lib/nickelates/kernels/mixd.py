"""Numba kernels of the MixD+V mean-field solver (chapter 6).

All quantities depend on the momentum only through a few "form factors"
evaluated on a reduced list of k points (the BZ folded by k -> -k in every
direction, with integer weights ``w``):

* ``g[k]``   recombination form factor  (cos k in 1D;
             cos kx + cos ky + 2 eps cos kx cos ky in 2D),
* ``gam[k]`` sc hopping form factor      (sum_d cos k_d),
* ``H[k, j]`` harmonics of the separable sc-sc kernel (cos k_d).

Model (units of the inputs, energies in V):

    Delta_k = a g_k - U sum_j c_j H_kj          a = 4 t beta / sqrt(N)
    xi_k    = b gam_k + e0 + mu                 b = t - 2 t beta^2 / N
    E_k     = sqrt(xi_k^2 + Delta_k^2),   th_k = tanh(E_k / 2T)
    N_f     = sum_k w_k (1 - th_k xi_k / E_k)
    c_j     = (1/N) sum_k w_k th_k (Delta_k / E_k) H_kj

T is a small regularizing temperature (T = 0: th = 1). It leaves gapped
states unchanged up to exp(-E_k/T) and makes the equations continuous when a
degenerate Fermi-level shell of a finite lattice has Delta_k -> 0.

No validation here: :mod:`nickelates.mixd` checks every input.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _thermal(e, T):
    """(tanh(e/2T), (1/2T) sech^2(e/2T)); T <= 0 means T = 0."""
    if T <= 0.0:
        return 1.0, 0.0
    y = e / (2.0 * T)
    if y > 20.0:
        return 1.0, 0.0
    th = np.tanh(y)
    return th, (1.0 - th * th) / (2.0 * T)


@njit(cache=True)
def _point(k, mu, a, b, e0, U, c, g, gam, H):
    d = a * g[k]
    for j in range(H.shape[1]):
        d -= U * c[j] * H[k, j]
    x = b * gam[k] + e0 + mu
    return d, x, np.sqrt(x * x + d * d)


@njit(cache=True)
def _ratios(d, x, e, T):
    """(xi/E th, Delta/E th, d(xi/E th)/dxi) with the e -> 0 limits."""
    th, dth = _thermal(e, T)
    if e == 0.0:
        if T > 0.0:
            return 0.0, 0.0, 1.0 / (2.0 * T)
        return 0.0, 0.0, 1e300
    rx = x / e * th
    rd = d / e * th
    # d(x th/e)/dx = (d^2/e^3) th + (x^2/e^2) dth
    slope = d * d / (e * e * e) * th + x * x / (e * e) * dth
    return rx, rd, slope


@njit(cache=True)
def number_and_slope(mu, a, b, e0, U, c, g, gam, H, w, T):
    """Return (N_f, dN_f/dmu) at fixed (a, b, c)."""
    nf = 0.0
    dn = 0.0
    for k in range(g.shape[0]):
        d, x, e = _point(k, mu, a, b, e0, U, c, g, gam, H)
        rx, rd, slope = _ratios(d, x, e, T)
        nf += w[k] * (1.0 - rx)
        dn -= w[k] * slope
    return nf, dn


@njit(cache=True)
def solve_mu(target, mu0, a, b, e0, U, c, g, gam, H, w, T, tol, maxit):
    """Safeguarded Newton-bisection for N_f(mu) = target (N_f decreases with mu).

    Returns (mu, residual, iterations); iterations = -1 if no bracket was found.
    """
    lo = mu0 - 1.0
    hi = mu0 + 1.0
    flo, _ = number_and_slope(lo, a, b, e0, U, c, g, gam, H, w, T)
    it = 0
    step = 1.0
    while flo < target and it < 200:
        step *= 2.0
        lo = lo - step
        flo, _ = number_and_slope(lo, a, b, e0, U, c, g, gam, H, w, T)
        it += 1
    fhi, _ = number_and_slope(hi, a, b, e0, U, c, g, gam, H, w, T)
    step = 1.0
    while fhi > target and it < 400:
        step *= 2.0
        hi = hi + step
        fhi, _ = number_and_slope(hi, a, b, e0, U, c, g, gam, H, w, T)
        it += 1
    if flo < target or fhi > target:
        return mu0, np.inf, -1
    mu = mu0
    if mu <= lo or mu >= hi:
        mu = 0.5 * (lo + hi)
    scale = tol * max(target, 1e-300)
    res = np.inf
    for i in range(maxit):
        f, df = number_and_slope(mu, a, b, e0, U, c, g, gam, H, w, T)
        res = f - target
        if abs(res) <= scale:
            return mu, res, i + 1
        if res > 0.0:
            lo = mu
        else:
            hi = mu
        if hi - lo <= 1e-15 * max(1.0, abs(mu)):
            return mu, res, i + 1
        newton_ok = df < 0.0
        mn = mu
        if newton_ok:
            mn = mu - res / df
            if mn <= lo or mn >= hi:
                newton_ok = False
        if newton_ok:
            mu = mn
        else:
            mu = 0.5 * (lo + hi)
    return mu, res, maxit


@njit(cache=True)
def pass_all(mu, a, b, e0, U, c, g, gam, H, w, T, F, A, B):
    """One sweep over k: returns (N_f, D, N) and fills F, A, B.

    N_f = sum w (1 - th xi/E),  D = -dN_f/dmu,  N = sum w,
    F_j = (1/N) sum w th (Delta/E) H_j, and the (T = 0 form of the) Jacobian
    pieces A_j = sum w th xi Delta H_j / E^3, B_ij = sum w th xi^2 H_i H_j / E^3.
    """
    m = H.shape[1]
    nf = 0.0
    dd = 0.0
    ntot = 0.0
    for j in range(m):
        F[j] = 0.0
        A[j] = 0.0
        for i in range(m):
            B[i, j] = 0.0
    for k in range(g.shape[0]):
        ntot += w[k]
        d, x, e = _point(k, mu, a, b, e0, U, c, g, gam, H)
        rx, rd, slope = _ratios(d, x, e, T)
        nf += w[k] * (1.0 - rx)
        dd += w[k] * slope
        if e == 0.0:
            continue
        th, dth = _thermal(e, T)
        e3 = e * e * e
        for j in range(m):
            h = H[k, j]
            F[j] += w[k] * rd * h
            A[j] += w[k] * th * x * d * h / e3
            for i in range(m):
                B[i, j] += w[k] * th * x * x * h * H[k, i] / e3
    for j in range(m):
        F[j] /= ntot
    return nf, dd, ntot


@njit(cache=True)
def _small_solve(M, r):
    """Solve M x = r for a small dense matrix (Gaussian elimination, partial pivoting)."""
    m = r.shape[0]
    A = M.copy()
    x = r.copy()
    for col in range(m):
        piv = col
        for row in range(col + 1, m):
            if abs(A[row, col]) > abs(A[piv, col]):
                piv = row
        if piv != col:
            for q in range(m):
                tmp = A[col, q]
                A[col, q] = A[piv, q]
                A[piv, q] = tmp
            tmp = x[col]
            x[col] = x[piv]
            x[piv] = tmp
        for row in range(col + 1, m):
            f = A[row, col] / A[col, col]
            for q in range(col, m):
                A[row, q] -= f * A[col, q]
            x[row] -= f * x[col]
    for row in range(m - 1, -1, -1):
        acc = x[row]
        for q in range(row + 1, m):
            acc -= A[row, q] * x[q]
        x[row] = acc / A[row, row]
    return x


@njit(cache=True)
def inner_solve(a, b, e0, U, g, gam, H, w, T, target, mu0, c0, tol, maxit):
    """At fixed beta: solve the number equation and the sc-sc pair amplitudes c.

    Newton iteration on R(c) = c - F(c, mu(c)) = 0, with mu(c) re-solved exactly
    at every evaluation. At T = 0 the total Jacobian
    dR/dc = 1 + (U/N) (B - A A^T / D) is symmetric and >= 1 (Cauchy-Schwarz),
    so the root is unique; a step that does not reduce |R| is halved. If Newton
    stalls, each R_j (monotonically increasing) is bisected on
    [-max|H_j|, max|H_j|].
    Returns (mu, c, status, iterations, residual); status 0 = converged,
    1 = number equation failed, 2 = not converged.
    """
    m = H.shape[1]
    c = c0.copy()
    F = np.empty(m)
    A = np.empty(m)
    B = np.empty((m, m))
    R = np.empty(m)
    mu = mu0
    res = np.inf
    nit = 0
    mu, resn, itn = solve_mu(target, mu, a, b, e0, U, c, g, gam, H, w, T, tol, 200)
    if itn < 0 or not np.isfinite(resn):
        return mu, c, 1, 0, np.inf
    nf, dd, ntot = pass_all(mu, a, b, e0, U, c, g, gam, H, w, T, F, A, B)
    for it in range(maxit):
        nit = it + 1
        res = 0.0
        fmax = 0.0
        for j in range(m):
            R[j] = c[j] - F[j]
            res = max(res, abs(R[j]))
            fmax = max(fmax, abs(F[j]))
        if U == 0.0:
            for j in range(m):
                c[j] = F[j]
            return mu, c, 0, nit, 0.0
        if res <= max(tol * fmax, 1e-11):
            return mu, c, 0, nit, res
        Jm = np.empty((m, m))
        for i in range(m):
            for j in range(m):
                Jm[i, j] = U / ntot * B[i, j]
                if dd > 0.0:
                    Jm[i, j] -= U / ntot * A[i] * A[j] / dd
            Jm[i, i] += 1.0
        step = _small_solve(Jm, R)
        lam = 1.0
        c_old = c.copy()
        mu_old = mu
        accepted = False
        for _ls in range(30):
            for j in range(m):
                c[j] = c_old[j] - lam * step[j]
            mu, resn, itn = solve_mu(target, mu_old, a, b, e0, U, c, g, gam, H, w, T, tol, 200)
            if itn < 0 or not np.isfinite(resn):
                return mu, c, 1, nit, np.inf
            nf, dd, ntot = pass_all(mu, a, b, e0, U, c, g, gam, H, w, T, F, A, B)
            rn = 0.0
            for j in range(m):
                rn = max(rn, abs(c[j] - F[j]))
            if rn < res or rn <= 1e-16:
                accepted = True
                break
            lam *= 0.5
        if not accepted:
            break
    # bisection fallback (Gauss-Seidel over components)
    c = c0.copy()
    for _sweep in range(30):
        for j in range(m):
            hmax = 0.0
            for k in range(H.shape[0]):
                hmax = max(hmax, abs(H[k, j]))
            lo = -hmax
            hi = hmax
            for _it in range(80):
                nit += 1
                c[j] = 0.5 * (lo + hi)
                mu, resn, itn = solve_mu(target, mu, a, b, e0, U, c, g, gam, H, w, T, tol, 200)
                if itn < 0 or not np.isfinite(resn):
                    return mu, c, 1, nit, np.inf
                nf, dd, ntot = pass_all(mu, a, b, e0, U, c, g, gam, H, w, T, F, A, B)
                if c[j] - F[j] > 0.0:
                    hi = c[j]
                else:
                    lo = c[j]
                if hi - lo < 1e-15 * hmax:
                    break
        res = 0.0
        fmax = 0.0
        for j in range(m):
            res = max(res, abs(c[j] - F[j]))
            fmax = max(fmax, abs(F[j]))
        if res <= max(tol * fmax, 1e-11):
            return mu, c, 0, nit, res
        if m == 1:
            break
    return mu, c, 2, nit, res


@njit(cache=True)
def sums(mu, a, b, e0, U, c, g, gam, H, w, T):
    """Sums needed for the energy and the beta equation.

    Returns (S_rec, S_kin, N_f, S_abs, gap, kmin):
      S_rec = sum w th (Delta/E) g,  S_kin = sum w v^2 gam,  N_f = sum w 2 v^2
      (v^2 = (1 - th xi/E)/2),  S_abs = sum w |Delta|/E,  gap = min E,
      kmin = index of min E.
    """
    srec = 0.0
    skin = 0.0
    nf = 0.0
    sabs = 0.0
    gap = np.inf
    kmin = 0
    for k in range(g.shape[0]):
        d, x, e = _point(k, mu, a, b, e0, U, c, g, gam, H)
        if e < gap:
            gap = e
            kmin = k
        rx, rd, slope = _ratios(d, x, e, T)
        v2 = 0.5 * (1.0 - rx)
        srec += w[k] * rd * g[k]
        if e > 0.0:
            sabs += w[k] * abs(d) / e
        skin += w[k] * v2 * gam[k]
        nf += w[k] * 2.0 * v2
    return srec, skin, nf, sabs, gap, kmin
