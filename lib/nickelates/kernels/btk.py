"""Numba kernels of the BTK / Tanaka-Kashiwaya conductance (chapter 4).

Units: energies and broadening in meV, ``kT`` in meV. No validation here: the
public wrappers in :mod:`nickelates.btk` check every argument.

Conventions
-----------
The Andreev amplitude of a gap of modulus ``d >= 0`` at complex energy
``z = E + i*Gamma`` (Dynes broadening *inside* the coherence factors, as in the
paper's gamma_pm) is

    gamma(z, d) = (z - Omega(z)) / d = d / (z + Omega(z)),
    Omega(z) = sqrt(z - d) * sqrt(z + d)       (principal square roots),

i.e. the branch of sqrt(z^2 - d^2) that is analytic off the cut [-d, d] and
behaves like z at large |z|; then |gamma| <= 1 in the closed upper half plane.
The second form is used: it is stable for d -> 0 (gamma -> 0).
"""
from __future__ import annotations

import cmath
import math

import numpy as np
from numba import njit


@njit(cache=True)
def andreev_gamma(z, d):
    """gamma(z, d) for complex z (Im z >= 0) and d = |Delta| >= 0."""
    if d == 0.0:
        return 0j
    om = cmath.sqrt(z - d) * cmath.sqrt(z + d)
    return d / (z + om)


@njit(cache=True)
def normal_state_norm(tau, weight):
    """sum_k weight_k tau_k: the normal-state conductance of the quadrature nodes."""
    norm = 0.0
    for k in range(tau.shape[0]):
        norm += weight[k] * tau[k]
    return norm


@njit(cache=True)
def g_swave(energy, delta, gamma, tau, weight):
    """Angle-averaged s-wave conductance G(E) (normalized).

    ``tau`` are the normal-state transparencies tau_N at the quadrature nodes
    and ``weight`` the quadrature weights of the measure cos(theta) d theta.
    For an isotropic gap gamma_+ = gamma_- and phi_d = 0, so one complex
    square root per energy suffices.
    """
    return g_swave_polarized(energy, delta, gamma, tau, weight, 0.0)


@njit(cache=True)
def g_anisotropic(energy, gamma, tau, weight, dplus, dminus, mirror):
    """Angle-averaged conductance for a gap that depends on the trajectory.

    ``dplus[k]``, ``dminus[k]`` are the (real, signed) gaps seen by the
    electron-like and hole-like quasiparticles at node k; the phase factor
    exp(i phi_d) is the sign of dplus*dminus. With ``mirror`` the nodes cover
    0 < theta < pi/2 and each node also stands for -theta, where the roles of
    Delta_+ and Delta_- are exchanged: only |gamma_+|^2 in the numerator
    changes, so the pair contributes with |gamma_+|^2 -> (|gamma_+|^2 + |gamma_-|^2)/2.
    """
    return g_anisotropic_polarized(energy, gamma, tau, weight, dplus, dminus, mirror, 0.0)


@njit(cache=True)
def thermal_smear(bias, h, g_grid, kt, cutoff):
    """Convolve an even G(E), tabulated at E_j = j*h (j >= 0), with the Fermi window -df/dE(E - V).

    At each bias V: trapezoid rule on the infinite uniform grid, truncated
    where the kernel is below ~e^-cutoff/kT.
    """
    n = bias.shape[0]
    ng = g_grid.shape[0]
    out = np.empty(n)
    inv = 1.0 / kt
    for i in range(n):
        v = bias[i]
        jlo = int(math.ceil((v - cutoff) / h))
        jhi = int(math.floor((v + cutoff) / h))
        acc = 0.0
        for j in range(jlo, jhi + 1):
            x = abs(j * h - v) * inv
            ex = math.exp(-x)
            kern = ex / ((1.0 + ex) * (1.0 + ex))
            jj = j if j >= 0 else -j
            if jj >= ng:
                jj = ng - 1
            acc += g_grid[jj] * kern
        out[i] = acc * h * inv
    return out


@njit(cache=True)
def sigma_polarized(t, pm):
    """tau_N sigma_p of a fully spin-polarized trajectory (Mazin: evanescent Andreev hole).

    ``t`` is tau_N = 1 / (1 + Z_theta^2) and ``pm`` = gamma_+ gamma_- exp(i phi_d). With
    x = 1 - pm, the matching at the barrier gives

        1 - |b_p|^2 = (1 + 2 Z + 2 Z^2) (1 - |pm|^2) / |1 + x Z (1 + Z + i Z)|^2,

    written without the cancellation of 1 - |b_p|^2 (derived in nickelates.btk.model).
    """
    z = math.sqrt(max(1.0 / t - 1.0, 0.0))
    x = 1.0 - pm
    den = 1.0 + x * complex(z + z * z, z * z)
    apm = pm.real * pm.real + pm.imag * pm.imag
    return (1.0 + 2.0 * z + 2.0 * z * z) * max(1.0 - apm, 0.0) / (den.real * den.real + den.imag * den.imag)


@njit(cache=True)
def g_swave_polarized(energy, delta, gamma, tau, weight, polarization):
    """s-wave G(E) of a contact with spin polarization P: (1 - P) G_unpolarized + P G_polarized."""
    n = energy.shape[0]
    m = tau.shape[0]
    norm = normal_state_norm(tau, weight)
    out = np.empty(n)
    for i in range(n):
        g = andreev_gamma(complex(energy[i], gamma), delta)
        a = g.real * g.real + g.imag * g.imag
        gg = g * g
        acc = 0.0
        for k in range(m):
            t = tau[k]
            num = 1.0 + t * a + (t - 1.0) * a * a
            q = 1.0 + (t - 1.0) * gg
            unpol = t * num / (q.real * q.real + q.imag * q.imag)
            if polarization == 0.0:
                acc += weight[k] * unpol
            else:
                acc += weight[k] * ((1.0 - polarization) * unpol + polarization * sigma_polarized(t, gg))
        out[i] = acc / norm
    return out


@njit(cache=True)
def g_anisotropic_polarized(energy, gamma, tau, weight, dplus, dminus, mirror, polarization):
    """:func:`g_anisotropic` with spin polarization P (the polarized part depends on gamma_+ gamma_- only)."""
    n = energy.shape[0]
    m = tau.shape[0]
    norm = normal_state_norm(tau, weight)
    out = np.empty(n)
    for i in range(n):
        z = complex(energy[i], gamma)
        acc = 0.0
        for k in range(m):
            t = tau[k]
            gp = andreev_gamma(z, abs(dplus[k]))
            if abs(dminus[k]) == abs(dplus[k]):
                gm = gp
            else:
                gm = andreev_gamma(z, abs(dminus[k]))
            ap = gp.real * gp.real + gp.imag * gp.imag
            if mirror:
                ap = 0.5 * (ap + gm.real * gm.real + gm.imag * gm.imag)
            pm = gp * gm
            apm = pm.real * pm.real + pm.imag * pm.imag
            if dplus[k] * dminus[k] < 0.0:
                pm = -pm
            num = 1.0 + t * ap + (t - 1.0) * apm
            q = 1.0 + (t - 1.0) * pm
            unpol = t * num / (q.real * q.real + q.imag * q.imag)
            if polarization == 0.0:
                acc += weight[k] * unpol
            else:
                acc += weight[k] * ((1.0 - polarization) * unpol + polarization * sigma_polarized(t, pm))
        out[i] = acc / norm
    return out


@njit(cache=True)
def dynes_one(e, delta, gamma):
    """Dynes density of states Re[z / (sqrt(z - Delta) sqrt(z + Delta))], z = E + i Gamma, at one energy."""
    z = complex(e, gamma)
    return (z / (cmath.sqrt(z - delta) * cmath.sqrt(z + delta))).real


@njit(cache=True)
def btk_one(e, delta, gamma, tau):
    """Normal-incidence BTK conductance G_NS/G_NN at one energy (transparency tau), Dynes broadened."""
    if delta == 0.0:
        return 1.0
    g = andreev_gamma(complex(e, gamma), delta)
    a = g.real * g.real + g.imag * g.imag
    q = 1.0 + (tau - 1.0) * g * g
    return (1.0 + tau * a + (tau - 1.0) * a * a) / (q.real * q.real + q.imag * q.imag)


@njit(cache=True)
def dos_swave(energy, delta, gamma):
    """Dynes density of states Re[z / (sqrt(z - Delta) sqrt(z + Delta))], z = E + i Gamma."""
    n = energy.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = dynes_one(energy[i], delta, gamma)
    return out


@njit(cache=True)
def g_tunnel_anisotropic(energy, gamma, shape, weight, dplus, dminus):
    """Tunnel limit (tau_N -> 0) of the angle-resolved conductance: the surface density of states.

    sigma_S -> (1 - |pm|^2) / |1 - pm|^2 with pm = gamma_+ gamma_- exp(i phi_d), averaged with
    the weight ``shape`` (cos^2 theta: tau_N ~ cos^2 theta / Z^2) times ``weight``.
    """
    n = energy.shape[0]
    m = shape.shape[0]
    norm = normal_state_norm(shape, weight)
    out = np.empty(n)
    for i in range(n):
        z = complex(energy[i], gamma)
        acc = 0.0
        for k in range(m):
            gp = andreev_gamma(z, abs(dplus[k]))
            if abs(dminus[k]) == abs(dplus[k]):
                gm = gp
            else:
                gm = andreev_gamma(z, abs(dminus[k]))
            pm = gp * gm
            if dplus[k] * dminus[k] < 0.0:
                pm = -pm
            apm = pm.real * pm.real + pm.imag * pm.imag
            q = 1.0 - pm
            acc += weight[k] * shape[k] * max(1.0 - apm, 0.0) / (q.real * q.real + q.imag * q.imag)
        out[i] = acc / norm
    return out


@njit(cache=True)
def thermal_smear_nodes(bias, nodes, weights, g_nodes, kt, cutoff):
    """Convolve an even G(E), given at quadrature nodes E_n >= 0 with weights w_n, with -df/dE(E - V).

    G_T(V) = sum_n w_n G(E_n) [k(E_n - V) + k(E_n + V)], k(x) = e^{-|x|/kT} / (kT (1 + e^{-|x|/kT})^2),
    terms with |x| > cutoff dropped (the fold of the even G onto E >= 0).
    """
    n = bias.shape[0]
    m = nodes.shape[0]
    out = np.empty(n)
    inv = 1.0 / kt
    for i in range(n):
        v = abs(bias[i])
        acc = 0.0
        for j in range(m):
            e = nodes[j]
            s = 0.0
            x = abs(e - v)
            if x <= cutoff:
                ex = math.exp(-x * inv)
                s += ex / ((1.0 + ex) * (1.0 + ex))
            x = e + v
            if x <= cutoff:
                ex = math.exp(-x * inv)
                s += ex / ((1.0 + ex) * (1.0 + ex))
            acc += weights[j] * g_nodes[j] * s
        out[i] = acc * inv
    return out


# --------------------------------------------------------------------------- spin-split DOS (Maki / AG)
@njit(cache=True)
def ag_sqrt(u):
    """s(u) = sqrt(u - 1) sqrt(u + 1): the branch of sqrt(u^2 - 1) analytic off [-1, 1], ~ u at large |u|."""
    return cmath.sqrt(u - 1.0) * cmath.sqrt(u + 1.0)


@njit(cache=True)
def ag_solve(x, zeta, u0):
    """Root u of x = u (1 - i zeta / s(u)) (Abrikosov-Gor'kov / Maki) by damped Newton from ``u0``.

    Returns (u, residual). F(u) = u - i zeta u / s(u) - x, F'(u) = 1 + i zeta / s(u)^3
    (d(u / s)/du = -1 / s^3). Steps that would leave the upper half plane are halved.
    """
    u = u0
    res = 1e300
    for _ in range(200):
        s = ag_sqrt(u)
        f = u - 1j * zeta * u / s - x
        res = abs(f)
        if res <= 1e-13 * (1.0 + abs(x)):
            return u, res
        df = 1.0 + 1j * zeta / (s * s * s)
        step = f / df
        lam = 1.0
        for _k in range(30):
            un = u - lam * step
            if un.imag >= 0.0:
                sn = ag_sqrt(un)
                fn = un - 1j * zeta * un / sn - x
                if abs(fn) < res or lam < 1e-6:
                    break
            lam *= 0.5
        u = u - lam * step
        if u.imag < 0.0:
            u = complex(u.real, 0.0)
    s = ag_sqrt(u)
    return u, abs(u - 1j * zeta * u / s - x)


@njit(cache=True)
def dos_depaired(energy, delta, gamma, zeta):
    """Dynes + Abrikosov-Gor'kov (Maki zeta) density of states Re[u / s(u)] at each energy.

    x = (|E| + i Gamma) / Delta; u solves x = u (1 - i zeta / s(u)). The energies are
    visited from the largest |E| down, each Newton solve starting from the previous root
    (continuation from u ~ x at large energy). Returns (dos, worst relative residual).
    With zeta = 0, u = x (the Dynes DOS).
    """
    n = energy.shape[0]
    out = np.empty(n)
    if zeta == 0.0:
        for i in range(n):
            out[i] = dynes_one(abs(energy[i]), delta, gamma)
        return out, 0.0
    ae = np.abs(energy)
    order = np.argsort(-ae)
    g = max(gamma, 1e-9 * delta)      # a complex root needs Im x > 0
    worst = 0.0
    u = 0j
    for k in range(n):
        i = order[k]
        x = complex(ae[i], g) / delta
        if k == 0:
            u = x
        u, r = ag_solve(x, zeta, u)
        bad = r > 1e-9 * (1.0 + abs(x))
        if bad:            # continuation lost: restart from the large-energy guess
            u2, r2 = ag_solve(x, zeta, x + 1j * zeta)
            if r2 < r:
                u, r = u2, r2
        worst = max(worst, r / (1.0 + abs(x)))
        out[i] = (u / ag_sqrt(u)).real
    return out, worst


@njit(cache=True)
def dos_zeeman(energy, delta, gamma, h, zeta):
    """Spin-split density of states (N(E + h) + N(E - h)) / 2 of the Dynes/AG superconductor.

    Returns (dos, worst relative residual of the AG roots).
    """
    n = energy.shape[0]
    ep = np.empty(n)
    em = np.empty(n)
    for i in range(n):
        ep[i] = energy[i] + h
        em[i] = energy[i] - h
    a, ra = dos_depaired(ep, delta, gamma, zeta)
    b, rb = dos_depaired(em, delta, gamma, zeta)
    out = np.empty(n)
    for i in range(n):
        out[i] = 0.5 * (a[i] + b[i])
    return out, max(ra, rb)


@njit(cache=True)
def dynes_derivative(energy, delta, gamma):
    """dN/dE of the Dynes DOS: Re[-Delta^2 / (sqrt(z - Delta) sqrt(z + Delta))^3], z = E + i Gamma (any sign of E)."""
    n = energy.shape[0]
    out = np.empty(n)
    d2 = delta * delta
    for i in range(n):
        z = complex(energy[i], gamma)
        s = cmath.sqrt(z - delta) * cmath.sqrt(z + delta)
        out[i] = (-d2 / (s * s * s)).real
    return out


@njit(cache=True)
def dynes_signed(energy, delta, gamma):
    """Dynes DOS at signed energies (it is even in E; the branch is taken at |E|)."""
    n = energy.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = dynes_one(abs(energy[i]), delta, gamma)
    return out


# --------------------------------------------------------------------------- lock-in
@njit(cache=True)
def lockin_average(values, weights, n_bias):
    """sum_k weights[k] * values[i * n_nodes + k] for each bias i (values laid out bias-major)."""
    m = weights.shape[0]
    out = np.empty(n_bias)
    for i in range(n_bias):
        acc = 0.0
        for k in range(m):
            acc += weights[k] * values[i * m + k]
        out[i] = acc
    return out


@njit(cache=True)
def dos_zeeman_odd(energy, delta, gamma, h, zeta):
    """Odd part (N_0(E + h) - N_0(E - h)) / 2 of the spin-split DOS (Meservey-Tedrow polarization term).

    Returns (odd part, worst relative residual of the AG roots).
    """
    n = energy.shape[0]
    ep = np.empty(n)
    em = np.empty(n)
    for i in range(n):
        ep[i] = energy[i] + h
        em[i] = energy[i] - h
    a, ra = dos_depaired(ep, delta, gamma, zeta)
    b, rb = dos_depaired(em, delta, gamma, zeta)
    out = np.empty(n)
    for i in range(n):
        out[i] = 0.5 * (a[i] - b[i])
    return out, max(ra, rb)


@njit(cache=True)
def thermal_smear_odd(bias, h, g_grid, kt, cutoff):
    """:func:`thermal_smear` for an odd G(E) tabulated at E_j = j*h (j >= 0): G(-E) = -G(E)."""
    n = bias.shape[0]
    ng = g_grid.shape[0]
    out = np.empty(n)
    inv = 1.0 / kt
    for i in range(n):
        v = bias[i]
        jlo = int(math.ceil((v - cutoff) / h))
        jhi = int(math.floor((v + cutoff) / h))
        acc = 0.0
        for j in range(jlo, jhi + 1):
            x = abs(j * h - v) * inv
            ex = math.exp(-x)
            kern = ex / ((1.0 + ex) * (1.0 + ex))
            jj = j if j >= 0 else -j
            if jj >= ng:
                jj = ng - 1
            if j >= 0:
                acc += g_grid[jj] * kern
            else:
                acc -= g_grid[jj] * kern
        out[i] = acc * h * inv
    return out


@njit(cache=True)
def thermal_smear_nodes_odd(bias, nodes, weights, g_nodes, kt, cutoff):
    """:func:`thermal_smear_nodes` for an odd G(E) given at nodes E_n >= 0: sum w_n G(E_n) [k(E_n - V) - k(E_n + V)]."""
    n = bias.shape[0]
    m = nodes.shape[0]
    out = np.empty(n)
    inv = 1.0 / kt
    for i in range(n):
        v = bias[i]
        acc = 0.0
        for j in range(m):
            e = nodes[j]
            s = 0.0
            x = abs(e - v)
            if x <= cutoff:
                ex = math.exp(-x * inv)
                s += ex / ((1.0 + ex) * (1.0 + ex))
            x = abs(e + v)
            if x <= cutoff:
                ex = math.exp(-x * inv)
                s -= ex / ((1.0 + ex) * (1.0 + ex))
            acc += weights[j] * g_nodes[j] * s
        out[i] = acc * inv
    return out
