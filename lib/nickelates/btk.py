"""Andreev-reflection conductance: BTK and its Tanaka-Kashiwaya angle-resolved form.

Chapter 4 of the book; model of the Supplementary of Guo et al.
(arXiv:2509.12601). Units: energies, gaps and broadenings in **meV**, bias in
**mV** (so eV in meV equals the bias in mV), temperatures in **K**.

Model
-----
For a trajectory at angle theta to the interface normal, with the
normal-state transparency tau_N = cos^2 theta / (cos^2 theta + Z^2),

    sigma_S(E, theta) = [1 + tau_N |g+|^2 + (tau_N - 1) |g+ g-|^2]
                        / |1 + (tau_N - 1) g+ g- exp(i phi_d)|^2,
    g+-  = gamma(E + i Gamma, |Delta_+-(theta)|),
    gamma(z, d) = (z - sqrt(z^2 - d^2)) / d,

with the square root taken on the branch that is analytic off [-d, d] and
behaves like z at large |z| (so |gamma| <= 1 for Im z >= 0), and
exp(i phi_d) = sign(Delta_+ Delta_-). The angle-averaged normalized
conductance is G(E) = int sigma_S tau_N cos(theta) / int tau_N cos(theta)
over -pi/2 < theta < pi/2, and the measured one is its convolution with the
Fermi window -df/dE(E - eV).

Dynes recipe: the lifetime broadening Gamma enters **only** as the complex
energy E + i Gamma inside gamma_+- (the paper's printed formula; the
"Plecenik" form of BTK). The conductance is then one analytic formula for all
energies; nothing is split into "below" and "above" the gap and no real part
is taken piecewise. In the tunneling limit Z -> infinity it reduces exactly
to the Dynes density of states Re[(E + i Gamma) / sqrt((E + i Gamma)^2 - Delta^2)].

Numerics
--------
* s-wave: the gap does not depend on theta, so one complex square root per
  energy; the angle integral uses Gauss-Legendre nodes in u = sin(theta)
  (the measure cos(theta) d theta = du, the integrand is even and analytic
  in u).
* d-wave: Delta_+- = Delta_0 cos(2(theta -+ alpha)); since
  Delta_+(-theta) = Delta_-(theta), the trajectories theta and -theta are
  summed together and only 0 < theta < pi/2 is sampled; that range is split
  at the gap nodes of Delta_+ and Delta_- (where the integrand has kinks) and
  Gauss-Legendre is used on each panel.
* Thermal smearing: G(E) is even in E, so it is tabulated on an energy grid
  E_j = j h (j >= 0) that is *independent of the data grid*, and the
  convolution at each bias is the trapezoid rule on that grid. The integrand
  is analytic in a strip of half-width min(pi k_B T, Gamma) around the real
  axis, so the error falls exponentially with p = points per width
  (``points_per_width``); measured on the Table 3 spectra the maximum error
  is ~5e-2, 2e-4 and 6e-7 for p = 1, 2, 3 (default 3; checked in the tests
  against a refined grid).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import _validate as V
from .kernels import btk as K

__all__ = [
    "K_B_MEV_PER_K", "Gap", "conductance", "conductance_multi", "intrinsic_conductance",
    "btk_coefficients", "btk_amplitudes", "dynes_dos", "normalize", "NormalizedSpectrum",
    "fit", "BTKFit", "initial_guess", "gap_bcs", "fit_gap_temperature", "GapTemperatureFit",
    "coherence_length_from_hc2", "mean_free_path", "sharvin_radius", "sharvin_resistance",
    "TABLE3", "NB_CALIBRATION", "table3_gaps", "energy_grid_step",
]

K_B_MEV_PER_K = 8.617333262e-2  # meV / K
_SYMMETRIES = ("s", "d")
_CUTOFF_KT = 40.0          # Fermi window truncated at |E - eV| = 40 k_B T
_MAX_GRID = 2_000_000      # refuse smearing grids larger than this
_N_S_DEFAULT = 24          # Gauss-Legendre nodes on 0 < u < 1 (s-wave)
_N_D_DEFAULT = 16          # minimum Gauss-Legendre nodes per panel (d-wave)
_N_D_MAX = 256             # cap of the automatic choice pi * 2 Delta / Gamma

# Extended Data Table 3 of Guo et al.: T (K), Gamma1, Gamma2 (meV), Z1, Z2, Delta1, Delta2 (meV)
TABLE3 = np.array([
    [3, 6.6, 4.0, 0.58, 0.40, 23.0, 6.00],
    [5, 6.63, 4.1, 0.57, 0.40, 22.9, 6.00],
    [10, 6.63, 4.1, 0.557, 0.41, 23.0, 5.98],
    [14, 6.63, 4.1, 0.53, 0.40, 22.8, 5.90],
    [20, 6.4, 3.5, 0.515, 0.38, 22.9, 5.85],
    [26, 6.4, 3.6, 0.485, 0.36, 22.2, 5.80],
    [30, 6.9, 4.0, 0.43, 0.31, 22.1, 5.70],
    [35, 7.0, 4.1, 0.40, 0.30, 21.5, 5.60],
    [40, 7.2, 4.3, 0.35, 0.27, 20.5, 5.30],
])
"""Extended Data Table 3 (Cell 2, Position 2): columns T, Gamma1, Gamma2, Z1, Z2, Delta1, Delta2."""

NB_CALIBRATION = {"delta": 1.5, "Z": 0.43, "gamma": 1.42, "T": 3.0}
"""Nb foil calibration of Extended Data Fig. 1 (meV, K)."""


# --------------------------------------------------------------------------- gaps
@dataclass(frozen=True)
class Gap:
    """One band's gap in a multi-band conductance G = sum_i weight_i G_i.

    delta, gamma in meV; Z dimensionless; alpha (rad) is the angle between the
    interface normal and the crystal x axis (d-wave only); sign = +1 or -1 is
    the overall sign of this band's order parameter (s+- scenarios).
    """
    delta: float
    Z: float
    gamma: float
    weight: float = 1.0
    symmetry: str = "s"
    alpha: float = 0.0
    sign: int = 1

    def __post_init__(self):
        V.positive("delta", self.delta)
        V.nonnegative("Z", self.Z)
        V.nonnegative("gamma", self.gamma)
        V.in_range("weight", self.weight, 0.0, 1.0)
        V.choice("symmetry", self.symmetry, _SYMMETRIES)
        V.finite("alpha", self.alpha)
        if self.sign not in (1, -1):
            raise ValueError(f"sign must be +1 or -1, got {self.sign!r}")


@lru_cache(maxsize=64)
def _leggauss(n):
    x, w = np.polynomial.legendre.leggauss(n)
    return x, w


def _nodes_s(Z, n):
    """Nodes u in (0, 1), weights of du (both halves), transparencies tau_N."""
    x, w = _leggauss(n)
    u = 0.5 * (x + 1.0)
    wu = w  # 2 * (1/2): the integrand is even in u, count both halves
    c2 = 1.0 - u * u
    tau = c2 / (c2 + Z * Z) if Z > 0 else np.ones_like(u)
    return tau, wu


def _d_breakpoints(alpha):
    """0, the gap nodes of Delta_+ and Delta_- inside (0, pi/2), and pi/2."""
    pts = set()
    for s in (1.0, -1.0):
        for k in range(-4, 5):
            t = s * alpha + math.pi / 4 + k * math.pi / 2
            if 1e-12 < t < math.pi / 2 - 1e-12:
                pts.add(round(t, 14))
    return [0.0] + sorted(pts) + [math.pi / 2]


def _nodes_d(delta, Z, alpha, n):
    """Half-range theta nodes in (0, pi/2), weights of cos(theta) d theta, tau_N, Delta_+, Delta_-.

    Since Delta_+(-theta) = Delta_-(theta) and tau_N is even, the trajectory at
    -theta is the one at theta with the roles of gamma_+ and gamma_- exchanged;
    the kernel adds both, so only 0 < theta < pi/2 is sampled.
    """
    x, w = _leggauss(n)
    edges = _d_breakpoints(alpha)
    th, wt = [], []
    for a, b in zip(edges[:-1], edges[1:]):
        if b - a < 1e-12:
            continue
        th.append(0.5 * (b - a) * x + 0.5 * (a + b))
        wt.append(0.5 * (b - a) * w)
    th = np.concatenate(th)
    c = np.cos(th)
    wt = np.concatenate(wt) * c
    tau = c * c / (c * c + Z * Z) if Z > 0 else np.ones_like(th)
    dp = delta * np.cos(2.0 * (th - alpha))
    dm = delta * np.cos(2.0 * (th + alpha))
    return tau, wt, dp, dm


def _gap_nodes(gap: Gap, angle_resolved: bool, n_angles):
    """(kind, tau, weights, dplus, dminus) for the kernels."""
    if not angle_resolved:
        tau = np.array([1.0 / (1.0 + gap.Z ** 2)])
        w = np.array([1.0])
        if gap.symmetry == "s":
            return "s", tau, w, None, None
        d0 = gap.delta * math.cos(2.0 * gap.alpha)
        return "a", tau, w, np.array([d0]), np.array([d0])
    if gap.symmetry == "s":
        tau, w = _nodes_s(gap.Z, n_angles or _N_S_DEFAULT)
        return "s", tau, w, None, None
    if n_angles is None:
        # resolve the angular width ~ Gamma / (2 Delta) of the |Delta(theta)| = |E| crossings
        ratio = 2.0 * gap.delta / gap.gamma if gap.gamma > 0 else math.inf
        n_angles = int(min(_N_D_MAX, max(_N_D_DEFAULT, math.ceil(math.pi * ratio))))
    tau, w, dp, dm = _nodes_d(gap.delta, gap.Z, gap.alpha, n_angles)
    return "a2", tau, w, dp, dm


def _g_one(energy, gap: Gap, angle_resolved=True, n_angles=None):
    kind, tau, w, dp, dm = _gap_nodes(gap, angle_resolved, n_angles)
    e = np.ascontiguousarray(energy, dtype=float)
    if kind == "s":
        return K.g_swave(e, float(gap.delta), float(gap.gamma), tau, w)
    return K.g_anisotropic(e, float(gap.gamma), tau, w, dp, dm, kind == "a2")


def _g_one_numpy(energy, gap: Gap, angle_resolved=True, n_angles=None):
    """Plain-NumPy evaluation of the same formula and nodes (reference)."""
    kind, tau, w, dp, dm = _gap_nodes(gap, angle_resolved, n_angles)
    if kind == "s":
        dp = dm = np.full(tau.shape, gap.delta)
    z = np.asarray(energy, dtype=float)[:, None] + 1j * gap.gamma

    def gam(d):
        d = np.abs(d)[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            g = d / (z + np.sqrt(z - d) * np.sqrt(z + d))
        return np.where(d == 0, 0.0, g)

    def sigma_tau(dp, dm):
        gp, gm = gam(dp), gam(dm)
        ph = np.where(dp * dm < 0, -1.0, 1.0)[None, :]
        t = tau[None, :]
        num = 1 + t * np.abs(gp) ** 2 + (t - 1) * np.abs(gp * gm) ** 2
        den = np.abs(1 + (t - 1) * gp * gm * ph) ** 2
        return t * num / den

    if kind == "a2":   # half-range nodes: add the mirror trajectory -theta explicitly
        st = 0.5 * (sigma_tau(dp, dm) + sigma_tau(dm, dp))
    else:
        st = sigma_tau(dp, dm)
    return (w * st).sum(axis=1) / (w * tau).sum()


def _check_gaps(gaps):
    gaps = tuple(gaps)
    if not gaps:
        raise ValueError("gaps must contain at least one Gap")
    for g in gaps:
        if not isinstance(g, Gap):
            raise ValueError(f"gaps must be Gap instances, got {type(g).__name__}")
    wsum = sum(g.weight for g in gaps)
    if abs(wsum - 1.0) > 1e-9:
        raise ValueError(f"the weights of the gaps must sum to 1, got {wsum!r}")
    return gaps


def _check_n_angles(n_angles):
    if n_angles is not None:
        V.integer("n_angles", n_angles, 2, 4096)


def _finite_or_raise(g, what):
    if not np.all(np.isfinite(g)):
        raise ValueError(f"{what}: the conductance is not finite for these parameters; "
                         "use gamma > 0 (or T > 0) to regularize the gap-edge singularity")
    return g


def intrinsic_conductance(energy_mV, delta, Z, gamma, symmetry="s", alpha=0.0,
                          angle_resolved=True, *, n_angles=None):
    """Temperature-independent normalized conductance G(E) of one gap.

    energy_mV: energies (meV, array); delta, gamma: meV; Z: barrier strength;
    symmetry "s" or "d"; alpha: interface angle (rad, d-wave); angle_resolved:
    average over theta with weight tau_N cos(theta) (True) or normal incidence
    only (False; for "s" this is the 1D BTK result (1 + Z^2)(1 + A - B)).
    """
    e = V.finite_array("energy_mV", energy_mV)
    _check_n_angles(n_angles)
    gap = Gap(delta, Z, gamma, 1.0, symmetry, alpha)
    shape = e.shape
    g = _g_one(np.abs(e.ravel()), gap, angle_resolved, n_angles)
    return _finite_or_raise(g, "intrinsic_conductance").reshape(shape)


def energy_grid_step(T, gammas, points_per_width=3.0):
    """Step h (meV) of the smearing grid: min(pi k_B T, min Gamma>0) / points_per_width."""
    kt = K_B_MEV_PER_K * T
    width = math.pi * kt
    pos = [g for g in gammas if g > 0]
    if pos:
        width = min(width, min(pos))
    return width / points_per_width


def smearing_grid(bias_max_mV, T, gammas, points_per_width=3.0):
    """Energy grid for thermal smearing: (egrid, h, kT, cutoff), all in meV.

    The grid 0, h, 2h, ... reaches bias_max_mV + cutoff, with h from
    :func:`energy_grid_step` and the Fermi window cut at 40 k_B T (T > 0, K).
    Raises ValueError if the grid would exceed the size limit.
    """
    kt = K_B_MEV_PER_K * T
    h = energy_grid_step(T, gammas, points_per_width)
    cutoff = _CUTOFF_KT * kt
    n = int(math.ceil((bias_max_mV + cutoff) / h)) + 2
    if n > _MAX_GRID:
        pos = [g for g in gammas if g > 0]
        raise ValueError(
            f"T = {T} K with gamma = {min(pos) if pos else 0} meV needs a smearing grid of {n} "
            f"points (> {_MAX_GRID}); raise T or gamma, lower points_per_width, or use T = 0")
    return np.arange(n) * h, h, kt, cutoff


def _smeared(bias, gaps, T, angle_resolved, n_angles, points_per_width, components, numpy_ref=False):
    vb = np.abs(bias)
    one = _g_one_numpy if numpy_ref else _g_one
    if T == 0.0:
        parts = [one(vb, g, angle_resolved, n_angles) for g in gaps]
    else:
        egrid, h, kt, cutoff = smearing_grid(vb.max(), T, [g.gamma for g in gaps], points_per_width)
        parts_grid = [one(egrid, g, angle_resolved, n_angles) for g in gaps]
        if numpy_ref:
            def smear(gg):
                out = np.empty(bias.shape)
                for i, v in enumerate(bias):
                    j = np.arange(math.ceil((v - cutoff) / h), math.floor((v + cutoff) / h) + 1)
                    x = np.abs(j * h - v) / kt
                    ex = np.exp(-x)
                    out[i] = np.sum(gg[np.minimum(np.abs(j), egrid.size - 1)] * ex / (1 + ex) ** 2) * h / kt
                return out
        else:
            def smear(gg):
                return K.thermal_smear(bias, h, gg, kt, cutoff)
        if components:
            parts = [smear(p) for p in parts_grid]
        else:
            tot = sum(g.weight * p for g, p in zip(gaps, parts_grid))
            return smear(tot), None
    total = sum(g.weight * p for g, p in zip(gaps, parts))
    return total, parts


def _validate_common(bias_mV, T, points_per_width, n_angles):
    b = V.finite_array("bias_mV", bias_mV)
    T = V.nonnegative("T", T)
    V.in_range("points_per_width", points_per_width, 0.5, 100.0)
    _check_n_angles(n_angles)
    if b.size == 0:
        raise ValueError("bias_mV must contain at least one value")
    return b, T


def conductance(bias_mV, delta, Z, gamma, T, symmetry="s", alpha=0.0, angle_resolved=True,
                *, n_angles=None, points_per_width=3.0):
    """Normalized differential conductance G(V) of a N/S point contact (one gap).

    Parameters
    ----------
    bias_mV : array of float
        Bias voltages in mV (any order, any spacing).
    delta : float
        Gap amplitude in meV (> 0); for "d" the maximum Delta_0.
    Z : float
        Barrier strength (>= 0).
    gamma : float
        Dynes broadening in meV (>= 0), entering as E + i gamma in gamma_+-.
    T : float
        Temperature in K (>= 0); T = 0 means no thermal smearing.
    symmetry : {"s", "d"}
    alpha : float
        Angle (rad) between interface normal and crystal x axis (d-wave).
    angle_resolved : bool
        Average over incidence angles (Tanaka-Kashiwaya) or normal incidence only.
    n_angles : int, optional
        Gauss-Legendre nodes (s: on 0<u<1, default 24; d: per panel between
        gap nodes, default max(16, pi * 2 delta / gamma) capped at 256).
    points_per_width : float
        Smearing-grid points per min(pi k_B T, gamma) (accuracy control).

    Returns
    -------
    numpy.ndarray of the same shape as ``bias_mV``: G normalized to the normal state.
    """
    b, T = _validate_common(bias_mV, T, points_per_width, n_angles)
    gap = Gap(delta, Z, gamma, 1.0, symmetry, alpha)
    shape = b.shape
    g, _ = _smeared(np.ascontiguousarray(b.ravel()), (gap,), T, bool(angle_resolved),
                    n_angles, float(points_per_width), False)
    return _finite_or_raise(g, "conductance").reshape(shape)


def conductance_multi(bias_mV, gaps, T, angle_resolved=True, *, return_components=False,
                      n_angles=None, points_per_width=3.0):
    """Multi-band conductance G(V) = sum_i w_i G_i(V) (the paper's G_t, smeared).

    gaps: sequence of :class:`Gap` (weights sum to 1). Bias in mV, T in K.
    With ``return_components=True`` returns (G, [G_i]) where the G_i are the
    smeared single-band conductances (G = sum w_i G_i).

    The bands add incoherently, so the overall sign of a band's gap
    (``Gap.sign``, s+- scenarios) drops out of G; within a band the phase
    enters through exp(i phi_d) = sign(Delta_+ Delta_-) (d-wave).
    """
    b, T = _validate_common(bias_mV, T, points_per_width, n_angles)
    gaps = _check_gaps(gaps)
    shape = b.shape
    g, parts = _smeared(np.ascontiguousarray(b.ravel()), gaps, T, bool(angle_resolved),
                        n_angles, float(points_per_width), bool(return_components))
    g = _finite_or_raise(g, "conductance_multi").reshape(shape)
    if return_components:
        return g, [p.reshape(shape) for p in parts]
    return g


def _conductance_numpy(bias_mV, gaps, T, angle_resolved=True, n_angles=None, points_per_width=3.0):
    """Plain-NumPy evaluation of exactly the same discretization (benchmark/tests)."""
    b = np.asarray(bias_mV, dtype=float)
    g, _ = _smeared(b, tuple(gaps), float(T), angle_resolved, n_angles, points_per_width,
                    False, numpy_ref=True)
    return g


# ------------------------------------------------------------- textbook pieces
def btk_amplitudes(energy_mV, delta, Z, gamma=0.0):
    """BTK amplitudes (a, b) of Andreev and normal reflection at normal incidence.

    From matching at a delta barrier (chapter 4): with g = gamma(E + i Gamma, Delta),
    a = g / (1 + Z^2 (1 - g^2)),  b = -Z (Z + i)(1 - g^2) / (1 + Z^2 (1 - g^2)).
    """
    e = V.finite_array("energy_mV", energy_mV)
    V.positive("delta", delta)
    V.nonnegative("Z", Z)
    V.nonnegative("gamma", gamma)
    z = e + 1j * gamma
    zz = np.where(e < 0, -np.conj(z), z)  # G is even: evaluate at |E| + i gamma
    g = delta / (zz + np.sqrt(zz - delta) * np.sqrt(zz + delta))
    g = np.where(e < 0, -np.conj(g), g)
    den = 1 + Z ** 2 * (1 - g ** 2)
    return g / den, -Z * (Z + 1j) * (1 - g ** 2) / den


def btk_coefficients(energy_mV, delta, Z, gamma=0.0):
    """BTK probabilities (A, B) = (|a|^2, |b|^2) at normal incidence (meV)."""
    a, b = btk_amplitudes(energy_mV, delta, Z, gamma)
    return np.abs(a) ** 2, np.abs(b) ** 2


def dynes_dos(energy_mV, delta, gamma):
    """Dynes density of states Re[(E + i Gamma)/sqrt((E + i Gamma)^2 - Delta^2)] (meV)."""
    e = V.finite_array("energy_mV", energy_mV)
    V.positive("delta", delta)
    V.nonnegative("gamma", gamma)
    z = np.abs(e) + 1j * gamma
    return np.real(z / (np.sqrt(z - delta) * np.sqrt(z + delta)))


# ------------------------------------------------------------- normalization
@dataclass(frozen=True)
class NormalizedSpectrum:
    """Spectrum divided by a polynomial normal-state background.

    bias (mV), G (normalized), background (same units as the raw dI/dV),
    coefficients (numpy.polynomial power basis in V/mV, low order first),
    v_min (mV): |V| >= v_min was used for the background fit.
    """
    bias: np.ndarray
    G: np.ndarray
    background: np.ndarray
    coefficients: tuple
    v_min: float
    degree: int


def normalize(bias_mV, didv, degree=2, outer_fraction=0.3, v_min=None):
    """Divide raw dI/dV by a polynomial fitted to the high-bias (normal-like) part.

    The background is fitted on |V| >= v_min (default: the outer
    ``outer_fraction`` of the bias range, i.e. v_min = (1 - outer_fraction) max|V|),
    as in the polynomial normal-state normalization used by the paper.
    """
    b = V.finite_array("bias_mV", bias_mV, ndim=1)
    y = V.finite_array("didv", didv, ndim=1)
    if b.shape != y.shape:
        raise ValueError(f"bias_mV and didv must have the same length, got {b.size} and {y.size}")
    degree = V.integer("degree", degree, 0, 8)
    vmax = float(np.max(np.abs(b)))
    if v_min is None:
        V.in_range("outer_fraction", outer_fraction, 0.0, 1.0, lo_open=True)
        v_min = (1.0 - outer_fraction) * vmax
    else:
        v_min = V.in_range("v_min", v_min, 0.0, vmax, hi_open=True)
    sel = np.abs(b) >= v_min
    if sel.sum() < degree + 2:
        raise ValueError(f"only {int(sel.sum())} points with |bias| >= v_min = {v_min:.3g} mV; "
                         f"need at least degree + 2 = {degree + 2}")
    p = np.polynomial.Polynomial.fit(b[sel], y[sel], degree).convert()
    bg = p(b)
    if np.any(bg <= 0):
        raise ValueError("the polynomial background is not positive over the bias range; "
                         "lower degree or change v_min")
    return NormalizedSpectrum(b, y / bg, bg, tuple(float(c) for c in p.coef), float(v_min), degree)


# ------------------------------------------------------------- fitting
@dataclass(frozen=True)
class BTKFit:
    """Result of :func:`fit`.

    values / stderr: dict parameter -> value (meV for delta*, gamma*; rad for
    alpha*); stderr entries are None when the covariance could not be estimated
    or the parameter sits at a bound of its range (listed in ``at_bounds``).
    correlations: dict "p1,p2" -> correlation coefficient (|c| >= 0.1).
    gaps: tuple of :class:`Gap` at the best fit; best_fit and components are
    the normalized model at ``bias``; data is the normalized data (raw data
    divided by the fitted ``background`` when the background was fitted,
    background = 1 otherwise); bg0, bg1 ... are the background coefficients in
    powers of V / max|V|.
    """
    symmetry: tuple
    T: float
    values: dict
    stderr: dict
    correlations: dict
    chisqr: float
    redchi: float
    ndata: int
    nvarys: int
    aic: float
    bic: float
    success: bool
    n_starts: int
    gaps: tuple
    bias: np.ndarray
    data: np.ndarray
    sigma: np.ndarray | None
    best_fit: np.ndarray
    components: tuple
    message: str = ""
    background: np.ndarray | None = None
    at_bounds: tuple = ()
    lmfit_result: object = field(default=None, repr=False, compare=False)

    @property
    def rms(self) -> float:
        """Root-mean-square residual of the normalized conductance."""
        return float(np.sqrt(np.mean((self.data - self.best_fit) ** 2)))

    def report(self) -> str:
        lines = [f"BTK fit: {len(self.gaps)} gap(s), symmetry {'+'.join(self.symmetry)}, T = {self.T} K"]
        if self.sigma is not None:
            lines.append(f"  reduced chi^2 = {self.redchi:.4g}  (N = {self.ndata}, {self.nvarys} free)")
        else:
            lines.append(f"  rms residual of normalized G = {self.rms:.3g}  (N = {self.ndata}, "
                         f"{self.nvarys} free; no sigma given: uncertainties scaled by the residuals)")
        for k, v in self.values.items():
            e = self.stderr.get(k)
            unit = " meV" if k.startswith(("delta", "gamma")) else (" rad" if k.startswith("alpha") else "")
            if k in self.at_bounds:
                lines.append(f"  {k:8s} = {v:.5g}{unit} (at a bound of its range; no uncertainty)")
            elif e is not None:
                lines.append(f"  {k:8s} = {v:.5g} +/- {e:.2g}{unit}")
            else:
                lines.append(f"  {k:8s} = {v:.5g}{unit} (uncertainty not estimated)")
        strong = {k: c for k, c in self.correlations.items() if abs(c) >= 0.5}
        if strong:
            lines.append("  strong correlations: " + ", ".join(f"{k}: {c:+.2f}" for k, c in strong.items()))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "symmetry": list(self.symmetry), "T_K": self.T,
            "parameters": {k: {"value": v, "stderr": self.stderr.get(k),
                               "unit": "meV" if k.startswith(("delta", "gamma")) else
                               ("rad" if k.startswith("alpha") else "")}
                           for k, v in self.values.items()},
            "correlations": self.correlations, "chisqr": self.chisqr, "redchi": self.redchi,
            "rms_residual": self.rms, "sigma_given": self.sigma is not None,
            "ndata": self.ndata, "nvarys": self.nvarys, "aic": self.aic, "bic": self.bic,
            "success": self.success, "n_starts": self.n_starts, "message": self.message,
            "at_bounds": list(self.at_bounds),
        }


def _symmetrized(b, g):
    """|V| grid and the even part of G (where both signs are present)."""
    order = np.argsort(b)
    b, g = b[order], g[order]
    pos = np.abs(b)
    vmax_common = min(-b.min(), b.max()) if b.min() < 0 < b.max() else 0.0
    if vmax_common > 0:
        v = np.sort(np.unique(pos[pos <= vmax_common]))
        ge = 0.5 * (np.interp(v, b, g) + np.interp(-v, b, g))
        return v, ge
    o = np.argsort(pos)
    return pos[o], g[o]


def initial_guess(bias_mV, G, n_gaps=2):
    """Automatic starting gaps (meV) from the spectrum's features.

    Candidates are the coherence peaks of the symmetrized G(|V|) and the
    steepest drops of G (the gap edge of a flat-topped Andreev plateau);
    peaks rank before edges, each ranked by prominence. Returns a list of n_gaps gaps, largest first.
    """
    from scipy.signal import find_peaks

    b = V.finite_array("bias_mV", bias_mV, ndim=1)
    g = V.finite_array("G", G, ndim=1)
    n_gaps = V.integer("n_gaps", n_gaps, 1, 2)
    v, ge = _symmetrized(b, g)
    vmax = float(v.max())
    # noise level from second differences; smooth over ~2 % of the points
    noise = float(np.median(np.abs(np.diff(ge, 2)))) / (0.6745 * math.sqrt(6)) if v.size > 3 else 0.0
    k = 1
    if v.size >= 9:
        k = max(3, v.size // 50) | 1
        ge = np.convolve(np.pad(ge, k // 2, mode="edge"), np.ones(k) / k, mode="valid")
    floor = 5.0 * noise / math.sqrt(k)
    cands = []
    span = float(np.ptp(ge)) or 1.0
    pk, pr = find_peaks(ge, prominence=max(0.01 * span, floor))
    cands += [(1.0 + p / span, v[i]) for i, p in zip(pk, pr["prominences"])]
    if v.size >= 5:
        d = -np.gradient(ge, v)
        dspan = float(np.ptp(d)) or 1.0
        dk, dr = find_peaks(d, prominence=0.05 * dspan)
        cands += [(0.5 * p / dspan, v[i]) for i, p in zip(dk, dr["prominences"])]
    cands = [(p, e) for p, e in cands if 0.02 * vmax < e < 0.7 * vmax]
    cands.sort(reverse=True)
    gaps = []
    for _, e in cands:
        if all(abs(e - x) > 0.25 * max(e, x) for x in gaps):
            gaps.append(float(e))
        if len(gaps) == n_gaps:
            break
    defaults = [0.3 * vmax, 0.08 * vmax]
    while len(gaps) < n_gaps:
        gaps.append(next(x for x in defaults if all(abs(x - y) > 0.25 * max(x, y) for y in gaps)))
    return sorted(gaps, reverse=True)


def _names(n_gaps, symmetry):
    names = []
    for i in range(n_gaps):
        names += [f"delta{i + 1}", f"Z{i + 1}", f"gamma{i + 1}"]
        if symmetry[i] == "d":
            names.append(f"alpha{i + 1}")
    if n_gaps == 2:
        names.append("w1")
    return names


def _gaps_from(vals, n_gaps, symmetry):
    w1 = vals.get("w1", 1.0)
    ws = [w1, 1.0 - w1][:n_gaps]
    return tuple(Gap(vals[f"delta{i + 1}"], vals[f"Z{i + 1}"], vals[f"gamma{i + 1}"], ws[i],
                     symmetry[i], vals.get(f"alpha{i + 1}", 0.0)) for i in range(n_gaps))


def _propagate_covariance(result, names, vals):
    """Standard errors and correlations of ``names`` from the lmfit covariance.

    The fit varies r21 = delta2/delta1 instead of delta2; the covariance of
    (delta1, delta2, ...) follows by the linear transformation J C J^T.
    """
    errs = {k: None for k in names}
    corr = {}
    C = getattr(result, "covar", None)
    var = list(getattr(result, "var_names", []) or [])
    if C is None or not var or not np.all(np.isfinite(C)):
        return errs, corr
    J = np.zeros((len(names), len(var)))
    for i, nm in enumerate(names):
        if nm in var:
            J[i, var.index(nm)] = 1.0
        elif nm == "delta2" and "r21" in var:
            J[i, var.index("r21")] = vals["delta1"]
            if "delta1" in var:
                J[i, var.index("delta1")] = result.params["r21"].value
    cov = J @ C @ J.T
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    for i, nm in enumerate(names):
        if J[i].any() and sd[i] > 0:
            errs[nm] = float(sd[i])
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            if sd[i] > 0 and sd[j] > 0:
                c = cov[i, j] / (sd[i] * sd[j])
                if abs(c) >= 0.1:
                    corr[f"{a},{names[j]}"] = float(c)
    return errs, corr


def fit(bias_mV, G, *, n_gaps=2, symmetry="s", T=3.0, sigma=None, starts=6,
        initial=None, bounds=None, fixed=None, angle_resolved=True, seed=0, n_angles=None,
        points_per_width=3.0, background_degree=None, bg_outer_fraction=0.3):
    """Fit a normalized spectrum with a one- or two-gap BTK model (lmfit).

    Parameters
    ----------
    bias_mV, G : arrays
        Bias (mV) and normalized conductance; with ``background_degree`` the raw
        dI/dV (any unit).
    n_gaps : 1 or 2
    symmetry : sequence of "s"/"d" (one per gap), a string like "s,d", or one
        symmetry for all gaps (default "s").
    T : float
        Temperature (K), held fixed.
    sigma : float or array, optional
        Noise of G. If given, chi^2 uses it and the uncertainties are not
        rescaled; if None, uncertainties are scaled by sqrt(reduced chi^2).
    starts : int
        Number of starting points of the multi-start search (>= 1): the
        automatic guess plus systematic variations of Z, Gamma and the gaps.
        Each start is optimized on a subsample of <= 201 points with a
        cheaper quadrature (12 angle nodes, 2 smearing points per width); the
        best is refined on all points at full accuracy (Levenberg-Marquardt,
        covariance -> errors).
    initial, bounds, fixed : dict, optional
        Override starting values (used by the first start; the other starts
        vary around them), (min, max) bounds, or fix parameters at given
        values (names delta1, Z1, gamma1, alpha1, ..., w1). Gap 1 is the
        larger one: the fit varies r21 = delta2/delta1 in (0.01, 1) unless
        delta2 is fixed or bounded explicitly.
    points_per_width : float
        Smearing-grid resolution used during the fit (see :func:`conductance`).
    background_degree : int, optional
        Fit the raw dI/dV as P(V) * G_BTK(V) with a polynomial normal-state
        background P of this degree whose coefficients (``bg0``, ``bg1`` ...,
        in powers of V / max|V|) are fitted together with the BTK parameters
        (started from :func:`normalize` on the outer ``bg_outer_fraction``).
        This avoids the bias of normalizing first when the BTK tails have not
        reached 1 at the largest bias (large Gamma / Delta).

    Returns
    -------
    BTKFit
    """
    import lmfit

    b = V.finite_array("bias_mV", bias_mV, ndim=1)
    y = V.finite_array("G", G, ndim=1)
    if b.shape != y.shape:
        raise ValueError(f"bias_mV and G must have the same length, got {b.size} and {y.size}")
    n_gaps = V.integer("n_gaps", n_gaps, 1, 2)
    if isinstance(symmetry, str):
        symmetry = tuple(s.strip() for s in symmetry.split(","))
    symmetry = tuple(symmetry)
    if len(symmetry) == 1:
        symmetry = symmetry * n_gaps
    if len(symmetry) != n_gaps:
        raise ValueError(f"symmetry must give one of 's'/'d' per gap ({n_gaps}), got {symmetry!r}")
    for s in symmetry:
        V.choice("symmetry", s, _SYMMETRIES)
    T = V.nonnegative("T", T)
    starts = V.integer("starts", starts, 1, 200)
    names = _names(n_gaps, symmetry)
    if background_degree is not None:
        background_degree = V.integer("background_degree", background_degree, 0, 6)
        names += [f"bg{k}" for k in range(background_degree + 1)]
    npar = len(names)
    if b.size < max(3 * npar, 20):
        raise ValueError(f"bias_mV has {b.size} points; a {n_gaps}-gap fit needs at least "
                         f"{max(3 * npar, 20)}")
    if sigma is None:
        sig = None
    else:
        sig = np.broadcast_to(V.finite_array("sigma", sigma), b.shape).astype(float)
        if np.any(sig <= 0):
            raise ValueError("sigma must be positive")
    for nm, dct in (("initial", initial), ("bounds", bounds), ("fixed", fixed)):
        for k in (dct or {}):
            if k not in names:
                raise ValueError(f"{nm} has unknown parameter {k!r}; allowed: {names}")

    vmax = float(np.max(np.abs(b)))
    steps = np.diff(np.sort(b))
    gmin = max(0.01, 0.25 * float(np.median(steps)))
    lo_hi = {}
    for i in range(n_gaps):
        lo_hi[f"delta{i + 1}"] = (max(0.005 * vmax, gmin), 1.2 * vmax)
        lo_hi[f"Z{i + 1}"] = (0.0, 5.0)
        lo_hi[f"gamma{i + 1}"] = (gmin, 0.5 * vmax)
        lo_hi[f"alpha{i + 1}"] = (0.0, math.pi / 4)
    lo_hi["w1"] = (0.02, 0.98)
    lo_hi.update(bounds or {})

    xs = b / vmax
    if background_degree is not None:
        ns0 = normalize(b, y, degree=background_degree, outer_fraction=bg_outer_fraction)
        c0 = np.polynomial.Polynomial(ns0.coefficients)
        cx = np.polynomial.Polynomial.fit(xs, c0(b), background_degree).convert().coef
        for k in range(background_degree + 1):
            lo_hi[f"bg{k}"] = (bounds or {}).get(f"bg{k}", (-np.inf, np.inf))
        yn = ns0.G
    else:
        cx = None
        yn = y
    guess_d = initial_guess(b, yn, n_gaps)
    base = {}
    for i in range(n_gaps):
        base[f"delta{i + 1}"] = guess_d[i]
        base[f"Z{i + 1}"] = 0.5
        base[f"gamma{i + 1}"] = max(0.15 * guess_d[i], 1.5 * gmin)
        base[f"alpha{i + 1}"] = 0.0
    base["w1"] = 0.5
    if cx is not None:
        for k in range(background_degree + 1):
            base[f"bg{k}"] = float(cx[k]) if k < cx.size else 0.0
    base.update(initial or {})
    fixed = dict(fixed or {})

    rng = np.random.default_rng(seed)
    variants = [dict()]
    systematic = []
    if n_gaps == 2:
        # the largest feature is gap 1 with a small gap 2; or it is gap 2
        # under a broad gap 1 (guards against a spurious large-bias feature)
        systematic += [{"D1": guess_d[0], "r": 0.25, "Z": 0.5, "g": 0.2},
                       {"D1": guess_d[1], "r": 0.25, "Z": 0.5, "g": 0.2}]
    systematic += [{"Z": 0.2, "g": 0.05}, {"Z": 1.0, "g": 0.15}, {"Z": 0.5, "g": 0.4},
                   {"Z": 0.25, "g": 0.25, "d": 0.8}, {"Z": 0.8, "g": 0.05, "d": 1.15}]
    variants += systematic
    while len(variants) < starts:
        variants.append({"Z": float(rng.uniform(0.05, 1.5)), "g": float(rng.uniform(0.03, 0.5)),
                         "d": float(rng.uniform(0.75, 1.25)), "w": float(rng.uniform(0.2, 0.8)),
                         "a": float(rng.uniform(0, math.pi / 4))})
    variants = variants[:starts]

    # gap 1 is the larger gap: delta2 = r21 * delta1 with 0 < r21 < 1 (unless the
    # caller fixes or bounds delta2 explicitly)
    ordered = (n_gaps == 2 and "delta2" not in fixed and "delta2" not in (bounds or {}))

    def make_params(var):
        p = lmfit.Parameters()
        for nm in names:
            val = base[nm]
            root = nm.rstrip("12")
            if "D1" in var:
                dvar = {"delta1": var["D1"], "delta2": var["D1"] * var["r"]}
            else:
                dvar = {k: base[k] * var.get("d", 1.0) for k in ("delta1", "delta2") if k in base}
            if root == "Z" and "Z" in var:
                val = var["Z"]
            elif root == "gamma" and "g" in var:
                val = var["g"] * dvar["delta" + nm[-1]]
            elif root == "delta" and ("d" in var or "D1" in var):
                val = dvar[nm]
            elif root == "w" and "w" in var:
                val = var["w"]
            elif root == "alpha" and "a" in var:
                val = var["a"]
            lo, hi = lo_hi[nm]
            if nm in fixed:
                p.add(nm, value=float(fixed[nm]), vary=False)
            elif nm == "delta2" and ordered:
                r = min(max(val / p["delta1"].value, 0.02), 0.98)
                p.add("r21", value=r, min=0.01, max=1.0)
                p.add("delta2", expr="r21*delta1")
            elif not np.isfinite(hi - lo):
                p.add(nm, value=float(val), min=lo, max=hi)
            else:
                p.add(nm, value=float(min(max(val, lo + 1e-9 * (hi - lo)), hi - 1e-9 * (hi - lo))),
                      min=lo, max=hi)
        return p

    def bgpoly(vals, bb):
        if background_degree is None:
            return 1.0
        return np.polynomial.polynomial.polyval(bb / vmax, [vals[f"bg{k}"] for k in range(background_degree + 1)])

    def model(params, bb, coarse=False):
        vals = params.valuesdict()
        gaps = _gaps_from(vals, n_gaps, symmetry)
        if coarse:   # search phase: cheaper quadrature (errors ~1e-4), refined in the polish
            return bgpoly(vals, bb) * conductance_multi(bb, gaps, T, angle_resolved,
                                                        n_angles=n_angles or 12, points_per_width=2.0)
        return bgpoly(vals, bb) * conductance_multi(bb, gaps, T, angle_resolved, n_angles=n_angles,
                                                    points_per_width=points_per_width)

    def resid(params, bb, yy, ss, coarse=False):
        r = model(params, bb, coarse) - yy
        return r if ss is None else r / ss

    npts = b.size
    sub = np.unique(np.linspace(0, npts - 1, min(npts, 201)).round().astype(int))
    bs, ys = b[sub], y[sub]
    ss = None if sig is None else sig[sub]
    trials = []
    for var in variants:
        p0 = make_params(var)
        r = lmfit.minimize(resid, p0, args=(bs, ys, ss, True), method="least_squares",
                           xtol=1e-6, ftol=1e-7, max_nfev=300)
        trials.append((r.chisqr, r))
    trials.sort(key=lambda t: t[0])
    best = trials[0][1]
    pfin = best.params.copy()
    final = lmfit.minimize(resid, pfin, args=(b, y, sig), method="leastsq",
                           scale_covar=sig is None, xtol=1e-9, ftol=1e-10, max_nfev=200 * (npar + 1))

    vals = {k: float(final.params[k].value) for k in names}
    errs, corr = _propagate_covariance(final, names, vals)
    at_bounds = []
    for nm, par in final.params.items():
        if not par.vary or par.expr is not None:
            continue
        lo, hi = par.min, par.max
        span = (hi - lo) if np.isfinite(hi - lo) else max(abs(par.value), 1.0)
        if (np.isfinite(lo) and par.value - lo <= 1e-6 * span) or (np.isfinite(hi) and hi - par.value <= 1e-6 * span):
            at_bounds.append("delta2" if nm == "r21" else nm)
    for nm in at_bounds:
        errs[nm] = None
    corr = {k: c for k, c in corr.items() if not set(k.split(",")) & set(at_bounds)}

    gaps = _gaps_from(vals, n_gaps, symmetry)
    best_fit, comps = conductance_multi(b, gaps, T, angle_resolved, return_components=True,
                                        n_angles=n_angles, points_per_width=points_per_width)
    bg = np.broadcast_to(np.asarray(bgpoly(vals, b), dtype=float), b.shape).copy()
    if np.any(bg <= 0):
        raise ValueError("the fitted background polynomial is not positive over the bias range; "
                         "lower background_degree")
    ndata = int(b.size)
    nvarys = int(final.nvarys)
    r = bg * best_fit - y if sig is None else (bg * best_fit - y) / sig
    chisqr = float(np.sum(r ** 2))
    redchi = chisqr / max(ndata - nvarys, 1)
    return BTKFit(symmetry=symmetry, T=T, values=vals, stderr=errs, correlations=corr,
                  chisqr=chisqr, redchi=redchi, ndata=ndata, nvarys=nvarys,
                  aic=float(final.aic), bic=float(final.bic), success=bool(final.success),
                  n_starts=len(variants), gaps=gaps, bias=b, data=y / bg, sigma=sig,
                  best_fit=best_fit, components=tuple(comps), message=str(final.message),
                  background=bg, at_bounds=tuple(at_bounds), lmfit_result=final)


# ------------------------------------------------------------- gap vs temperature
def gap_bcs(T, delta0, Tc, a=1.74):
    """BCS-like interpolation Delta(T) = Delta0 tanh(a sqrt(Tc/T - 1)) (0 above Tc); K, meV."""
    t = V.finite_array("T", T)
    V.positive("delta0", delta0)
    V.positive("Tc", Tc)
    V.positive("a", a)
    if np.any(t < 0):
        raise ValueError("T must be >= 0 K")
    with np.errstate(divide="ignore"):
        x = np.where(t < Tc, np.sqrt(np.maximum(Tc / np.maximum(t, 1e-300) - 1.0, 0.0)), 0.0)
    return delta0 * np.tanh(a * x)


@dataclass(frozen=True)
class GapTemperatureFit:
    """Delta0 (meV), Tc (K), ratio 2 Delta0 / k_B Tc with standard errors and their correlation."""
    delta0: float
    delta0_err: float
    Tc: float
    Tc_err: float
    ratio: float
    ratio_err: float
    correlation: float
    redchi: float


def fit_gap_temperature(T, delta, sigma=None, a=1.74, Tc_guess=None):
    """Fit Delta(T) data (K, meV) with :func:`gap_bcs` (Delta0, Tc free; lmfit)."""
    import lmfit

    t = V.finite_array("T", T, ndim=1)
    d = V.finite_array("delta", delta, ndim=1)
    if t.shape != d.shape or t.size < 3:
        raise ValueError("T and delta must have the same length >= 3")
    if np.any(d <= 0) or np.any(t <= 0):
        raise ValueError("T and delta must be positive")
    s = None if sigma is None else np.broadcast_to(V.finite_array("sigma", sigma), t.shape)
    p = lmfit.Parameters()
    p.add("delta0", value=float(d.max()), min=0.0)
    p.add("Tc", value=float(Tc_guess or 1.6 * t.max()), min=float(t.max()) * 1.0001)

    def resid(pp):
        r = gap_bcs(t, pp["delta0"].value, pp["Tc"].value, a) - d
        return r if s is None else r / s

    r = lmfit.minimize(resid, p, method="leastsq", scale_covar=sigma is None)
    d0, tc = r.params["delta0"].value, r.params["Tc"].value
    e0, etc = r.params["delta0"].stderr, r.params["Tc"].stderr
    if e0 is None or etc is None:
        from .errors import ConvergenceError
        raise ConvergenceError(f"gap(T) fit gave no covariance (reached delta0={d0}, Tc={tc})",
                               iterations=r.nfev, residual=r.chisqr, last=(d0, tc))
    c = (r.params["delta0"].correl or {}).get("Tc", 0.0)
    ratio = 2 * d0 / (K_B_MEV_PER_K * tc)
    rel = math.sqrt((e0 / d0) ** 2 + (etc / tc) ** 2 - 2 * c * (e0 / d0) * (etc / tc))
    return GapTemperatureFit(float(d0), float(e0), float(tc), float(etc), float(ratio),
                             float(ratio * rel), float(c), float(r.redchi))


# ------------------------------------------------------------- side estimates (SI)
def coherence_length_from_hc2(mu0_hc2_T):
    """GL coherence length xi (m) from mu0 Hc2(0) = Phi0 / (2 pi xi^2) (field in T)."""
    from scipy.constants import physical_constants
    b = V.positive("mu0_hc2_T", mu0_hc2_T)
    phi0 = physical_constants["mag. flux quantum"][0]
    return math.sqrt(phi0 / (2 * math.pi * b))


def mean_free_path(k_F, rho, n):
    """Drude mean free path l = m_e v_F / (n e^2 rho) = hbar k_F / (n e^2 rho) (SI: 1/m, Ohm m, 1/m^3) in m."""
    from scipy.constants import e, hbar
    k = V.positive("k_F", k_F)
    r = V.positive("rho", rho)
    nn = V.positive("n", n)
    return hbar * k / (nn * e ** 2 * r)


def sharvin_resistance(a, rho, l):
    """Sharvin resistance R_S = 4 rho l / (3 pi a^2) (Ohm) of a contact of radius a (m)."""
    aa = V.positive("a", a)
    return 4 * V.positive("rho", rho) * V.positive("l", l) / (3 * math.pi * aa ** 2)


def sharvin_radius(R, rho, l):
    """Contact radius a (m) from the Sharvin formula R = 4 rho l / (3 pi a^2)."""
    return math.sqrt(4 * V.positive("rho", rho) * V.positive("l", l) / (3 * math.pi * V.positive("R", R)))


def table3_gaps(T_K, w1=0.5):
    """The two s-wave :class:`Gap` of the :data:`TABLE3` row at temperature ``T_K`` (K).

    The table gives no band weight; ``w1`` (weight of the larger gap) is the
    caller's choice (the book uses 0.5).
    """
    hit = np.nonzero(TABLE3[:, 0] == V.finite("T_K", T_K))[0]
    if hit.size == 0:
        raise ValueError(f"T_K must be one of {TABLE3[:, 0].tolist()}, got {T_K!r}")
    V.in_range("w1", w1, 0.0, 1.0)
    _, g1, g2, z1, z2, d1, d2 = TABLE3[hit[0]]
    return (Gap(d1, z1, g1, w1, "s"), Gap(d2, z2, g2, 1.0 - w1, "s"))
