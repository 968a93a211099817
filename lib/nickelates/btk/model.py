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
  Gauss-Legendre is used on each panel. With Gamma = 0 the integrand has
  square-root kinks where |Delta_+-(theta)| = E, and the maximum node count
  (256 per panel) is used: accurate to ~1e-3.
* Thermal smearing: G(E) is even in E, so it is tabulated on an energy grid
  E_j = j h (j >= 0) that is *independent of the data grid*, and the
  convolution at each bias is the trapezoid rule on that grid. The integrand
  is analytic in a strip of half-width min(pi k_B T, Gamma) around the real
  axis, so the error falls exponentially with p = points per width
  (``points_per_width``); measured on the Table 3 spectra the maximum error
  is ~5e-2, 2e-4 and 6e-7 for p = 1, 2, 3 (default 3; checked in the tests
  against a refined grid).

* Gamma = 0 at T > 0: G(E) has square-root branch points (and, towards the
  tunnel limit, the inverse square root of the BCS density of states) at
  E = Delta, so the uniform trapezoid grid would err by 1e-2. Instead the
  convolution uses Gauss-Legendre panels (8 nodes, width <= 2 k_B T) with the
  gap edges as breakpoints and E = Delta +- u^2 on the panels next to them
  (32 nodes), where G is analytic in u. Measured against adaptive quadrature
  (tests): below 1e-6 for s-wave at 3 K for Z = 0 ... 3, the Dynes model and P = 0.6;
  for d-wave the angular quadrature's ~1e-3 (above) dominates.

Spin polarization (Mazin; Strijkers et al.)
--------------------------------------------
G = (1 - P) G_unpolarized + P G_polarized. In the fully polarized channel the
Andreev hole is evanescent, a e^{k_F x} on the normal side (x < 0). Matching
at the delta barrier (continuity, derivative jump 2 k_F Z psi) with
electron-like (1, gamma_+) and hole-like (gamma_-, 1) quasiparticles in S gives
with p = gamma_+ gamma_- exp(i phi_d), Z_theta = Z / cos(theta):

    tau_N sigma_p = 1 - |b_p|^2
                  = (1 + 2 Z_theta + 2 Z_theta^2)(1 - |p|^2) / |1 + (1 - p) Z_theta (1 + Z_theta + i Z_theta)|^2.

No Andreev current; zero below the gap at Gamma = 0 for every Z; Mazin's
4 E s / (E + s)^2 (s = sqrt(E^2 - Delta^2)) at Z = 0; tau_N at p = 0; the
density of states times tau_N for Z -> infinity (tests solve the 4 x 4
matching equations numerically).

Tunnel model (``model="dynes"``)
--------------------------------
The Z -> infinity limit of the Tanaka-Kashiwaya formula: sigma_S ->
(1 - |p|^2) / |1 - p|^2, averaged with tau_N ~ cos^2 theta; for s-wave exactly
the Dynes DOS Re[(E + i Gamma) / sqrt((E + i Gamma)^2 - Delta^2)].

Spin-split tunnel DOS (``model="zeeman"``)
-------------------------------------------
N(E) = [N_0(E + h) + N_0(E - h)] / 2 with N_0 the Dynes DOS, or with orbital depairing zeta the
Abrikosov-Gor'kov/Maki DOS Re[u / sqrt(u^2 - 1)], E + i Gamma = Delta u (1 - zeta / sqrt(1 - u^2))
(derivation in :func:`spin_split_dos`); thermally smeared like the Dynes model.

Superconducting tip (``model="sis"``)
-------------------------------------
dI/dV of I(V) ~ int N_t(E - eV) N_s(E) [f(E - eV) - f(E)] dE, differentiated analytically under
the integral and evaluated as two FFT correlations on a lattice of step min(Gamma_s, Gamma_t,
pi k_B T) / points_per_width (:func:`_sis_conductance`); coherence peaks at +-(Delta_t + Delta_s).

Lock-in instrument function (``lockin_mV``)
-------------------------------------------
A modulation V_m cos(omega t) (PEAK amplitude V_m; rms = V_m / sqrt(2)) read at the first harmonic
measures int W(v) dI/dV(V + v) dv with W(v) = 2 sqrt(V_m^2 - v^2) / (pi V_m^2) for |v| < V_m
(derivation and quadrature in :func:`lockin_nodes`); applied last, to the measured bias.

Series resistance and bias offset
---------------------------------
With r = R_s / R_N the measured bias is V - V0 = V_j + I R_s, and
G(V) = (1 + r) g(V_j) / (1 + r g(V_j)) (normalized to 1 / (R_N + R_s)),
computed on a junction-voltage grid (step <= 1/8 of the smallest smoothing
width) with Simpson's cumulative integral for I and cubic splines.

Valid box
---------
0 < delta <= 1e6 meV, 0 <= Z <= 1e6, 0 <= gamma <= 1e6 meV, 0 <= T <= 1e5 K,
finite real bias, 0 <= P <= 1, 0 <= R_s / R_N <= 1e3, |V0| <= 1e6 mV, 0 <= h <= 1e6 meV,
0 <= zeta <= 1, 0 < tip_gap <= 1e6 meV, 0 <= lockin_mV <= 1e6 mV; the smearing
grid may hold at most 2,000,000 points.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import _validate as check
from ..kernels import btk as kernels
from ._keywords import renamed_keywords

__all__ = [
    "K_B_MEV_PER_K", "Gap", "intrinsic_conductance", "conductance",
    "conductance_multi", "conductance_reference", "btk_amplitudes", "btk_coefficients",
    "dynes_dos", "energy_grid_step", "smearing_grid", "check_gaps", "DwaveOrientation", "dwave_orientation",
    "DELTA_MAX", "GAMMA_MAX", "Z_MAX", "T_MAX", "MAX_GRID", "RS_MAX", "MODELS",
    "trajectory_conductance", "smear_thermally", "H_MAX", "ZETA_MAX", "LOCKIN_MAX", "lockin_nodes",
    "spin_split_dos",
]

K_B_MEV_PER_K = 8.617333262e-2  # meV / K
"""Boltzmann constant in meV / K."""

DELTA_MAX = 1e6   #: largest gap accepted (meV)
GAMMA_MAX = 1e6   #: largest Dynes broadening accepted (meV)
Z_MAX = 1e6       #: largest barrier strength accepted (the tunneling limit is reached long before)
T_MAX = 1e5       #: largest temperature accepted (K)
MAX_GRID = 2_000_000  #: largest thermal-smearing grid (points)

RS_MAX = 1e3      #: largest series (spreading) resistance accepted, in units of the normal-state resistance R_N
_SYMMETRIES = ("s", "d")
_MODELS = ("btk", "dynes", "zeeman", "sis")
#: the conductance models: "btk" (BTK / Tanaka-Kashiwaya), "dynes" (tunnel limit), "zeeman"
#: (spin-split BCS / Maki tunnel DOS) and "sis" (superconducting tip of known gap)
MODELS = _MODELS
H_MAX = 1e6       #: largest Zeeman / exchange field h accepted (meV)
ZETA_MAX = 1.0    #: largest orbital depairing parameter zeta (Maki) accepted (dimensionless; gapless at 1)
LOCKIN_MAX = 1e6  #: largest lock-in peak amplitude accepted (mV)
_LOCKIN_NODES_MAX = 1024
_LOCKIN_LATTICE = 16.0     # lattice points per smoothing width for the spline of G under the lock-in
_SIS_TIP_GAMMA = 0.01      # default tip Dynes width, in units of the tip gap
_CUTOFF_KT = 40.0          # Fermi window truncated at |E - eV| = 40 k_B T
_N_S_DEFAULT = 24          # Gauss-Legendre nodes on 0 < u < 1 (s-wave)
_N_D_DEFAULT = 16          # minimum Gauss-Legendre nodes per panel (d-wave)
_N_D_MAX = 256             # cap of the automatic choice pi * 2 Delta / Gamma
_MAX_REFERENCE = 50_000_000  # energies x nodes of the plain-NumPy reference (complex: 0.8 GB)


# --------------------------------------------------------------------------- gaps
@dataclass(frozen=True)
class Gap:
    """One band's gap in a multi-band conductance G = sum_i weight_i G_i.

    Parameters
    ----------
    delta : float
        Gap amplitude in meV, in (0, 1e6]; for ``symmetry="d"`` the maximum Delta_0.
    Z : float
        Dimensionless barrier strength, in [0, 1e6].
    gamma : float
        Dynes broadening in meV, in [0, 1e6] (enters as E + i gamma).
    weight : float, optional
        Band weight in [0, 1] (dimensionless); the weights of a model sum to 1.
    symmetry : {"s", "d"}, optional
        Gap symmetry.
    alpha : float, optional
        Angle in rad between the interface normal and the crystal x axis (d-wave only).
    sign : {1, -1}, optional
        Overall sign of this band's order parameter (s+- scenarios; it drops out
        of the incoherent band sum).

    Raises
    ------
    TypeError
        If a number is not a real number, ``symmetry`` not a string or ``sign`` not an integer.
    ValueError
        If a value is outside the ranges above.

    Examples
    --------
    >>> Gap(23.0, 0.58, 6.6, 0.5)
    Gap(delta=23.0, Z=0.58, gamma=6.6, weight=0.5, symmetry='s', alpha=0.0, sign=1)
    """

    delta: float
    Z: float
    gamma: float
    weight: float = 1.0
    symmetry: str = "s"
    alpha: float = 0.0
    sign: int = 1

    def __post_init__(self):
        values = {
            "delta": check.positive("delta", self.delta, DELTA_MAX),
            "Z": check.nonnegative("Z", self.Z, Z_MAX),
            "gamma": check.nonnegative("gamma", self.gamma, GAMMA_MAX),
            "weight": check.in_range("weight", self.weight, 0.0, 1.0),
            "symmetry": check.choice("symmetry", self.symmetry, _SYMMETRIES),
            "alpha": check.finite("alpha", self.alpha),
            "sign": check.integer("sign", self.sign),
        }
        if values["sign"] not in (1, -1):
            raise ValueError(f"sign must be +1 or -1, got {self.sign!r}")
        for name, value in values.items():
            object.__setattr__(self, name, value)


def check_gaps(gaps):
    """Validate a multi-band model: a non-empty sequence of :class:`Gap` whose weights sum to 1.

    Parameters
    ----------
    gaps : sequence of Gap
        The bands (weights dimensionless).

    Returns
    -------
    tuple of Gap
        The same gaps as a tuple.

    Raises
    ------
    TypeError
        If ``gaps`` is not a sequence of :class:`Gap`.
    ValueError
        If it is empty or the weights do not sum to 1 (within 1e-9).

    Examples
    --------
    >>> len(check_gaps([Gap(23.0, 0.5, 6.0, 0.5), Gap(6.0, 0.4, 4.0, 0.5)]))
    2
    """
    if isinstance(gaps, Gap):
        raise TypeError("gaps must be a sequence of Gap, got a single Gap (wrap it in a tuple)")
    check.not_missing("gaps", gaps, "a sequence of Gap")
    try:
        gaps = tuple(gaps)
    except TypeError:
        raise TypeError(f"gaps must be a sequence of Gap, got {type(gaps).__name__}") from None
    if not gaps:
        raise ValueError("gaps must contain at least one Gap")
    for g in gaps:
        check.instance("gaps[i]", g, Gap)
    wsum = sum(g.weight for g in gaps)
    if abs(wsum - 1.0) > 1e-9:
        raise ValueError(f"the weights of the gaps must sum to 1, got {wsum!r}")
    return gaps


# --------------------------------------------------------------------------- quadrature
@lru_cache(maxsize=64)
def _leggauss(n):
    x, w = np.polynomial.legendre.leggauss(n)
    return x, w


def _nodes_s(Z, n, tunnel=False):
    """Nodes u in (0, 1), weights of du (both halves), transparencies tau_N (cos^2 theta if ``tunnel``)."""
    x, w = _leggauss(n)
    u = 0.5 * (x + 1.0)
    wu = w  # 2 * (1/2): the integrand is even in u, count both halves
    c2 = 1.0 - u * u
    if tunnel:
        return c2, wu
    tau = c2 / (c2 + Z * Z) if Z > 0 else np.ones_like(u)
    return tau, wu


def _d_breakpoints(alpha):
    """0, the gap nodes of Delta_+ and Delta_- inside (0, pi/2), and pi/2."""
    pts = set()
    for s in (1.0, -1.0):
        for k in range(-4, 5):
            t = s * math.remainder(alpha, math.pi / 2) + math.pi / 4 + k * math.pi / 2
            if 1e-12 < t < math.pi / 2 - 1e-12:
                pts.add(round(t, 14))
    return [0.0] + sorted(pts) + [math.pi / 2]


def _nodes_d(delta, Z, alpha, n, tunnel=False):
    """Half-range theta nodes in (0, pi/2), weights of cos(theta) d theta, tau_N, Delta_+, Delta_-.

    Since Delta_+(-theta) = Delta_-(theta) and tau_N is even, the trajectory at
    -theta is the one at theta with the roles of gamma_+ and gamma_- exchanged;
    the kernel adds both, so only 0 < theta < pi/2 is sampled. With ``tunnel``
    the shape cos^2 theta of tau_N at Z -> infinity replaces tau_N.
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
    if tunnel:
        tau = c * c
    else:
        tau = c * c / (c * c + Z * Z) if Z > 0 else np.ones_like(th)
    dp = delta * np.cos(2.0 * (th - alpha))
    dm = delta * np.cos(2.0 * (th + alpha))
    return tau, wt, dp, dm


def _auto_n_d(delta, gamma):
    """Nodes per panel resolving the angular width ~ gamma / (2 delta) of the |Delta(theta)| = |E| crossings."""
    width = 2.0 * math.pi * delta
    if gamma * _N_D_MAX <= width:      # also gamma = 0 (no broadening: use the cap)
        return _N_D_MAX
    return max(_N_D_DEFAULT, math.ceil(width / gamma))


def _gap_nodes(gap: Gap, angle_resolved: bool, n_angles, tunnel=False):
    """(kind, tau, weights, dplus, dminus) for the kernels (tau = cos^2 theta shape if ``tunnel``)."""
    if not angle_resolved:
        tau = np.array([1.0 if tunnel else 1.0 / (1.0 + gap.Z ** 2)])
        w = np.array([1.0])
        if gap.symmetry == "s":
            return "s", tau, w, None, None
        d0 = gap.delta * math.cos(2.0 * gap.alpha)
        return "a", tau, w, np.array([d0]), np.array([d0])
    if gap.symmetry == "s":
        tau, w = _nodes_s(gap.Z, n_angles or _N_S_DEFAULT, tunnel)
        return "s", tau, w, None, None
    n = n_angles or _auto_n_d(gap.delta, gap.gamma)
    tau, w, dp, dm = _nodes_d(gap.delta, gap.Z, gap.alpha, n, tunnel)
    return "a2", tau, w, dp, dm


def _g_one(energy, gap: Gap, angle_resolved=True, n_angles=None, polarization=0.0, model="btk", opts=None):
    """Intrinsic G(|E|) of one gap with the numba kernels (energies >= 0, meV)."""
    e = np.ascontiguousarray(energy, dtype=float)
    if model == "zeeman":
        h, zeta = (opts or {}).get("h", 0.0), (opts or {}).get("zeta", 0.0)
        dos, worst = kernels.dos_zeeman(e, gap.delta, gap.gamma, h, zeta)
        if worst > 1e-8:
            from ..errors import ConvergenceError
            raise ConvergenceError(f"the Maki/Abrikosov-Gor'kov equation did not converge (relative residual "
                                   f"{worst:.2g}) at delta = {gap.delta} meV, zeta = {zeta}",
                                   iterations=200, residual=float(worst))
        return dos
    if model == "dynes":
        if gap.symmetry == "s":
            return kernels.dos_swave(e, gap.delta, gap.gamma)
        kind, shape, w, dp, dm = _gap_nodes(gap, angle_resolved, n_angles, tunnel=True)
        return kernels.g_tunnel_anisotropic(e, gap.gamma, shape, w, dp, dm)
    kind, tau, w, dp, dm = _gap_nodes(gap, angle_resolved, n_angles)
    if polarization > 0.0:
        if kind == "s":
            return kernels.g_swave_polarized(e, gap.delta, gap.gamma, tau, w, polarization)
        return kernels.g_anisotropic_polarized(e, gap.gamma, tau, w, dp, dm, kind == "a2", polarization)
    if kind == "s":
        return kernels.g_swave(e, gap.delta, gap.gamma, tau, w)
    return kernels.g_anisotropic(e, gap.gamma, tau, w, dp, dm, kind == "a2")


def _g_one_numpy(energy, gap: Gap, angle_resolved=True, n_angles=None, polarization=0.0, model="btk",
                 opts=None):
    """Plain-NumPy evaluation of the same formulas and nodes (reference)."""
    if model == "zeeman":
        h, zeta = (opts or {}).get("h", 0.0), (opts or {}).get("zeta", 0.0)
        if zeta > 0.0:     # no closed form: the kernel's Newton solve (tested against the quartic's roots)
            return _g_one(energy, gap, angle_resolved, n_angles, polarization, model, opts)
        e = np.asarray(energy, dtype=float)
        z1, z2 = np.abs(e + h) + 1j * gap.gamma, np.abs(e - h) + 1j * gap.gamma
        with np.errstate(divide="ignore", invalid="ignore"):
            return 0.5 * np.real(z1 / (np.sqrt(z1 - gap.delta) * np.sqrt(z1 + gap.delta))
                                 + z2 / (np.sqrt(z2 - gap.delta) * np.sqrt(z2 + gap.delta)))
    tunnel = model == "dynes"
    kind, tau, w, dp, dm = _gap_nodes(gap, angle_resolved, n_angles, tunnel)
    check.size_limit("energies x angle nodes of the reference", np.size(energy) * tau.size,
                     _MAX_REFERENCE, "complex entries")
    z = np.asarray(energy, dtype=float)[:, None] + 1j * gap.gamma
    if tunnel and kind == "s":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.real(z / (np.sqrt(z - gap.delta) * np.sqrt(z + gap.delta)))[:, 0]
    if kind == "s":
        dp = dm = np.full(tau.shape, gap.delta)

    def gam(d):
        d = np.abs(d)[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            g = d / (z + np.sqrt(z - d) * np.sqrt(z + d))
        return np.where(d == 0, 0.0, g)

    def sigma_tau(dp, dm):
        gp, gm = gam(dp), gam(dm)
        ph = np.where(dp * dm < 0, -1.0, 1.0)[None, :]
        t = tau[None, :]
        pm = gp * gm * ph
        if tunnel:       # tau_N -> 0: (1 - |pm|^2) / |1 - pm|^2 with the weight cos^2 theta
            return t * np.maximum(1 - np.abs(pm) ** 2, 0.0) / np.abs(1 - pm) ** 2
        num = 1 + t * np.abs(gp) ** 2 + (t - 1) * np.abs(gp * gm) ** 2
        unpol = t * num / np.abs(1 + (t - 1) * pm) ** 2
        if polarization == 0.0:
            return unpol
        zt = np.sqrt(np.maximum(1 / t - 1, 0.0))
        pol = (1 + 2 * zt + 2 * zt ** 2) * np.maximum(1 - np.abs(pm) ** 2, 0.0) / np.abs(1 + (1 - pm) * zt * (1 + zt + 1j * zt)) ** 2
        return (1 - polarization) * unpol + polarization * pol

    if kind == "a2":   # half-range nodes: add the mirror trajectory -theta explicitly
        st = 0.5 * (sigma_tau(dp, dm) + sigma_tau(dm, dp))
    else:
        st = sigma_tau(dp, dm)
    return (w * st).sum(axis=1) / (w * tau).sum()


def _check_n_angles(n_angles):
    if n_angles is not None:
        check.integer("n_angles", n_angles, 2, 4096)


def _finite_or_raise(g, what):
    if not np.all(np.isfinite(g)):   # not reached inside the valid box; a guard against silent NaN
        raise ValueError(f"{what}: the conductance is not finite for these parameters")
    return g


@renamed_keywords(energy_mV="energy_meV")
def intrinsic_conductance(energy_meV, delta, Z, gamma, symmetry="s", alpha=0.0,
                          angle_resolved=True, *, n_angles=None, polarization=0.0, model="btk", h=0.0, zeta=0.0):
    """Temperature-independent normalized conductance G(E) of one gap.

    Parameters
    ----------
    energy_meV : array_like of float
        Energies in meV (any shape; G is even in E). The old keyword
        ``energy_mV`` is accepted as an alias.
    delta : float
        Gap amplitude in meV, in (0, 1e6].
    Z : float
        Dimensionless barrier strength, in [0, 1e6] (ignored by ``model="dynes"``).
    gamma : float
        Dynes broadening in meV, in [0, 1e6].
    symmetry : {"s", "d"}, optional
        Gap symmetry.
    alpha : float, optional
        Interface angle in rad (d-wave).
    angle_resolved : bool, optional
        Average over theta with weight tau_N cos(theta) (True) or normal
        incidence only (False; for "s" this is the 1D BTK result (1 + Z^2)(1 + A - B)).
    n_angles : int, optional
        Gauss-Legendre nodes (dimensionless count, 2..4096; see :func:`conductance`).
    polarization : float, optional
        Spin polarization P of the normal electrode, in [0, 1] (dimensionless; see :func:`conductance`;
        in [-1, 1], the Meservey-Tedrow tunnelling polarization, with ``model="zeeman"``).
    model : {"btk", "dynes", "zeeman"}, optional
        "btk": the BTK / Tanaka-Kashiwaya conductance; "dynes": its tunnel limit Z -> infinity.

    h : float, optional
        ``model="zeeman"``: Zeeman / exchange splitting in meV (see :func:`spin_split_dos`).
    zeta : float, optional
        ``model="zeeman"``: orbital depairing parameter in [0, 1] (dimensionless).

    Returns
    -------
    numpy.ndarray
        G(E) (dimensionless, normalized to the normal state), shape of ``energy_meV``.

    Raises
    ------
    TypeError
        For complex, boolean or string energies and non-real parameters.
    ValueError
        For empty or non-finite energies and parameters outside their range.

    Examples
    --------
    >>> intrinsic_conductance([0.0, 0.5], 1.0, 0.0, 0.0)   # perfect Andreev reflection
    array([2., 2.])
    >>> intrinsic_conductance([0.0, 0.5], 1.0, 0.0, 0.0, polarization=1.0)   # half metal: no Andreev current
    array([0., 0.])
    """
    e = check.real_array("energy_meV", energy_meV)
    _check_n_angles(n_angles)
    angle_resolved = check.boolean("angle_resolved", angle_resolved)
    gap = Gap(delta, Z, gamma, 1.0, symmetry, alpha)
    P, model, _, _ = _validate_extras(polarization, model, 0.0, 0.0, (gap,))
    if model == "sis":
        raise ValueError("model='sis' has no temperature-independent conductance: use conductance(..., T > 0)")
    opts = _model_options(model, P, (gap,), 1.0, h, zeta)
    g = _g_one(np.abs(e.ravel()), gap, angle_resolved, n_angles, P, model, opts)
    if model == "zeeman" and P != 0.0:
        g = g + P * _zeeman_odd(e.ravel(), gap, opts)
    return _finite_or_raise(g, "intrinsic_conductance").reshape(e.shape)


def _check_gammas(gammas):
    g = check.real_array("gammas", gammas, ndim=1)
    if np.any(g < 0) or np.any(g > GAMMA_MAX):
        raise ValueError(f"gammas must lie in [0, {GAMMA_MAX}] meV, got {g.tolist()}")
    return g


def energy_grid_step(T, gammas, points_per_width=3.0):
    """Step of the thermal-smearing grid: min(pi k_B T, min Gamma > 0) / points_per_width.

    Parameters
    ----------
    T : float
        Temperature in K, in [0, 1e5].
    gammas : sequence of float
        Dynes broadenings of the bands in meV (>= 0; zeros are ignored).
    points_per_width : float, optional
        Grid points per analyticity-strip width (dimensionless, in [0.5, 100]).

    Returns
    -------
    float
        The step h in meV.

    Raises
    ------
    ValueError
        If T = 0 and no gamma is positive (no finite width), or an argument is out of range.

    Examples
    --------
    >>> round(energy_grid_step(3.0, [6.6, 4.0]), 4)     # pi k_B T = 0.81 meV < Gamma
    0.2707
    """
    T = check.nonnegative("T", T, T_MAX)
    g = _check_gammas(gammas)
    ppw = check.in_range("points_per_width", points_per_width, 0.5, 100.0)
    width = math.pi * (K_B_MEV_PER_K * T) if T > 0 else math.inf   # pi * kT, as kT is used elsewhere
    pos = g[g > 0]
    if pos.size:
        width = min(width, float(pos.min()))
    if not math.isfinite(width):
        raise ValueError("energy_grid_step needs T > 0 K or a positive gamma (meV): "
                         "with T = 0 and gamma = 0 there is no smoothing width")
    return width / ppw


def smearing_grid(bias_max_mV, T, gammas, points_per_width=3.0):
    """Energy grid for the thermal smearing: (egrid, h, kT, cutoff), all in meV.

    The grid 0, h, 2h, ... reaches ``bias_max_mV`` + cutoff, with h from
    :func:`energy_grid_step` and the Fermi window cut at 40 k_B T.

    Parameters
    ----------
    bias_max_mV : float
        Largest |bias| in mV (>= 0).
    T : float
        Temperature in K, in (0, 1e5].
    gammas : sequence of float
        Dynes broadenings of the bands in meV (>= 0).
    points_per_width : float, optional
        Grid resolution (dimensionless, in [0.5, 100]; see :func:`energy_grid_step`).

    Returns
    -------
    tuple of (numpy.ndarray, float, float, float)
        egrid (meV), step h (meV), k_B T (meV), cutoff 40 k_B T (meV).

    Raises
    ------
    ValueError
        If the grid would exceed :data:`MAX_GRID` points, or an argument is out of range.

    Examples
    --------
    >>> egrid, h, kt, cutoff = smearing_grid(80.0, 3.0, [6.6, 4.0])
    >>> egrid.size, round(cutoff, 2)
    (336, 10.34)
    """
    vmax = check.nonnegative("bias_max_mV", bias_max_mV)
    T = check.positive("T", T, T_MAX)
    h = energy_grid_step(T, gammas, points_per_width)
    kt = K_B_MEV_PER_K * T
    cutoff = _CUTOFF_KT * kt
    n = (vmax + cutoff) / h + 3.0          # a float: no OverflowError for huge ranges
    if not n <= MAX_GRID:
        g = _check_gammas(gammas)
        pos = g[g > 0]
        raise ValueError(
            f"T = {T} K with gamma = {float(pos.min()) if pos.size else 0.0} meV and |bias| up to {vmax:g} mV "
            f"needs a smearing grid of {n:.3g} points (> {MAX_GRID}); raise T or gamma, "
            "lower points_per_width or the bias range, or use T = 0")
    n = int(math.ceil((vmax + cutoff) / h)) + 2
    return np.arange(n) * h, h, kt, cutoff



def trajectory_conductance(energy_meV, gamma, tau, weight, delta_plus, delta_minus, *, mirror=False):
    """Tanaka-Kashiwaya conductance G(|E|) averaged over given trajectories (quadrature nodes).

    The general form behind :func:`intrinsic_conductance`: each node ``k`` is
    one trajectory with normal-state transparency ``tau[k]``, quadrature weight
    ``weight[k]`` and the signed gaps ``delta_plus[k]``, ``delta_minus[k]`` seen
    by the electron- and hole-like quasiparticles (their relative sign is the
    phase factor of the Andreev bound state).  Callers with their own Fermi
    sheets (e.g. :mod:`nickelates.tunneling`) pass their trajectories here.

    Parameters
    ----------
    energy_meV : array_like
        Energies in meV (only |E| enters: G is even).
    gamma : float
        Dynes broadening in meV, in [0, GAMMA_MAX].
    tau : array_like
        Normal-state transparencies in (0, 1], one per node.
    weight : array_like
        Quadrature weights (>= 0, not all zero), one per node.
    delta_plus, delta_minus : array_like
        Signed gaps in meV seen along the outgoing and incoming trajectories, one per node.
    mirror : bool, optional
        Each node also stands for its mirror image (Δ+ ↔ Δ−), as for a d-wave
        gap sampled on 0 < θ < π/2.

    Returns
    -------
    numpy.ndarray
        G(E)/G_N, same shape as ``energy_meV``.

    Raises
    ------
    TypeError
        If an array is complex, boolean or not numeric.
    ValueError
        If lengths differ, a transparency is outside (0, 1], weights are negative
        or all zero, or a value is out of range.

    Examples
    --------
    One trajectory at normal incidence, Z = 0 (tau = 1): perfect Andreev reflection.

    >>> g = trajectory_conductance([0.0, 0.5, 10.0], 0.0, [1.0], [1.0], [1.0], [1.0])
    >>> [round(float(x), 6) for x in g]
    [2.0, 2.0, 1.00252]
    """
    e = check.real_array("energy_meV", energy_meV)
    gamma = check.nonnegative("gamma", gamma, GAMMA_MAX)
    t = check.real_array("tau", tau, ndim=1)
    w = check.real_array("weight", weight, ndim=1)
    dp = check.real_array("delta_plus", delta_plus, ndim=1)
    dm = check.real_array("delta_minus", delta_minus, ndim=1)
    check.same_length(tau=t, weight=w, delta_plus=dp, delta_minus=dm)
    mirror = check.boolean("mirror", mirror)
    if np.any(t <= 0.0) or np.any(t > 1.0):
        raise ValueError("tau must lie in (0, 1] at every node")
    if np.any(w < 0.0) or not np.any(w * t > 0.0):
        raise ValueError("weight must be >= 0 with a nonzero normal-state conductance sum(weight*tau)")
    if np.max(np.abs(dp)) > DELTA_MAX or np.max(np.abs(dm)) > DELTA_MAX:
        raise ValueError(f"delta_plus and delta_minus must lie in [-{DELTA_MAX:g}, {DELTA_MAX:g}] meV")
    flat = np.ascontiguousarray(np.abs(e).ravel())
    out = kernels.g_anisotropic(flat, gamma, np.ascontiguousarray(t), np.ascontiguousarray(w),
                                np.ascontiguousarray(dp), np.ascontiguousarray(dm), mirror)
    return out.reshape(e.shape)


def smear_thermally(bias_mV, G_grid, step_meV, kT_meV, cutoff_meV):
    """Convolve an even G(E), tabulated on a :func:`smearing_grid`, with the Fermi window.

    G(V) = ∫ dE G(E) (−∂f/∂E)(E − eV), by the trapezoid rule on the uniform
    grid E_j = j h, truncated where the window is below e^{−cutoff/kT}.

    Parameters
    ----------
    bias_mV : array_like
        Bias voltages in mV; |bias| + cutoff must lie on the grid.
    G_grid : array_like
        G at E_j = j * step_meV, j = 0, 1, ... (from :func:`smearing_grid`).
    step_meV : float
        Grid step h in meV (> 0).
    kT_meV : float
        k_B T in meV (> 0).
    cutoff_meV : float
        Half-width of the Fermi window kept, in meV (> 0; 40 k_B T from :func:`smearing_grid`).

    Returns
    -------
    numpy.ndarray
        Thermally smeared G at the bias points (same shape as ``bias_mV``).

    Raises
    ------
    TypeError
        If an array is complex, boolean or not numeric.
    ValueError
        If the grid does not reach max |bias| + cutoff, or a scalar is not positive.

    Examples
    --------
    A constant conductance stays constant:

    >>> egrid, h, kt, cut = smearing_grid(5.0, 3.0, [1.0])
    >>> g = smear_thermally([0.0, 2.0], np.ones(egrid.size), h, kt, cut)
    >>> [round(float(x), 6) for x in g]
    [1.0, 1.0]
    """
    b = check.real_array("bias_mV", bias_mV)
    gg = check.real_array("G_grid", G_grid, ndim=1, min_size=2)
    h = check.positive("step_meV", step_meV)
    kt = check.positive("kT_meV", kT_meV)
    cutoff = check.positive("cutoff_meV", cutoff_meV)
    if float(np.max(np.abs(b))) + cutoff > (gg.size - 1) * h + 1e-9 * h:
        raise ValueError(f"G_grid covers 0..{(gg.size - 1) * h:g} meV, less than max|bias_mV| + cutoff_meV = "
                         f"{float(np.max(np.abs(b))) + cutoff:g} meV; build it with smearing_grid")
    flat = np.ascontiguousarray(b.ravel())
    return kernels.thermal_smear(flat, h, np.ascontiguousarray(gg), kt, cutoff).reshape(b.shape)

def _reference_smear(bias, egrid, h, kt, cutoff, gg):
    """Plain-NumPy trapezoid convolution with the Fermi window (same rule as the kernel)."""
    out = np.empty(bias.shape)
    for i, v in enumerate(bias):
        j = np.arange(math.ceil((v - cutoff) / h), math.floor((v + cutoff) / h) + 1)
        x = np.abs(j * h - v) / kt
        ex = np.exp(-x)
        out[i] = np.sum(gg[np.minimum(np.abs(j), egrid.size - 1)] * ex / (1 + ex) ** 2) * h / kt
    return out


_GL_PANEL = 8        # Gauss-Legendre nodes per panel of the gamma = 0 smearing rule
_GL_EDGE = 32        # nodes of the panels next to a gap edge (E = Delta +- u^2)


def _bcs_nodes(emax, kt, deltas, gamma_min):
    """Quadrature nodes E_n in [0, emax] and weights for the thermal convolution when some gamma = 0.

    The BCS gap edges ``deltas`` are breakpoints; the panel on each side of an
    edge uses E = Delta +- u^2 (the square-root branch point of G, and the
    inverse square root of the BCS density of states, become analytic in u);
    the other panels are at most min(2 kT, smallest positive gamma) wide with
    8 Gauss-Legendre nodes (the Fermi window is analytic in |Im E| < pi kT).
    """
    wmax = 2.0 * kt if gamma_min is None else min(2.0 * kt, gamma_min)
    sing = sorted({d for d in deltas if 0.0 < d < emax})
    pts = [0.0] + sing + [emax]
    xs, ws = _leggauss(_GL_PANEL)
    xe, we_ = _leggauss(_GL_EDGE)
    nodes, weights = [], []

    def edge(at, width, side):
        L = math.sqrt(width)
        u = 0.5 * L * (xe + 1.0)
        nodes.append(at + side * u * u)
        weights.append(0.5 * L * we_ * 2.0 * u)

    for lo, hi in zip(pts[:-1], pts[1:]):
        sa, sb = lo in sing, hi in sing
        span = hi - lo
        if span <= 0.0:
            continue
        w_edge = min(wmax, span / 2.0 if (sa and sb) else span)
        if sa:
            edge(lo, w_edge, 1.0)
            lo += w_edge
        if sb:
            edge(hi, w_edge, -1.0)
            hi -= w_edge
        if hi - lo > 1e-12 * max(span, 1e-300):
            m_float = (hi - lo) / wmax          # a float: no OverflowError for huge ranges
            if not m_float <= MAX_GRID // _GL_PANEL:
                raise ValueError(f"T = {kt / K_B_MEV_PER_K:g} K with gamma = 0 and |bias| up to {emax:g} meV needs "
                                 f"a smearing grid of {m_float * _GL_PANEL:.3g} nodes (> {MAX_GRID}); raise T or "
                                 "gamma, lower the bias range, or use T = 0")
            m = max(int(math.ceil(m_float)), 1)
            edges = lo + (hi - lo) * np.arange(m + 1) / m
            mid, half = 0.5 * (edges[1:] + edges[:-1]), 0.5 * (edges[1:] - edges[:-1])
            nodes.append((mid[:, None] + half[:, None] * xs[None, :]).ravel())
            weights.append((half[:, None] * ws[None, :]).ravel())
    return np.ascontiguousarray(np.concatenate(nodes)), np.ascontiguousarray(np.concatenate(weights))


def _reference_smear_nodes(bias, nodes, weights, kt, cutoff, gg):
    """Plain-NumPy version of :func:`nickelates.kernels.btk.thermal_smear_nodes`."""
    v = np.abs(bias)[:, None]
    e = nodes[None, :]

    def k(x):
        ex = np.exp(-x / kt)
        return np.where(x <= cutoff, ex / (1 + ex) ** 2, 0.0)
    return (k(np.abs(e - v)) + k(e + v)) @ (weights * gg) / kt


def _smeared(bias, gaps, T, angle_resolved, n_angles, points_per_width, components, numpy_ref=False,
             polarization=0.0, model="btk", opts=None):
    """(G, parts or None) at the bias points: weighted sum of the smeared band conductances."""
    vb = np.abs(bias)
    base = _g_one_numpy if numpy_ref else _g_one
    opts = opts or {}
    if model == "zeeman" and polarization != 0.0:   # Meservey-Tedrow: even part + P x odd part
        ge, pe = _smeared(bias, gaps, T, angle_resolved, n_angles, points_per_width, components, numpy_ref,
                          0.0, model, opts)
        go, po = _smeared_odd(bias, gaps, T, points_per_width, components, numpy_ref, opts)
        parts = [a + polarization * b for a, b in zip(pe, po)] if components else None
        return ge + polarization * go, parts
    if model == "sis":
        parts = [_sis_conductance(bias, g, T, opts["tip_gap"], opts["tip_gamma"], points_per_width, numpy_ref)
                 for g in gaps]
        return sum(g.weight * p for g, p in zip(gaps, parts)), (parts if components else None)

    def one(e, g):
        return base(e, g, angle_resolved, n_angles, polarization, model, opts)

    def edges(g):       # where G has its BCS singularities at gamma = 0
        if model == "zeeman":
            return [g.delta + opts.get("h", 0.0), abs(g.delta - opts.get("h", 0.0))]
        return [g.delta]

    if T == 0.0:
        parts = [one(vb, g) for g in gaps]
    elif any(g.gamma == 0.0 for g in gaps):     # BCS edges: singularity-aware Gauss-Legendre panels
        kt = K_B_MEV_PER_K * T
        cutoff = _CUTOFF_KT * kt
        pos = [g.gamma for g in gaps if g.gamma > 0]
        nodes, weights = _bcs_nodes(float(vb.max()) + cutoff, kt, [d for g in gaps if g.gamma == 0 for d in edges(g)],
                                    min(pos) if pos else None)
        parts_nodes = [one(nodes, g) for g in gaps]

        def smear(gg):
            if numpy_ref:
                return _reference_smear_nodes(bias, nodes, weights, kt, cutoff, gg)
            return kernels.thermal_smear_nodes(bias, nodes, weights, np.ascontiguousarray(gg), kt, cutoff)

        if not components:
            return smear(sum(g.weight * p for g, p in zip(gaps, parts_nodes))), None
        parts = [smear(p) for p in parts_nodes]
    else:
        egrid, h, kt, cutoff = smearing_grid(float(vb.max()), T, [g.gamma for g in gaps], points_per_width)
        parts_grid = [one(egrid, g) for g in gaps]

        def smear(gg):
            if numpy_ref:
                return _reference_smear(bias, egrid, h, kt, cutoff, gg)
            return kernels.thermal_smear(bias, h, gg, kt, cutoff)

        if not components:
            return smear(sum(g.weight * p for g, p in zip(gaps, parts_grid))), None
        parts = [smear(p) for p in parts_grid]
    total = sum(g.weight * p for g, p in zip(gaps, parts))
    return total, parts


def _zeeman_odd(e, gap, opts, numpy_ref=False):
    """Odd part (N_0(E + h) - N_0(E - h)) / 2 of the spin-split DOS at signed energies ``e``."""
    h, zeta = opts.get("h", 0.0), opts.get("zeta", 0.0)
    e = np.ascontiguousarray(e, dtype=float)
    if numpy_ref and zeta == 0.0:
        z1, z2 = np.abs(e + h) + 1j * gap.gamma, np.abs(e - h) + 1j * gap.gamma
        with np.errstate(divide="ignore", invalid="ignore"):
            return 0.5 * np.real(z1 / (np.sqrt(z1 - gap.delta) * np.sqrt(z1 + gap.delta))
                                 - z2 / (np.sqrt(z2 - gap.delta) * np.sqrt(z2 + gap.delta)))
    out, worst = kernels.dos_zeeman_odd(e, gap.delta, gap.gamma, h, zeta)
    if worst > 1e-8:
        from ..errors import ConvergenceError
        raise ConvergenceError(f"the Maki/Abrikosov-Gor'kov equation did not converge (relative residual "
                               f"{worst:.2g})", iterations=200, residual=float(worst))
    return out


def _smeared_odd(bias, gaps, T, points_per_width, components, numpy_ref, opts):
    """The odd (spin-polarization) part of the spin-split conductance, thermally smeared, at signed bias."""
    vb = np.abs(bias)

    def odd(e, g):
        return _zeeman_odd(e, g, opts, numpy_ref)

    if T == 0.0:
        parts = [odd(bias, g) for g in gaps]
    elif any(g.gamma == 0.0 for g in gaps):
        kt = K_B_MEV_PER_K * T
        cutoff = _CUTOFF_KT * kt
        pos = [g.gamma for g in gaps if g.gamma > 0]
        hz = opts.get("h", 0.0)
        nodes, weights = _bcs_nodes(float(vb.max()) + cutoff, kt,
                                    [d for g in gaps if g.gamma == 0 for d in (g.delta + hz, abs(g.delta - hz))],
                                    min(pos) if pos else None)
        if numpy_ref:
            def smear(gg):
                def k(x):
                    ex = np.exp(-x / kt)
                    return np.where(x <= cutoff, ex / (1 + ex) ** 2, 0.0)
                v, e = bias[:, None], nodes[None, :]
                return (k(np.abs(e - v)) - k(np.abs(e + v))) @ (weights * gg) / kt
        else:
            def smear(gg):
                return kernels.thermal_smear_nodes_odd(bias, nodes, weights, np.ascontiguousarray(gg), kt, cutoff)
        parts = [smear(odd(nodes, g)) for g in gaps]
    else:
        egrid, h, kt, cutoff = smearing_grid(float(vb.max()), T, [g.gamma for g in gaps], points_per_width)
        if numpy_ref:
            def smear(gg):
                out = np.empty(bias.shape)
                for i, v in enumerate(bias):
                    j = np.arange(math.ceil((v - cutoff) / h), math.floor((v + cutoff) / h) + 1)
                    ex = np.exp(-np.abs(j * h - v) / kt)
                    out[i] = np.sum(np.sign(j) * gg[np.minimum(np.abs(j), egrid.size - 1)] * ex / (1 + ex) ** 2) * h / kt
                return out
        else:
            def smear(gg):
                return kernels.thermal_smear_odd(bias, h, np.ascontiguousarray(gg), kt, cutoff)
        parts = [smear(odd(egrid, g)) for g in gaps]
    total = sum(g.weight * p for g, p in zip(gaps, parts))
    return total, (parts if components else None)


_RS_MAX_POINTS = 20001   # junction-voltage grid of the series-resistance correction


def _series_grid(vmax, gaps, T, bias, extra_widths=()):
    """Odd, symmetric junction-voltage grid resolving the smoothing width (series-resistance correction)."""
    widths = [g.gamma for g in gaps if g.gamma > 0] + ([math.pi * K_B_MEV_PER_K * T] if T > 0 else [])
    widths += list(extra_widths)
    steps = np.diff(np.unique(bias))
    data_step = float(np.median(steps)) if steps.size else vmax
    step = min([w / 8.0 for w in widths] + [data_step / 2.0, vmax / 100.0])
    half = min(int(math.ceil(vmax / step)), (_RS_MAX_POINTS - 1) // 2)
    return np.linspace(-vmax, vmax, 2 * max(half, 50) + 1)


def _sis_conductance(bias, gap, T, tip_gap, tip_gamma, ppw, numpy_ref=False):
    """Normalized dI/dV of a superconducting tip (Dynes, gap ``tip_gap``) on the sample ``gap`` (Dynes), at T > 0.

    With x = E - eV (tip energy) and f the Fermi function,
    I(V) ~ int N_t(E - eV) N_s(E) [f(E - eV) - f(E)] dE, so
    dI/dV = int N_s(E) { N_t'(x) [f(E) - f(x)] - N_t(x) f'(x) } dE,
    with N_t' = Re[-Delta_t^2 / s^3] analytic (Gamma_t > 0). On the lattice E_j = j h, V_k = k h the
    trapezoid rule makes both terms discrete correlations (FFT); the integrand is analytic in a strip
    of half-width w = min(Gamma_s, Gamma_t, pi k_B T), so h = w / ppw errs by ~exp(-2 pi ppw). The
    lattice result is interpolated to the bias by a cubic spline (G is even).
    """
    from scipy.interpolate import CubicSpline
    from scipy.signal import fftconvolve
    from scipy.special import expit

    kt = K_B_MEV_PER_K * T
    cutoff = _CUTOFF_KT * kt
    w = min(gap.gamma, tip_gamma, math.pi * kt)
    h = w / ppw
    vmax = float(np.max(np.abs(bias)))
    nk_f = vmax / h + 4.0
    nm_f = (vmax + cutoff + 6.0 * tip_gap) / h + 4.0
    if not 2.0 * (nm_f + nk_f) <= MAX_GRID:
        raise ValueError(f"model='sis' at T = {T} K with gamma = {gap.gamma} meV, tip_gamma = {tip_gamma} meV and "
                         f"|bias| up to {vmax:g} mV needs {2 * (nm_f + nk_f):.3g} lattice points (> {MAX_GRID}); "
                         "raise T or the broadenings, or lower the bias range")
    K, M = int(math.ceil(nk_f)), int(math.ceil(nm_f))
    L = M + K
    E = np.arange(-M, M + 1) * h
    x = np.arange(-L, L + 1) * h
    fE = expit(-E / kt)
    fx = expit(-x / kt)
    fpx = -fx * (1.0 - fx) / kt
    if numpy_ref:
        zs, zt = E + 1j * gap.gamma, x + 1j * tip_gamma
        Ns = np.real(zs / (np.sqrt(zs - gap.delta) * np.sqrt(zs + gap.delta)))
        st = np.sqrt(zt - tip_gap) * np.sqrt(zt + tip_gap)
        Nt, dNt = np.real(zt / st), np.real(-tip_gap ** 2 / st ** 3)
    else:
        Ns = kernels.dynes_signed(E, gap.delta, gap.gamma)
        Nt = kernels.dynes_signed(x, tip_gap, tip_gamma)
        dNt = kernels.dynes_derivative(x, tip_gap, tip_gamma)
    full = fftconvolve(Ns * fE, dNt[::-1]) - fftconvolve(Ns, (dNt * fx + Nt * fpx)[::-1])
    k = np.arange(-K, K + 1)
    g_lattice = h * full[L + M + k]
    vk = k * h
    return CubicSpline(vk, g_lattice)(np.abs(bias))


def _smoothing_width(gaps, T, model, opts):
    """Half-width (meV) of the strip where the measured G is analytic: min(Gamma > 0, pi k_B T, tip Gamma)."""
    widths = [g.gamma for g in gaps if g.gamma > 0] + ([math.pi * K_B_MEV_PER_K * T] if T > 0 else [])
    if model == "sis":
        widths.append(opts["tip_gamma"])
    return min(widths) if widths else None


def lockin_nodes(lockin_mV, width_meV=None):
    """Offsets and weights of the lock-in instrument function (Gauss-Chebyshev of the second kind).

    A lock-in adds V_m cos(omega t) to the bias and reads the first Fourier harmonic of the
    current; divided by V_m it is the measured dI/dV:

        X(V) = (1 / (pi V_m)) int_0^{2 pi} I(V + V_m cos t) cos t dt
             = (1 / pi) int_0^{2 pi} G(V + V_m cos t) sin^2 t dt            (by parts in t)
             = int_{-V_m}^{V_m} W(v) G(V + v) dv,   W(v) = 2 sqrt(V_m^2 - v^2) / (pi V_m^2)

    (v = V_m cos t, dv = -V_m sin t dt; W integrates to 1, its variance is V_m^2 / 4).
    V_m is the PEAK amplitude; a lock-in set to an rms amplitude A modulates with V_m = sqrt(2) A.
    With v = V_m x, int W(v) G(V + v) dv = (2 / pi) int sqrt(1 - x^2) G(V + V_m x) dx, which
    Gauss-Chebyshev quadrature of the second kind does with nodes x_k = cos(k pi / (n + 1)) and
    weights 2 sin^2(k pi / (n + 1)) / (n + 1), k = 1..n (exact for polynomials of degree 2n - 1).
    G is analytic in a strip of half-width ``width_meV`` (min(Gamma, pi k_B T)), so the error
    falls like exp(-2 n width / V_m): n = ceil(6 V_m / width) + 4 (8 to 1024 nodes).

    Parameters
    ----------
    lockin_mV : float
        Peak modulation amplitude V_m in mV, in (0, 1e6].
    width_meV : float, optional
        Smallest smoothing width of the model in meV (> 0); None uses the maximum of 1024 nodes.

    Returns
    -------
    tuple of numpy.ndarray
        Offsets v_k in mV (within (-V_m, V_m)) and weights (dimensionless, summing to 1).

    Raises
    ------
    TypeError, ValueError
        For a non-real or non-positive amplitude or width.

    Examples
    --------
    >>> v, w = lockin_nodes(1.0, 0.5)
    >>> v.size, round(float(w.sum()), 12), round(float(w @ v ** 2), 12)   # <v^2> = V_m^2 / 4
    (16, 1.0, 0.25)
    """
    vm = check.positive("lockin_mV", lockin_mV, LOCKIN_MAX)
    if width_meV is None:
        n = _LOCKIN_NODES_MAX
    else:
        width = check.positive("width_meV", width_meV)
        n = int(min(max(math.ceil(6.0 * vm / width) + 4, 8), _LOCKIN_NODES_MAX))
    k = np.arange(1, n + 1)
    th = k * math.pi / (n + 1)
    return vm * np.cos(th), 2.0 * np.sin(th) ** 2 / (n + 1)


def _measured(bias, gaps, T, angle_resolved, n_angles, ppw, components, numpy_ref, polarization, model,
              series_resistance, bias_offset, opts=None):
    """G at the measured bias, with the lock-in instrument function (``opts["lockin"]``, peak mV).

    The lock-in modulates the measured bias, so it acts last: G_L(V) = sum_k w_k G(V + v_k)
    (:func:`lockin_nodes`), G from :func:`_measured_core`. When that is cheaper (thermal smearing,
    no series resistance, not "sis"), G at the bias x nodes points is a clamped cubic spline of the
    smeared G on a lattice of step w / 16 (w the smoothing width, G even in V - V0; spline error
    ~ (1/16)^4 of the curvature scale, < 1e-6 in the tests); the plain-NumPy reference keeps the
    direct evaluation.
    """
    opts = opts or {}
    vm = opts.get("lockin", 0.0) or 0.0
    if vm <= 0.0:
        return _measured_core(bias, gaps, T, angle_resolved, n_angles, ppw, components, numpy_ref, polarization,
                              model, series_resistance, bias_offset, opts)
    width = _smoothing_width(gaps, T, model, opts)
    offs, wts = lockin_nodes(vm, width)
    bb = np.ascontiguousarray((bias[:, None] + offs[None, :]).ravel())
    lattice = not numpy_ref and width is not None and model != "sis" and series_resistance == 0.0 and T > 0.0
    if lattice:      # G at bias x nodes from a spline of G on a lattice of step width / 16 (even in V - V0)
        step = width / _LOCKIN_LATTICE
        vmax = float(np.max(np.abs(bb - bias_offset)))
        lattice = vmax / step + 4.0 < bb.size
    if lattice:
        from scipy.interpolate import CubicSpline

        even = not (model == "zeeman" and polarization != 0.0)
        nl = int(math.ceil(vmax / step)) + 4
        vl = (np.arange(nl) if even else np.arange(-nl, nl + 1)) * step
        gl, pl = _smeared(vl, gaps, T, angle_resolved, n_angles, ppw, components, False, polarization, model, opts)
        x = np.abs(bb - bias_offset) if even else bb - bias_offset

        def at(y):
            return CubicSpline(vl, y, bc_type=((1, 0.0), "not-a-knot") if even else "not-a-knot")(x)
        g, parts = at(gl), (None if pl is None else [at(p) for p in pl])
    else:
        g, parts = _measured_core(bb, gaps, T, angle_resolved, n_angles, ppw, components, numpy_ref, polarization,
                                  model, series_resistance, bias_offset, opts)

    def avg(y):
        if numpy_ref:
            return y.reshape(bias.size, offs.size) @ wts
        return kernels.lockin_average(np.ascontiguousarray(y), wts, bias.size)
    return avg(g), (None if parts is None else [avg(p) for p in parts])


def _measured_core(bias, gaps, T, angle_resolved, n_angles, ppw, components, numpy_ref, polarization, model,
                   series_resistance, bias_offset, opts=None):
    """G at the measured bias: offset V0, then the series (spreading) resistance r = R_s / R_N.

    The junction sees V_j with V - V0 = V_j + I R_s, I R_N = int_0^{V_j} g dV (g = the junction's
    normalized conductance), so dI/dV = g / (R_N (1 + r g)); normalized to the measured normal
    state 1 / (R_N + R_s) this is G = (1 + r) g / (1 + r g), taken at V_j(V).
    """
    v = bias - bias_offset if bias_offset else bias
    if series_resistance == 0.0:
        return _smeared(v, gaps, T, angle_resolved, n_angles, ppw, components, numpy_ref, polarization, model, opts)
    from scipy.integrate import cumulative_simpson
    from scipy.interpolate import CubicSpline

    r = series_resistance
    vj = _series_grid(max(float(np.max(np.abs(v))), 1e-9), gaps, T, v,
                      [opts["tip_gamma"]] if model == "sis" else ())
    g, parts = _smeared(vj, gaps, T, angle_resolved, n_angles, ppw, components, numpy_ref, polarization, model, opts)
    current = cumulative_simpson(g, x=vj, initial=0.0)
    current -= current[vj.size // 2]                      # I(0) = 0 (vj[mid] = 0)
    vt = vj + r * current                                  # measured (offset-corrected) bias of each V_j
    vj_at = CubicSpline(vt, vj)(v)                         # junction voltage at the data
    G = (1.0 + r) * CubicSpline(vj, g)(vj_at) / (1.0 + r * CubicSpline(vj, g)(vj_at))
    if parts is not None:
        parts = [CubicSpline(vj, p)(vj_at) for p in parts]
    return G, parts


def _validate_common(bias_mV, T, angle_resolved, points_per_width, n_angles):
    b = check.real_array("bias_mV", bias_mV)
    T = check.nonnegative("T", T, T_MAX)
    angle_resolved = check.boolean("angle_resolved", angle_resolved)
    ppw = check.in_range("points_per_width", points_per_width, 0.5, 100.0)
    _check_n_angles(n_angles)
    return np.ascontiguousarray(b.ravel()), b.shape, T, angle_resolved, ppw


def _validate_extras(polarization, model, series_resistance, bias_offset, gaps=()):
    model = check.choice("model", model, _MODELS)
    P = check.in_range("polarization", polarization, -1.0 if model == "zeeman" else 0.0, 1.0)
    rs = check.nonnegative("series_resistance", series_resistance, RS_MAX)
    v0 = check.in_range("bias_offset", bias_offset, -DELTA_MAX, DELTA_MAX)
    if model == "dynes" and any(g.symmetry == "d" and g.gamma == 0 for g in gaps):
        raise ValueError("model='dynes' with a d-wave gap needs gamma > 0 meV: at gamma = 0 the zero-energy "
                         "surface states are a delta function")
    return P, model, rs, v0


def _model_options(model, P, gaps, T, h=0.0, zeta=0.0, tip_gap=None, tip_gamma=None, lockin_mV=None):
    """Validated options of the "zeeman" and "sis" models and of the lock-in, as a dict for :func:`_measured`."""
    h = check.nonnegative("h", h, H_MAX)
    zeta = check.in_range("zeta", zeta, 0.0, ZETA_MAX)
    if model != "zeeman" and (h > 0.0 or zeta > 0.0):
        raise ValueError(f"h and zeta (spin splitting, orbital depairing) enter only model='zeeman', not {model!r}")
    if model != "sis" and (tip_gap is not None or tip_gamma is not None):
        raise ValueError(f"tip_gap and tip_gamma enter only model='sis', not {model!r}")
    if model in ("zeeman", "sis"):
        if any(g.symmetry != "s" for g in gaps):
            raise ValueError(f"model={model!r} is an s-wave tunnel model: every gap must have symmetry 's'")
        if P != 0.0 and model == "sis":
            raise ValueError("polarization does not enter model='sis': use model='btk' or 'zeeman'")
    opts = {"h": h, "zeta": zeta, "lockin": 0.0}
    if model == "sis":
        if tip_gap is None:
            raise ValueError("model='sis' needs the tip's gap tip_gap (meV, > 0)")
        tg = check.positive("tip_gap", tip_gap, DELTA_MAX)
        tw = _SIS_TIP_GAMMA * tg if tip_gamma is None else check.positive("tip_gamma", tip_gamma, GAMMA_MAX)
        if not T > 0.0:
            raise ValueError("model='sis' needs T > 0 K (the tip-sample convolution uses the Fermi functions)")
        if any(g.gamma <= 0.0 for g in gaps):
            raise ValueError("model='sis' needs the sample's Dynes gamma > 0 meV")
        opts.update(tip_gap=tg, tip_gamma=tw)
    if lockin_mV is not None:
        opts["lockin"] = check.nonnegative("lockin_mV", lockin_mV, LOCKIN_MAX)
    return opts


def conductance(bias_mV, delta, Z, gamma, T, symmetry="s", alpha=0.0, angle_resolved=True,
                *, n_angles=None, points_per_width=3.0, polarization=0.0, model="btk",
                series_resistance=0.0, bias_offset=0.0, h=0.0, zeta=0.0, tip_gap=None, tip_gamma=None,
                lockin_mV=None):
    """Normalized differential conductance G(V) of a N/S point contact (one gap).

    Parameters
    ----------
    bias_mV : array_like of float
        Bias voltages in mV (any order, any spacing, any shape).
    delta : float
        Gap amplitude in meV, in (0, 1e6]; for "d" the maximum Delta_0.
    Z : float
        Dimensionless barrier strength, in [0, 1e6].
    gamma : float
        Dynes broadening in meV, in [0, 1e6], entering as E + i gamma in gamma_+-.
    T : float
        Temperature in K, in [0, 1e5]; T = 0 means no thermal smearing.
    symmetry : {"s", "d"}, optional
        Gap symmetry.
    alpha : float, optional
        Angle in rad between interface normal and crystal x axis (d-wave).
    angle_resolved : bool, optional
        Average over incidence angles (Tanaka-Kashiwaya) or normal incidence only.
    n_angles : int, optional
        Gauss-Legendre nodes (dimensionless; s: on 0<u<1, default 24; d: per
        panel between gap nodes, default max(16, pi * 2 delta / gamma) capped
        at 256, 256 for gamma = 0).
    points_per_width : float, optional
        Smearing-grid points per min(pi k_B T, gamma) (dimensionless accuracy control, [0.5, 100]).
    polarization : float, optional
        Spin polarization P of the normal electrode, in [0, 1] (dimensionless): the current
        is (1 - P) unpolarized plus P fully polarized (Mazin / Strijkers decomposition; the
        polarized part has an evanescent Andreev hole and carries no Andreev current).
        Shared by all bands (it is a property of the normal metal). P = 0 is BTK. With
        ``model="zeeman"``: the tunnelling spin polarization P in [-1, 1] (Meservey-Tedrow, e.g. a
        spin-filter barrier): G = (1 + P)/2 N_0(E + h) + (1 - P)/2 N_0(E - h), thermally smeared.
    model : {"btk", "dynes", "zeeman", "sis"}, optional
        "btk" (default) or "dynes": the tunnel limit Z -> infinity, i.e. the Dynes density
        of states (angle-averaged surface DOS with weight cos^3 theta for d-wave); Z and
        ``polarization`` do not enter. "zeeman": the spin-split tunnel DOS (``h``, ``zeta``;
        s-wave), thermally smeared. "sis": a superconducting tip of gap ``tip_gap`` on the
        sample's Dynes DOS (s-wave).
    series_resistance : float, optional
        Series (spreading) resistance r = R_s / R_N in units of the junction's normal-state
        resistance, in [0, 1e3] (dimensionless). The measured bias is V = V_j + I R_s, so
        G(V) = (1 + r) g(V_j) / (1 + r g(V_j)), normalized to the measured normal state
        1 / (R_N + R_s); it stretches the spectrum to larger bias.
    bias_offset : float, optional
        Bias offset V0 in mV (|V0| <= 1e6): the model is evaluated at V - V0.

    h : float, optional
        ``model="zeeman"``: Zeeman / exchange splitting h in meV, in [0, 1e6] (spin-split BCS DOS,
        :func:`spin_split_dos`, peaks at +-(delta +- h)); shared by all gaps.
    zeta : float, optional
        ``model="zeeman"``: orbital depairing parameter (Maki / Abrikosov-Gor'kov), in [0, 1] (dimensionless).
    tip_gap : float, optional
        ``model="sis"`` (required there): gap of the superconducting tip in meV, in (0, 1e6]; the
        conductance is the tip DOS convolved with the sample's Dynes DOS and the Fermi functions
        (needs T > 0 and gamma > 0; coherence peaks at +-(tip_gap + delta)).
    tip_gamma : float, optional
        ``model="sis"``: Dynes broadening of the tip in meV (> 0; default 1 % of ``tip_gap``).
    lockin_mV : float, optional
        PEAK amplitude V_m (mV, in [0, 1e6]) of the lock-in modulation: the model dI/dV is
        convolved with W(v) = 2 sqrt(V_m^2 - v^2) / (pi V_m^2) (:func:`lockin_nodes`; an rms
        setting A means V_m = sqrt(2) A). None or 0: no lock-in broadening.

    Returns
    -------
    numpy.ndarray
        G (dimensionless, normalized to the normal state), same shape as ``bias_mV``.

    Raises
    ------
    TypeError
        For complex, boolean or string bias and non-real parameters.
    ValueError
        For empty or non-finite bias, parameters out of range, or a smearing grid
        beyond :data:`MAX_GRID` points.

    Examples
    --------
    >>> G = conductance([-5.0, 0.0, 5.0], 1.5, 0.43, 1.42, 3.0)   # the Nb calibration
    >>> G.round(3)
    array([1.026, 1.05 , 1.026])
    >>> conductance([0.0, 5.0], 1.5, 0.0, 0.01, 0.0, polarization=0.5).round(3)   # 50 %: (1 - P) 2 + P 0
    array([1.007, 1.012])
    >>> conductance([0.7, 1.3], 1.0, 0.0, 0.02, 0.1, model="zeeman", h=0.3).round(2)   # peaks at Delta -+ h
    array([1.61, 2.24])
    >>> conductance([1.6, 3.0], 1.0, 0.0, 0.02, 0.3, model="sis", tip_gap=0.6).round(2)   # peak at 1 + 0.6
    array([15.5 ,  1.07])
    >>> conductance([1.0], 1.0, 0.0, 0.02, 0.3, model="dynes", lockin_mV=0.5).round(3)   # 2.472 without
    array([1.198])
    """
    b, shape, T, angle_resolved, ppw = _validate_common(bias_mV, T, angle_resolved, points_per_width, n_angles)
    gap = Gap(delta, Z, gamma, 1.0, symmetry, alpha)
    P, model, rs, v0 = _validate_extras(polarization, model, series_resistance, bias_offset, (gap,))
    opts = _model_options(model, P, (gap,), T, h, zeta, tip_gap, tip_gamma, lockin_mV)
    g, _ = _measured(b, (gap,), T, angle_resolved, n_angles, ppw, False, False, P, model, rs, v0, opts)
    return _finite_or_raise(g, "conductance").reshape(shape)


def conductance_multi(bias_mV, gaps, T, angle_resolved=True, *, return_components=False,
                      n_angles=None, points_per_width=3.0, polarization=0.0, model="btk",
                      series_resistance=0.0, bias_offset=0.0, h=0.0, zeta=0.0, tip_gap=None, tip_gamma=None,
                      lockin_mV=None):
    """Multi-band conductance G(V) = sum_i w_i G_i(V) (the paper's G_t, smeared).

    The bands add incoherently, so the overall sign of a band's gap
    (``Gap.sign``, s+- scenarios) drops out of G; within a band the phase
    enters through exp(i phi_d) = sign(Delta_+ Delta_-) (d-wave).

    Parameters
    ----------
    bias_mV : array_like of float
        Bias voltages in mV.
    gaps : sequence of Gap
        The bands (delta, gamma in meV); weights sum to 1.
    T : float
        Temperature in K, in [0, 1e5].
    angle_resolved : bool, optional
        Angle average (True) or normal incidence (False).
    return_components : bool, optional
        Also return the smeared single-band conductances G_i (with a series
        resistance: the junction's g_i at the junction voltage of each bias,
        which then do not add up to G).
    n_angles : int, optional
        Gauss-Legendre nodes (dimensionless; see :func:`conductance`).
    points_per_width : float, optional
        Smearing-grid resolution (dimensionless; see :func:`conductance`).
    polarization : float, optional
        Spin polarization P of the normal electrode, in [0, 1] (dimensionless): the current
        is (1 - P) unpolarized plus P fully polarized (Mazin / Strijkers decomposition; the
        polarized part has an evanescent Andreev hole and carries no Andreev current).
        Shared by all bands (it is a property of the normal metal). P = 0 is BTK. With
        ``model="zeeman"``: the tunnelling spin polarization P in [-1, 1] (Meservey-Tedrow, e.g. a
        spin-filter barrier): G = (1 + P)/2 N_0(E + h) + (1 - P)/2 N_0(E - h), thermally smeared.
    model : {"btk", "dynes", "zeeman", "sis"}, optional
        "btk" (default) or "dynes": the tunnel limit Z -> infinity, i.e. the Dynes density
        of states (angle-averaged surface DOS with weight cos^3 theta for d-wave); Z and
        ``polarization`` do not enter. "zeeman": the spin-split tunnel DOS (``h``, ``zeta``;
        s-wave), thermally smeared. "sis": a superconducting tip of gap ``tip_gap`` on the
        sample's Dynes DOS (s-wave).
    series_resistance : float, optional
        Series (spreading) resistance r = R_s / R_N in units of the junction's normal-state
        resistance, in [0, 1e3] (dimensionless). The measured bias is V = V_j + I R_s, so
        G(V) = (1 + r) g(V_j) / (1 + r g(V_j)), normalized to the measured normal state
        1 / (R_N + R_s); it stretches the spectrum to larger bias.
    bias_offset : float, optional
        Bias offset V0 in mV (|V0| <= 1e6): the model is evaluated at V - V0.

    h : float, optional
        ``model="zeeman"``: Zeeman / exchange splitting h in meV, in [0, 1e6] (spin-split BCS DOS,
        :func:`spin_split_dos`, peaks at +-(delta +- h)); shared by all gaps.
    zeta : float, optional
        ``model="zeeman"``: orbital depairing parameter (Maki / Abrikosov-Gor'kov), in [0, 1] (dimensionless).
    tip_gap : float, optional
        ``model="sis"`` (required there): gap of the superconducting tip in meV, in (0, 1e6]; the
        conductance is the tip DOS convolved with the sample's Dynes DOS and the Fermi functions
        (needs T > 0 and gamma > 0; coherence peaks at +-(tip_gap + delta)).
    tip_gamma : float, optional
        ``model="sis"``: Dynes broadening of the tip in meV (> 0; default 1 % of ``tip_gap``).
    lockin_mV : float, optional
        PEAK amplitude V_m (mV, in [0, 1e6]) of the lock-in modulation: the model dI/dV is
        convolved with W(v) = 2 sqrt(V_m^2 - v^2) / (pi V_m^2) (:func:`lockin_nodes`; an rms
        setting A means V_m = sqrt(2) A). None or 0: no lock-in broadening.

    Returns
    -------
    numpy.ndarray or tuple
        G (dimensionless) of the shape of ``bias_mV``; with ``return_components``
        the pair (G, [G_i]) with G = sum w_i G_i.

    Raises
    ------
    TypeError
        For a bad bias array, non-Gap entries or non-bool flags.
    ValueError
        For out-of-range values or weights that do not sum to 1.

    Examples
    --------
    >>> gaps = (Gap(23.0, 0.58, 6.6, 0.5), Gap(6.0, 0.40, 4.0, 0.5))
    >>> G, (G1, G2) = conductance_multi([0.0, 2000.0], gaps, 3.0, return_components=True)
    >>> bool(abs(G[1] - 1) < 1e-3), bool(abs(G[0] - (G1[0] + G2[0]) / 2) < 1e-14)
    (True, True)
    """
    b, shape, T, angle_resolved, ppw = _validate_common(bias_mV, T, angle_resolved, points_per_width, n_angles)
    gaps = check_gaps(gaps)
    return_components = check.boolean("return_components", return_components)
    P, model, rs, v0 = _validate_extras(polarization, model, series_resistance, bias_offset, gaps)
    opts = _model_options(model, P, gaps, T, h, zeta, tip_gap, tip_gamma, lockin_mV)
    g, parts = _measured(b, gaps, T, angle_resolved, n_angles, ppw, return_components, False, P, model, rs, v0, opts)
    g = _finite_or_raise(g, "conductance_multi").reshape(shape)
    if return_components:
        return g, [p.reshape(shape) for p in parts]
    return g


def conductance_reference(bias_mV, gaps, T, angle_resolved=True, *, n_angles=None, points_per_width=3.0,
                          polarization=0.0, model="btk", series_resistance=0.0, bias_offset=0.0, h=0.0, zeta=0.0,
                          tip_gap=None, tip_gamma=None, lockin_mV=None):
    """Plain-NumPy evaluation of exactly the discretization of :func:`conductance_multi`.

    Vectorized over energies x angle nodes, with the same nodes and smearing
    grid, so the difference to :func:`conductance_multi` is round-off only
    (used by the tests, the benchmark and chapter 4). Much slower.

    Parameters
    ----------
    bias_mV : array_like of float
        Bias voltages in mV.
    gaps : sequence of Gap
        The bands (meV); weights sum to 1.
    T : float
        Temperature in K, in [0, 1e5].
    angle_resolved : bool, optional
        Angle average (True) or normal incidence (False).
    n_angles : int, optional
        Gauss-Legendre nodes (dimensionless; see :func:`conductance`).
    points_per_width : float, optional
        Smearing-grid resolution (dimensionless; see :func:`conductance`).
    polarization : float, optional
        Spin polarization P of the normal electrode, in [0, 1] (dimensionless): the current
        is (1 - P) unpolarized plus P fully polarized (Mazin / Strijkers decomposition; the
        polarized part has an evanescent Andreev hole and carries no Andreev current).
        Shared by all bands (it is a property of the normal metal). P = 0 is BTK. With
        ``model="zeeman"``: the tunnelling spin polarization P in [-1, 1] (Meservey-Tedrow, e.g. a
        spin-filter barrier): G = (1 + P)/2 N_0(E + h) + (1 - P)/2 N_0(E - h), thermally smeared.
    model : {"btk", "dynes", "zeeman", "sis"}, optional
        "btk" (default) or "dynes": the tunnel limit Z -> infinity, i.e. the Dynes density
        of states (angle-averaged surface DOS with weight cos^3 theta for d-wave); Z and
        ``polarization`` do not enter. "zeeman": the spin-split tunnel DOS (``h``, ``zeta``;
        s-wave), thermally smeared. "sis": a superconducting tip of gap ``tip_gap`` on the
        sample's Dynes DOS (s-wave).
    series_resistance : float, optional
        Series (spreading) resistance r = R_s / R_N in units of the junction's normal-state
        resistance, in [0, 1e3] (dimensionless). The measured bias is V = V_j + I R_s, so
        G(V) = (1 + r) g(V_j) / (1 + r g(V_j)), normalized to the measured normal state
        1 / (R_N + R_s); it stretches the spectrum to larger bias.
    bias_offset : float, optional
        Bias offset V0 in mV (|V0| <= 1e6): the model is evaluated at V - V0.

    h : float, optional
        ``model="zeeman"``: Zeeman / exchange splitting h in meV, in [0, 1e6] (spin-split BCS DOS,
        :func:`spin_split_dos`, peaks at +-(delta +- h)); shared by all gaps.
    zeta : float, optional
        ``model="zeeman"``: orbital depairing parameter (Maki / Abrikosov-Gor'kov), in [0, 1] (dimensionless).
    tip_gap : float, optional
        ``model="sis"`` (required there): gap of the superconducting tip in meV, in (0, 1e6]; the
        conductance is the tip DOS convolved with the sample's Dynes DOS and the Fermi functions
        (needs T > 0 and gamma > 0; coherence peaks at +-(tip_gap + delta)).
    tip_gamma : float, optional
        ``model="sis"``: Dynes broadening of the tip in meV (> 0; default 1 % of ``tip_gap``).
    lockin_mV : float, optional
        PEAK amplitude V_m (mV, in [0, 1e6]) of the lock-in modulation: the model dI/dV is
        convolved with W(v) = 2 sqrt(V_m^2 - v^2) / (pi V_m^2) (:func:`lockin_nodes`; an rms
        setting A means V_m = sqrt(2) A). None or 0: no lock-in broadening.

    Returns
    -------
    numpy.ndarray
        G (dimensionless), shape of ``bias_mV``.

    Raises
    ------
    TypeError, ValueError
        As :func:`conductance_multi`; ValueError also if the energies x nodes
        array would exceed 5e7 complex entries.

    Examples
    --------
    >>> gaps = (Gap(1.5, 0.43, 1.42),)
    >>> v = [-2.0, 0.0, 1.6]
    >>> bool(abs(conductance_reference(v, gaps, 3.0) - conductance_multi(v, gaps, 3.0)).max() < 1e-12)
    True
    """
    b, shape, T, angle_resolved, ppw = _validate_common(bias_mV, T, angle_resolved, points_per_width, n_angles)
    gaps = check_gaps(gaps)
    P, model, rs, v0 = _validate_extras(polarization, model, series_resistance, bias_offset, gaps)
    opts = _model_options(model, P, gaps, T, h, zeta, tip_gap, tip_gamma, lockin_mV)
    g, _ = _measured(b, gaps, T, angle_resolved, n_angles, ppw, False, True, P, model, rs, v0, opts)
    return _finite_or_raise(g, "conductance_reference").reshape(shape)


# ------------------------------------------------------------- textbook pieces
def _andreev_gamma(e, delta, gamma):
    """gamma(|E| + i Gamma, Delta), mirrored to E < 0 as -conj (G even, a odd)."""
    z = np.abs(e) + 1j * gamma           # no signed zero: the branch is the upper-half-plane one
    g = delta / (z + np.sqrt(z - delta) * np.sqrt(z + delta))
    return np.where(e < 0, -np.conj(g), g)


@renamed_keywords(energy_mV="energy_meV")
def btk_amplitudes(energy_meV, delta, Z, gamma=0.0):
    """BTK amplitudes (a, b) of Andreev and normal reflection at normal incidence.

    From matching at a delta barrier (chapter 4): with g = gamma(E + i Gamma, Delta),
    a = g / (1 + Z^2 (1 - g^2)),  b = -Z (Z + i)(1 - g^2) / (1 + Z^2 (1 - g^2)).

    Parameters
    ----------
    energy_meV : array_like of float
        Energies in meV (alias: ``energy_mV``).
    delta : float
        Gap in meV, in (0, 1e6].
    Z : float
        Dimensionless barrier strength, in [0, 1e6].
    gamma : float, optional
        Dynes broadening in meV, in [0, 1e6].

    Returns
    -------
    tuple of numpy.ndarray
        Complex amplitudes (a, b) (dimensionless), shape of ``energy_meV``.

    Raises
    ------
    TypeError, ValueError
        For bad energies or parameters (see :func:`intrinsic_conductance`).

    Examples
    --------
    >>> a, b = btk_amplitudes([0.0], 1.0, 0.0)
    >>> complex(a[0]), complex(b[0])
    (-1j, 0j)
    """
    e = check.real_array("energy_meV", energy_meV)
    delta = check.positive("delta", delta, DELTA_MAX)
    Z = check.nonnegative("Z", Z, Z_MAX)
    gamma = check.nonnegative("gamma", gamma, GAMMA_MAX)
    g = _andreev_gamma(e, delta, gamma)
    den = 1 + Z ** 2 * (1 - g ** 2)
    return g / den, -Z * (Z + 1j) * (1 - g ** 2) / den


@renamed_keywords(energy_mV="energy_meV")
def btk_coefficients(energy_meV, delta, Z, gamma=0.0):
    """BTK probabilities (A, B) = (|a|^2, |b|^2) of Andreev and normal reflection at normal incidence.

    Parameters
    ----------
    energy_meV : array_like of float
        Energies in meV (alias: ``energy_mV``).
    delta : float
        Gap in meV, in (0, 1e6].
    Z : float
        Dimensionless barrier strength, in [0, 1e6].
    gamma : float, optional
        Dynes broadening in meV, in [0, 1e6].

    Returns
    -------
    tuple of numpy.ndarray
        (A, B), dimensionless, in [0, 1].

    Raises
    ------
    TypeError, ValueError
        For bad energies or parameters.

    Examples
    --------
    >>> A, B = btk_coefficients([0.5], 1.0, 1.0)     # A = 1 / (E^2 + (1 - E^2)(1 + 2 Z^2)^2)
    >>> round(float(A[0]), 6), round(float(A[0] + B[0]), 12)
    (0.142857, 1.0)
    """
    a, b = btk_amplitudes(energy_meV, delta, Z, gamma)
    return np.abs(a) ** 2, np.abs(b) ** 2


@renamed_keywords(energy_mV="energy_meV")
def dynes_dos(energy_meV, delta, gamma):
    """Dynes density of states Re[(E + i Gamma) / sqrt((E + i Gamma)^2 - Delta^2)].

    Parameters
    ----------
    energy_meV : array_like of float
        Energies in meV (alias: ``energy_mV``).
    delta : float
        Gap in meV, in (0, 1e6].
    gamma : float
        Dynes broadening in meV, in [0, 1e6].

    Returns
    -------
    numpy.ndarray
        N(E) / N_0 (dimensionless), shape of ``energy_meV``.

    Raises
    ------
    TypeError
        For complex, boolean or string energies.
    ValueError
        For bad values, and for gamma = 0 at |E| = delta, where the BCS density
        of states is infinite (an integrable singularity: use gamma > 0, or
        energies off the gap edge).

    Examples
    --------
    >>> dynes_dos([0.0, 2.0], 1.0, 0.0).round(6)      # BCS: 0 in the gap, E / sqrt(E^2 - 1) above
    array([0.      , 1.154701])
    """
    e = check.real_array("energy_meV", energy_meV)
    delta = check.positive("delta", delta, DELTA_MAX)
    gamma = check.nonnegative("gamma", gamma, GAMMA_MAX)
    z = np.abs(e) + 1j * gamma
    if gamma == 0.0 and np.any(np.abs(e) == delta):
        raise ValueError("dynes_dos: with gamma = 0 the BCS density of states is infinite at |E| = delta; "
                         "use gamma > 0 meV or energies with |E| != delta")
    dos = np.real(z / (np.sqrt(z - delta) * np.sqrt(z + delta)))
    if not np.all(np.isfinite(dos)):
        raise ValueError("dynes_dos: |E| is so close to delta at gamma = 0 that the DOS overflows; use gamma > 0")
    return dos


@renamed_keywords(energy_mV="energy_meV")
def spin_split_dos(energy_meV, delta, h, gamma, zeta=0.0, polarization=0.0):
    """Spin-split BCS density of states with Dynes broadening and orbital depairing (Maki).

    Derivation. A Zeeman or exchange field h (meV; h = mu_B B for a field, the exchange
    field of a ferromagnetic insulator such as EuS) shifts the quasiparticles of spin
    sigma = +-1 by sigma h, so each spin band is the zero-field DOS at E + sigma h:

        N(E) = [N_0(E + h) + N_0(E - h)] / 2,

    (Meservey and Tedrow; in a normal-metal/insulator/superconductor junction without spin
    filtering the two spins add; a barrier or counter-electrode with tunnelling spin polarization
    P weights them (1 +- P)/2, which makes the spectrum asymmetric). Orbital depairing (a field in the film plane, magnetic
    impurities) enters through the Abrikosov-Gor'kov / Maki parameter zeta = Gamma_pb / Delta:
    with u = E_tilde / Delta_tilde the ratio of the renormalized frequency and gap, the
    Green functions obey E/Delta = u - zeta u / sqrt(1 - u^2), and N_0 = Re[u / sqrt(u^2 - 1)].
    Written with s(u) = sqrt(u - 1) sqrt(u + 1) (the branch analytic off [-1, 1], ~ u at large
    |u|; then sqrt(1 - u^2) = -i s(u) in the upper half plane) and the Dynes broadening
    E -> E + i Gamma, the equation solved for u is

        x = u (1 - i zeta / s(u)),   x = (E + i Gamma) / Delta,   N_0(E) = Re[u / s(u)],

    by Newton's method with F'(u) = 1 + i zeta / s(u)^3, continued from u ~ x at large |E|
    (the root with Im u > 0). Without spin-orbit scattering the two spins decouple (Maki's
    equations couple them through b_so; not included). Limits: zeta = 0 gives u = x, the Dynes
    DOS, so h = 0 is :func:`dynes_dos`; at Gamma = zeta = 0 the DOS has four BCS peaks at
    +-(Delta - h) and +-(Delta + h); for zeta < 1 the gap edge of each spin is
    Delta (1 - zeta^(2/3))^(3/2) (zero at zeta = 1: gapless).

    Parameters
    ----------
    energy_meV : array_like of float
        Energies in meV (alias ``energy_mV``).
    delta : float
        Pair potential Delta in meV, in (0, 1e6].
    h : float
        Zeeman / exchange splitting h in meV, in [0, 1e6] (each spin shifted by +-h).
    gamma : float
        Dynes broadening in meV, in [0, 1e6].
    zeta : float, optional
        Orbital depairing parameter (dimensionless), in [0, 1].
    polarization : float, optional
        Tunnelling spin polarization P in [-1, 1] (dimensionless; Meservey-Tedrow): the spin
        with DOS N_0(E + h) carries the weight (1 + P)/2, the other (1 - P)/2.

    Returns
    -------
    numpy.ndarray
        N(E) / N_0 (dimensionless), even in E for P = 0, shape of ``energy_meV``.

    Raises
    ------
    TypeError
        For complex, boolean or string energies or parameters.
    ValueError
        For values outside their ranges, and for gamma = zeta = 0 at a BCS peak |E| = |Delta +- h|.
    nickelates.errors.ConvergenceError
        If the Maki equation is not solved to a relative residual of 1e-8.

    Examples
    --------
    >>> spin_split_dos([0.0, 0.5, 2.0], 1.0, 0.0, 0.1).round(6) == dynes_dos([0.0, 0.5, 2.0], 1.0, 0.1).round(6)
    array([ True,  True,  True])
    >>> round(float(spin_split_dos([1.0], 1.0, 0.3, 0.0)[0]), 6)   # (N_BCS(1.3) + N_BCS(0.7) = 0) / 2
    0.782508
    """
    e = check.real_array("energy_meV", energy_meV)
    delta = check.positive("delta", delta, DELTA_MAX)
    h = check.nonnegative("h", h, H_MAX)
    gamma = check.nonnegative("gamma", gamma, GAMMA_MAX)
    zeta = check.in_range("zeta", zeta, 0.0, ZETA_MAX)
    if gamma == 0.0 and zeta == 0.0 and np.any((np.abs(e) == delta + h) | (np.abs(e) == abs(delta - h))):
        raise ValueError("spin_split_dos: with gamma = zeta = 0 the DOS is infinite at |E| = |delta +- h|; "
                         "use gamma > 0 meV or other energies")
    P = check.in_range("polarization", polarization, -1.0, 1.0)
    gap = Gap(delta, 0.0, gamma)
    opts = {"h": h, "zeta": zeta}
    dos = _g_one(np.abs(e.ravel()), gap, model="zeeman", opts=opts)
    if P != 0.0:
        dos = dos + P * _zeeman_odd(e.ravel(), gap, opts)
    return _finite_or_raise(dos, "spin_split_dos").reshape(e.shape)


# ------------------------------------------------------------- orientation of a d-wave gap
@dataclass(frozen=True)
class DwaveOrientation:
    """Angle-resolved T = 0 conductance of a d-wave gap for several lobe orientations, and of s-wave.

    Energies, Gamma in units of Delta_0.

    Attributes
    ----------
    energy : numpy.ndarray
        E / Delta_0.
    alphas : tuple of float
        Orientations in rad.
    G : dict
        alpha -> G(E) of the d-wave gap (dimensionless).
    G_s : numpy.ndarray
        G(E) of the s-wave gap with the same Z, Gamma.
    Z : float
        Barrier strength (dimensionless).
    gamma : float
        Broadening / Delta_0.

    Examples
    --------
    >>> o = dwave_orientation((0.0,), n=5)
    >>> list(o.G), o.energy.size
    ([0.0], 5)
    """

    energy: np.ndarray
    alphas: tuple
    G: dict
    G_s: np.ndarray
    Z: float
    gamma: float

    @property
    def zero_bias(self) -> dict:
        """Dict alpha (rad) -> G(E = 0) (dimensionless; the energy nearest to 0)."""
        i0 = int(np.argmin(np.abs(self.energy)))
        return {a: float(g[i0]) for a, g in self.G.items()}


def dwave_orientation(alphas=(0.0, np.pi / 8, np.pi / 4), Z=2.0, gamma=0.02, energy_max=2.5, n=501):
    """Zero-bias peak vs interface orientation: d-wave G(E) for each alpha, and s-wave, at T = 0.

    Parameters
    ----------
    alphas : sequence of float
        Orientations in rad.
    Z : float, optional
        Dimensionless barrier strength, in [0, 1e6].
    gamma : float, optional
        Broadening in units of Delta_0, in [0, 1e6].
    energy_max : float, optional
        Energies span [-energy_max, energy_max] in units of Delta_0 (> 0).
    n : int, optional
        Number of energies (dimensionless, 2..1e6).

    Returns
    -------
    DwaveOrientation
        The spectra and ``zero_bias`` = {alpha: G(0)}.

    Raises
    ------
    TypeError, ValueError
        For bad parameters.

    Examples
    --------
    >>> zb = dwave_orientation((0.0, np.pi / 4), n=11).zero_bias
    >>> zb[np.pi / 4] > 5 > 0.3 > zb[0.0]         # (110): zero-bias peak; (100): none
    True
    """
    al = tuple(float(a) for a in check.real_array("alphas", alphas, ndim=1))
    emax = check.positive("energy_max", energy_max, DELTA_MAX)
    n = check.integer("n", n, 2, 1_000_000)
    e = np.linspace(-emax, emax, n)
    G = {a: intrinsic_conductance(e, 1.0, Z, gamma, "d", a) for a in al}
    G_s = intrinsic_conductance(e, 1.0, Z, gamma)
    return DwaveOrientation(e, al, G, G_s, float(Z), float(gamma))
