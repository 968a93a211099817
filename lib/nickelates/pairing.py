"""Triplon-mediated interband pairing: exact solution of the gap equations.

Liu & Khaliullin (2026), Eq. (12)-(14): the pair-hopping interaction

    V_kk' = V (1 - kappa_a eta_k eta_k') (1 - kappa_b eta_k eta_k'),  eta_k = cos kx - cos ky,

scatters pairs between the antibonding (alpha) and bonding (beta) bands; the
BCS gap equations are

    Delta_alpha(k) = - sum_k' V_kk' Delta_beta(k') K_beta(k'),  K = tanh(E/2T) / (2E),

and alpha <-> beta, with E = sqrt(xi^2 + Delta^2) and the sum restricted to the
energy shell |xi| < Omega. ``sum_k'`` is the average over the bilayer Brillouin
zone (per k-point), so V (eV) times a DOS per k-point (1/eV) is dimensionless.

Because V_kk' = V sum_m g_m eta_k^m eta_k'^m with g = (1, -(kappa_a+kappa_b),
kappa_a kappa_b), every solution has the form Delta(k) = a + b eta_k + c eta_k^2:
the A1g ("s") channel has b = 0, the B1g ("d") channel a = c = 0. The solver
works with these few numbers (Newton's method on the moments, analytic
Jacobian); one evaluation of the moments is a single pass over an energy-shell
quadrature of the 1/8 wedge (see ``nickelates.kernels.pairing``). The sign
structure (s+- or d) is not imposed: it is the leading eigenvector of the
linearized gap equation, from which Newton starts.

Units: energies eV, temperatures K (converted with K_B), momenta 1/a.

Naming: ``gap_alpha``/``gap_beta`` is |Delta| on the zone diagonal (eV) in
every result (:class:`GapSolution`, :class:`GapCurve`, :class:`AnalyticGaps`).

Also here: the paper's analytic (logarithmic) approximations, Eq. (16)-(18),
as library functions (``analytic_gaps``, ``gap_ratio_eq18``,
``solve_log_equations``), and the sweeps behind the chapter's figures
(``ratio_sweep``, ``compare_gaps``, ``compare_gap_cases``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq

from . import _validate as check
from . import bands
from .errors import ConvergenceError
from .kernels import pairing as kernel

__all__ = [
    "K_B", "BCS_RATIO", "GUO_RATIO", "DEFAULT_NK", "coupling_lambda", "V_for_lambda",
    "fermi_surface_moments", "effective_coupling", "log_model_anisotropy", "critical_energies",
    "ShellQuadrature", "shell_quadrature", "clear_cache",
    "linearized_eigenvalues", "CriticalTemperature", "critical_temperature",
    "GapSolution", "solve_gap", "GapCurve", "gap_vs_temperature",
    "effective_cutoffs", "omega_for_critical_temperature", "naive_solve_gap",
    "gap_ratio_eq18", "solve_log_equations", "AnalyticGaps", "analytic_gaps",
    "fermi_surface_gaps", "GapComparison", "compare_gaps", "FIG4_CASES", "compare_gap_cases",
    "RatioSweep", "ratio_sweep",
]

#: Boltzmann constant, eV/K.
K_B = 8.617333262e-5
#: Weak-coupling BCS value of 2 Delta(0) / k_B T_c = 2 pi / e^gamma.
BCS_RATIO = 2.0 * math.pi / math.exp(0.5772156649015329)
#: 2 Delta / k_B T_c reported by Guo et al. (2025) for La3Ni2O7 (Andreev reflection).
GUO_RATIO = 7.61

#: default cells per axis of the energy-shell quadrature
DEFAULT_NK = 256
_XI_MIN = 1e-7  # eV: smallest energy panel of the graded xi rule
_V_MAX = 100.0  # eV
_KAPPA_MAX = 10.0
_T_MAX = 5000.0  # K
_N_DOS_MAX = 1e6  # 1/eV: bound on a density of states passed by hand


# --------------------------------------------------------------------------
# input checks


def _check_common(p, V, kappa_a, kappa_b, Omega):
    p = bands.check_params(p)
    V = check.positive("V", V, _V_MAX)
    kappa_a = check.in_range("kappa_a", kappa_a, -_KAPPA_MAX, _KAPPA_MAX)
    kappa_b = check.in_range("kappa_b", kappa_b, -_KAPPA_MAX, _KAPPA_MAX)
    Omega = check.in_range("Omega", Omega, 1e-3, 2.0)
    for band, n in zip(bands.BAND_NAMES, _fillings(p)):
        if not 0.0 < n < 1.0:
            raise ValueError(f"p: the {band} band has no Fermi surface at mu={p.mu} eV (filling {n:.3f}); "
                             "both bands must be partly filled")
    return p, V, kappa_a, kappa_b, Omega


@lru_cache(maxsize=256)
def _fillings(p):
    return bands.fillings(p)


def _check_T(T):
    return check.nonnegative("T", T, _T_MAX)


def _check_nk(n_k):
    n_k = check.integer("n_k", n_k, 16, 4096)
    if n_k % 2:
        raise ValueError(f"n_k must be even, got {n_k}")
    return n_k


def _brentq(f, lo, hi, what, **kw):
    """Call scipy's brentq; a failure to converge becomes a ConvergenceError."""
    try:
        return brentq(f, lo, hi, **kw)
    except RuntimeError as exc:
        raise ConvergenceError(f"{what}: root search in [{lo:.6g}, {hi:.6g}] did not converge ({exc})",
                               iterations=kw.get("maxiter", 100), residual=None, last=None) from exc


# --------------------------------------------------------------------------
# couplings


def coupling_lambda(p, V) -> float:
    """Dimensionless interband coupling lambda = V sqrt(N_alpha N_beta).

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV).
    V : float
        Pairing strength (eV), in [0, 100].

    Returns
    -------
    float
        lambda (dimensionless).

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams``.
    ValueError
        If ``V`` is out of range.

    Examples
    --------
    >>> round(coupling_lambda(bands.PAPER_V3, 1.0), 4)
    0.4542
    """
    p = bands.check_params(p)
    V = check.nonnegative("V", V, _V_MAX)
    d = bands.fermi_level_dos(p)
    return float(V * math.sqrt(d.N_alpha * d.N_beta))


def V_for_lambda(p, lam) -> float:
    """Pairing strength V (eV) that gives the coupling ``lam`` = V sqrt(N_alpha N_beta).

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV); both bands must have a Fermi surface.
    lam : float
        Coupling lambda, in (0, 10].

    Returns
    -------
    float
        V in eV.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams``.
    ValueError
        If ``lam`` is out of range or a band has no density of states at the
        Fermi level.

    Examples
    --------
    >>> round(V_for_lambda(bands.PAPER_V3, 0.4541), 4)
    0.9998
    """
    p = bands.check_params(p)
    lam = check.positive("lam", lam, 10.0)
    d = bands.fermi_level_dos(p)
    if not d.N_alpha * d.N_beta > 0.0:
        raise ValueError(f"p: both bands need a density of states at the Fermi level, got N_alpha = "
                         f"{d.N_alpha:g}, N_beta = {d.N_beta:g} 1/eV")
    return float(lam / math.sqrt(d.N_alpha * d.N_beta))


@lru_cache(maxsize=64)
def _moments_cached(p, n_theta):
    out = {}
    for band in bands.BAND_NAMES:
        fs = bands.fermi_surface(p, band, n_theta=n_theta)
        s = (np.cos(fs.kx) - np.cos(fs.ky)) ** 2
        out[band] = (float(fs.weight.sum()), float((fs.weight * s).sum()), float((fs.weight * s * s).sum()))
    return out


def fermi_surface_moments(p, n_theta: int = 1440) -> dict:
    """Fermi-surface moments per band: N, Nt = <eta^2>, Nt2 = <eta^4> weighted DOS.

    N = sum delta(xi), Nt = sum eta^2 delta(xi) (the paper's N-tilde),
    Nt2 = sum eta^4 delta(xi), per spin and per k-point, from
    ``bands.fermi_surface`` (cached).

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV); both sheets must be star-shaped.
    n_theta : int, optional
        Points per sheet (8 to 10**7).

    Returns
    -------
    dict
        band -> (N, Nt, Nt2) in 1/eV.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams`` or ``n_theta`` not an integer.
    ValueError
        If a band has no star-shaped Fermi sheet or ``n_theta`` is out of range.

    Examples
    --------
    >>> m = fermi_surface_moments(bands.PAPER_V3, 256)
    >>> round(m["beta"][1] / m["beta"][0], 3)
    1.802
    """
    p = bands.check_params(p)
    n_theta = check.integer("n_theta", n_theta, 8, 10 ** 7)
    return dict(_moments_cached(p, n_theta))


def effective_coupling(p, V, kappa_a, kappa_b) -> float:
    """Effective s+- coupling of the logarithmic model including the kappa^2 feedback.

    With Delta_zeta(k) = a + c eta^2 and the log approximation for every moment,
    (a, c)_alpha = V L B_beta (a, c)_beta with B = [[N, Nt], [k2 Nt, k2 Nt2]],
    k2 = kappa_a kappa_b, so the pair amplitude grows by V L per step and the
    effective coupling is lambda_eff = V sqrt(max eig(B_alpha B_beta)) >= lambda.

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV).
    V : float
        Pairing strength (eV), in [0, 100].
    kappa_a, kappa_b : float
        Kondo/Hund ratios (dimensionless), in [-10, 10].

    Returns
    -------
    float
        lambda_eff (dimensionless); equals lambda for kappa_a kappa_b = 0.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams``.
    ValueError
        If an argument is out of range or a sheet is not star-shaped.

    Examples
    --------
    >>> round(effective_coupling(bands.PAPER_V3, 1.0, 0.0, 0.0), 4)
    0.4542
    """
    p = bands.check_params(p)
    V = check.nonnegative("V", V, _V_MAX)
    k2 = (check.in_range("kappa_a", kappa_a, -_KAPPA_MAX, _KAPPA_MAX)
          * check.in_range("kappa_b", kappa_b, -_KAPPA_MAX, _KAPPA_MAX))
    m = fermi_surface_moments(p)
    Bm = {b: np.array([[m[b][0], m[b][1]], [k2 * m[b][1], k2 * m[b][2]]]) for b in m}
    ev = np.linalg.eigvals(Bm["beta"] @ Bm["alpha"])
    return float(V * math.sqrt(max(max(ev.real), 0.0)))


def log_model_anisotropy(p, kappa_a, kappa_b) -> tuple:
    """Gap anisotropies c/a of the log model keeping the partner's anisotropy (Eq. 16 without c -> 0).

    Eq. (15) with Delta_zeta(k) = a_zeta (1 + c_zeta eta^2) and the log rule for every moment
    (:func:`nickelates.symbolic.pairing.anisotropic_log_equations`) gives
    c_alpha = k2 (Nt_b + c_beta Nt2_b) / (N_b + c_beta Nt_b) and alpha <-> beta, k2 = kappa_a kappa_b:
    (a, a c)_alpha is the leading eigenvector of B_beta B_alpha (the matrices of
    :func:`effective_coupling`), and likewise for beta. The printed Eq. (16),
    c_alpha = k2 Nt_b / N_b, is the c_beta -> 0 limit.

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV).
    kappa_a, kappa_b : float
        Kondo/Hund ratios (dimensionless), in [-10, 10].

    Returns
    -------
    tuple of float
        (c_alpha / a_alpha, c_beta / a_beta), dimensionless.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams``.
    ValueError
        If an argument is out of range or a sheet is not star-shaped.

    Examples
    --------
    >>> ca, cb = log_model_anisotropy(bands.PAPER_V3, 0.0, 0.0)
    >>> ca, cb
    (0.0, 0.0)
    """
    p = bands.check_params(p)
    k2 = (check.in_range("kappa_a", kappa_a, -_KAPPA_MAX, _KAPPA_MAX)
          * check.in_range("kappa_b", kappa_b, -_KAPPA_MAX, _KAPPA_MAX))
    m = fermi_surface_moments(p)
    Bm = {b: np.array([[m[b][0], m[b][1]], [k2 * m[b][1], k2 * m[b][2]]]) for b in m}
    out = []
    for first, second in (("beta", "alpha"), ("alpha", "beta")):
        ev, vec = np.linalg.eig(Bm[first] @ Bm[second])
        v = vec[:, int(np.argmax(ev.real))].real
        out.append(float(v[1] / v[0]) if k2 != 0 else 0.0)
    return tuple(out)


def critical_energies(p, band: str) -> tuple:
    """Energies (eV, from the Fermi level) of the critical points of ``band``.

    A thin alias of :func:`nickelates.bands.critical_points` (band extrema and
    saddle points on the mirror lines of the wedge), shifted by ``p.mu``; the
    energy rule of the shell quadrature is graded towards these energies.

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV).
    band : {"alpha", "beta"}
        Which band.

    Returns
    -------
    tuple of float
        xi (eV) of each critical point, sorted.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams``.
    ValueError
        If ``band`` is unknown.

    Examples
    --------
    >>> [round(e, 4) for e in critical_energies(bands.PAPER_V3, "beta")]
    [-0.51, -0.15, -0.105, 3.09]
    """
    p = bands.check_params(p)
    return tuple(c.energy - p.mu for c in bands.critical_points(p, band))


# --------------------------------------------------------------------------
# energy-shell quadrature


@dataclass(frozen=True)
class ShellQuadrature:
    """Nodes of the energy-shell quadrature of one parameter set (:func:`shell_quadrature`).

    ``sum(w * f(xi, s))`` approximates the Brillouin-zone average of f over
    |xi| < Omega.

    Attributes
    ----------
    n_k : int
        Cells per axis on [0, pi].
    Omega : float
        Cutoff (eV).
    xi : dict
        band -> read-only arrays of the energy (eV), eta^2 and weight of each node.
    s : dict
        band -> read-only arrays of the energy (eV), eta^2 and weight of each node.
    w : dict
        band -> read-only arrays of the energy (eV), eta^2 and weight of each node.

    Examples
    --------
    >>> q = shell_quadrature(bands.with_density(bands.PAPER_V3, 0.45), 0.3, n_k=32)
    >>> q.n_k, q.size > 1000
    (32, True)
    """

    n_k: int
    Omega: float
    xi: dict
    s: dict
    w: dict

    @property
    def size(self) -> int:
        """Total number of nodes of both bands."""
        return sum(v.size for v in self.xi.values())


def _xi_breakpoints(Omega, crit):
    """Panel breakpoints on [-Omega, Omega], graded geometrically (ratio 2).

    Graded towards xi = 0 and towards the critical energies ``crit`` (van Hove points, band edges).
    """
    bps = {-Omega, 0.0, Omega}
    x = Omega
    while x > _XI_MIN:
        x *= 0.5
        bps.update((x, -x))
    for c in crit:
        if -Omega < c < Omega:
            bps.add(c)
            d = 0.1 * Omega
            while d > 1e-3 * Omega:
                for y in (c - d, c + d):
                    if -Omega < y < Omega:
                        bps.add(y)
                d *= 0.5
    return np.array(sorted(bps))


def _gauss_on(bps, n_gauss):
    """Gauss-Legendre nodes and weights with n_gauss points on each panel of ``bps``."""
    gx, gw = np.polynomial.legendre.leggauss(n_gauss)
    lo, hi = bps[:-1], bps[1:]
    mid, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
    return (mid[:, None] + half[:, None] * gx[None, :]).ravel(), (half[:, None] * gw[None, :]).ravel()


_CENTRE = {"Gamma": (0.0, 0.0, 1.0), "M": (math.pi, math.pi, -1.0)}


def _inner_cut(Omega, crit):
    """Half-width xi_c of the inner (Fermi-surface coordinate) shell."""
    d = min((abs(c) for c in crit), default=math.inf)
    return min(0.5 * Omega, 0.05, 0.3 * d)


def _blend(xi, xi_c):
    """Smooth partition of unity: 1 for |xi| <= xi_c/2, 0 for |xi| >= xi_c (C-infinity in between)."""
    t = np.clip((np.abs(xi) - 0.5 * xi_c) / (0.5 * xi_c), 0.0, 1.0)
    with np.errstate(divide="ignore", over="ignore"):
        f0 = np.where(t > 0, np.exp(-1.0 / np.where(t > 0, t, 1.0)), 0.0)
        f1 = np.where(t < 1, np.exp(-1.0 / np.where(t < 1, 1.0 - t, 1.0)), 0.0)
    return f1 / (f0 + f1)


def _transition_bps(xi_c, n=8):
    """Extra breakpoints resolving the blend on xi_c/2 < |xi| < xi_c."""
    t = np.linspace(0.5 * xi_c, xi_c, n + 1)
    return np.concatenate([-t, t])


def _inner_nodes(p, band, xi_c, n_gauss, n_theta):
    """Polar Fermi-surface quadrature of |xi| < xi_c (quarter circle, times 4); None on failure."""
    try:
        fs = bands.fermi_surface(p, band, n_theta=4 * n_theta)
    except ValueError:
        return None
    cx, cy, sgn = _CENTRE[fs.centre]
    th = fs.theta[:n_theta]
    r0 = np.hypot(fs.kx[:n_theta] - cx, fs.ky[:n_theta] - cy)
    bps = np.unique(np.concatenate([_xi_breakpoints(xi_c, ()), _transition_bps(xi_c)]))
    xq, wq = _gauss_on(bps, n_gauss)
    wq = 4.0 * wq * _blend(xq, xi_c)
    t1, t2, t3, eps, mu = p.band(band)
    x_, s_, w_, ok = kernel.polar_shell_nodes(t1, t2, t3, eps, mu, cx, cy, sgn, np.ascontiguousarray(th),
                                              np.ascontiguousarray(r0), xq, wq, 2 * math.pi / (4 * n_theta))
    return (x_, s_, w_) if ok else None


@lru_cache(maxsize=32)
def _shell_cached(p, Omega, n_k, n_gauss, scheme, n_theta):
    h = math.pi / n_k
    k = np.arange(n_k + 1) * h
    kx, ky = np.meshgrid(k, k, indexing="ij")
    s = ((np.cos(kx) - np.cos(ky)) ** 2).ravel()
    xi_d, s_d, w_d = {}, {}, {}
    for band in bands.BAND_NAMES:
        e = np.ascontiguousarray(bands.band_energy(kx, ky, p, band).ravel())
        crit = critical_energies(p, band)
        if scheme == "fixed":
            xq, wq = _gauss_on(_xi_breakpoints(Omega, crit), n_gauss)
            parts = [kernel.shell_nodes(n_k, e, s, xq, wq)]
        else:
            gx, gw = np.polynomial.legendre.leggauss(n_gauss)
            # each triangle's DOS is integrated exactly over its own energy range, so the
            # panels only resolve the kernel K(xi): no grading towards van Hove energies needed
            bps = _xi_breakpoints(Omega, ())
            inner = None
            xi_c = _inner_cut(Omega, crit)
            if scheme == "hybrid" and xi_c > 1e-5:   # (a van Hove point at the Fermi level: triangles only)
                inner = _inner_nodes(p, band, xi_c, max(n_gauss, 3), n_theta)
            if inner is None:
                parts = [kernel.shell_nodes_exact(n_k, e, s, bps, gx, gw)]
            else:
                bps = np.unique(np.concatenate([bps, _transition_bps(xi_c)]))
                lo = bps[bps <= -0.5 * xi_c]
                hi = bps[bps >= 0.5 * xi_c]
                outer = [kernel.shell_nodes_exact(n_k, e, s, lo, gx, gw),
                         kernel.shell_nodes_exact(n_k, e, s, hi, gx, gw)]
                ox = np.concatenate([o[0] for o in outer])
                os_ = np.concatenate([o[1] for o in outer])
                ow = np.concatenate([o[2] for o in outer]) * (1.0 - _blend(ox, xi_c))
                parts = [inner, (ox, os_, ow)]
        x_, s_, w_ = (np.ascontiguousarray(np.concatenate([pt[i] for pt in parts])) for i in range(3))
        for arr in (x_, s_, w_):
            arr.setflags(write=False)
        xi_d[band], s_d[band], w_d[band] = x_, s_, w_
    return ShellQuadrature(n_k, Omega, xi_d, s_d, w_d)


def shell_quadrature(p, Omega, *, n_k: int = DEFAULT_NK, n_gauss: int = 2,
                     scheme: str = "hybrid", n_theta: int = 32) -> ShellQuadrature:
    """Energy-shell quadrature of both bands for |xi| < Omega on an n_k grid (cached).

    scheme "hybrid" (default): Fermi-surface (polar) coordinates for the inner
    shell |xi| < xi_c (n_theta angles per quarter sheet, spectrally accurate,
    graded Gauss rule in energy down to 1e-7 eV) and exact linear-triangle
    integration for xi_c < |xi| < Omega; xi_c = min(Omega/2, 0.05 eV, 0.3 x distance
    of the nearest van Hove energy). Falls back to "triangle" if a sheet is
    not star-shaped. scheme "triangle": linear-triangle integration everywhere:
    every triangle's piecewise-linear density of states is integrated over its
    own energy range, split at the graded panels, with n_gauss Gauss points per
    panel. scheme "fixed": one global graded Gauss rule in energy sampling the
    triangle density of states (aliasing noise; kept for the convergence table).

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV).
    Omega : float
        Cutoff (eV), in [1e-3, 2].
    n_k : int, optional
        Cells per axis on [0, pi] (even, 16 to 4096).
    n_gauss : int, optional
        Gauss points per energy panel (1 to 20).
    scheme : {"hybrid", "triangle", "fixed"}, optional
        Quadrature scheme (see above).
    n_theta : int, optional
        Angles per quarter sheet of the inner shell (8 to 4096).

    Returns
    -------
    ShellQuadrature
        The nodes (read-only arrays, shared with the cache).

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams`` or an integer option is not an integer.
    ValueError
        If an option is out of range, or the nodes would not fit in memory
        (n_k**2 * n_gauss above what a 24 GB machine holds).

    Examples
    --------
    >>> q = shell_quadrature(bands.with_density(bands.PAPER_V3, 0.45), 0.3, n_k=32, scheme="triangle")
    >>> round(float(q.w["alpha"].sum() / 0.6), 2)      # ~ N_alpha for a slowly varying DOS
    0.3
    """
    p = bands.check_params(p)
    Omega = check.in_range("Omega", Omega, 1e-3, 2.0)
    n_k = _check_nk(n_k)
    n_gauss = check.integer("n_gauss", n_gauss, 1, 20)
    n_theta = check.integer("n_theta", n_theta, 8, 4096)
    check.choice("scheme", scheme, ("hybrid", "triangle", "fixed"))
    # about two linear pieces per triangle, n_gauss nodes each, three arrays, two bands
    check.size_limit("the quadrature (12 n_k**2 n_gauss nodes)", 12 * n_k * n_k * n_gauss,
                     check.MAX_ELEMENTS, "array entries")
    return _shell_cached(p, Omega, n_k, n_gauss, scheme, n_theta)


def clear_cache() -> None:
    """Empty the caches of this module (shell quadratures, fillings, Fermi-surface moments).

    Benchmarks call it to time a cold start (the quadrature is built again).

    Examples
    --------
    >>> clear_cache()
    """
    _shell_cached.cache_clear()
    _fillings.cache_clear()
    _moments_cached.cache_clear()


# --------------------------------------------------------------------------
# linearized gap equation


def _s_matrix(chi, V, k2):
    """4x4 linear map (a_a, c_a, a_b, c_b) -> same, from moments chi[band] = (c0, c1, c2)."""
    M = np.zeros((4, 4))
    ca, cb = chi["alpha"], chi["beta"]
    M[0:2, 2:4] = -V * np.array([[cb[0], cb[1]], [k2 * cb[1], k2 * cb[2]]])
    M[2:4, 0:2] = -V * np.array([[ca[0], ca[1]], [k2 * ca[1], k2 * ca[2]]])
    return M


def _leading(M):
    ev, vec = np.linalg.eig(M)
    i = int(np.argmax(ev.real))
    return float(ev[i].real), vec[:, i].real


def _chis(q, T_eV, D=None):
    if D is None:
        return {b: kernel.pair_susceptibility(q.xi[b], q.s[b], q.w[b], T_eV) for b in bands.BAND_NAMES}
    return {b: kernel.uniform_gap_susceptibility(q.xi[b], q.s[b], q.w[b], D, T_eV) for b in bands.BAND_NAMES}


def _channel_eigs(q, V, kappa_a, kappa_b, T_eV, D=None):
    """Leading eigenvalues (and s-vector) of the linearized maps of both channels."""
    chi = _chis(q, T_eV, D)
    mu_s, vec = _leading(_s_matrix(chi, V, kappa_a * kappa_b))
    ks = kappa_a + kappa_b
    mu_d = abs(V * ks) * math.sqrt(chi["alpha"][1] * chi["beta"][1])
    return mu_s, mu_d, vec


def linearized_eigenvalues(p, *, V, kappa_a, kappa_b, Omega, T, n_k: int = DEFAULT_NK) -> dict:
    """Leading eigenvalues of the linearized gap equation at temperature T > 0.

    The channel whose eigenvalue first reaches 1 on cooling sets T_c.

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV), both bands partly filled.
    V : float
        Pairing strength (eV), in (0, 100].
    kappa_a, kappa_b : float
        Kondo/Hund ratios (dimensionless), in [-10, 10].
    Omega : float
        Cutoff (eV), in [1e-3, 2].
    T : float
        Temperature (K), in (0, 5000].
    n_k : int, optional
        Cells per axis of the quadrature (even, 16 to 4096).

    Returns
    -------
    dict
        "s" (A1g: Delta = a + c eta^2; its leading eigenvector has opposite
        signs on the two bands, s+-), "s++" (the other A1g root, negative:
        same-sign pairing is repelled), "d" (B1g: Delta = b eta, from the
        -(kappa_a + kappa_b) eta eta' term), all dimensionless, and
        "s_vector" = (a_a, c_a, a_b, c_b) normalized to a_a = 1.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams``.
    ValueError
        If an argument is out of range or a band is empty or full.

    Examples
    --------
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> ev = linearized_eigenvalues(p, V=1.4, kappa_a=0.75, kappa_b=0.75, Omega=0.3, T=300.0, n_k=32)
    >>> ev["s"] > ev["d"] > 0 > ev["s++"]
    True
    """
    p, V, kappa_a, kappa_b, Omega = _check_common(p, V, kappa_a, kappa_b, Omega)
    T = check.positive("T", T, _T_MAX)
    q = shell_quadrature(p, Omega, n_k=n_k)
    chi = _chis(q, T * K_B)
    M = _s_matrix(chi, V, kappa_a * kappa_b)
    ev, vec = np.linalg.eig(M)
    order = np.argsort(ev.real)
    mu_d = abs(V * (kappa_a + kappa_b)) * math.sqrt(chi["alpha"][1] * chi["beta"][1])
    v = vec[:, order[-1]].real
    v = v / (v[0] if v[0] != 0 else 1.0)
    return {"s": float(ev[order[-1]].real), "s++": float(ev[order[0]].real), "d": float(mu_d),
            "s_vector": v}


def _levels(p, Omega, n_k, extrapolate, scheme="hybrid"):
    """Quadratures on n_k/4, n_k/2, n_k (coarse first) or just n_k."""
    ns = (n_k // 4, n_k // 2, n_k) if extrapolate else (n_k,)
    if extrapolate and (n_k % 4 or n_k // 4 < 16):
        raise ValueError("n_k must be a multiple of 4 and >= 64 with extrapolate=True "
                         f"(three grids n_k/4, n_k/2, n_k), got {n_k}")
    return [shell_quadrature(p, Omega, n_k=n, scheme=scheme) for n in ns]


def _richardson(vals):
    """h^2 Richardson on values at h = 4h0, 2h0, h0 -> (best, estimated abs error)."""
    v = [np.asarray(x, float) for x in vals]
    if len(v) == 1:
        return v[0], np.zeros_like(v[0])
    r1 = (4.0 * v[2] - v[1]) / 3.0
    r0 = (4.0 * v[1] - v[0]) / 3.0
    # error of r1 estimated from the change of the extrapolate between grid pairs,
    # floored by a fraction of the raw h^2 correction (guards against accidental agreement)
    err = np.maximum(np.abs(r1 - r0), 0.05 * np.abs(r1 - v[2]))
    return r1, err


def _mu_channel(q, V, kappa_a, kappa_b, channel, T_eV):
    a, d, _ = _channel_eigs(q, V, kappa_a, kappa_b, T_eV)
    return a if channel == "s" else d


def _tc_channel(q, V, kappa_a, kappa_b, channel, rtol, near=None):
    """T_c (eV) of one channel on one quadrature; ``near``: estimate (eV) to bracket around."""
    def f(lnT):
        return _mu_channel(q, V, kappa_a, kappa_b, channel, math.exp(lnT)) - 1.0

    lo, hi = math.log(1e-6 * K_B), math.log(q.Omega)
    if near is not None and near > 0.0:
        # secant from the coarse-grid estimate (mu(ln T) is smooth and nearly linear there)
        x0, x1 = math.log(near), math.log(near) + 1e-3
        f0, f1 = f(x0), f(x1)
        for _ in range(20):
            if f1 == f0:
                break
            x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
            x0, f0 = x1, f1
            x1, f1 = x2, f(x2)
            if abs(x1 - x0) < rtol * 0.01:
                return math.exp(x1)
    if f(lo) < 0.0:
        return 0.0
    if f(hi) > 0.0:
        raise ValueError("coupling too strong: the linearized gap equation still has an eigenvalue > 1 "
                         f"at T = Omega/k_B = {q.Omega / K_B:.0f} K; reduce V")
    return math.exp(_brentq(f, lo, hi, f"T_c of the {channel} channel",
                            xtol=rtol * 0.01, rtol=rtol * 0.01, maxiter=200))


@dataclass(frozen=True)
class CriticalTemperature:
    """T_c with its estimated discretization error and the channel that orders.

    Attributes
    ----------
    Tc : float
        Critical temperature (K); 0 if nothing orders above 1e-6 K.
    error : float
        Estimated discretization error of ``Tc`` (K).
    channel : str
        "s" or "d", the channel with the higher T_c.
    by_channel : dict
        channel -> T_c (K) of each channel computed.

    Examples
    --------
    >>> CriticalTemperature(647.5, 1e-3, "s", {"s": 647.5, "d": 420.0}).channel
    's'
    """

    Tc: float
    error: float
    channel: str
    by_channel: dict


def _critical(p, V, kappa_a, kappa_b, Omega, channel, n_k, rtol, extrapolate):
    qs = _levels(p, Omega, n_k, extrapolate)
    chans = ("s", "d") if channel == "auto" else (channel,)
    res = {}
    for c in chans:
        vals, est = [], None
        for q in qs:
            est = _tc_channel(q, V, kappa_a, kappa_b, c, rtol, near=est)
            vals.append(est)
        if min(vals) == 0.0:
            res[c] = (vals[-1] / K_B, 0.0)
        else:
            best, err = _richardson(vals)
            res[c] = (float(best) / K_B, float(err) / K_B)
    win = max(res, key=lambda c: res[c][0])
    return CriticalTemperature(res[win][0], res[win][1], win, {c: res[c][0] for c in res})


def critical_temperature(p, *, V, kappa_a, kappa_b, Omega, channel: str = "auto",
                         n_k: int = DEFAULT_NK, rtol: float = 1e-9, extrapolate: bool = True,
                         full_output: bool = False):
    """T_c in K: highest T where a leading eigenvalue of the linearized gap equation equals 1.

    The root is found to relative accuracy ``rtol`` on grids n_k/4, n_k/2, n_k
    and Richardson-extrapolated (``extrapolate=True``).

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV), both bands partly filled.
    V : float
        Pairing strength (eV), in (0, 100].
    kappa_a, kappa_b : float
        Kondo/Hund ratios (dimensionless), in [-10, 10].
    Omega : float
        Cutoff (eV), in [1e-3, 2].
    channel : {"auto", "s", "d"}, optional
        The higher of both channels, A1g (s+-) or B1g (d).
    n_k : int, optional
        Cells per axis of the finest quadrature (multiple of 4, >= 64 with
        ``extrapolate``; <= 4096).
    rtol : float, optional
        Relative accuracy of the root, in [1e-14, 1e-2].
    extrapolate : bool, optional
        Richardson over three grids (else the n_k grid alone).
    full_output : bool, optional
        Return a :class:`CriticalTemperature` instead of a float.

    Returns
    -------
    float or CriticalTemperature
        T_c (K); 0.0 if nothing orders above 1e-6 K.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams`` or a flag is not a bool.
    ValueError
        If an argument is out of range, or the coupling is so strong that the
        eigenvalue exceeds 1 at T = Omega/k_B.
    ConvergenceError
        If the root search does not converge.

    Examples
    --------
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> round(critical_temperature(p, V=1.0, kappa_a=0, kappa_b=0, Omega=0.3, n_k=64, rtol=1e-6), -1)
    430.0
    """
    p, V, kappa_a, kappa_b, Omega = _check_common(p, V, kappa_a, kappa_b, Omega)
    check.choice("channel", channel, ("auto", "s", "d"))
    rtol = check.in_range("rtol", rtol, 1e-14, 1e-2)
    n_k = _check_nk(n_k)
    extrapolate = check.boolean("extrapolate", extrapolate)
    full_output = check.boolean("full_output", full_output)
    out = _critical(p, V, kappa_a, kappa_b, Omega, channel, n_k, rtol, extrapolate)
    return out if full_output else out.Tc


# --------------------------------------------------------------------------
# nonlinear gap equation


class _SheetGaps:
    """Mixin of the gap results: the gap along a Fermi sheet (needs ``p``, ``delta_alpha``, ``delta_beta``)."""

    def on_fermi_surface(self, band: str, n_theta: int = 360):
        """Signed gap along the Fermi sheet of ``band``.

        Parameters
        ----------
        band : {"alpha", "beta"}
            Which sheet.
        n_theta : int, optional
            Points on the sheet (8 to 10**7).

        Returns
        -------
        theta : numpy.ndarray
            Polar angle (rad) about the sheet centre.
        gap : numpy.ndarray
            Signed Delta(theta) in eV.
        """
        fs = bands.fermi_surface(self.p, band, n_theta=n_theta)
        f = self.delta_alpha if band == "alpha" else self.delta_beta
        return fs.theta, f(fs.kx, fs.ky)


@dataclass(frozen=True)
class GapSolution(_SheetGaps):
    """Solution of Eq. (14) (:func:`solve_gap`): gaps Delta(k) = a + b eta_k + c eta_k^2 (eV), signed.

    Attributes
    ----------
    p : bands.BandParams
        Band parameters (eV).
    V : float
        Pairing strength (eV).
    kappa_a : float
        Kondo/Hund ratios (dimensionless).
    kappa_b : float
        Kondo/Hund ratios (dimensionless).
    Omega : float
        Cutoff (eV).
    T : float
        Temperature (K).
    channel : str
        "s" (A1g; b = 0), "d" (B1g; a = c = 0) or "normal" (Delta = 0).
    coef_alpha : tuple of float
        (a, b, c) of each band in eV.
    coef_beta : tuple of float
        (a, b, c) of each band in eV.
    iterations : int
        Newton iterations (all grids).
    residual : float
        Final max-norm of x - G(x) (eV).
    error_estimate : float
        Estimated relative discretization error of the gaps (Richardson over
        three grids; 0 with a single grid).
    n_k : int
        Cells per axis of the finest grid.
    eigenvalues : dict
        Leading linearized eigenvalues of the channels ("s", "d") at the
        trial-gap scale used to start Newton ("trial_gap", eV).

    Examples
    --------
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> sol = solve_gap(p, V=1.4, kappa_a=0.75, kappa_b=0.75, n_k=64, extrapolate=False)
    >>> sol.channel, sol.coef_alpha[0] > 0 > sol.coef_beta[0]
    ('s', True)
    """

    p: bands.BandParams
    V: float
    kappa_a: float
    kappa_b: float
    Omega: float
    T: float
    channel: str
    coef_alpha: tuple
    coef_beta: tuple
    iterations: int
    residual: float
    error_estimate: float
    n_k: int
    eigenvalues: dict

    def _eval(self, coef, kx, ky):
        e = bands.eta(kx, ky)
        a, b, c = coef
        return a + b * e + c * e * e

    def delta_alpha(self, kx, ky):
        """Signed gap on the alpha band at (kx, ky).

        Parameters
        ----------
        kx, ky : array_like of float
            Momenta (1/a).

        Returns
        -------
        numpy.ndarray
            Delta_alpha(k) in eV.
        """
        return self._eval(self.coef_alpha, kx, ky)

    def delta_beta(self, kx, ky):
        """Signed gap on the beta band at (kx, ky).

        Parameters
        ----------
        kx, ky : array_like of float
            Momenta (1/a).

        Returns
        -------
        numpy.ndarray
            Delta_beta(k) in eV.
        """
        return self._eval(self.coef_beta, kx, ky)

    @property
    def gap_alpha(self) -> float:
        """|Delta_alpha| on the zone diagonal (eta = 0, theta = pi/4), eV (0 for d-wave)."""
        return abs(self.coef_alpha[0])

    @property
    def gap_beta(self) -> float:
        """|Delta_beta| on the zone diagonal (eta = 0, theta = pi/4), eV."""
        return abs(self.coef_beta[0])

    @property
    def ratio(self) -> float:
        """Delta_alpha / Delta_beta on the diagonal (the quantity of Eq. 17-18); s channel only."""
        if self.channel != "s":
            raise ValueError("ratio is defined for the s channel only")
        return self.gap_alpha / self.gap_beta


    def fermi_surface_average(self, band: str, n_theta: int = 360) -> float:
        """DOS-weighted Fermi-surface average of |Delta| on ``band``.

        Parameters
        ----------
        band : {"alpha", "beta"}
            Which sheet.
        n_theta : int, optional
            Points on the sheet (8 to 10**7).

        Returns
        -------
        float
            <|Delta|>_FS in eV.
        """
        fs = bands.fermi_surface(self.p, band, n_theta=n_theta)
        f = self.delta_alpha if band == "alpha" else self.delta_beta
        return float(np.sum(fs.weight * np.abs(f(fs.kx, fs.ky))) / np.sum(fs.weight))

    def fermi_surface_extrema(self, band: str, n_theta: int = 360):
        """Smallest and largest |Delta| on the Fermi sheet of ``band``.

        Parameters
        ----------
        band : {"alpha", "beta"}
            Which sheet.
        n_theta : int, optional
            Points on the sheet (8 to 10**7).

        Returns
        -------
        tuple of float
            (min |Delta|, max |Delta|) in eV.
        """
        _, d = self.on_fermi_surface(band, n_theta)
        return float(np.abs(d).min()), float(np.abs(d).max())


def _s_residual(q, V, k2, x, T_eV):
    Sa = kernel.s_moments(q.xi["alpha"], q.s["alpha"], q.w["alpha"], x[0], x[1], T_eV)
    Sb = kernel.s_moments(q.xi["beta"], q.s["beta"], q.w["beta"], x[2], x[3], T_eV)
    G = np.array([-V * Sb[0], -V * k2 * Sb[1], -V * Sa[0], -V * k2 * Sa[1]])
    DG = np.zeros((4, 4))
    DG[0, 2:4] = -V * np.array([Sb[2], Sb[3]])
    DG[1, 2:4] = -V * k2 * np.array([Sb[4], Sb[5]])
    DG[2, 0:2] = -V * np.array([Sa[2], Sa[3]])
    DG[3, 0:2] = -V * k2 * np.array([Sa[4], Sa[5]])
    return x - G, np.eye(4) - DG


def _d_residual(q, V, ks, x, T_eV):
    Sa, dSa = kernel.d_moment(q.xi["alpha"], q.s["alpha"], q.w["alpha"], x[0], T_eV)
    Sb, dSb = kernel.d_moment(q.xi["beta"], q.s["beta"], q.w["beta"], x[1], T_eV)
    G = np.array([V * ks * Sb, V * ks * Sa])
    DG = np.array([[0.0, V * ks * dSb], [V * ks * dSa, 0.0]])
    return x - G, np.eye(2) - DG


def _newton(fun, x0, rtol, maxiter):
    """Damped Newton on r(x) = x - G(x) = 0 with analytic Jacobian.

    Converged when the full Newton step is below rtol * max|x|; a backtracking
    line search (halving) keeps max|r| decreasing far from the solution.
    """
    x = np.array(x0, float)
    r, J = fun(x)
    rn = np.max(np.abs(r))
    for it in range(1, maxiter + 1):
        try:
            dx = np.linalg.solve(J, -r)
        except np.linalg.LinAlgError:
            dx = -r
        scale = max(np.max(np.abs(x)), 1e-300)
        if np.max(np.abs(dx)) <= rtol * scale:
            # quadratic convergence: the residual after this last step is O(|dx|^2);
            # report the bound |r| |dx| / scale instead of paying one more evaluation
            return x + dx, it, float(rn * np.max(np.abs(dx)) / scale)
        lam = 1.0
        while True:
            xn = x + lam * dx
            rn_new, Jn = fun(xn)
            rnn = np.max(np.abs(rn_new))
            if rnn < rn or lam < 1e-4:
                break
            lam *= 0.5
        if not np.isfinite(rnn):
            raise ConvergenceError(f"Newton on the gap moments left the finite numbers after {it} iterations "
                                   f"(last finite iterate {x.tolist()} eV, residual {rn:.3e} eV)",
                                   iterations=it, residual=float(rn), last=x)
        x, r, J, rn = xn, rn_new, Jn, rnn
    raise ConvergenceError(
        f"Newton on the gap moments did not converge in {maxiter} iterations: "
        f"residual {rn:.3e} eV, last iterate {x.tolist()} (eV)", iterations=maxiter, residual=float(rn), last=x)


def _trial_gap(q, V, kappa_a, kappa_b, T_eV, channel):
    """Uniform trial gap D at which the channel's leading eigenvalue equals 1 (0 if none)."""
    idx = 0 if channel == "s" else 1

    def g(lnD):
        return _channel_eigs(q, V, kappa_a, kappa_b, T_eV, math.exp(lnD))[idx] - 1.0

    lo, hi = math.log(1e-9), math.log(10.0 * q.Omega)
    if g(lo) <= 0.0:
        return 0.0
    if g(hi) > 0.0:
        raise ValueError("coupling too strong: the gap would exceed 10 Omega; reduce V")
    return math.exp(_brentq(g, lo, hi, "trial gap", xtol=0.02))  # a start for Newton: 2 % is plenty


def _d_bracket_solve(q, V, ks, T_eV, rtol):
    """B1g channel as a scalar root: b_a = V ks S_b(b_b), then b_b = V ks S_a(b_a).

    g(b_b) = V ks S_a(b_a(b_b)) / b_b - 1 decreases monotonically from
    mu_d^2 - 1 > 0 (b -> 0) to -1; brentq on log b_b.
    """
    def ba_of(bb):
        return V * ks * kernel.d_moment(q.xi["beta"], q.s["beta"], q.w["beta"], bb, T_eV)[0]

    def g(lnb):
        bb = math.exp(lnb)
        ba = ba_of(bb)
        return V * ks * kernel.d_moment(q.xi["alpha"], q.s["alpha"], q.w["alpha"], ba, T_eV)[0] / bb - 1.0

    lo, hi = math.log(1e-10), math.log(20.0 * q.Omega)
    if g(lo) <= 0.0:
        return None
    if g(hi) > 0.0:
        raise ValueError("coupling too strong: the d-wave gap would exceed 20 Omega; reduce V or kappa")
    lnb = _brentq(g, lo, hi, "d-wave gap", xtol=1e-12, rtol=max(rtol, 1e-15))
    bb = math.exp(lnb)
    return np.array([ba_of(bb), bb])


def _solve_on(q, V, kappa_a, kappa_b, T_eV, channel, x0, rtol, maxiter):
    if channel == "s":
        fun = lambda x: _s_residual(q, V, kappa_a * kappa_b, x, T_eV)  # noqa: E731
        return _newton(fun, x0, rtol, maxiter)
    ks = kappa_a + kappa_b
    fun = lambda x: _d_residual(q, V, ks, x, T_eV)  # noqa: E731
    try:
        x, it, res = _newton(fun, x0, rtol, maxiter)
        if np.max(np.abs(x)) > 1e-6 * np.max(np.abs(x0)):
            return x, it, res
    except ConvergenceError:
        pass
    # Newton from a poor start can fall into Delta = 0: use the monotone scalar form
    x1 = _d_bracket_solve(q, V, ks, T_eV, rtol)
    if x1 is None:
        return np.zeros(2), 0, 0.0
    return _newton(fun, x1, rtol, maxiter)


def _start_vector(q, V, kappa_a, kappa_b, T_eV, channel):
    D0 = _trial_gap(q, V, kappa_a, kappa_b, T_eV, channel)
    if D0 == 0.0:
        return None
    mu_s, mu_d, vec = _channel_eigs(q, V, kappa_a, kappa_b, T_eV, D0)
    if channel == "s":
        v = vec / math.sqrt(abs(vec[0] * vec[2]))
        return D0 * v
    # d: eigenvector (b_a, b_b) ~ (sqrt(chi1_b), sgn sqrt(chi1_a)); |Delta| = |b| eta ~ D0 on the sheets
    chi = _chis(q, T_eV, D0)
    ca, cb = chi["alpha"], chi["beta"]
    ba, bb = math.sqrt(cb[1]), math.copysign(math.sqrt(ca[1]), kappa_a + kappa_b)
    s_eff = math.sqrt((ca[1] / ca[0]) * (cb[1] / cb[0]))
    scale = D0 / math.sqrt(abs(ba * bb) * math.sqrt(s_eff))
    return np.array([ba, bb]) * scale


def _pack(channel, x):
    if channel == "s":
        return (x[0], 0.0, x[1]), (x[2], 0.0, x[3])
    return (0.0, x[0], 0.0), (0.0, x[1], 0.0)


def solve_gap(p, *, V, kappa_a, kappa_b, Omega=0.3, T=0.0, channel: str = "auto",
              n_k: int = DEFAULT_NK, rtol: float = 1e-10, maxiter: int = 60,
              guess=None, extrapolate: bool = True, scheme: str = "hybrid") -> GapSolution:
    """Solve the gap equations (14) at temperature T.

    With ``extrapolate=True`` the equations are solved on n_k/4, n_k/2 and n_k,
    the gap coefficients Richardson-extrapolated (error ~ h^4) and
    ``error_estimate`` is the relative change of the extrapolate between grid
    pairs; with ``extrapolate=False`` only n_k is used (estimate reported as 0).
    Above T_c of the chosen channel the result is the normal state (channel
    "normal", zero gaps).

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV), both bands partly filled.
    V : float
        Pairing strength (eV), in (0, 100].
    kappa_a, kappa_b : float
        Kondo/Hund ratios (dimensionless), in [-10, 10].
    Omega : float, optional
        Cutoff (eV), in [1e-3, 2].
    T : float, optional
        Temperature (K), in [0, 5000].
    channel : {"auto", "s", "d"}, optional
        "auto": the channel with the larger leading linearized eigenvalue at the
        trial-gap scale; "s" (A1g) or "d" (B1g).
    n_k : int, optional
        Cells per axis on [0, pi] of the finest grid (even, 16 to 4096;
        multiple of 4 and >= 64 with ``extrapolate``).
    rtol : float, optional
        Newton tolerance (relative, on the gap coefficients), in [1e-14, 1e-2].
    maxiter : int, optional
        Newton iterations per grid, 1 to 10000.
    guess : (float, float), optional
        (Delta_alpha, Delta_beta) start (eV) for the s channel; a start that
        runs into the trivial solution Delta = 0 is replaced by the leading
        linearized eigenvector.
    extrapolate : bool, optional
        Richardson over three grids.
    scheme : {"hybrid", "triangle", "fixed"}, optional
        Quadrature scheme (see :func:`shell_quadrature`).

    Returns
    -------
    GapSolution
        The signed gap coefficients and diagnostics.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams`` or an option has the wrong type.
    ValueError
        If an argument is out of range or the coupling is too strong.
    ConvergenceError
        If Newton does not converge in ``maxiter`` iterations (the error carries
        the iterations, residual and last iterate).

    Examples
    --------
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> sol = solve_gap(p, V=V_for_lambda(p, 0.4), kappa_a=0.75, kappa_b=0.75, n_k=64)
    >>> round(1e3 * sol.gap_alpha, 1), round(1e3 * sol.gap_beta, 1)
    (93.7, 51.1)
    """
    p, V, kappa_a, kappa_b, Omega = _check_common(p, V, kappa_a, kappa_b, Omega)
    T = _check_T(T)
    check.choice("channel", channel, ("auto", "s", "d"))
    n_k = _check_nk(n_k)
    rtol = check.in_range("rtol", rtol, 1e-14, 1e-2)
    maxiter = check.iterations("maxiter", maxiter, 10000)
    if guess is not None:
        guess = check.real_array("guess", guess, ndim=1)
        if guess.size != 2:
            raise ValueError(f"guess must be (Delta_alpha, Delta_beta) in eV, got {guess.size} numbers")
    extrapolate = check.boolean("extrapolate", extrapolate)
    check.choice("scheme", scheme, ("hybrid", "triangle", "fixed"))
    T_eV = T * K_B
    qs = _levels(p, Omega, n_k, extrapolate, scheme)
    q0 = qs[0]
    D0 = {c: _trial_gap(q0, V, kappa_a, kappa_b, T_eV, c) for c in ("s", "d")}
    eig = {}
    Dref = max(D0.values())
    if Dref > 0.0:
        mu_s, mu_d, _ = _channel_eigs(q0, V, kappa_a, kappa_b, T_eV, Dref)
        eig = {"s": mu_s, "d": mu_d, "trial_gap": Dref}
    if channel == "auto":
        channel = "s" if D0["s"] >= D0["d"] else "d"
    common = dict(p=p, V=V, kappa_a=kappa_a, kappa_b=kappa_b, Omega=Omega, T=T, n_k=n_k, eigenvalues=eig)
    if D0[channel] == 0.0:
        return GapSolution(channel="normal", coef_alpha=(0.0, 0.0, 0.0), coef_beta=(0.0, 0.0, 0.0),
                           iterations=0, residual=0.0, error_estimate=0.0, **common)
    x = None
    its = 0
    if guess is not None and channel == "s":
        try:
            x, it, res = _solve_on(q0, V, kappa_a, kappa_b, T_eV, "s", [guess[0], 0.0, guess[1], 0.0], rtol, maxiter)
            its += it
            if np.max(np.abs(x)) < 1e-6 * D0["s"]:
                x = None  # fell into the trivial solution
        except ConvergenceError:
            x = None
    if x is None:
        x = _start_vector(q0, V, kappa_a, kappa_b, T_eV, channel)
    xs = []
    for q in qs:
        x, it, res = _solve_on(q, V, kappa_a, kappa_b, T_eV, channel, x, rtol, maxiter)
        its += it
        if np.max(np.abs(x)) < 1e-6 * D0[channel]:
            raise ConvergenceError(f"Newton converged to the trivial solution although the {channel} channel "
                                   f"is unstable (trial gap {D0[channel]:.3e} eV)",
                                   iterations=its, residual=res, last=x)
        xs.append(x)
    best, err = _richardson(xs)
    rel = float(np.max(err) / np.max(np.abs(best)))
    if best[0] < 0:  # global sign convention: Delta_alpha > 0 on the diagonal (s) / b_alpha > 0 (d)
        best = -best
    ca, cb = _pack(channel, best)
    return GapSolution(channel=channel, coef_alpha=tuple(map(float, ca)), coef_beta=tuple(map(float, cb)),
                       iterations=its, residual=float(res), error_estimate=rel, **common)


@dataclass(frozen=True)
class GapCurve:
    """Gaps vs temperature (:func:`gap_vs_temperature`).

    Attributes
    ----------
    T : numpy.ndarray
        Temperatures (K), sorted.
    coef_alpha : numpy.ndarray
        (n_T, 3) arrays of the gap coefficients (a, b, c) per band (eV).
    coef_beta : numpy.ndarray
        (n_T, 3) arrays of the gap coefficients (a, b, c) per band (eV).
    Tc : float
        Critical temperature of the channel (K).
    channel : str
        "s" or "d".
    error_estimate : float
        Estimated relative discretization error of the gaps.

    Examples
    --------
    >>> c = GapCurve(np.array([0.0, 10.0]), np.array([[0.1, 0, 0], [0.05, 0, 0]]),
    ...              np.array([[-0.05, 0, 0], [-0.02, 0, 0]]), 12.0, "s", 0.0)
    >>> c.gap_beta.tolist()
    [0.05, 0.02]
    """

    T: np.ndarray
    coef_alpha: np.ndarray
    coef_beta: np.ndarray
    Tc: float
    channel: str
    error_estimate: float

    @property
    def gap_alpha(self):
        """|Delta_alpha| on the diagonal (s) or |b_alpha| (d), eV."""
        return np.abs(self.coef_alpha[:, 0] if self.channel == "s" else self.coef_alpha[:, 1])

    @property
    def gap_beta(self):
        """|Delta_beta| on the diagonal (s) or |b_beta| (d), eV."""
        return np.abs(self.coef_beta[:, 0] if self.channel == "s" else self.coef_beta[:, 1])


def gap_vs_temperature(p, *, V, kappa_a, kappa_b, Omega=0.3, temperatures, channel: str = "s",
                       n_k: int = DEFAULT_NK, rtol: float = 1e-10, extrapolate: bool = True) -> GapCurve:
    """Delta_alpha(T), Delta_beta(T) on a grid of temperatures, by continuation.

    On each grid level the temperatures are swept upwards; Newton starts from
    the previous solution rescaled by the BCS shape sqrt(1 - T/T_c). Points at
    or above T_c (of that level) are normal. Levels are Richardson-combined
    like in :func:`solve_gap` (points within the T_c uncertainty are taken from
    the finest grid).

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV), both bands partly filled.
    V : float
        Pairing strength (eV), in (0, 100].
    kappa_a, kappa_b : float
        Kondo/Hund ratios (dimensionless), in [-10, 10].
    Omega : float, optional
        Cutoff (eV), in [1e-3, 2].
    temperatures : array_like of float
        Temperatures (K), each in [0, 5000] (1 to 100000 of them).
    channel : {"s", "d"}, optional
        Which channel to follow.
    n_k : int, optional
        Cells per axis of the finest grid (as in :func:`solve_gap`).
    rtol : float, optional
        Newton tolerance, in [1e-14, 1e-2].
    extrapolate : bool, optional
        Richardson over three grids.

    Returns
    -------
    GapCurve
        Gap coefficients at each temperature and T_c.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams`` or ``temperatures`` is not real.
    ValueError
        If an argument is out of range.
    ConvergenceError
        If Newton fails at a temperature.

    Examples
    --------
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> c = gap_vs_temperature(p, V=1.0, kappa_a=0, kappa_b=0, temperatures=[0, 100, 1000], n_k=64)
    >>> bool(c.gap_alpha[0] > c.gap_alpha[1] > c.gap_alpha[2] == 0.0)
    True
    """
    p, V, kappa_a, kappa_b, Omega = _check_common(p, V, kappa_a, kappa_b, Omega)
    check.choice("channel", channel, ("s", "d"))
    Ts = np.sort(check.real_array("temperatures", temperatures, ndim=1, max_size=100000))
    if Ts[0] < 0 or Ts[-1] > _T_MAX:
        raise ValueError(f"temperatures must lie in [0, {_T_MAX}] K, got [{Ts[0]}, {Ts[-1]}]")
    n_k = _check_nk(n_k)
    rtol = check.in_range("rtol", rtol, 1e-14, 1e-2)
    qs = _levels(p, Omega, n_k, check.boolean("extrapolate", extrapolate))
    nc = 4 if channel == "s" else 2
    Xs, Tcs = [], []
    est = None
    for q in qs:
        Tc = _tc_channel(q, V, kappa_a, kappa_b, channel, 1e-10, near=est)
        est = Tc
        Tcs.append(Tc / K_B)
        X = np.zeros((Ts.size, nc))
        x, shape_prev = None, None
        for i, T in enumerate(Ts):
            if T * K_B >= Tc:
                continue
            shape = math.sqrt(max(1.0 - T * K_B / Tc, 1e-12))
            if x is None:
                x0 = _start_vector(q, V, kappa_a, kappa_b, T * K_B, channel)
            else:
                x0 = x * shape / shape_prev
            x, _, _ = _solve_on(q, V, kappa_a, kappa_b, T * K_B, channel, x0, rtol, 100)
            shape_prev = shape
            X[i] = x
        Xs.append(X)
    Tc_best, Tc_err = _richardson(Tcs)
    best, err = _richardson(Xs)
    # near T_c a grid may be normal while another is not: use the finest grid there
    bad = np.any(np.stack([np.all(X == 0, axis=1) for X in Xs]), axis=0)
    best[bad] = Xs[-1][bad]
    ok = ~bad
    rel = float(np.max(err[ok]) / np.max(np.abs(best[ok]))) if ok.any() else 0.0
    best = best * np.where(best[:, :1] < 0, -1.0, 1.0)  # Delta_alpha > 0 convention
    if channel == "s":
        ca = np.column_stack([best[:, 0], np.zeros(Ts.size), best[:, 1]])
        cb = np.column_stack([best[:, 2], np.zeros(Ts.size), best[:, 3]])
    else:
        z = np.zeros(Ts.size)
        ca = np.column_stack([z, best[:, 0], z])
        cb = np.column_stack([z, best[:, 1], z])
    return GapCurve(Ts, ca, cb, float(Tc_best), channel, rel)


def effective_cutoffs(p, Omega, *, n_k: int = DEFAULT_NK) -> tuple:
    """Per-band cutoffs (Omega_alpha, Omega_beta) that absorb the energy dependence of the DOS.

    The log approximation sum_p 1/(2E_p) ~ N ln(2 Omega/Delta) assumes a constant
    DOS in the shell. With the true DOS rho(xi) the sum is N ln(2 Omega_eff/Delta)
    + O(Delta^2), with ln(Omega_eff/Omega) = int_{-Omega}^{Omega} (rho(xi)/N - 1) dxi/(2|xi|).
    Computed from the energy-shell quadrature (Richardson over n_k/4, n_k/2, n_k).

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV), both bands partly filled.
    Omega : float
        Cutoff (eV), in [1e-3, 2].
    n_k : int, optional
        Cells per axis of the finest grid (multiple of 4, 64 to 4096).

    Returns
    -------
    tuple of float
        (Omega_alpha, Omega_beta) in eV.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams``.
    ValueError
        If an argument is out of range or a band has no Fermi surface.

    Examples
    --------
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> [round(x, 2) for x in effective_cutoffs(p, 0.3, n_k=64)]
    [0.3, 0.31]
    """
    p, _, _, _, Omega = _check_common(p, 1.0, 0.0, 0.0, Omega)
    n_k = _check_nk(n_k)
    d = bands.fermi_level_dos(p)
    N = {"alpha": d.N_alpha, "beta": d.N_beta}
    D = 1e-5 * Omega
    out = []
    for band in bands.BAND_NAMES:
        vals = []
        for q in _levels(p, Omega, n_k, True):
            S0 = kernel.uniform_gap_susceptibility(q.xi[band], q.s[band], q.w[band], D, 0.0)[0]
            vals.append(S0)
        S, _ = _richardson(vals)
        # S = N asinh(Omega/D) + int (rho - N)/(2 sqrt(xi^2 + D^2)) -> N ln(Omega_eff/Omega) + O(D)
        out.append(float(Omega * math.exp((float(S) - N[band] * math.asinh(Omega / D)) / N[band])))
    return tuple(out)


def omega_for_critical_temperature(p, *, V, kappa_a, kappa_b, Tc, channel: str = "s",
                                   n_k: int = 128, bracket=(0.005, 1.5)) -> float:
    """Cutoff Omega (eV) at which :func:`critical_temperature` equals Tc, by brentq in Omega.

    T_c grows monotonically with Omega (more states in the shell).

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV), both bands partly filled.
    V : float
        Pairing strength (eV), in (0, 100].
    kappa_a, kappa_b : float
        Kondo/Hund ratios (dimensionless), in [-10, 10].
    Tc : float
        Target critical temperature (K), in (0, 5000].
    channel : {"auto", "s", "d"}, optional
        Channel whose T_c is matched.
    n_k : int, optional
        Cells per axis of the finest grid (multiple of 4, 64 to 4096).
    bracket : (float, float), optional
        Search interval of Omega (eV), inside [1e-3, 2], lower end first.

    Returns
    -------
    float
        Omega in eV.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams``.
    ValueError
        If an argument is out of range or ``Tc`` is not reached inside ``bracket``.
    ConvergenceError
        If the root search does not converge.

    Examples
    --------
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> Om = omega_for_critical_temperature(p, V=1.0, kappa_a=0, kappa_b=0, Tc=72.0, n_k=64)
    >>> round(Om, 3)
    0.049
    """
    p, V, kappa_a, kappa_b, _ = _check_common(p, V, kappa_a, kappa_b, 0.3)
    Tc = check.positive("Tc", Tc, _T_MAX)
    br = check.real_array("bracket", bracket, ndim=1)
    if br.size != 2:
        raise ValueError(f"bracket must be (Omega_low, Omega_high) in eV, got {br.size} numbers")
    lo, hi = (check.in_range("bracket[0]", br[0], 1e-3, 2.0), check.in_range("bracket[1]", br[1], 1e-3, 2.0))
    if not lo < hi:
        raise ValueError(f"bracket must be increasing, got ({lo}, {hi}) eV")

    def f(Om):
        return critical_temperature(p, V=V, kappa_a=kappa_a, kappa_b=kappa_b, Omega=Om, channel=channel,
                                    n_k=n_k, rtol=1e-8) - Tc

    flo, fhi = f(lo), f(hi)
    if flo * fhi > 0:
        raise ValueError(f"Tc = {Tc} K is not reached for Omega in [{lo}, {hi}] eV "
                         f"(T_c spans [{flo + Tc:.1f}, {fhi + Tc:.1f}] K)")
    return float(_brentq(f, lo, hi, "Omega for T_c", xtol=1e-7, rtol=1e-7))


# --------------------------------------------------------------------------
# plain-NumPy reference (for benchmarks and the convergence table)


def naive_solve_gap(p, *, V, kappa_a, kappa_b, Omega=0.3, T=0.0, n_grid=512, mixing=0.5,
                    tol=1e-8, maxiter=5000, start=0.02):
    """Reference solver: full uniform N x N grid, hard cutoff |xi| < Omega, linear mixing.

    Plain NumPy, no symmetry, no energy-shell quadrature: the textbook way. The
    gaps are kept as arrays on the grid (only points inside the shell matter)
    and iterated Delta <- (1 - mixing) Delta + mixing G(Delta) from an s+-
    start (+start, -start) eV until the relative change is below tol.

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV), both bands partly filled.
    V : float
        Pairing strength (eV), in (0, 100].
    kappa_a, kappa_b : float
        Kondo/Hund ratios (dimensionless), in [-10, 10].
    Omega : float, optional
        Cutoff (eV), in [1e-3, 2].
    T : float, optional
        Temperature (K), in [0, 5000].
    n_grid : int, optional
        Grid points per axis (8 to 8192).
    mixing : float, optional
        Linear mixing parameter, in (0, 1].
    tol : float, optional
        Relative change at which the iteration stops, in (0, 0.1].
    maxiter : int, optional
        Iteration cap, 1 to 10**7.
    start : float, optional
        Magnitude of the starting gaps (eV), in (0, 10].

    Returns
    -------
    coef_alpha, coef_beta : tuple of float
        (a, b, c) in eV, recovered from the gap on the grid.
    iterations : int
        Mixing steps taken.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams`` or an integer option is not an integer.
    ValueError
        If an argument is out of range.
    ConvergenceError
        If the mixing does not converge in ``maxiter`` steps (or collapses to Delta = 0).

    Examples
    --------
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> ca, cb, it = naive_solve_gap(p, V=1.4, kappa_a=0, kappa_b=0, n_grid=64, start=0.05)
    >>> bool(ca[0] > 0 > cb[0])
    True
    """
    p, V, kappa_a, kappa_b, Omega = _check_common(p, V, kappa_a, kappa_b, Omega)
    T_eV = _check_T(T) * K_B
    n_grid = check.integer("n_grid", n_grid, 8, 8192)
    mixing = check.in_range("mixing", mixing, 0.0, 1.0, lo_open=True)
    tol = check.tolerance("tol", tol, 0.1)
    maxiter = check.iterations("maxiter", maxiter, 10 ** 7)
    start = check.positive("start", start, 10.0)
    k = -math.pi + 2 * math.pi * (np.arange(n_grid) + 0.5) / n_grid
    kx, ky = np.meshgrid(k, k, indexing="ij")
    xa, xb = bands.dispersion(kx, ky, p)
    eta = bands.eta(kx, ky)
    g = (1.0, -(kappa_a + kappa_b), kappa_a * kappa_b)
    Nk = float(n_grid * n_grid)
    shells = {}
    for band, xi in (("alpha", xa), ("beta", xb)):
        m = np.abs(xi) < Omega
        shells[band] = (xi[m], eta[m])
    D = {"alpha": np.full(shells["alpha"][0].size, start), "beta": np.full(shells["beta"][0].size, -start)}

    def moments(band):
        xi, e = shells[band]
        E = np.sqrt(xi * xi + D[band] ** 2)
        F = D[band] / (2 * E)
        if T_eV > 0:
            F = F * np.tanh(E / (2 * T_eV))
        return [np.sum(e ** m * F) / Nk for m in range(3)]

    change = math.inf
    for it in range(1, maxiter + 1):
        mb, ma = moments("beta"), moments("alpha")
        new = {}
        for band, mo in (("alpha", mb), ("beta", ma)):
            e = shells[band][1]
            new[band] = -V * (g[0] * mo[0] + g[1] * e * mo[1] + g[2] * e * e * mo[2])
        size = max(np.max(np.abs(new[b]), initial=0.0) for b in D)
        if not size > 1e-300:
            raise ConvergenceError(f"linear mixing collapsed to Delta = 0 after {it} iterations "
                                   "(no ordered state at these parameters on this grid)",
                                   iterations=it, residual=0.0, last=None)
        change = max(np.max(np.abs(new[b] - D[b]), initial=0.0) for b in D) / size
        for b in D:
            D[b] = (1 - mixing) * D[b] + mixing * new[b]
        if change < tol:
            coefs = []
            for mo in (mb, ma):
                coefs.append((-V * g[0] * mo[0], -V * g[1] * mo[1], -V * g[2] * mo[2]))
            return coefs[0], coefs[1], it
    raise ConvergenceError(f"linear mixing did not converge in {maxiter} iterations (change {change:.2e})",
                           iterations=maxiter, residual=change, last=None)


# --------------------------------------------------------------------------
# analytic (logarithmic) approximations, Eq. (16)-(18)


def gap_ratio_eq18(N_ratio, lam):
    """Eq. (18): Delta_alpha / Delta_beta = (N_beta/N_alpha)^(1/(2 - lambda)).

    Eq. (18) linearizes artanh(lambda r / 2) with r = ln(Delta_alpha/Delta_beta);
    it holds for lambda |r| < 2, i.e. lambda |ln N_ratio| < 2 (2 - lambda).

    Parameters
    ----------
    N_ratio : array_like of float
        N_beta / N_alpha (> 0).
    lam : float
        Coupling lambda, in [0, 2).

    Returns
    -------
    numpy.ndarray
        Delta_alpha / Delta_beta (dimensionless).

    Raises
    ------
    TypeError
        If ``N_ratio`` is not real.
    ValueError
        If ``N_ratio`` <= 0, ``lam`` is out of range, or a point violates the
        validity condition lambda |ln N_ratio| < 2 (2 - lambda).

    Examples
    --------
    >>> round(float(gap_ratio_eq18(2.5, 0.4)), 4)     # 2.5 ** (1 / 1.6)
    1.7729
    >>> float(gap_ratio_eq18(4.0, 0.0))                # lambda -> 0: sqrt(N_beta / N_alpha)
    2.0
    """
    r = check.real_array("N_ratio", N_ratio)
    if np.any(r <= 0):
        raise ValueError("N_ratio must be > 0")
    lam = check.in_range("lam", lam, 0.0, 2.0, hi_open=True)
    bad = lam * np.abs(np.log(r)) >= 2.0 * (2.0 - lam)
    if np.any(bad):
        raise ValueError(f"Eq. (18) needs lambda |ln(Delta_alpha/Delta_beta)| < 2, i.e. "
                         f"lam |ln N_ratio| < 2 (2 - lam); violated for lam = {lam} at N_ratio = "
                         f"{r[bad].ravel()[0]:g}")
    return r ** (1.0 / (2.0 - lam))


def solve_log_equations(N_alpha, N_beta, V, Omega):
    """Exact solution (Delta_alpha, Delta_beta) in eV of the coupled log equations (17).

    Delta_a = V N_b Delta_b ln(2 Omega/Delta_b), Delta_b = V N_a Delta_a ln(2 Omega/Delta_a).
    With L0 = ln(2 Omega / sqrt(Da Db)) and r = ln(Da/Db): L0^2 - r^2/4 = 1/lambda^2 and
    2 r = ln(N_b/N_a) + ln((L0 + r/2)/(L0 - r/2)).

    Parameters
    ----------
    N_alpha, N_beta : float
        Densities of states (1/eV), in (0, 1e6].
    V : float
        Pairing strength (eV), in (0, 100].
    Omega : float or (float, float)
        Cutoff (eV, in (0, 10]) or a pair (Omega_alpha, Omega_beta) of per-band
        cutoffs, e.g. from :func:`effective_cutoffs`; Omega_beta then enters the
        first equation.

    Returns
    -------
    tuple of float
        (Delta_alpha, Delta_beta) in eV, both > 0.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If an argument is out of range, or if lambda = V sqrt(N_alpha N_beta) < 1/700
        or the DOS ratio is so extreme that a gap underflows double precision.
        (A root with both logarithms positive always exists: the left side
        2 r - ln((L0 + r/2)/(L0 - r/2)) runs from -inf to +inf.)

    Examples
    --------
    >>> Da, Db = solve_log_equations(0.3, 0.75, 0.9, 0.3)
    >>> round(Da - 0.9 * 0.75 * Db * math.log(0.6 / Db), 12)
    0.0
    """
    Na = check.positive("N_alpha", N_alpha, _N_DOS_MAX)
    Nb = check.positive("N_beta", N_beta, _N_DOS_MAX)
    V = check.positive("V", V, _V_MAX)
    if np.ndim(Omega) == 0:
        Om_a = Om_b = check.positive("Omega", Omega, 10.0)
    else:
        if len(Omega) != 2:
            raise ValueError("Omega must be a cutoff (eV) or a pair (Omega_alpha, Omega_beta)")
        Om_a, Om_b = check.positive("Omega[0]", Omega[0], 10.0), check.positive("Omega[1]", Omega[1], 10.0)
    Omega = math.sqrt(Om_a * Om_b)
    lam = V * math.sqrt(Na * Nb)
    if lam < 1.0 / 700.0:
        raise ValueError(f"lambda = V sqrt(N_alpha N_beta) = {lam:.3g} is below 1/700: the gaps "
                         "2 Omega exp(-1/lambda) underflow double precision")
    # per-band cutoffs (Om_a, Om_b), Omega = sqrt(Om_a Om_b), u = ln(Om_a/Om_b)/2:
    # L_a = ln(2 Om_a/Da) = L0 - rho/2, L_b = ln(2 Om_b/Db) = L0 + rho/2 with rho = r - 2u,
    # so L0^2 - rho^2/4 = 1/lambda^2 and 2 rho = ln(Nb/Na) - 4u + ln((L0 + rho/2)/(L0 - rho/2)).
    u = 0.5 * math.log(Om_a / Om_b)
    c = math.log(Nb / Na) - 4 * u

    def L0(r):
        return math.sqrt(1.0 / lam ** 2 + 0.25 * r * r)

    def f(r):
        l0 = L0(r)
        return 2 * r - c - math.log((l0 + 0.5 * r) / (l0 - 0.5 * r))

    hi = abs(c) + 1.0
    while f(hi) * f(-hi) > 0 and hi < 1e6:
        hi *= 2
    if f(hi) * f(-hi) > 0:
        raise ValueError("Eq. (17) has no solution with positive logarithms for these parameters")
    rp = _brentq(f, -hi, hi, "Eq. (17)", xtol=1e-15, rtol=1e-14)   # rp = rho = r - 2u
    D = 2 * Omega * math.exp(-L0(rp))
    r = rp + 2 * u
    Da, Db = D * math.exp(0.5 * r), D * math.exp(-0.5 * r)
    if not (check.TINY <= Db and check.TINY <= Da and math.isfinite(Da) and math.isfinite(Db)):
        raise ValueError(f"Eq. (17): the gaps ({Da:g}, {Db:g}) eV are outside double precision "
                         "(lambda too small or the DOS ratio too extreme)")
    return Da, Db


@dataclass(frozen=True)
class AnalyticGaps(_SheetGaps):
    """Gaps of the paper's log approximation (:func:`analytic_gaps`); Delta_alpha > 0 > Delta_beta (s+-).

    Attributes
    ----------
    p : bands.BandParams
        Band parameters (eV).
    gap_alpha : float
        Gap magnitudes on the zone diagonal theta = pi/4 (eV).
    gap_beta : float
        Gap magnitudes on the zone diagonal theta = pi/4 (eV).
    anis_alpha : float
        Coefficients of eta^2 in Eq. (16), kappa^2 Nt_beta/N_beta and
        kappa^2 Nt_alpha/N_alpha (dimensionless).
    anis_beta : float
        Coefficients of eta^2 in Eq. (16), kappa^2 Nt_beta/N_beta and
        kappa^2 Nt_alpha/N_alpha (dimensionless).
    lam : float
        lambda = V sqrt(N_alpha N_beta).
    form : str
        "eq18" or "eq17", which diagonal values were used.

    Examples
    --------
    >>> a = AnalyticGaps(bands.PAPER_V3, 0.06, 0.035, 1.0, 0.18, 0.4, "eq18")
    >>> round(a.ratio, 3), a.Delta_alpha == a.gap_alpha
    (1.714, True)
    """

    p: bands.BandParams
    gap_alpha: float
    gap_beta: float
    anis_alpha: float
    anis_beta: float
    lam: float
    form: str

    @property
    def Delta_alpha(self) -> float:
        """Alias of :attr:`gap_alpha` (eV; the field's old name, read-only)."""
        return self.gap_alpha

    @property
    def Delta_beta(self) -> float:
        """Alias of :attr:`gap_beta` (eV; the field's old name, read-only)."""
        return self.gap_beta

    @property
    def ratio(self) -> float:
        """Delta_alpha / Delta_beta on the diagonal."""
        return self.gap_alpha / self.gap_beta

    @property
    def valid(self) -> bool:
        """Validity condition lambda |ln(Delta_alpha/Delta_beta)| < 2 of Eq. (18)."""
        return self.lam * abs(math.log(self.ratio)) < 2.0

    def delta_alpha(self, kx, ky):
        """Signed Eq. (16) gap on the alpha band.

        Parameters
        ----------
        kx, ky : array_like of float
            Momenta (1/a).

        Returns
        -------
        numpy.ndarray
            Delta_alpha(k) in eV (> 0).
        """
        e = bands.eta(kx, ky)
        return self.gap_alpha * (1.0 + self.anis_alpha * e * e)

    def delta_beta(self, kx, ky):
        """Signed Eq. (16) gap on the beta band.

        Parameters
        ----------
        kx, ky : array_like of float
            Momenta (1/a).

        Returns
        -------
        numpy.ndarray
            Delta_beta(k) in eV (< 0).
        """
        e = bands.eta(kx, ky)
        return -self.gap_beta * (1.0 + self.anis_beta * e * e)


def analytic_gaps(p, *, V, kappa_a, kappa_b, Omega, form: str = "eq18") -> AnalyticGaps:
    """The paper's analytic gaps: Eq. (16) anisotropy with diagonal values from Eq. (18) or (17).

    form="eq18": Delta = 2 Omega e^{-1/lambda}, Da/Db = (Nb/Na)^{1/(2-lambda)};
    form="eq17": the exact solution of the log equations (17).

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV), both bands partly filled.
    V : float
        Pairing strength (eV), in (0, 100].
    kappa_a, kappa_b : float
        Kondo/Hund ratios (dimensionless), in [-10, 10].
    Omega : float
        Cutoff (eV), in [1e-3, 2].
    form : {"eq18", "eq17"}, optional
        Which diagonal values.

    Returns
    -------
    AnalyticGaps
        Diagonal gaps (eV) and Eq. (16) anisotropies.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams``.
    ValueError
        If an argument is out of range, or lambda = V sqrt(N_alpha N_beta) is
        outside the domain of the formulas: lambda >= 1/700 (else the gaps
        underflow) and the validity condition lambda |ln(Delta_alpha/Delta_beta)| < 2
        of Eq. (18) (which excludes lambda >= 2).

    Examples
    --------
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> a = analytic_gaps(p, V=V_for_lambda(p, 0.4), kappa_a=0.75, kappa_b=0.75, Omega=0.3)
    >>> round(1e3 * a.gap_alpha, 2), round(a.ratio, 3)
    (65.6, 1.774)
    """
    p, V, kappa_a, kappa_b, Omega = _check_common(p, V, kappa_a, kappa_b, Omega)
    check.choice("form", form, ("eq17", "eq18"))
    d = bands.fermi_level_dos(p)
    lam = V * math.sqrt(d.N_alpha * d.N_beta)
    if form == "eq18":
        if lam < 1.0 / 700.0:
            raise ValueError(f"lambda = V sqrt(N_alpha N_beta) = {lam:.3g} is below 1/700: the gap "
                             "2 Omega exp(-1/lambda) underflows double precision")
        log_nr = math.log(d.N_beta / d.N_alpha)
        if lam >= 2.0 or lam * abs(log_nr) >= 2.0 * (2.0 - lam):
            raise ValueError(f"Eq. (18) holds for lambda |ln(Delta_alpha/Delta_beta)| < 2 only; here lambda = "
                             f"{lam:.4g} and N_beta/N_alpha = {d.N_beta / d.N_alpha:.4g} violate it "
                             "(reduce V; lambda < 2 is necessary)")
        D = 2 * Omega * math.exp(-1.0 / lam)
        e = 1.0 / (2.0 * (2.0 - lam))
        Da = D * (d.N_beta / d.N_alpha) ** e
        Db = D * (d.N_alpha / d.N_beta) ** e
    else:
        Da, Db = solve_log_equations(d.N_alpha, d.N_beta, V, Omega)
    k2 = kappa_a * kappa_b
    return AnalyticGaps(p, float(Da), float(Db), k2 * d.Nt_beta / d.N_beta, k2 * d.Nt_alpha / d.N_alpha,
                        float(lam), form)


# --------------------------------------------------------------------------
# comparisons and sweeps behind the chapter's figures


def fermi_surface_gaps(solution, n_theta: int = 360) -> dict:
    """|Delta(theta)| on both Fermi sheets of an exact or analytic solution.

    Parameters
    ----------
    solution : GapSolution or AnalyticGaps
        The gaps.
    n_theta : int, optional
        Points per sheet (8 to 10**7).

    Returns
    -------
    dict
        band -> (theta in rad, |Delta(theta)| in eV).

    Raises
    ------
    TypeError
        If ``solution`` is neither a :class:`GapSolution` nor an :class:`AnalyticGaps`.
    ValueError
        If ``n_theta`` is out of range.

    Examples
    --------
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> a = analytic_gaps(p, V=1.0, kappa_a=0.0, kappa_b=0.0, Omega=0.3)
    >>> th, d = fermi_surface_gaps(a, 64)["alpha"]
    >>> bool(np.ptp(d) < 1e-15)                       # kappa = 0: isotropic
    True
    """
    check.instance("solution", solution, (GapSolution, AnalyticGaps))
    out = {}
    for band in bands.BAND_NAMES:
        th, d = solution.on_fermi_surface(band, n_theta)
        out[band] = (th, np.abs(d))
    return out


class GapComparison(NamedTuple):
    """Exact and analytic gaps of one parameter set (:func:`compare_gaps`).

    Attributes
    ----------
    label : str
        A name for the case (may be empty).
    lam : float
        Coupling lambda = V sqrt(N_alpha N_beta).
    exact : GapSolution
        Solution of Eq. (14).
    analytic : AnalyticGaps
        Eq. (16) with the diagonal values of Eq. (18).

    Examples
    --------
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> c = compare_gaps(p, lam=0.4, kappa_a=0.0, kappa_b=0.0, n_k=64)
    >>> c.channel, round(c.ratio, 2), round(c.ratio_eq18, 2)
    ('s', 1.77, 1.77)
    """

    label: str
    lam: float
    exact: GapSolution
    analytic: AnalyticGaps

    @property
    def p(self) -> bands.BandParams:
        """Band parameters of the case (eV)."""
        return self.exact.p

    @property
    def V(self) -> float:
        """Pairing strength (eV)."""
        return self.exact.V

    @property
    def channel(self) -> str:
        """Channel of the exact solution ("s", "d" or "normal")."""
        return self.exact.channel

    @property
    def ratio(self) -> float:
        """Exact Delta_alpha / Delta_beta on the diagonal (s channel only)."""
        return self.exact.ratio

    @property
    def ratio_eq18(self) -> float:
        """Delta_alpha / Delta_beta of Eq. (18)."""
        return self.analytic.ratio


def compare_gaps(p, *, lam, kappa_a, kappa_b, Omega=0.3, n_k: int = DEFAULT_NK,
                 label: str = "") -> GapComparison:
    """Solve the exact gap equations and the paper's Eq. (16)+(18) for one coupling lambda.

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV), both bands partly filled (e.g. from ``bands.with_density``).
    lam : float
        Coupling lambda = V sqrt(N_alpha N_beta), in (0, 10]; V follows from the bands.
    kappa_a, kappa_b : float
        Kondo/Hund ratios (dimensionless), in [-10, 10].
    Omega : float, optional
        Cutoff (eV), in [1e-3, 2].
    n_k : int, optional
        Cells per axis of the finest grid (as in :func:`solve_gap`).
    label : str, optional
        A name carried along.

    Returns
    -------
    GapComparison
        Both solutions.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams`` or ``label`` not a str.
    ValueError
        If an argument is out of range (see :func:`solve_gap` and :func:`analytic_gaps`).
    ConvergenceError
        If the exact solver does not converge.

    Examples
    --------
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> c = compare_gaps(p, lam=0.4, kappa_a=0.75, kappa_b=0.75, n_k=64, label="v3")
    >>> c.label, bool(c.exact.gap_alpha > 1.3 * c.analytic.gap_alpha)
    ('v3', True)
    """
    p = bands.check_params(p)
    check.instance("label", label, str)
    V = V_for_lambda(p, lam)
    exact = solve_gap(p, V=V, kappa_a=kappa_a, kappa_b=kappa_b, Omega=Omega, n_k=n_k)
    analytic = analytic_gaps(p, V=V, kappa_a=kappa_a, kappa_b=kappa_b, Omega=Omega)
    return GapComparison(label, float(lam), exact, analytic)


#: the three panels of Fig. 4 (right) in the book: (label, bands, lambda, kappa_a = kappa_b)
FIG4_CASES = (("v3, κ = 0.5", bands.PAPER_V3, 0.4, 0.5), ("v3, κ = 0.75", bands.PAPER_V3, 0.4, 0.75),
              ("v1, κ = 0.75", bands.PAPER_V1, 0.5, 0.75))


def compare_gap_cases(cases=FIG4_CASES, n_c=0.45, Omega=0.3, n_k: int = DEFAULT_NK) -> tuple:
    """:func:`compare_gaps` for several (label, bands, lambda, kappa) cases at one filling (Fig. 4).

    Parameters
    ----------
    cases : sequence of (str, bands.BandParams, float, float), optional
        (label, band parameters, lambda, kappa_a = kappa_b); default: the book's
        three Fig. 4 panels.
    n_c : float, optional
        Filling (electrons per Ni), in (0, 2).
    Omega : float, optional
        Cutoff (eV), in [1e-3, 2].
    n_k : int, optional
        Cells per axis of the finest grid (as in :func:`solve_gap`).

    Returns
    -------
    tuple of GapComparison
        One per case, in order.

    Raises
    ------
    TypeError
        If a case is malformed.
    ValueError
        If an argument is out of range.
    ConvergenceError
        If the exact solver does not converge.

    Examples
    --------
    >>> cs = compare_gap_cases(FIG4_CASES[:1], n_k=64)
    >>> cs[0].label, cs[0].channel
    ('v3, κ = 0.5', 's')
    """
    check.instance("cases", cases, (tuple, list), "a sequence of (label, BandParams, lambda, kappa)")
    out = []
    for i, case in enumerate(cases):
        if not isinstance(case, (tuple, list)) or len(case) != 4:
            raise TypeError(f"cases[{i}] must be (label, BandParams, lambda, kappa), got {case!r:.80}")
        label, base, lam, kap = case
        q = bands.with_density(bands.check_params(base), n_c)
        out.append(compare_gaps(q, lam=lam, kappa_a=kap, kappa_b=kap, Omega=Omega, n_k=n_k, label=str(label)))
    return tuple(out)


@dataclass(frozen=True)
class RatioSweep:
    """Exact gap ratios over the filling (:func:`ratio_sweep`), for Fig. 3 (right).

    Attributes
    ----------
    n_c : numpy.ndarray
        Fillings (electrons per Ni).
    lams : tuple of float
        Couplings lambda.
    dos_ratio : numpy.ndarray
        N_beta / N_alpha at each filling.
    gap_ratio : numpy.ndarray
        (len(lams), len(n_c)) exact Delta_alpha / Delta_beta on the diagonal (kappa = 0).
    Omega : float
        Cutoff (eV).

    Examples
    --------
    >>> s = RatioSweep(np.array([0.45]), (0.3,), np.array([2.5]), np.array([[1.76]]), 0.3)
    >>> s.curve(0.3)
    (array([2.5]), array([1.76]))
    """

    n_c: np.ndarray
    lams: tuple
    dos_ratio: np.ndarray
    gap_ratio: np.ndarray
    Omega: float

    def curve(self, lam: float):
        """(N_beta/N_alpha, exact gap ratio) arrays of one coupling.

        Parameters
        ----------
        lam : float
            One of :attr:`lams`.

        Returns
        -------
        tuple of numpy.ndarray
            (dos_ratio, gap_ratio[lam]).
        """
        check.choice("lam", lam, self.lams)
        return self.dos_ratio, self.gap_ratio[self.lams.index(lam)]


def ratio_sweep(n_c_values, lams=(0.6, 0.3), Omega=0.3, p=bands.PAPER_V3, n_k: int = DEFAULT_NK) -> RatioSweep:
    """Exact gap ratios on the diagonal over the filling at fixed lambda (kappa = 0), for Fig. 3.

    Parameters
    ----------
    n_c_values : array_like of float
        Fillings (electrons per Ni), each in (0, 2), at most 10000.
    lams : sequence of float, optional
        Couplings lambda, each in (0, 10].
    Omega : float, optional
        Cutoff (eV), in [1e-3, 2].
    p : bands.BandParams, optional
        Band parameters (eV); mu is set from each filling.
    n_k : int, optional
        Cells per axis of the finest grid (as in :func:`solve_gap`).

    Returns
    -------
    RatioSweep
        DOS ratios and exact gap ratios.

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams`` or an array is not real.
    ValueError
        If an argument is out of range.
    ConvergenceError
        If the exact solver does not converge.

    Examples
    --------
    >>> s = ratio_sweep([0.45], lams=(0.3,), n_k=64)
    >>> round(float(s.dos_ratio[0]), 3), round(float(s.gap_ratio[0, 0]), 2)
    (2.502, 1.72)
    """
    p = bands.check_params(p)
    ncs = check.real_array("n_c_values", n_c_values, ndim=1, max_size=10000)
    lam_arr = check.real_array("lams", lams, ndim=1, max_size=100)
    if np.any(lam_arr <= 0.0) or np.any(lam_arr > 10.0):
        raise ValueError(f"lams: every coupling must lie in (0, 10], got {lam_arr.tolist()}")
    dos_ratio, ratios = [], []
    for nc in ncs:
        q = bands.with_density(p, float(nc))
        d = bands.fermi_level_dos(q)
        dos_ratio.append(d.N_beta / d.N_alpha)
        row = []
        for lam in lam_arr:
            s = solve_gap(q, V=V_for_lambda(q, lam), kappa_a=0.0, kappa_b=0.0, Omega=Omega, n_k=n_k)
            row.append(s.ratio)
        ratios.append(row)
    return RatioSweep(ncs, tuple(float(x) for x in lam_arr), np.array(dos_ratio), np.array(ratios).T,
                      float(Omega))
