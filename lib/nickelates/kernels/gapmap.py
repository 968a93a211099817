"""Numba kernels of the gap-map fitter (thermally smeared Dynes / BTK spectra).

Units: energies, gaps and broadenings in meV, bias in mV, ``kt`` in meV. No
validation here: :mod:`nickelates.gapmap.fit` checks every argument.

Parameter vector layout (``kind`` 0 = Dynes, 1 = BTK; ``ngaps`` 1 or 2)::

    dynes: delta1, gamma1, [delta2, gamma2, weight2], scale
    btk:   delta1, gamma1, z,  [delta2, gamma2, weight2], scale

The unsmeared conductance is ``(1 - weight2) G1(E) + weight2 G2(E)`` on a
uniform energy grid; the measured one is ``scale * W @ G`` with ``W`` the
trapezoid weights of the Fermi window -df/dE(E - V) (``fermi_window``).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from .btk import btk_one, dynes_one  # one formula for both solvers


@njit(cache=True)
def fermi_window(bias, egrid, kt):
    """Trapezoid weights W[i, j] = h * (-df/dE)(E_j - V_i), rows normalised to 1."""
    nb = bias.shape[0]
    ne = egrid.shape[0]
    out = np.empty((nb, ne))
    for i in range(nb):
        s = 0.0
        for j in range(ne):
            x = (egrid[j] - bias[i]) / (2.0 * kt)
            if abs(x) > 40.0:
                w = 0.0
            else:
                c = math.cosh(x)
                w = 1.0 / (c * c)
            if j == 0 or j == ne - 1:
                w *= 0.5
            out[i, j] = w
            s += w
        for j in range(ne):
            out[i, j] /= s
    return out


@njit(cache=True)
def intrinsic(p, kind, ngaps, egrid, out):
    """Unsmeared conductance on ``egrid`` for parameters ``p`` (layout in the module docstring)."""
    ne = egrid.shape[0]
    d1 = p[0]
    g1 = p[1]
    off = 2
    tau = 1.0
    if kind == 1:
        zz = p[2]
        tau = 1.0 / (1.0 + zz * zz)
        off = 3
    w2 = 0.0
    d2 = 0.0
    g2 = 1.0
    if ngaps == 2:
        d2 = p[off]
        g2 = p[off + 1]
        w2 = p[off + 2]
    for j in range(ne):
        e = egrid[j]
        if kind == 0:
            v = dynes_one(e, d1, g1)
            if ngaps == 2:
                v = (1.0 - w2) * v + w2 * dynes_one(e, d2, g2)
        else:
            v = btk_one(e, d1, g1, tau)
            if ngaps == 2:
                v = (1.0 - w2) * v + w2 * btk_one(e, d2, g2, tau)
        out[j] = v


@njit(cache=True)
def model(p, kind, ngaps, egrid, window):
    """Measured conductance scale * W @ G(p) at the bias points (rows of ``window``)."""
    ne = egrid.shape[0]
    nb = window.shape[0]
    g = np.empty(ne)
    intrinsic(p, kind, ngaps, egrid, g)
    scale = p[p.shape[0] - 1]
    out = np.empty(nb)
    for i in range(nb):
        s = 0.0
        for j in range(ne):
            s += window[i, j] * g[j]
        out[i] = scale * s
    return out


@njit(cache=True)
def jacobian(p, kind, ngaps, egrid, window, rel_step):
    """Central-difference Jacobian d model / d p (nb x np); the scale column is exact."""
    npar = p.shape[0]
    nb = window.shape[0]
    jac = np.empty((nb, npar))
    base = model(p, kind, ngaps, egrid, window)
    scale = p[npar - 1]
    for i in range(nb):
        jac[i, npar - 1] = base[i] / scale if scale != 0.0 else 0.0
    q = p.copy()
    for k in range(npar - 1):
        h = rel_step * max(abs(p[k]), 1e-3)
        q[k] = p[k] + h
        up = model(q, kind, ngaps, egrid, window)
        q[k] = p[k] - h
        dn = model(q, kind, ngaps, egrid, window)
        q[k] = p[k]
        for i in range(nb):
            jac[i, k] = (up[i] - dn[i]) / (2.0 * h)
    return jac


def warm():
    """Compile (or load from the numba cache) every kernel once in this process."""
    bias = np.linspace(-1.0, 1.0, 5)
    egrid = np.linspace(-2.0, 2.0, 21)
    win = fermi_window(bias, egrid, 0.1)
    for kind, ngaps, p in ((0, 1, [0.5, 0.05, 1.0]), (1, 1, [0.5, 0.05, 1.0, 1.0]),
                           (0, 2, [0.5, 0.05, 0.8, 0.05, 0.3, 1.0]),
                           (1, 2, [0.5, 0.05, 1.0, 0.8, 0.05, 0.3, 1.0])):
        arr = np.asarray(p, dtype=float)
        model(arr, kind, ngaps, egrid, win)
        jacobian(arr, kind, ngaps, egrid, win, 1e-6)
    warm_background()


@njit(cache=True)
def lockin_cdf(u, vm):
    """Cumulative distribution of the lock-in kernel W(v) = 2 sqrt(vm^2 - v^2) / (pi vm^2) at u."""
    if u <= -vm:
        return 0.0
    if u >= vm:
        return 1.0
    x = u / vm
    return 0.5 + (math.asin(x) + x * math.sqrt(1.0 - x * x)) / math.pi


@njit(cache=True)
def lockin_window(bias, egrid, kt, vm, ynodes, yweights):
    """Cell-integrated weights of the lock-in kernel W convolved with the Fermi window, rows normalised to 1.

    W[i, j] = int_{cell j} (W_lockin * F)(E - V_i) dE with F = -df/dE, computed as
    sum_q yweights[q] [C(b_j - V_i - y_q) - C(a_j - V_i - y_q)], C the CDF of the lock-in kernel,
    (a_j, b_j) the trapezoid cell of E_j (half cells at the ends), y_q nodes of F (weights sum to 1).
    """
    nb = bias.shape[0]
    ne = egrid.shape[0]
    nq = ynodes.shape[0]
    h = egrid[1] - egrid[0]
    reach = vm + abs(ynodes[0]) + abs(ynodes[nq - 1]) + h
    out = np.zeros((nb, ne))
    for i in range(nb):
        v = bias[i]
        jlo = max(int(math.floor((v - reach - egrid[0]) / h)), 0)
        jhi = min(int(math.ceil((v + reach - egrid[0]) / h)), ne - 1)
        s = 0.0
        for j in range(jlo, jhi + 1):
            a = egrid[j] - 0.5 * h if j > 0 else egrid[j]
            b = egrid[j] + 0.5 * h if j < ne - 1 else egrid[j]
            acc = 0.0
            for q in range(nq):
                y = ynodes[q]
                acc += yweights[q] * (lockin_cdf(b - v - y, vm) - lockin_cdf(a - v - y, vm))
            out[i, j] = acc
            s += acc
        if s > 0.0:
            for j in range(jlo, jhi + 1):
                out[i, j] /= s
    return out


@njit(cache=True)
def background_poly(p, nbg, xb):
    """1 + sum_k bg_k x^k at each bias (bg_1..bg_nbg are the entries before ``scale``)."""
    npar = p.shape[0]
    nb = xb.shape[0]
    out = np.ones(nb)
    for i in range(nb):
        xp = 1.0
        for k in range(nbg):
            xp *= xb[i]
            out[i] += p[npar - 1 - nbg + k] * xp
    return out


@njit(cache=True)
def model_bg(p, kind, ngaps, egrid, window, xb, nbg):
    """The model with a polynomial normal-state background: scale * (1 + sum_k bg_k x^k) * W @ G(p)."""
    base = model(p, kind, ngaps, egrid, window)
    if nbg == 0:
        return base
    return base * background_poly(p, nbg, xb)


@njit(cache=True)
def jacobian_bg(p, kind, ngaps, egrid, window, xb, nbg, rel_step):
    """Jacobian of :func:`model_bg`: central differences for the physics, exact background and scale columns."""
    npar = p.shape[0]
    nb = window.shape[0]
    jac = np.empty((nb, npar))
    poly = background_poly(p, nbg, xb)
    base = model(p, kind, ngaps, egrid, window)      # scale * W @ G
    scale = p[npar - 1]
    for i in range(nb):
        jac[i, npar - 1] = base[i] * poly[i] / scale if scale != 0.0 else 0.0
    for k in range(nbg):
        for i in range(nb):
            jac[i, npar - 1 - nbg + k] = base[i] * xb[i] ** (k + 1)
    q = p.copy()
    for k in range(npar - 1 - nbg):
        hstep = rel_step * max(abs(p[k]), 1e-3)
        q[k] = p[k] + hstep
        up = model(q, kind, ngaps, egrid, window)
        q[k] = p[k] - hstep
        dn = model(q, kind, ngaps, egrid, window)
        q[k] = p[k]
        for i in range(nb):
            jac[i, k] = (up[i] - dn[i]) / (2.0 * hstep) * poly[i]
    return jac


def warm_background():
    """Compile the background and lock-in kernels once in this process."""
    bias = np.linspace(-1.0, 1.0, 5)
    egrid = np.linspace(-2.0, 2.0, 21)
    y = np.linspace(-0.5, 0.5, 4)
    win = lockin_window(bias, egrid, 0.1, 0.2, y, np.full(4, 0.25))
    xb = bias / 1.0
    for kind, ngaps, p in ((0, 1, [0.5, 0.05, 0.1, 0.0, 1.0]), (1, 1, [0.5, 0.05, 1.0, 0.1, 0.0, 1.0]),
                           (0, 2, [0.5, 0.05, 0.8, 0.05, 0.3, 0.1, 0.0, 1.0]),
                           (1, 2, [0.5, 0.05, 1.0, 0.8, 0.05, 0.3, 0.1, 0.0, 1.0])):
        arr = np.asarray(p, dtype=float)
        model_bg(arr, kind, ngaps, egrid, win, xb, 2)
        jacobian_bg(arr, kind, ngaps, egrid, win, xb, 2, 1e-6)
