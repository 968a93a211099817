"""Numba kernels for the triplon gap equations (Liu & Khaliullin, Eq. 14).

The pairing kernel V_kk' = V (1 - kappa_a eta eta')(1 - kappa_b eta eta') is a
sum of three separable terms eta^m eta'^m (m = 0, 1, 2), so every gap is
a + b eta_k + c eta_k^2 and the gap equations only need a few Brillouin-zone
moments of the pair amplitude Delta K(E, T), K = tanh(E/2T) / 2E.

Those moments are evaluated on an *energy-shell quadrature*: the linear
triangle method turns the zone integral over the 1/8 wedge into
int dxi sum_contour, with xi on a fixed Gauss-Legendre rule graded
geometrically towards xi = 0 (so any gap scale from micro-eV up is resolved)
and, for each xi node, one contour point per triangle cut by the iso-energy
line (weight = triangle density of states at xi, eta^2 at the midpoint of the
cut). The hard cutoff |xi| < Omega is exact: the xi rule simply ends there.

Units: energies and temperatures in eV inside the kernels. No validation here.
"""
import math

import numpy as np
from numba import njit

from .bands import sort3  # (e1, e2, e3, w1, w2, w3) sorted by e
from .bands import grad_point as _grad
from .bands import xi_point as _xi


@njit(cache=True)
def _tri_cut(x, e1, e2, e3, s1, s2, s3):
    """Normalized DOS g(x) of a linear triangle (sorted e) and eta^2 at the cut midpoint."""
    d31 = e3 - e1
    if x <= e1 or x >= e3 or d31 <= 0.0:
        return 0.0, 0.0
    if x < e2:
        d21 = e2 - e1
        fa = (x - e1) / d31
        fb = (x - e1) / d21
        g = 2.0 * (x - e1) / (d31 * d21)
        sa = s1 + (s3 - s1) * fa
        sb = s1 + (s2 - s1) * fb
        return g, 0.5 * (sa + sb)
    d32 = e3 - e2
    if d32 <= 0.0:
        return 0.0, 0.0
    fa = (e3 - x) / d31
    fb = (e3 - x) / d32
    g = 2.0 * (e3 - x) / (d31 * d32)
    sa = s3 + (s1 - s3) * fa
    sb = s3 + (s2 - s3) * fb
    return g, 0.5 * (sa + sb)


@njit(cache=True)
def _wedge_triangle(n, t, i, j):
    """Vertices (as flat indices into an (n+1)x(n+1) grid) of the triangles of cell (i, j).

    Cell (i, j) spans [i h, (i+1) h] x [j h, (j+1) h] with j <= i. Lower triangle
    (i,j),(i+1,j),(i+1,j+1) always lies in the wedge ky <= kx; the upper one
    (i,j),(i+1,j+1),(i,j+1) only for j < i.
    """
    m = n + 1
    if t == 0:
        return i * m + j, (i + 1) * m + j, (i + 1) * m + j + 1
    return i * m + j, (i + 1) * m + j + 1, i * m + j + 1


@njit(cache=True)
def _fixed_nodes(e1, e2, e3, s1, s2, s3, xq, wq, scale, xo, so, wo, k, write):
    """Nodes of the global rule (xq, wq) inside [e1, e3] of one sorted triangle; returns the new count."""
    if e3 < xq[0] or e1 > xq[xq.size - 1]:
        return k
    q0 = np.searchsorted(xq, e1)
    q1 = np.searchsorted(xq, e3)
    if write:
        for q in range(q0, q1):
            g, sm = _tri_cut(xq[q], e1, e2, e3, s1, s2, s3)
            xo[k + q - q0] = xq[q]
            so[k + q - q0] = sm
            wo[k + q - q0] = wq[q] * g * scale
    return k + q1 - q0


@njit(cache=True)
def _piece_nodes(u, v, e1, e2, e3, s1, s2, s3, bps, gx, gw, scale, xo, so, wo, k, write):
    """Gauss nodes on [u, v] (inside one linear piece of a triangle), split at breakpoints."""
    nb = bps.size
    ng = gx.size
    j = np.searchsorted(bps, u, side="right")
    a = u
    while a < v:
        b = v
        if j < nb and bps[j] < v:
            b = bps[j]
        j += 1
        if b > a:
            mid = 0.5 * (a + b)
            half = 0.5 * (b - a)
            for q in range(ng):
                if write:
                    x = mid + half * gx[q]
                    g, sm = _tri_cut(x, e1, e2, e3, s1, s2, s3)
                    xo[k] = x
                    so[k] = sm
                    wo[k] = half * gw[q] * g * scale
                k += 1
        a = b
    return k


@njit(cache=True)
def _exact_nodes(e1, e2, e3, s1, s2, s3, bps, gx, gw, scale, xo, so, wo, k, write):
    """Exact-triangle nodes of one sorted triangle: pieces [e1, e2] and [e2, e3] clipped to [bps[0], bps[-1]]."""
    lo = bps[0]
    hi = bps[bps.size - 1]
    if e3 <= lo or e1 >= hi or e3 - e1 <= 0.0:
        return k
    u = max(e1, lo)
    v = min(e2, hi)
    if v > u:
        k = _piece_nodes(u, v, e1, e2, e3, s1, s2, s3, bps, gx, gw, scale, xo, so, wo, k, write)
    u = max(e2, lo)
    v = min(e3, hi)
    if v > u:
        k = _piece_nodes(u, v, e1, e2, e3, s1, s2, s3, bps, gx, gw, scale, xo, so, wo, k, write)
    return k


@njit(cache=True)
def _shell_pass(n, e, s, exact, xq, wq, bps, gx, gw):
    """Both node constructions: a counting pass, then a filling pass over the n^2 wedge triangles."""
    scale = 1.0 / (n * n)  # each triangle carries 1/n^2 of the zone average
    dummy = np.empty(1)
    cnt = 0
    for write in (False, True):
        if write:
            xo = np.empty(cnt)
            so = np.empty(cnt)
            wo = np.empty(cnt)
        else:
            xo = dummy
            so = dummy
            wo = dummy
        k = 0
        for i in range(n):
            for j in range(i + 1):
                for t in range(2):
                    if t == 1 and j == i:
                        continue
                    a, b, c = _wedge_triangle(n, t, i, j)
                    e1, e2, e3, s1, s2, s3 = sort3(e[a], e[b], e[c], s[a], s[b], s[c])
                    if exact:
                        k = _exact_nodes(e1, e2, e3, s1, s2, s3, bps, gx, gw, scale, xo, so, wo, k, write)
                    else:
                        k = _fixed_nodes(e1, e2, e3, s1, s2, s3, xq, wq, scale, xo, so, wo, k, write)
        cnt = k
    return xo, so, wo


@njit(cache=True)
def shell_nodes(n, e, s, xq, wq):
    """Energy-shell quadrature nodes from the linear triangle method on the wedge.

    n : cells per axis on [0, pi]; the wedge 0 <= ky <= kx <= pi holds n^2 triangles.
    e, s : flat arrays ((n+1)^2) of xi (eV) and eta^2 at the grid vertices,
        index i*(n+1)+j for k = (i h, j h), h = pi/n.
    xq, wq : sorted xi nodes and weights of the 1D rule on [-Omega, Omega].
    Returns (xi, s, w): nodes with weights such that the Brillouin-zone average
    (1/N_k) sum_k f(xi_k, eta_k^2) over |xi| < Omega is sum w f(xi, s).
    """
    return _shell_pass(n, e, s, False, xq, wq, xq, wq, wq)


@njit(cache=True)
def shell_nodes_exact(n, e, s, bps, gx, gw):
    """Energy-shell nodes, triangle by triangle: exact linear-triangle integration.

    Each triangle's density of states is linear on [e1, e2] and on [e2, e3]; each
    piece (clipped to [bps[0], bps[-1]] = [-Omega, Omega]) is split at the
    breakpoints ``bps`` (graded towards xi = 0 and the van Hove energies) and
    integrated with the Gauss-Legendre rule (gx, gw) on [-1, 1]. The energy
    integral of every triangle is therefore exact up to the Gauss error of the
    smooth integrand on a panel; no aliasing between grid and energy nodes.
    Returns (xi, s, w) like ``shell_nodes``.
    """
    return _shell_pass(n, e, s, True, bps, bps, bps, gx, gw)


@njit(cache=True)
def _kernel(E, T):
    """K(E) = tanh(E/2T)/(2E) and dK/dE (E > 0); T = 0 gives 1/(2E)."""
    if T <= 0.0:
        k = 0.5 / E
        return k, -k / E
    x = 0.5 * E / T
    if x > 20.0:  # tanh(20) = 1 - 8e-18: exactly 1 in double precision
        th = 1.0
        sech2 = 0.0
    else:
        th = math.tanh(x)
        sech2 = 1.0 - th * th
    k = 0.5 * th / E
    dk = (x * sech2 - th) / (2.0 * E * E)
    return k, dk


@njit(cache=True)
def s_moments(xi, s, w, a, c, T):
    """A1g moments of one band for the gap Delta = a + c eta^2.

    Returns (S0, S1, dS0/da, dS0/dc, dS1/da, dS1/dc) with
    S_m = sum w s^m Delta K(E, T), E = sqrt(xi^2 + Delta^2), s = eta^2.
    """
    S0 = 0.0
    S1 = 0.0
    d0 = 0.0
    d1 = 0.0
    d2 = 0.0
    for i in range(xi.size):
        si = s[i]
        D = a + c * si
        E = math.sqrt(xi[i] * xi[i] + D * D)
        k, dk = _kernel(E, T)
        f = D * k
        fp = k + D * D / E * dk  # d(Delta K)/d Delta
        wi = w[i]
        S0 += wi * f
        S1 += wi * si * f
        d0 += wi * fp
        d1 += wi * si * fp
        d2 += wi * si * si * fp
    return S0, S1, d0, d1, d1, d2


@njit(cache=True)
def d_moment(xi, s, w, b, T):
    """B1g moment of one band for the gap Delta = b eta: (S, dS/db).

    S = sum w eta Delta K = b sum w s K(E), E = sqrt(xi^2 + b^2 s).
    """
    S = 0.0
    dS = 0.0
    for i in range(xi.size):
        si = s[i]
        E = math.sqrt(xi[i] * xi[i] + b * b * si)
        k, dk = _kernel(E, T)
        S += w[i] * si * k
        dS += w[i] * si * (k + b * b * si / E * dk)
    return b * S, S + b * dS


@njit(cache=True)
def pair_susceptibility(xi, s, w, T):
    """Linearized moments chi_m = sum w s^m tanh(|xi|/2T)/(2|xi|), m = 0..2 (T > 0)."""
    return uniform_gap_susceptibility(xi, s, w, 0.0, T)


@njit(cache=True)
def uniform_gap_susceptibility(xi, s, w, D, T):
    """chi_m = sum w s^m K(sqrt(xi^2 + D^2), T), m = 0..2, for a trial uniform gap D >= 0."""
    c0 = 0.0
    c1 = 0.0
    c2 = 0.0
    for i in range(xi.size):
        E = math.sqrt(xi[i] * xi[i] + D * D)
        if E < 1e-300:
            k = 0.25 / T if T > 0.0 else 0.0
        else:
            k, _ = _kernel(E, T)
        si = s[i]
        wk = w[i] * k
        c0 += wk
        c1 += wk * si
        c2 += wk * si * si
    return c0, c1, c2


@njit(cache=True)
def polar_shell_nodes(t1, t2, t3, eps, mu, cx, cy, sgn, thetas, r0, xq, wq, dtheta):
    """Fermi-surface (polar) coordinates for the inner shell |xi| < xi_c.

    Along each ray k = c + sgn r (cos th, sin th) from the sheet centre c, the
    radius r_j with xi(k) = xq[j] is found by Newton from the Fermi radius r0.
    The zone average of f over the inner shell is sum w f with
    w = wq[j] dtheta r / |d xi/d r| / (2 pi)^2 (midpoint/trapezoid rule in theta,
    spectrally accurate for the periodic integrand). Returns (xi, s, w, ok):
    ok = False if a Newton search failed (then the caller falls back).
    """
    nth = thetas.size
    nq = xq.size
    xo = np.empty(nth * nq)
    so = np.empty(nth * nq)
    wo = np.empty(nth * nq)
    norm = dtheta / (4.0 * math.pi * math.pi)
    for i in range(nth):
        c = math.cos(thetas[i])
        s = math.sin(thetas[i])
        dx = sgn * c
        dy = sgn * s
        r = r0[i]
        for j in range(nq):
            target = xq[j]
            ok = False
            for _ in range(60):
                kx = cx + r * dx
                ky = cy + r * dy
                f = _xi(kx, ky, t1, t2, t3, eps, mu) - target
                gx, gy = _grad(kx, ky, t1, t2, t3, eps)
                d = gx * dx + gy * dy
                if d == 0.0:
                    break
                step = f / d
                r -= step
                if abs(step) < 1e-14 * (1.0 + abs(r)):
                    ok = True
                    break
            if not ok or r <= 0.0:
                return xo[:0], so[:0], wo[:0], False
            kx = cx + r * dx
            ky = cy + r * dy
            gx, gy = _grad(kx, ky, t1, t2, t3, eps)
            d = gx * dx + gy * dy
            et = math.cos(kx) - math.cos(ky)
            k = i * nq + j
            xo[k] = target
            so[k] = et * et
            wo[k] = wq[j] * norm * r / abs(d)
        # (within a ray the energies are sorted, so each Newton search starts at the previous radius)
    return xo, so, wo, True
