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

Also here: the paper's analytic (logarithmic) approximations, Eq. (16)-(18),
as library functions (``analytic_gaps``, ``gap_ratio_eq18``,
``solve_log_equations``) so that later chapters can compare them with the
exact gaps.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq

from . import _validate as Vd
from . import bands as B
from .errors import ConvergenceError
from .kernels import pairing as KP

__all__ = [
    "K_B", "BCS_RATIO", "GUO_RATIO", "coupling_lambda", "V_for_lambda",
    "ShellQuadrature", "shell_quadrature", "GapSolution", "solve_gap",
    "linearized_eigenvalues", "critical_temperature", "CriticalTemperature", "GapCurve", "gap_vs_temperature",
    "fermi_surface_moments", "effective_coupling", "critical_energies",
    "gap_ratio_eq18", "solve_log_equations", "AnalyticGaps", "analytic_gaps",
    "omega_for_critical_temperature", "naive_solve_gap", "effective_cutoffs",
]

#: Boltzmann constant, eV/K.
K_B = 8.617333262e-5
#: Weak-coupling BCS value of 2 Delta(0) / k_B T_c = 2 pi / e^gamma.
BCS_RATIO = 2.0 * math.pi / math.exp(0.5772156649015329)
#: 2 Delta / k_B T_c reported by Guo et al. (2025) for La3Ni2O7 (Andreev reflection).
GUO_RATIO = 7.61

DEFAULT_NK = 256
_XI_MIN = 1e-7  # eV: smallest energy panel of the graded xi rule


# --------------------------------------------------------------------------
# input checks


def _check_p(p):
    if not isinstance(p, B.BandParams):
        raise ValueError(f"p must be a bands.BandParams, got {type(p).__name__}")
    return p


def _check_common(p, V, kappa_a, kappa_b, Omega):
    p = _check_p(p)
    V = Vd.in_range("V", V, 0.0, 100.0, lo_open=True)
    kappa_a = Vd.in_range("kappa_a", kappa_a, -10.0, 10.0)
    kappa_b = Vd.in_range("kappa_b", kappa_b, -10.0, 10.0)
    Omega = Vd.in_range("Omega", Omega, 1e-3, 2.0)
    for band, n in zip(B.BAND_NAMES, _fillings(p)):
        if not 0.0 < n < 1.0:
            raise ValueError(f"p: the {band} band has no Fermi surface at mu={p.mu} eV (filling {n:.3f}); "
                             "both bands must be partly filled")
    return p, V, kappa_a, kappa_b, Omega


@lru_cache(maxsize=256)
def _fillings(p):
    return B.fillings(p)


def _check_T(T):
    return Vd.in_range("T", T, 0.0, 5000.0)


def _check_nk(n_k):
    n_k = Vd.integer("n_k", n_k, 16, 4096)
    if n_k % 2:
        raise ValueError(f"n_k must be even, got {n_k}")
    return n_k


# --------------------------------------------------------------------------
# couplings


def coupling_lambda(p, V) -> float:
    """Dimensionless interband coupling lambda = V sqrt(N_alpha N_beta) (V in eV)."""
    p = _check_p(p)
    V = Vd.in_range("V", V, 0.0, 100.0)
    d = B.fermi_level_dos(p)
    return float(V * math.sqrt(d.N_alpha * d.N_beta))


def V_for_lambda(p, lam) -> float:
    """Pairing strength V (eV) that gives the coupling ``lam`` = V sqrt(N_alpha N_beta)."""
    p = _check_p(p)
    lam = Vd.in_range("lam", lam, 0.0, 10.0, lo_open=True)
    d = B.fermi_level_dos(p)
    return float(lam / math.sqrt(d.N_alpha * d.N_beta))


@lru_cache(maxsize=64)
def fermi_surface_moments(p, n_theta: int = 1440):
    """Fermi-surface moments per band: dict band -> (N, Nt, Nt2) in 1/eV.

    N = sum delta(xi), Nt = sum eta^2 delta(xi) (the paper's N-tilde),
    Nt2 = sum eta^4 delta(xi), per spin and per k-point, from ``bands.fermi_surface``.
    """
    _check_p(p)
    out = {}
    for band in B.BAND_NAMES:
        fs = B.fermi_surface(p, band, n_theta=n_theta)
        s = (np.cos(fs.kx) - np.cos(fs.ky)) ** 2
        out[band] = (float(fs.weight.sum()), float((fs.weight * s).sum()), float((fs.weight * s * s).sum()))
    return out


def effective_coupling(p, V, kappa_a, kappa_b) -> float:
    """Effective s+- coupling of the logarithmic model including the kappa^2 feedback.

    With Delta_zeta(k) = a + c eta^2 and the log approximation for every moment,
    (a, c)_alpha = V L B_beta (a, c)_beta with B = [[N, Nt], [k2 Nt, k2 Nt2]],
    k2 = kappa_a kappa_b, so the pair amplitude grows by V L per step and the
    effective coupling is lambda_eff = V sqrt(max eig(B_alpha B_beta)) >= lambda.
    """
    p = _check_p(p)
    V = Vd.in_range("V", V, 0.0, 100.0)
    k2 = Vd.finite("kappa_a", kappa_a) * Vd.finite("kappa_b", kappa_b)
    m = fermi_surface_moments(p)
    Bm = {b: np.array([[m[b][0], m[b][1]], [k2 * m[b][1], k2 * m[b][2]]]) for b in m}
    ev = np.linalg.eigvals(Bm["beta"] @ Bm["alpha"])
    return float(V * math.sqrt(max(ev.real)))


# --------------------------------------------------------------------------
# energy-shell quadrature


@dataclass(frozen=True)
class ShellQuadrature:
    """Nodes of the energy-shell quadrature of one parameter set.

    xi[band], s[band], w[band]: energy (eV), eta^2 and weight of each node;
    sum(w * f(xi, s)) approximates the Brillouin-zone average of f over
    |xi| < Omega. n_k: cells per axis on [0, pi].
    """

    n_k: int
    Omega: float
    xi: dict
    s: dict
    w: dict

    @property
    def size(self) -> int:
        return sum(v.size for v in self.xi.values())


def _xi_breakpoints(Omega, crit):
    """Panel breakpoints on [-Omega, Omega], graded geometrically (ratio 2) towards
    xi = 0 and towards the critical energies ``crit`` (van Hove points, band edges)."""
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


def _xi_rule(Omega, crit, n_gauss):
    """Gauss-Legendre rule on the panels of ``_xi_breakpoints`` (scheme "fixed")."""
    bps = _xi_breakpoints(Omega, crit)
    gx, gw = np.polynomial.legendre.leggauss(n_gauss)
    lo, hi = bps[:-1], bps[1:]
    mid, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
    xq = (mid[:, None] + half[:, None] * gx[None, :]).ravel()
    wq = (half[:, None] * gw[None, :]).ravel()
    return xq, wq


def critical_energies(p, band: str) -> tuple:
    """Energies (eV) of the critical points of xi_band on the mirror lines of the wedge.

    Band extrema and saddle points (van Hove singularities) of this model lie on
    the lines Gamma-X, X-M and Gamma-M; each is located as a local extremum of
    the band along the line. The density of states is singular (log) or jumps
    there, so the energy rule is graded towards these energies.
    """
    _check_p(p)
    Vd.choice("band", band, B.BAND_NAMES)
    t = np.linspace(0.0, math.pi, 2049)
    z = np.zeros_like(t)
    pi = np.full_like(t, math.pi)
    lines = ((t, z), (pi, t), (t, t))
    out = set()
    for lx, ly in lines:
        e = B.band_energy(lx, ly, p, band)
        out.update((float(e[0]), float(e[-1])))
        d = np.diff(e)
        for i in np.nonzero(d[:-1] * d[1:] < 0)[0]:
            # parabola through three samples around the extremum
            e0, e1, e2 = e[i], e[i + 1], e[i + 2]
            den = e0 - 2 * e1 + e2
            u = 0.5 * (e0 - e2) / den if den != 0 else 0.0
            out.add(float(e1 - 0.25 * (e0 - e2) * u))
    return tuple(sorted(out))


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


def _gauss_on(bps, n_gauss):
    gx, gw = np.polynomial.legendre.leggauss(n_gauss)
    lo, hi = bps[:-1], bps[1:]
    mid, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
    return (mid[:, None] + half[:, None] * gx[None, :]).ravel(), (half[:, None] * gw[None, :]).ravel()


def _inner_nodes(p, band, xi_c, n_gauss, n_theta):
    """Polar Fermi-surface quadrature of |xi| < xi_c (quarter circle, times 4); None on failure."""
    try:
        fs = B.fermi_surface(p, band, n_theta=4 * n_theta)
    except ValueError:
        return None
    cx, cy, sgn = _CENTRE[fs.centre]
    th = fs.theta[:n_theta]
    r0 = np.hypot(fs.kx[:n_theta] - cx, fs.ky[:n_theta] - cy)
    bps = np.unique(np.concatenate([_xi_breakpoints(xi_c, ()), _transition_bps(xi_c)]))
    xq, wq = _gauss_on(bps, n_gauss)
    wq = 4.0 * wq * _blend(xq, xi_c)
    t1, t2, t3, eps, mu = p.band(band)
    x_, s_, w_, ok = KP.polar_shell_nodes(t1, t2, t3, eps, mu, cx, cy, sgn, np.ascontiguousarray(th),
                                          np.ascontiguousarray(r0), xq, wq, 2 * math.pi / (4 * n_theta))
    return (x_, s_, w_) if ok else None


@lru_cache(maxsize=32)
def _shell_cached(p, Omega, n_k, n_gauss, scheme, n_theta):
    h = math.pi / n_k
    k = np.arange(n_k + 1) * h
    kx, ky = np.meshgrid(k, k, indexing="ij")
    s = ((np.cos(kx) - np.cos(ky)) ** 2).ravel()
    xi_d, s_d, w_d = {}, {}, {}
    for band in B.BAND_NAMES:
        e = np.ascontiguousarray(B.band_energy(kx, ky, p, band).ravel())
        crit = critical_energies(p, band)
        if scheme == "fixed":
            xq, wq = _xi_rule(Omega, crit, n_gauss)
            parts = [KP.shell_nodes(n_k, e, s, xq, wq)]
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
                parts = [KP.shell_nodes_exact(n_k, e, s, bps, gx, gw)]
            else:
                bps = np.unique(np.concatenate([bps, _transition_bps(xi_c)]))
                lo = bps[bps <= -0.5 * xi_c]
                hi = bps[bps >= 0.5 * xi_c]
                outer = [KP.shell_nodes_exact(n_k, e, s, lo, gx, gw), KP.shell_nodes_exact(n_k, e, s, hi, gx, gw)]
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
    """Energy-shell quadrature of both bands for |xi| < Omega (eV) on an n_k grid (cached).

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
    """
    p = _check_p(p)
    Omega = Vd.in_range("Omega", Omega, 1e-3, 2.0)
    n_k = _check_nk(n_k)
    n_gauss = Vd.integer("n_gauss", n_gauss, 1, 20)
    n_theta = Vd.integer("n_theta", n_theta, 8, 4096)
    Vd.choice("scheme", scheme, ("hybrid", "triangle", "fixed"))
    return _shell_cached(p, Omega, n_k, n_gauss, scheme, n_theta)


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
        return {b: KP.pair_susceptibility(q.xi[b], q.s[b], q.w[b], T_eV) for b in B.BAND_NAMES}
    return {b: KP.uniform_gap_susceptibility(q.xi[b], q.s[b], q.w[b], D, T_eV) for b in B.BAND_NAMES}


def _channel_eigs(q, V, kappa_a, kappa_b, T_eV, D=None):
    """Leading eigenvalues (and s-vector) of the linearized maps of both channels."""
    chi = _chis(q, T_eV, D)
    mu_s, vec = _leading(_s_matrix(chi, V, kappa_a * kappa_b))
    ks = kappa_a + kappa_b
    mu_d = abs(V * ks) * math.sqrt(chi["alpha"][1] * chi["beta"][1])
    return mu_s, mu_d, vec


def linearized_eigenvalues(p, *, V, kappa_a, kappa_b, Omega, T, n_k: int = DEFAULT_NK):
    """Leading eigenvalues of the linearized gap equation at temperature T (K) > 0.

    Returns dict with "s" (A1g: Delta = a + c eta^2; its leading eigenvector has
    opposite signs on the two bands, s+-), "s++" (the other A1g root, negative:
    same-sign pairing is repelled), "d" (B1g: Delta = b eta, from the
    -(kappa_a + kappa_b) eta eta' term) and "s_vector" = (a_a, c_a, a_b, c_b).
    The channel whose eigenvalue first reaches 1 on cooling sets T_c.
    """
    p, V, kappa_a, kappa_b, Omega = _check_common(p, V, kappa_a, kappa_b, Omega)
    T = Vd.in_range("T", T, 0.0, 5000.0, lo_open=True)
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
    return math.exp(brentq(f, lo, hi, xtol=rtol * 0.01, rtol=rtol * 0.01, maxiter=200))


@dataclass(frozen=True)
class CriticalTemperature:
    """T_c (K) with its estimated discretization error (K) and the channel that orders."""

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

    channel : "auto" (the higher of both channels), "s" (A1g, s+-) or "d" (B1g).
    The root is found to relative accuracy ``rtol`` on grids n_k/4, n_k/2, n_k
    and Richardson-extrapolated (extrapolate=True). Returns 0.0 if nothing
    orders above 1e-6 K. full_output=True returns a ``CriticalTemperature``
    (T_c, estimated error, winning channel, T_c per channel).
    """
    p, V, kappa_a, kappa_b, Omega = _check_common(p, V, kappa_a, kappa_b, Omega)
    Vd.choice("channel", channel, ("auto", "s", "d"))
    rtol = Vd.in_range("rtol", rtol, 1e-14, 1e-2)
    n_k = _check_nk(n_k)
    out = _critical(p, V, kappa_a, kappa_b, Omega, channel, n_k, rtol, bool(extrapolate))
    return out if full_output else out.Tc


# --------------------------------------------------------------------------
# nonlinear gap equation


@dataclass(frozen=True)
class GapSolution:
    """Solution of Eq. (14). Gaps Delta(k) = a + b eta_k + c eta_k^2 (eV), signed.

    channel : "s" (A1g; b = 0) or "d" (B1g; a = c = 0) or "normal" (Delta = 0).
    coef_alpha, coef_beta : (a, b, c) in eV.
    T : temperature (K). iterations, residual: Newton iterations and final
    max-norm of x - G(x) (eV). error_estimate: estimated relative
    discretization error of the gaps (grid n_k vs n_k/2, h^2 extrapolation).
    eigenvalues: leading linearized eigenvalues of the channels ("s", "d")
    at the trial-gap scale used to start Newton.
    """

    p: B.BandParams
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
        e = B.eta(kx, ky)
        a, b, c = coef
        return a + b * e + c * e * e

    def delta_alpha(self, kx, ky):
        """Signed gap on the alpha band at (kx, ky), eV."""
        return self._eval(self.coef_alpha, kx, ky)

    def delta_beta(self, kx, ky):
        """Signed gap on the beta band at (kx, ky), eV."""
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
        """Delta_alpha / Delta_beta on the diagonal (the quantity of Eq. 17-18)."""
        if self.channel != "s":
            raise ValueError("ratio is defined for the s channel only")
        return self.gap_alpha / self.gap_beta

    def on_fermi_surface(self, band: str, n_theta: int = 360):
        """(theta, signed Delta(theta)) on the Fermi sheet of ``band``, eV."""
        fs = B.fermi_surface(self.p, band, n_theta=n_theta)
        f = self.delta_alpha if band == "alpha" else self.delta_beta
        return fs.theta, f(fs.kx, fs.ky)

    def fermi_surface_average(self, band: str, n_theta: int = 360) -> float:
        """DOS-weighted Fermi-surface average of |Delta| on ``band``, eV."""
        fs = B.fermi_surface(self.p, band, n_theta=n_theta)
        f = self.delta_alpha if band == "alpha" else self.delta_beta
        return float(np.sum(fs.weight * np.abs(f(fs.kx, fs.ky))) / np.sum(fs.weight))

    def fermi_surface_extrema(self, band: str, n_theta: int = 360):
        """(min |Delta|, max |Delta|) on the Fermi sheet of ``band``, eV."""
        _, d = self.on_fermi_surface(band, n_theta)
        return float(np.abs(d).min()), float(np.abs(d).max())


def _s_residual(q, V, k2, x, T_eV):
    Sa = KP.s_moments(q.xi["alpha"], q.s["alpha"], q.w["alpha"], x[0], x[1], T_eV)
    Sb = KP.s_moments(q.xi["beta"], q.s["beta"], q.w["beta"], x[2], x[3], T_eV)
    G = np.array([-V * Sb[0], -V * k2 * Sb[1], -V * Sa[0], -V * k2 * Sa[1]])
    DG = np.zeros((4, 4))
    DG[0, 2:4] = -V * np.array([Sb[2], Sb[3]])
    DG[1, 2:4] = -V * k2 * np.array([Sb[4], Sb[5]])
    DG[2, 0:2] = -V * np.array([Sa[2], Sa[3]])
    DG[3, 0:2] = -V * k2 * np.array([Sa[4], Sa[5]])
    return x - G, np.eye(4) - DG


def _d_residual(q, V, ks, x, T_eV):
    Sa, dSa = KP.d_moment(q.xi["alpha"], q.s["alpha"], q.w["alpha"], x[0], T_eV)
    Sb, dSb = KP.d_moment(q.xi["beta"], q.s["beta"], q.w["beta"], x[1], T_eV)
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
        x, r, J, rn = xn, rn_new, Jn, rnn
    raise ConvergenceError(
        f"Newton on the gap moments did not converge in {maxiter} iterations: "
        f"residual {rn:.3e} eV, last iterate {x.tolist()} (eV)", iterations=maxiter, residual=rn, last=x)


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
    return math.exp(brentq(g, lo, hi, xtol=0.02))  # a start for Newton: 2 % is plenty


def _d_bracket_solve(q, V, ks, T_eV, rtol):
    """B1g channel as a scalar root: b_a = V ks S_b(b_b), then b_b = V ks S_a(b_a).

    g(b_b) = V ks S_a(b_a(b_b)) / b_b - 1 decreases monotonically from
    mu_d^2 - 1 > 0 (b -> 0) to -1; brentq on log b_b.
    """
    def ba_of(bb):
        return V * ks * KP.d_moment(q.xi["beta"], q.s["beta"], q.w["beta"], bb, T_eV)[0]

    def g(lnb):
        bb = math.exp(lnb)
        ba = ba_of(bb)
        return V * ks * KP.d_moment(q.xi["alpha"], q.s["alpha"], q.w["alpha"], ba, T_eV)[0] / bb - 1.0

    lo, hi = math.log(1e-10), math.log(20.0 * q.Omega)
    if g(lo) <= 0.0:
        return None
    if g(hi) > 0.0:
        raise ValueError("coupling too strong: the d-wave gap would exceed 20 Omega; reduce V or kappa")
    lnb = brentq(g, lo, hi, xtol=1e-12, rtol=max(rtol, 1e-15))
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
    """Solve the gap equations (14) at temperature T; returns a ``GapSolution``.

    p : bands.BandParams (both bands partly filled). V : pairing strength (eV).
    kappa_a, kappa_b : Kondo/Hund ratios (dimensionless). Omega : cutoff (eV).
    T : temperature (K), T >= 0. channel : "auto" (the channel with the larger
    leading linearized eigenvalue at the trial-gap scale), "s" (A1g) or "d" (B1g).
    n_k : cells per axis on [0, pi] (linear-triangle energy-shell quadrature of
    the 1/8 wedge, multiple of 4). With extrapolate=True the equations are
    solved on n_k/4, n_k/2 and n_k, the gap coefficients Richardson-extrapolated
    (error ~ h^4) and ``error_estimate`` is the relative change of the
    extrapolate between grid pairs; with extrapolate=False only n_k is used
    and no error estimate is made (reported as 0).
    rtol : Newton tolerance (relative, on the gap coefficients).
    guess : optional (Delta_alpha, Delta_beta) start (eV) for the s channel;
    a start that runs into the trivial solution Delta = 0 (e.g. same signs far
    from the solution) is replaced by the leading linearized eigenvector.
    scheme : quadrature scheme (see ``shell_quadrature``; "hybrid" is the
    accurate default, the others are kept for convergence studies).

    Above T_c of the chosen channel the result is the normal state (channel
    "normal", zero gaps). Raises ConvergenceError if Newton fails.
    """
    p, V, kappa_a, kappa_b, Omega = _check_common(p, V, kappa_a, kappa_b, Omega)
    T = _check_T(T)
    Vd.choice("channel", channel, ("auto", "s", "d"))
    n_k = _check_nk(n_k)
    rtol = Vd.in_range("rtol", rtol, 1e-14, 1e-2)
    maxiter = Vd.integer("maxiter", maxiter, 1, 10000)
    if guess is not None:
        guess = Vd.finite_array("guess", guess, ndim=1)
        if guess.size != 2:
            raise ValueError(f"guess must be (Delta_alpha, Delta_beta) in eV, got {guess.size} numbers")
    Vd.choice("scheme", scheme, ("hybrid", "triangle", "fixed"))
    T_eV = T * K_B
    qs = _levels(p, Omega, n_k, bool(extrapolate), scheme)
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
    """Gaps vs temperature: T (K), coefficient arrays (n_T, 3) per band (eV), T_c (K)."""

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
    """Delta_alpha(T), Delta_beta(T) on a grid of temperatures (K), by continuation.

    On each grid level the temperatures are swept upwards; Newton starts from
    the previous solution rescaled by the BCS shape sqrt(1 - T/T_c). Points at
    or above T_c (of that level) are normal. Levels are Richardson-combined
    like in ``solve_gap`` (points within the T_c uncertainty are taken from the finest grid).
    """
    p, V, kappa_a, kappa_b, Omega = _check_common(p, V, kappa_a, kappa_b, Omega)
    Vd.choice("channel", channel, ("s", "d"))
    Ts = np.sort(Vd.finite_array("temperatures", temperatures, ndim=1))
    if Ts.size == 0 or Ts[0] < 0:
        raise ValueError("temperatures must be a non-empty array of values >= 0 K")
    n_k = _check_nk(n_k)
    qs = _levels(p, Omega, n_k, bool(extrapolate))
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
    """Per-band cutoffs (Omega_alpha, Omega_beta) in eV that absorb the energy dependence of the DOS.

    The log approximation sum_p 1/(2E_p) ~ N ln(2 Omega/Delta) assumes a constant
    DOS in the shell. With the true DOS rho(xi) the sum is N ln(2 Omega_eff/Delta)
    + O(Delta^2), with ln(Omega_eff/Omega) = int_{-Omega}^{Omega} (rho(xi)/N - 1) dxi/(2|xi|).
    Computed from the energy-shell quadrature (Richardson over n_k/4, n_k/2, n_k).
    """
    p = _check_p(p)
    Omega = Vd.in_range("Omega", Omega, 1e-3, 2.0)
    n_k = _check_nk(n_k)
    d = B.fermi_level_dos(p)
    N = {"alpha": d.N_alpha, "beta": d.N_beta}
    D = 1e-5 * Omega
    out = []
    for band in B.BAND_NAMES:
        vals = []
        for q in _levels(p, Omega, n_k, True):
            S0 = KP.uniform_gap_susceptibility(q.xi[band], q.s[band], q.w[band], D, 0.0)[0]
            vals.append(S0)
        S, _ = _richardson(vals)
        # S = N asinh(Omega/D) + int (rho - N)/(2 sqrt(xi^2 + D^2)) -> N ln(Omega_eff/Omega) + O(D)
        out.append(float(Omega * math.exp((float(S) - N[band] * math.asinh(Omega / D)) / N[band])))
    return tuple(out)


def omega_for_critical_temperature(p, *, V, kappa_a, kappa_b, Tc, channel: str = "s",
                                   n_k: int = 128, bracket=(0.005, 1.5)) -> float:
    """Cutoff Omega (eV) at which ``critical_temperature`` equals Tc (K), by brentq in Omega.

    T_c grows monotonically with Omega (more states in the shell). Raises
    ValueError if Tc is not reached inside ``bracket`` (eV).
    """
    p = _check_p(p)
    Tc = Vd.positive("Tc", Tc)
    lo, hi = (Vd.in_range("bracket[0]", bracket[0], 1e-3, 2.0), Vd.in_range("bracket[1]", bracket[1], 1e-3, 2.0))

    def f(Om):
        return critical_temperature(p, V=V, kappa_a=kappa_a, kappa_b=kappa_b, Omega=Om, channel=channel,
                                    n_k=n_k, rtol=1e-8) - Tc

    flo, fhi = f(lo), f(hi)
    if flo * fhi > 0:
        raise ValueError(f"Tc = {Tc} K is not reached for Omega in [{lo}, {hi}] eV "
                         f"(T_c spans [{flo + Tc:.1f}, {fhi + Tc:.1f}] K)")
    return float(brentq(f, lo, hi, xtol=1e-7, rtol=1e-7))


# --------------------------------------------------------------------------
# plain-NumPy reference (for benchmarks and the convergence table)


def naive_solve_gap(p, *, V, kappa_a, kappa_b, Omega=0.3, T=0.0, n_grid=512, mixing=0.5,
                    tol=1e-8, maxiter=5000, start=0.02):
    """Reference solver: full uniform N x N grid, hard cutoff |xi| < Omega, linear mixing.

    Plain NumPy, no symmetry, no energy-shell quadrature: the textbook way. The
    gaps are kept as arrays on the grid (only points inside the shell matter)
    and iterated Delta <- (1 - mixing) Delta + mixing G(Delta) from an s+-
    start (+start, -start) eV until the relative change is below tol.
    Returns (coef_alpha, coef_beta, iterations) with coef = (a, b, c) in eV
    recovered from the gap on the grid. T in K.
    """
    p, V, kappa_a, kappa_b, Omega = _check_common(p, V, kappa_a, kappa_b, Omega)
    T_eV = _check_T(T) * K_B
    n_grid = Vd.integer("n_grid", n_grid, 8, 8192)
    k = -math.pi + 2 * math.pi * (np.arange(n_grid) + 0.5) / n_grid
    kx, ky = np.meshgrid(k, k, indexing="ij")
    xa, xb = B.dispersion(kx, ky, p)
    eta = B.eta(kx, ky)
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

    for it in range(1, maxiter + 1):
        mb, ma = moments("beta"), moments("alpha")
        new = {}
        for band, mo in (("alpha", mb), ("beta", ma)):
            e = shells[band][1]
            new[band] = -V * (g[0] * mo[0] + g[1] * e * mo[1] + g[2] * e * e * mo[2])
        change = max(np.max(np.abs(new[b] - D[b])) for b in D) / max(np.max(np.abs(new[b])) for b in D)
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

    N_ratio = N_beta / N_alpha > 0 (array-like), 0 <= lam < 2.
    """
    r = Vd.finite_array("N_ratio", N_ratio)
    if np.any(r <= 0):
        raise ValueError("N_ratio must be > 0")
    lam = Vd.in_range("lam", lam, 0.0, 2.0, hi_open=True)
    return r ** (1.0 / (2.0 - lam))


def solve_log_equations(N_alpha, N_beta, V, Omega):
    """Exact solution (Delta_alpha, Delta_beta) in eV of the coupled log equations (17).

    Delta_a = V N_b Delta_b ln(2 Omega/Delta_b), Delta_b = V N_a Delta_a ln(2 Omega/Delta_a).
    Omega (eV) may also be a pair (Omega_alpha, Omega_beta) of per-band cutoffs,
    e.g. from ``effective_cutoffs``; Omega_beta then enters the first equation.
    With L0 = ln(2 Omega / sqrt(Da Db)) and r = ln(Da/Db): L0^2 - r^2/4 = 1/lambda^2 and
    2 r = ln(N_b/N_a) + ln((L0 + r/2)/(L0 - r/2)). Raises ValueError if no solution
    with both logs positive exists (lambda ln(Da/Db) >= 2 regime).
    """
    Na = Vd.positive("N_alpha", N_alpha)
    Nb = Vd.positive("N_beta", N_beta)
    V = Vd.positive("V", V)
    if np.ndim(Omega) == 0:
        Om_a = Om_b = Vd.positive("Omega", Omega)
    else:
        if len(Omega) != 2:
            raise ValueError("Omega must be a cutoff (eV) or a pair (Omega_alpha, Omega_beta)")
        Om_a, Om_b = Vd.positive("Omega[0]", Omega[0]), Vd.positive("Omega[1]", Omega[1])
    Omega = math.sqrt(Om_a * Om_b)
    lam = V * math.sqrt(Na * Nb)
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

    # f(r) = 2r - c - 2 artanh(lam r / 2 / ...) ; bracket on |r| < big
    hi = abs(c) + 1.0
    while f(hi) * f(-hi) > 0 and hi < 1e6:
        hi *= 2
    if f(hi) * f(-hi) > 0:
        raise ValueError("Eq. (17) has no solution with positive logarithms for these parameters")
    rp = brentq(f, -hi, hi, xtol=1e-15, rtol=1e-14)   # rp = rho = r - 2u
    D = 2 * Omega * math.exp(-L0(rp))
    r = rp + 2 * u
    return D * math.exp(0.5 * r), D * math.exp(-0.5 * r)


@dataclass(frozen=True)
class AnalyticGaps:
    """Gaps of the paper's log approximation. Delta_alpha > 0 > Delta_beta (s+- sign).

    Delta_alpha, Delta_beta : magnitudes on the diagonal theta = pi/4 (eV).
    anis_alpha, anis_beta : coefficients of eta^2 in Eq. (16),
        kappa^2 Nt_beta/N_beta and kappa^2 Nt_alpha/N_alpha.
    lam : lambda = V sqrt(N_a N_b); valid : lambda ln(Da/Db) < 2 (Eq. 18 condition).
    """

    p: B.BandParams
    Delta_alpha: float
    Delta_beta: float
    anis_alpha: float
    anis_beta: float
    lam: float
    form: str

    @property
    def ratio(self):
        return self.Delta_alpha / self.Delta_beta

    @property
    def valid(self) -> bool:
        return self.lam * math.log(self.ratio) < 2.0

    def delta_alpha(self, kx, ky):
        e = B.eta(kx, ky)
        return self.Delta_alpha * (1.0 + self.anis_alpha * e * e)

    def delta_beta(self, kx, ky):
        e = B.eta(kx, ky)
        return -self.Delta_beta * (1.0 + self.anis_beta * e * e)

    def on_fermi_surface(self, band: str, n_theta: int = 360):
        fs = B.fermi_surface(self.p, band, n_theta=n_theta)
        f = self.delta_alpha if band == "alpha" else self.delta_beta
        return fs.theta, f(fs.kx, fs.ky)


def analytic_gaps(p, *, V, kappa_a, kappa_b, Omega, form: str = "eq18") -> AnalyticGaps:
    """The paper's analytic gaps: Eq. (16) anisotropy with diagonal values from
    Eq. (18) (form="eq18": Delta = 2 Omega e^{-1/lambda}, Da/Db = (Nb/Na)^{1/(2-lambda)})
    or from the exact solution of the log equations (17) (form="eq17"). eV.
    """
    p, V, kappa_a, kappa_b, Omega = _check_common(p, V, kappa_a, kappa_b, Omega)
    Vd.choice("form", form, ("eq17", "eq18"))
    d = B.fermi_level_dos(p)
    lam = V * math.sqrt(d.N_alpha * d.N_beta)
    if form == "eq18":
        D = 2 * Omega * math.exp(-1.0 / lam)
        e = 1.0 / (2.0 * (2.0 - lam))
        Da = D * (d.N_beta / d.N_alpha) ** e
        Db = D * (d.N_alpha / d.N_beta) ** e
    else:
        Da, Db = solve_log_equations(d.N_alpha, d.N_beta, V, Omega)
    k2 = kappa_a * kappa_b
    return AnalyticGaps(p, float(Da), float(Db), k2 * d.Nt_beta / d.N_beta, k2 * d.Nt_alpha / d.N_alpha,
                        float(lam), form)
