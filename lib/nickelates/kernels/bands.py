"""Numba kernels for the bilayer dx2-y2 bands of Liu & Khaliullin, Eq. (5).

Conventions: energies in eV, momenta in units of 1/a, a band is given by the
six numbers (t1, t2, t3, eps, mu) with ``eps`` the eta^2 shift of that band.
"""
import math

import numpy as np
from numba import njit


@njit(cache=True)
def xi_point(kx, ky, t1, t2, t3, eps, mu):
    """xi(k) = -4(t1 g1 + t2 g2 + t3 g3) + eps eta^2 - mu (eV)."""
    cx = math.cos(kx)
    cy = math.cos(ky)
    g1 = 0.5 * (cx + cy)
    g2 = cx * cy
    g3 = 0.5 * (math.cos(2.0 * kx) + math.cos(2.0 * ky))
    eta = cx - cy
    return -4.0 * (t1 * g1 + t2 * g2 + t3 * g3) + eps * eta * eta - mu


@njit(cache=True)
def grad_point(kx, ky, t1, t2, t3, eps):
    """Gradient (d xi/d kx, d xi/d ky) in eV."""
    sx = math.sin(kx)
    sy = math.sin(ky)
    cx = math.cos(kx)
    cy = math.cos(ky)
    eta = cx - cy
    gx = 2.0 * t1 * sx + 4.0 * t2 * sx * cy + 4.0 * t3 * math.sin(2.0 * kx) - 2.0 * eps * eta * sx
    gy = 2.0 * t1 * sy + 4.0 * t2 * cx * sy + 4.0 * t3 * math.sin(2.0 * ky) + 2.0 * eps * eta * sy
    return gx, gy


@njit(cache=True)
def xi_grid(kx, ky, t1, t2, t3, eps, mu):
    """Band energy xi on arrays of equal shape (flattened loop)."""
    out = np.empty(kx.size)
    fx = kx.ravel()
    fy = ky.ravel()
    for i in range(fx.size):
        out[i] = xi_point(fx[i], fy[i], t1, t2, t3, eps, mu)
    return out.reshape(kx.shape)


@njit(cache=True)
def _tri(e1, e2, e3, w1, w2, w3):
    """Linear triangle at E = 0: (occupied fraction, dF/dE, eta^2-weighted dF/dE).

    Vertices must be sorted e1 <= e2 <= e3; w are the eta^2 values there.
    """
    if e1 >= 0.0:
        return 0.0, 0.0, 0.0
    if e3 <= 0.0:
        return 1.0, 0.0, 0.0
    if e2 > 0.0:  # e1 < 0 < e2
        d21 = e2 - e1
        d31 = e3 - e1
        x = -e1
        f = x * x / (d21 * d31)
        g = 2.0 * x / (d21 * d31)
        wa = w1 + (w3 - w1) * x / d31
        wb = w1 + (w2 - w1) * x / d21
        return f, g, g * 0.5 * (wa + wb)
    # e2 <= 0 < e3
    d31 = e3 - e1
    d32 = e3 - e2
    x = e3
    f = 1.0 - x * x / (d31 * d32)
    g = 2.0 * x / (d31 * d32)
    wa = w3 + (w1 - w3) * x / d31
    wb = w3 + (w2 - w3) * x / d32
    return f, g, g * 0.5 * (wa + wb)


@njit(cache=True)
def sort3(e1, e2, e3, w1, w2, w3):
    if e1 > e2:
        e1, e2 = e2, e1
        w1, w2 = w2, w1
    if e2 > e3:
        e2, e3 = e3, e2
        w2, w3 = w3, w2
    if e1 > e2:
        e1, e2 = e2, e1
        w1, w2 = w2, w1
    return e1, e2, e3, w1, w2, w3


@njit(cache=True)
def triangle_quarter(t1, t2, t3, eps, mu, n):
    """Linear-triangle (2D tetrahedron) integration over the quarter zone [0, pi]^2.

    The dispersion is even in kx and ky, so the quarter zone carries the whole
    Brillouin-zone average. n x n square cells, two triangles each.
    Returns (occupied fraction of the BZ, DOS per k-point at E=0 in 1/eV,
    eta^2-weighted DOS per k-point in 1/eV).
    """
    h = math.pi / n
    e = np.empty((n + 1, n + 1))
    w = np.empty((n + 1, n + 1))
    for i in range(n + 1):
        kx = i * h
        for j in range(n + 1):
            ky = j * h
            e[i, j] = xi_point(kx, ky, t1, t2, t3, eps, mu)
            et = math.cos(kx) - math.cos(ky)
            w[i, j] = et * et
    F = 0.0
    G = 0.0
    GW = 0.0
    for i in range(n):
        for j in range(n):
            # lower-left triangle (i,j), (i+1,j), (i,j+1); upper-right (i+1,j+1), (i+1,j), (i,j+1)
            a1, a2, a3, b1, b2, b3 = sort3(e[i, j], e[i + 1, j], e[i, j + 1], w[i, j], w[i + 1, j], w[i, j + 1])
            f, g, gw = _tri(a1, a2, a3, b1, b2, b3)
            F += f
            G += g
            GW += gw
            a1, a2, a3, b1, b2, b3 = sort3(e[i + 1, j + 1], e[i + 1, j], e[i, j + 1],
                                            w[i + 1, j + 1], w[i + 1, j], w[i, j + 1])
            f, g, gw = _tri(a1, a2, a3, b1, b2, b3)
            F += f
            G += g
            GW += gw
    ntri = 2.0 * n * n
    return F / ntri, G / ntri, GW / ntri


@njit(cache=True)
def polar_radii(t1, t2, t3, eps, mu, cx, cy, sgn, thetas, nsample):
    """Fermi radius r(theta) along rays k = c + sgn * r (cos theta, sin theta).

    Each ray runs from the centre c to the edge of the square of half-width pi
    about c. Returns (r, dxi/dr at the crossing, number of sign changes found
    on ``nsample`` samples of the ray). A star-shaped sheet has exactly one
    crossing on every ray.
    """
    m = thetas.size
    r_out = np.empty(m)
    d_out = np.empty(m)
    ncross = np.empty(m, dtype=np.int64)
    for j in range(m):
        c = math.cos(thetas[j])
        s = math.sin(thetas[j])
        rmax = math.pi / max(abs(c), abs(s))
        dx = sgn * c
        dy = sgn * s
        prev = xi_point(cx, cy, t1, t2, t3, eps, mu)
        lo = 0.0
        hi = -1.0
        cnt = 0
        rprev = 0.0
        for q in range(1, nsample + 1):
            rq = rmax * q / nsample
            val = xi_point(cx + rq * dx, cy + rq * dy, t1, t2, t3, eps, mu)
            if (val > 0.0) != (prev > 0.0):
                cnt += 1
                if cnt == 1:
                    lo = rprev
                    hi = rq
            prev = val
            rprev = rq
        ncross[j] = cnt
        if cnt == 0:
            r_out[j] = -1.0
            d_out[j] = 0.0
            continue
        flo = xi_point(cx + lo * dx, cy + lo * dy, t1, t2, t3, eps, mu)
        # safeguarded Newton / bisection on [lo, hi]
        r = 0.5 * (lo + hi)
        for _ in range(200):
            fr = xi_point(cx + r * dx, cy + r * dy, t1, t2, t3, eps, mu)
            if (fr > 0.0) == (flo > 0.0):
                lo = r
                flo = fr
            else:
                hi = r
            gx, gy = grad_point(cx + r * dx, cy + r * dy, t1, t2, t3, eps)
            dr = gx * dx + gy * dy
            rn = r - fr / dr if dr != 0.0 else 0.5 * (lo + hi)
            if not (lo < rn < hi):
                rn = 0.5 * (lo + hi)
            if abs(rn - r) < 1e-15 * (1.0 + r) or hi - lo < 1e-15:
                r = rn
                break
            r = rn
        gx, gy = grad_point(cx + r * dx, cy + r * dy, t1, t2, t3, eps)
        r_out[j] = r
        d_out[j] = gx * dx + gy * dy
    return r_out, d_out, ncross


@njit(cache=True)
def grad_grid(kx, ky, t1, t2, t3, eps):
    """Gradient (d xi/d kx, d xi/d ky) in eV a on arrays of equal shape (flattened loop)."""
    fx = kx.ravel()
    fy = ky.ravel()
    gx = np.empty(fx.size)
    gy = np.empty(fx.size)
    for i in range(fx.size):
        gx[i], gy[i] = grad_point(fx[i], fy[i], t1, t2, t3, eps)
    return gx.reshape(kx.shape), gy.reshape(kx.shape)
