"""Isotropic multiband Eliashberg theory of boson exchange (chapter 8).

The Matsubara-axis equations for bands i = 1..n (row i = the band renormalized
or paired, column j = the intermediate band)::

    Z_i(iw_n) = 1 + (pi T / w_n) sum_{m,j} lam^Z_ij(n-m) B_j(m) w_m / R_j(m)
    Z_i Delta_i(iw_n) = pi T sum_{m,j} [lam^Delta_ij(n-m) - mu*_ij] B_j(m) Delta_j(m) / R_j(m)

with R_j(m) = sqrt(w_m^2 + Delta_j(m)^2), an Einstein boson of energy omega,
lam_ij(nu) = lam_ij omega^2 / (omega^2 + nu^2), and B_j = 1 for an infinite flat
band or (2/pi) arctan(Omega_j / (Z_j R_j)) for a flat band |xi| < Omega_j
(``band_cutoff``; the hard electronic cutoff of chapter 3). mu* acts on every
Matsubara frequency below the Matsubara cutoff.

Sign conventions: phonon-like attraction has lam^Delta = +lam^Z; the triplon
(spin-1) exchange between the two bands of the nickelate model has
lam^Delta_ij = -lam^Z_ij off the diagonal (:func:`triplon_coupling_matrices`,
derived in :func:`triplon_spin_factors`).

The kappa anisotropy of the triplon vertex (:func:`triplon_form_factors`) enters in the
separable form lam^X_ij(k, k') = lam^X_ij (1 + g_X eta_k^2 eta_k'^2) of the s channel; then
Z w_n and Z Delta are linear in s = eta_k^2 on each sheet and the equations close on two
coefficients per band and frequency (:class:`SeparableAnisotropy`,
:func:`critical_temperature_separable`, :func:`solve_separable`).

Units: any energy unit, k_B = 1; T, omega_boson, band_cutoff and the returned
T_c share it. The numba loops are in :mod:`nickelates.kernels.eliashberg`.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from . import _validate as check
from .errors import ConvergenceError
from .kernels import eliashberg as kernel

__all__ = [
    "DEFAULT_CUTOFF", "EULER_GAMMA", "triplon_spin_factors", "triplon_coupling_matrices",
    "allen_dynes", "cutoff_mapping", "weak_coupling_tc", "matsubara_frequencies", "LinearizedGap", "linearized_gap",
    "CriticalTemperature", "critical_temperature", "EliashbergSolution", "solve", "pade",
    "RealAxisGap", "continue_to_real_axis", "einstein_normal_self_energy", "tunneling_conductance",
    "solve_reference", "TriplonState", "triplon_state",
    "triplon_form_factors", "SeparableAnisotropy", "separable_anisotropy", "triplon_anisotropy",
    "SeparableLinearized", "critical_temperature_separable", "SeparableSolution", "solve_separable",
    "separable_weak_coupling_tc", "BosonSpectrum", "boson_spectrum", "triplon_spectrum",
    "solve_real_axis", "real_axis_dos", "real_axis_reference", "band_dos", "FiniteBandState", "finite_band_tc",
    "morel_anderson", "coulomb_matrix", "SETTINGS", "setting_state",
]

#: default Matsubara cutoff in units of the largest boson energy (or of 4 x the band cutoff, if smaller)
DEFAULT_CUTOFF = 24.0
#: Euler's constant
EULER_GAMMA = 0.5772156649015329

_LAM_MAX = 50.0
_N_BANDS_MAX = 8
_N_MATS_MAX = 2500
_OMEGA_MAX = 1e12


# --------------------------------------------------------------------------
# derivation of the couplings


def triplon_spin_factors() -> dict:
    """Spin factors of triplon exchange: normal self-energy, singlet pairing vertex, static V.

    The interband vertex of Eq. (11) (kappa = 0) is -J_H phi_mu (s_ab + s_ba)^mu with
    phi_mu = T_mu + T_mu^+ and s^mu = c^+ (sigma^mu / 2) c. Its propagator for a
    dispersionless triplon is D(i nu) = 2 omega_t / (omega_t^2 + nu^2). The one-boson
    self-energies carry sum_mu (sigma^mu/2)(sigma^mu/2) (normal part) and
    sum_mu (sigma^mu/2)(i sigma^y)(sigma^mu/2)^T (anomalous part, singlet pairs).
    With lam_ij = N_j J_H^2 D(0) x (spin factor), the static pairing amplitude is
    V = -lam^Delta_ab / N_b.

    Returns
    -------
    dict
        ``normal`` (3/4), ``pairing`` (-3/4), ``D`` (the propagator, SymPy),
        ``lam_Z``, ``lam_Delta`` (the alpha-beta couplings over N_beta), ``V_static``
        (3 J_H^2 / 2 omega_t) and the symbols ``J_H``, ``omega_t``, ``nu``.

    Raises
    ------
    RuntimeError
        Never for valid SymPy (an internal consistency check on the spin algebra).

    Examples
    --------
    >>> s = triplon_spin_factors()
    >>> s["normal"], s["pairing"], s["V_static"]
    (3/4, -3/4, 3*J_H**2/(2*omega_t))
    """
    import sympy as sp

    J_H, w, nu = sp.symbols("J_H omega_t nu", positive=True)
    sig = [sp.Matrix([[0, 1], [1, 0]]), sp.Matrix([[0, -sp.I], [sp.I, 0]]), sp.Matrix([[1, 0], [0, -1]])]
    s = [m / 2 for m in sig]
    isy = sp.I * sig[1]
    normal = sum((m * m for m in s), sp.zeros(2, 2))
    anomalous = sum((m * isy * m.T for m in s), sp.zeros(2, 2))
    fn = sp.nsimplify(normal[0, 0])
    fa = sp.simplify(anomalous[0, 1] / isy[0, 1])
    if normal != fn * sp.eye(2) or sp.simplify(anomalous - fa * isy) != sp.zeros(2, 2):
        raise RuntimeError("spin algebra: the self-energies are not proportional to 1 and i sigma^y")
    D = 2 * w / (w**2 + nu**2)
    lam_Z = sp.simplify(J_H**2 * D.subs(nu, 0) * fn)
    lam_D = sp.simplify(J_H**2 * D.subs(nu, 0) * fa)
    return dict(normal=fn, pairing=fa, D=D, lam_Z=lam_Z, lam_Delta=lam_D, V_static=sp.simplify(-lam_D),
                J_H=J_H, omega_t=w, nu=nu)


def triplon_coupling_matrices(V, N_alpha, N_beta):
    """Coupling matrices (lam^Z, lam^Delta) of interband triplon exchange (kappa = 0).

    lam^Z = V [[0, N_beta], [N_alpha, 0]] and lam^Delta = -lam^Z (spin factors of
    :func:`triplon_spin_factors`); the s+- eigenvalue of lam^Delta is
    lam = V sqrt(N_alpha N_beta) of chapter 3.

    Parameters
    ----------
    V : float
        Static pair-hopping amplitude 3 J_H^2 / 2 J_c (eV), in (0, 1e6].
    N_alpha, N_beta : float
        Fermi-level densities of states per spin (1/eV), in (0, 1e6].

    Returns
    -------
    tuple of numpy.ndarray
        (lam_Z, lam_Delta), each 2 x 2, dimensionless (row = band renormalized).

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> lz, ld = triplon_coupling_matrices(1.0, 0.25, 0.64)
    >>> lz.tolist(), float(np.sqrt(ld[0, 1] * ld[1, 0]))
    ([[0.0, 0.64], [0.25, 0.0]], 0.4)
    """
    V = check.positive("V", V, 1e6)
    Na = check.positive("N_alpha", N_alpha, 1e6)
    Nb = check.positive("N_beta", N_beta, 1e6)
    lz = V * np.array([[0.0, Nb], [Na, 0.0]])
    return lz, -lz


# --------------------------------------------------------------------------
# formulas


def allen_dynes(lam, omega_log, mu_star=0.0, omega_2=None, *, corrections: bool = True) -> float:
    """Allen-Dynes T_c formula (Allen & Dynes 1975), k_B = 1, units of ``omega_log``.

    T_c = f1 f2 (omega_log / 1.2) exp[-1.04 (1 + lam) / (lam - mu* (1 + 0.62 lam))],
    f1 = [1 + (lam / L1)^(3/2)]^(1/3), L1 = 2.46 (1 + 3.8 mu*),
    f2 = 1 + (omega_2 / omega_log - 1) lam^2 / (lam^2 + L2^2), L2 = 1.82 (1 + 6.3 mu*) omega_2 / omega_log.
    For an Einstein spectrum omega_2 = omega_log and f2 = 1; ``corrections=False``
    gives McMillan's form (f1 = f2 = 1).

    Parameters
    ----------
    lam : float
        Electron-boson coupling, in (0, 50].
    omega_log : float
        Logarithmic average boson energy (any unit), in (0, 1e12].
    mu_star : float, optional
        Coulomb pseudopotential, in [0, 0.5].
    omega_2 : float, optional
        sqrt(<omega^2>) (same unit); default ``omega_log`` (Einstein).
    corrections : bool, optional
        Include the strong-coupling factors f1 f2.

    Returns
    -------
    float
        T_c (unit of ``omega_log``); 0.0 where lam <= mu* (1 + 0.62 lam).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> round(allen_dynes(1.0, 1.0), 4), round(allen_dynes(1.0, 1.0, corrections=False), 4)
    (0.1124, 0.1041)
    """
    lam = check.positive("lam", lam, _LAM_MAX)
    wl = check.positive("omega_log", omega_log, _OMEGA_MAX)
    mu = check.in_range("mu_star", mu_star, 0.0, 0.5)
    w2 = wl if omega_2 is None else check.positive("omega_2", omega_2, _OMEGA_MAX)
    corrections = check.boolean("corrections", corrections)
    den = lam - mu * (1.0 + 0.62 * lam)
    if den <= 0.0:
        return 0.0
    f1 = f2 = 1.0
    if corrections:
        L1 = 2.46 * (1.0 + 3.8 * mu)
        L2 = 1.82 * (1.0 + 6.3 * mu) * (w2 / wl)
        f1 = (1.0 + (lam / L1) ** 1.5) ** (1.0 / 3.0)
        f2 = 1.0 + (w2 / wl - 1.0) * lam**2 / (lam**2 + L2**2)
    return float(f1 * f2 * wl / 1.2 * math.exp(-1.04 * (1.0 + lam) / den))


def _band_integrals(r):
    """I(r) = int_0^inf [F(x) - theta(1-x)] dx/x and z(r) = 2 int_0^inf B(x) x/(1+x^2)^2 dx."""
    from scipy.integrate import quad

    if math.isinf(r):
        return -0.5, 1.0

    def B(x):
        return 2.0 / math.pi * math.atan(r / x) if x > 0 else 1.0

    f_lo = quad(lambda x: ((1 + x * x) ** -2 * B(x) - 1.0) / x, 0.0, 1.0, limit=200)[0]
    f_hi = quad(lambda x: (1 + x * x) ** -2 * B(x) / x, 1.0, math.inf, limit=200)[0]
    z = quad(lambda x: 2.0 * B(x) * x / (1 + x * x) ** 2, 0.0, math.inf, limit=200)[0]
    return f_lo + f_hi, z


def cutoff_mapping(omega_boson, band_cutoff=None) -> tuple:
    """Integrals I(r), z(r) of the weak-coupling cutoff mapping (r = band_cutoff / omega_boson).

    I(r) = int_0^inf [(1+x^2)^-2 B(x) - theta(1-x)] dx/x (the pairing logarithm's constant) and
    z(r) = 2 int_0^inf B(x) x (1+x^2)^-2 dx (the mass renormalization per unit lambda), with
    B(x) = (2/pi) arctan(r/x); the equivalent BCS cutoff is omega exp(I - z) at coupling lambda.

    Parameters
    ----------
    omega_boson : float
        Boson energy (any unit), in (0, 1e12].
    band_cutoff : float, optional
        Flat-band half-width (unit of ``omega_boson``); None = infinite band.

    Returns
    -------
    tuple of float
        (I, z); (-1/2, 1) for an infinite band, (ln r, 0) as r -> 0.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> cutoff_mapping(1.0)
    (-0.5, 1.0)
    >>> I, z = cutoff_mapping(1000.0, 1.0)
    >>> round(I - math.log(1e-3), 3), round(z, 4)
    (-0.001, 0.001)
    """
    w = check.positive("omega_boson", omega_boson, _OMEGA_MAX)
    r = math.inf if band_cutoff is None else check.positive("band_cutoff", band_cutoff, _OMEGA_MAX) / w
    I, z = _band_integrals(r)
    return float(I), float(z)


def weak_coupling_tc(lam, omega_boson, band_cutoff=None) -> float:
    """Weak-coupling limit of the one-band Einstein Eliashberg T_c (k_B = 1).

    To leading order in lam (the pairing log and the mass renormalization),
    T_c = (2 e^gamma / pi) omega exp(I(r)) exp(-(1 + lam z(r)) / lam), r = Omega / omega,
    with I(r) = int_0^inf [(1+x^2)^-2 B(x) - theta(1-x)] dx/x, z(r) = 2 int_0^inf B(x) x (1+x^2)^-2 dx
    and B(x) = (2/pi) arctan(r/x). Infinite band: I = -1/2, z = 1, so
    T_c = 1.13 omega e^(-1/2) e^(-(1+lam)/lam); omega -> inf at fixed Omega: I -> ln r,
    z -> 0, the BCS T_c = 1.13 Omega e^(-1/lam). The equivalent BCS cutoff is
    Omega_BCS = omega exp(I(r) - z(r)) (at the coupling lam).

    Parameters
    ----------
    lam : float
        Coupling (dimensionless), in (0, 50].
    omega_boson : float
        Boson energy (any unit), in (0, 1e12].
    band_cutoff : float, optional
        Half-width Omega of the flat band (unit of ``omega_boson``); None = infinite band.

    Returns
    -------
    float
        T_c (unit of ``omega_boson``).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> round(weak_coupling_tc(0.2, 1.0) / (1.134 * math.exp(-0.5 - 6.0)), 3)
    1.0
    """
    lam = check.positive("lam", lam, _LAM_MAX)
    w = check.positive("omega_boson", omega_boson, _OMEGA_MAX)
    r = math.inf if band_cutoff is None else check.positive("band_cutoff", band_cutoff, _OMEGA_MAX) / w
    I, z = _band_integrals(r)
    return float(2.0 * math.exp(EULER_GAMMA) / math.pi * w * math.exp(I - (1.0 + lam * z) / lam))


# --------------------------------------------------------------------------
# inputs


@dataclass(frozen=True)
class BosonSpectrum:
    """A tabulated boson spectrum: lam_ij(nu) = lam_ij sum_l w_l Omega_l^2 / (Omega_l^2 + nu^2), sum w_l = 1.

    w_l is the weight of mode l in the static coupling (alpha^2 F(Omega) 2/Omega, normalized);
    pass it as ``omega_boson`` to the solvers. Build it with :func:`boson_spectrum`.

    Attributes
    ----------
    energies : numpy.ndarray
        Mode energies Omega_l (any unit, > 0).
    weights : numpy.ndarray
        Their weights in the static coupling (sum 1).

    Examples
    --------
    >>> b = boson_spectrum([1.0, 2.0], [1.0, 3.0])
    >>> b.weights.tolist(), round(b.omega_log, 4)
    ([0.25, 0.75], 1.6818)
    """

    energies: np.ndarray
    weights: np.ndarray

    @property
    def omega_log(self) -> float:
        """exp(sum_l w_l ln Omega_l), the Allen-Dynes logarithmic average."""
        return float(np.exp(np.sum(self.weights * np.log(self.energies))))


def boson_spectrum(energies, weights) -> BosonSpectrum:
    """Validated :class:`BosonSpectrum` (weights normalized to 1).

    Parameters
    ----------
    energies : array_like of float
        Mode energies (any unit), in (0, 1e12], 1 to 512 of them.
    weights : array_like of float
        Weights >= 0 in the static coupling, positive sum, same length.

    Returns
    -------
    BosonSpectrum
        The spectrum.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If an argument is out of range or the lengths differ.

    Examples
    --------
    >>> boson_spectrum([0.5], [2.0]).weights.tolist()
    [1.0]
    """
    e = check.real_array("energies", energies, ndim=1, max_size=512)
    w = check.real_array("weights", weights, ndim=1, max_size=512)
    if e.size != w.size:
        raise ValueError(f"energies and weights must have the same length, got {e.size} and {w.size}")
    if np.any(e < check.TINY) or np.any(e > _OMEGA_MAX):
        raise ValueError(f"energies must lie in (0, {_OMEGA_MAX:g}]")
    if np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights must be >= 0 with a positive sum")
    return BosonSpectrum(e.copy(), w / w.sum())


def triplon_spectrum(omega_t, *, hopping: float = 1.0 / 16.0, n_q: int = 128, n_bins: int = 32) -> tuple:
    """Momentum-averaged spectrum of a dispersive triplon omega_q = omega_t [1 + h (cos q_x + cos q_y)].

    The local exchange averages the propagator over q: D_loc(i nu) = <2 omega_q / (omega_q^2 + nu^2)>_q,
    so lam(nu) = lam_E <omega_t omega_q / (omega_q^2 + nu^2)>_q with lam_E the Einstein coupling at
    omega_t. Binning omega_q on an n_q x n_q grid gives the modes; their weights in the static
    coupling are p_l omega_t / Omega_l (p_l the triplon DOS), and the static coupling itself is
    multiplied by <omega_t / omega_q>.

    Parameters
    ----------
    omega_t : float
        Triplon energy at the band centre (any unit), in (0, 1e12].
    hopping : float, optional
        h = J_ab / J_c-like relative bandwidth parameter, in [0, 0.24] (omega_q > 0).
    n_q : int, optional
        q points per axis, in [8, 2048].
    n_bins : int, optional
        Energy bins, in [1, 512].

    Returns
    -------
    tuple
        (BosonSpectrum, static factor <omega_t / omega_q>); multiply lam_Z and lam_Delta by the factor.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> spec, f = triplon_spectrum(1.0, n_bins=8)
    >>> round(f, 5), round(float(spec.energies.min()), 3), round(float(spec.energies.max()), 3)
    (1.00394, 0.891, 1.109)
    """
    w = check.positive("omega_t", omega_t, _OMEGA_MAX)
    h = check.in_range("hopping", hopping, 0.0, 0.24)
    n_q = check.integer("n_q", n_q, 8, 2048)
    n_bins = check.integer("n_bins", n_bins, 1, 512)
    q = 2 * math.pi * (np.arange(n_q) + 0.5) / n_q
    wq = (w * (1 + h * (np.cos(q)[:, None] + np.cos(q)[None, :]))).ravel()
    factor = float(np.mean(w / wq))
    if h == 0.0 or n_bins == 1:
        return BosonSpectrum(np.array([w]), np.array([1.0])), factor
    edges = np.linspace(wq.min(), wq.max(), n_bins + 1)
    idx = np.clip(np.searchsorted(edges, wq, side="right") - 1, 0, n_bins - 1)
    stat = np.bincount(idx, weights=w / wq, minlength=n_bins)            # static weight per bin
    num = np.bincount(idx, weights=w / wq * np.log(wq), minlength=n_bins)
    keep = stat > 0
    energies = np.exp(num[keep] / stat[keep])                             # log-mean energy of the bin
    return BosonSpectrum(energies, stat[keep] / stat[keep].sum()), factor


@dataclass(frozen=True)
class _Problem:
    lz: np.ndarray
    ld: np.ndarray
    omega: np.ndarray
    mu: np.ndarray
    Om: np.ndarray
    wc: float
    spec: BosonSpectrum | None = None

    @property
    def nb(self):
        return self.lz.shape[0]

    def n_mats(self, T):
        N = int(math.ceil(self.wc / (2.0 * math.pi * T) - 0.5))
        if N > _N_MATS_MAX:
            raise ValueError(f"T = {T:.4g}: the Matsubara cutoff {self.wc:.4g} needs {N} frequencies, more than "
                             f"{_N_MATS_MAX}; raise T or lower matsubara_cutoff")
        return max(N, 8)

    def tables(self, T, N):
        if self.spec is None:
            return (kernel.coupling_table(self.lz, self.omega, T, 2 * N),
                    kernel.coupling_table(self.ld, self.omega, T, 2 * N))
        lz = ld = 0.0
        for e, w in zip(self.spec.energies, self.spec.weights):
            om = np.full_like(self.omega, e)
            lz = lz + w * kernel.coupling_table(self.lz, om, T, 2 * N)
            ld = ld + w * kernel.coupling_table(self.ld, om, T, 2 * N)
        return lz, ld


def _matrix(name, value, nb=None):
    a = check.real_array(name, value, max_size=_N_BANDS_MAX**2)
    if a.ndim == 0:
        a = a.reshape(1, 1)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be a square (n_bands, n_bands) array, got shape {a.shape}")
    if nb is not None and a.shape[0] != nb:
        raise ValueError(f"{name} must have shape ({nb}, {nb}) like lam_Z, got {a.shape}")
    return a


def _problem(lam_Z, lam_Delta, omega_boson, mu_star, band_cutoff, matsubara_cutoff):
    lz = _matrix("lam_Z", lam_Z)
    nb = lz.shape[0]
    ld = _matrix("lam_Delta", lam_Delta, nb)
    for name, a in (("lam_Z", lz), ("lam_Delta", ld)):
        if np.max(np.abs(a)) > _LAM_MAX:
            raise ValueError(f"{name} entries must lie in [-{_LAM_MAX}, {_LAM_MAX}], got max |{name}| = "
                             f"{np.max(np.abs(a)):.4g}")
    lz = np.where(np.abs(lz) < check.TINY, 0.0, lz)      # subnormal entries are zeros
    ld = np.where(np.abs(ld) < check.TINY, 0.0, ld)
    if np.any(lz < 0):
        raise ValueError("lam_Z must have entries >= 0 (mass renormalization is never negative)")
    if np.any(np.abs(ld) > lz * (1 + 1e-12) + 1e-300):
        raise ValueError("lam_Delta must satisfy |lam_Delta_ij| <= lam_Z_ij for one-boson exchange")
    spec = None
    if isinstance(omega_boson, BosonSpectrum):
        spec = omega_boson
        omega_boson = float(np.max(spec.energies))
    w = check.real_array("omega_boson", omega_boson, max_size=_N_BANDS_MAX**2)
    if w.ndim == 0:
        w = np.full((nb, nb), float(w))
    elif w.shape != (nb, nb):
        raise ValueError(f"omega_boson must be a number or a ({nb}, {nb}) array, got shape {w.shape}")
    if np.any(w <= 0) or np.any(w > _OMEGA_MAX) or np.any(w < check.TINY):
        raise ValueError(f"omega_boson must lie in (0, {_OMEGA_MAX:g}], got {w.ravel().tolist()}")
    if mu_star is None:
        mu = np.zeros((nb, nb))
    else:
        mu = check.real_array("mu_star", mu_star, max_size=_N_BANDS_MAX**2)
        mu = mu * np.eye(nb) if mu.ndim == 0 else _matrix("mu_star", mu, nb)
        if np.any(mu < 0) or np.any(mu > 1.0):
            raise ValueError(f"mu_star entries must lie in [0, 1], got {mu.ravel().tolist()}")
    wmax = float(w.max())
    if band_cutoff is None:
        Om = np.full(nb, np.inf)
        scale = wmax
    else:
        Om = check.real_array("band_cutoff", band_cutoff, max_size=_N_BANDS_MAX)
        Om = np.full(nb, float(Om)) if Om.ndim == 0 else Om
        lo = 1e-6 * float(w.min())
        if Om.shape != (nb,) or np.any(Om < lo) or np.any(Om > _OMEGA_MAX):
            raise ValueError(f"band_cutoff must be a number or {nb} numbers in [{lo:g}, {_OMEGA_MAX:g}] "
                             f"(at least 1e-6 of the boson energy), got {np.ravel(Om).tolist()}")
        scale = min(wmax, 4.0 * float(Om.max()))
    if matsubara_cutoff is None:
        wc = DEFAULT_CUTOFF * scale
    else:
        wc = check.positive("matsubara_cutoff", matsubara_cutoff, 1e4 * scale)
        if wc < 2.0 * wmax:
            raise ValueError(f"matsubara_cutoff must be at least twice the largest boson energy ({2 * wmax:.4g}), "
                             f"got {wc:.4g}")
    return _Problem(lz, ld, w, mu, Om, wc, spec)


def _attractive(prob):
    """The problem itself, or with lam_Delta = 0 when lam_Delta has no positive eigenvalue.

    Without an attractive channel (every eigenvalue of lam_Delta <= 0; mu* only repels more)
    there is no Cooper logarithm: Delta = 0 at every T and T_c = 0.  The pairing-free problem
    gives that answer at once instead of a search (or a Lanczos run on a kernel without a
    positive eigenvalue) that would take minutes.
    """
    if not np.any(prob.ld):
        return prob
    if float(np.max(np.linalg.eigvals(prob.ld).real)) > 0.0:
        return prob
    return dataclasses.replace(prob, ld=np.zeros_like(prob.ld))


def _check_T(T, prob):
    return check.in_range("T", T, 1e-7 * float(prob.omega.min()), 10.0 * prob.wc, lo_open=False)


def matsubara_frequencies(T, n):
    """The first ``n`` positive fermionic Matsubara frequencies (2 m + 1) pi T.

    Parameters
    ----------
    T : float
        Temperature (energy unit, k_B = 1), in (0, 1e12].
    n : int
        How many, in [1, 10**6].

    Returns
    -------
    numpy.ndarray
        w_m, m = 0..n-1 (unit of ``T``).

    Raises
    ------
    TypeError
        If ``n`` is not an integer or ``T`` not a real number.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> np.round(matsubara_frequencies(1.0, 2) / np.pi, 6).tolist()
    [1.0, 3.0]
    """
    T = check.positive("T", T, _OMEGA_MAX)
    n = check.integer("n", n, 1, 10**6)
    return (2.0 * np.arange(n) + 1.0) * math.pi * T


# --------------------------------------------------------------------------
# linearized equations, T_c


@dataclass(frozen=True)
class LinearizedGap:
    """Leading eigenvalue and eigenvector of the linearized gap equations (:func:`linearized_gap`).

    Attributes
    ----------
    T : float
        Temperature (unit of the boson energy).
    eigenvalue : float
        Leading (largest real) eigenvalue; 1 at T_c.
    wn : numpy.ndarray
        Matsubara frequencies w_n, n >= 0.
    Z : numpy.ndarray
        (n_bands, N) normal-state Z_i(iw_n).
    delta : numpy.ndarray
        (n_bands, N) eigenvector as a gap function Delta_i(iw_n), normalized to
        max |Delta| = 1 with Delta_0(iw_0) > 0.

    Examples
    --------
    >>> g = linearized_gap([[0.0, 0.6], [0.25, 0.0]], [[0.0, -0.6], [-0.25, 0.0]], 1.0, 0.05)
    >>> bool(g.delta[0, 0] > 0 > g.delta[1, 0])
    True
    """

    T: float
    eigenvalue: float
    wn: np.ndarray
    Z: np.ndarray
    delta: np.ndarray


def _normal_omt(prob, T, N, lz_tab):
    wn = matsubara_frequencies(T, N)
    omt, it, change = kernel.normal_state(lz_tab, wn, T, prob.Om, 1e-13, 500)
    if change > 1e-10 and not np.all(np.isinf(prob.Om)):
        raise ConvergenceError(f"normal-state Z at T = {T:.4g}: {it} iterations, change {change:.2e}",
                               iterations=int(it), residual=float(change), last=omt)
    return wn, omt


def _similarity(prob):
    """Band weights d with d_i K_ij = d_j K_ji for every frequency (None if there are none)."""
    K, mu, w = prob.ld, prob.mu, prob.omega
    nb = prob.nb
    d = np.full(nb, np.nan)
    d[0] = 1.0
    for _ in range(nb):
        for i in range(nb):
            for j in range(nb):
                if np.isnan(d[i]) or not np.isnan(d[j]) or i == j:
                    continue
                a, b = K[i, j], K[j, i]
                if a == 0.0 and b == 0.0:
                    a, b = mu[i, j], mu[j, i]
                if a == 0.0 and b == 0.0:
                    continue
                if a * b <= 0.0:
                    return None
                d[j] = d[i] * a / b
    d[np.isnan(d)] = 1.0
    for M in (K, mu):
        if not np.allclose(d[:, None] * M, (d[:, None] * M).T, rtol=1e-12, atol=0.0):
            return None
    if not np.allclose(w, w.T, rtol=1e-14, atol=0.0):
        return None
    return d


def _start_vector(n):
    """A fixed Lanczos/Arnoldi start vector (ARPACK's default is random: runs would differ at 1e-12)."""
    return np.random.default_rng(12345).uniform(0.5, 1.5, n)


def _leading(A, wcol, d, N):
    """Largest real eigenvalue and eigenvector of A = K W (W = diag(wcol))."""
    n = A.shape[0]
    if not np.any(A):
        vec = np.zeros(n)
        vec[0] = 1.0
        return 0.0, vec
    if d is not None:
        # symmetric similar matrix S = M A M^-1, M = W^(1/2) P, P = diag(sqrt(d_band))
        m = np.sqrt(wcol) * np.repeat(np.sqrt(d), N)
        S = A * (m[:, None] / m[None, :])
        S = 0.5 * (S + S.T)
        if n <= 64:
            from scipy.linalg import eigh
            ev, vec = eigh(S, subset_by_index=[n - 1, n - 1])
        else:
            from scipy.sparse.linalg import ArpackError, eigsh
            try:
                ev, vec = eigsh(S, k=1, which="LA", tol=1e-12, maxiter=50 * n, v0=_start_vector(n))
            except ArpackError as exc:
                raise ConvergenceError(f"leading eigenvalue of the {n} x {n} linearized kernel: ARPACK (Lanczos) "
                                       "did not converge", iterations=50 * n, residual=None, last=None) from exc
        return float(ev[-1]), vec[:, -1] / m
    if n <= 64:
        ev, vec = np.linalg.eig(A)
    else:
        from scipy.sparse.linalg import ArpackError, eigs
        try:
            ev, vec = eigs(A, k=2, which="LR", tol=1e-12, maxiter=50 * n, v0=_start_vector(n))
        except ArpackError as exc:
            raise ConvergenceError(f"leading eigenvalue of the {n} x {n} linearized kernel: ARPACK did not "
                                   "converge", iterations=50 * n, residual=None, last=None) from exc
    k = int(np.argmax(ev.real))
    return float(ev[k].real), np.real(vec[:, k])


def _linearized(prob, T):
    N = prob.n_mats(T)
    lz, ld = prob.tables(T, N)
    wn, omt = _normal_omt(prob, T, N, lz)
    A = kernel.linear_matrix(ld, prob.mu, omt, T, prob.Om)
    wcol = kernel.column_weights(omt, T, prob.Om).ravel()
    ev, vec = _leading(A, wcol, _similarity(prob), N)
    Z = omt / wn
    phi = vec.reshape(prob.nb, N)
    delta = phi / Z
    s = np.max(np.abs(delta))
    delta = delta / s * (1.0 if delta[0, 0] >= 0 else -1.0)
    return LinearizedGap(float(T), ev, wn, Z, delta)


def linearized_gap(lam_Z, lam_Delta, omega_boson, T, *, mu_star=None, band_cutoff=None,
                   matsubara_cutoff=None) -> LinearizedGap:
    """Leading eigenvalue and gap eigenvector of the linearized Eliashberg equations at ``T``.

    The kernel acts on phi_j = Z_j Delta_j with the normal-state Z; superconductivity
    sets in where the largest real eigenvalue reaches 1.

    Parameters
    ----------
    lam_Z, lam_Delta : array_like
        (n_bands, n_bands) couplings (dimensionless), row = band renormalized/paired,
        column = intermediate band; entries in [-50, 50], lam_Z >= |lam_Delta|.
    omega_boson : float, array_like or BosonSpectrum
        Einstein boson energy (any unit), an (n_bands, n_bands) array of them, or a :class:`BosonSpectrum`.
    T : float
        Temperature (unit of ``omega_boson``, k_B = 1).
    mu_star : float or array_like, optional
        Coulomb pseudopotential (a number = on the diagonal), in [0, 1]; default 0.
    band_cutoff : float or array_like, optional
        Half-width of each flat band (unit of ``omega_boson``); default infinite.
    matsubara_cutoff : float, optional
        Highest Matsubara frequency kept (unit of ``omega_boson``); default
        ``DEFAULT_CUTOFF`` x min(max omega_boson, 4 max band_cutoff).

    Returns
    -------
    LinearizedGap
        Eigenvalue, Z and the eigenvector Delta_i(iw_n).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range or T needs more than 2500 Matsubara frequencies.
    ConvergenceError
        If the normal-state Z or the eigenvalue solver does not converge.

    Examples
    --------
    >>> g = linearized_gap(0.0, 0.0, 1.0, 0.1)
    >>> g.eigenvalue, g.Z.shape
    (0.0, (1, 38))
    """
    prob = _problem(lam_Z, lam_Delta, omega_boson, mu_star, band_cutoff, matsubara_cutoff)
    return _linearized(prob, _check_T(T, prob))


@dataclass(frozen=True)
class CriticalTemperature:
    """T_c and the gap eigenvector there (:func:`critical_temperature` with ``full_output=True``).

    Attributes
    ----------
    Tc : float
        Critical temperature (unit of the boson energy); 0.0 if below ``T_min``.
    T_min : float
        Lowest temperature searched.
    gap : LinearizedGap or None
        The linearized solution at T_c (None if T_c < T_min).
    evaluations : int
        Eigenvalue evaluations used.

    Examples
    --------
    >>> r = critical_temperature(1.0, 1.0, 1.0, full_output=True)
    >>> round(r.Tc, 3), r.gap.delta.shape[0]
    (0.115, 1)
    """

    Tc: float
    T_min: float
    gap: LinearizedGap | None
    evaluations: int


def critical_temperature(lam_Z, lam_Delta, omega_boson, *, mu_star=None, band_cutoff=None,
                         matsubara_cutoff=None, T_min=None, rtol: float = 1e-7, full_output: bool = False):
    """T_c of the multiband Eliashberg equations: leading linearized eigenvalue = 1.

    Parameters
    ----------
    lam_Z, lam_Delta : array_like
        (n_bands, n_bands) couplings (dimensionless), row i = band renormalized/paired,
        column j = intermediate band; lam_ij(nu) = lam_ij omega^2/(omega^2 + nu^2).
        Phonon-like: lam_Delta = lam_Z; triplon interband: lam_Delta = -lam_Z off the
        diagonal. Entries in [-50, 50], lam_Z >= |lam_Delta| >= 0.
    omega_boson : float, array_like or BosonSpectrum
        Einstein boson energy (any unit), or an (n_bands, n_bands) array, in (0, 1e12], or a
        tabulated spectrum (:func:`boson_spectrum`, :func:`triplon_spectrum`) shared by all bands.
    mu_star : float or array_like, optional
        Coulomb pseudopotential (a number = on the diagonal), in [0, 1]; default 0.
    band_cutoff : float or array_like, optional
        Half-width Omega of each flat band (unit of ``omega_boson``); default infinite.
    matsubara_cutoff : float, optional
        Highest Matsubara frequency kept (unit of ``omega_boson``); default
        ``DEFAULT_CUTOFF`` x min(max omega_boson, 4 max band_cutoff).
    T_min : float, optional
        Lowest temperature searched (unit of ``omega_boson``); default such that the
        problem keeps at most 2500 Matsubara frequencies.
    rtol : float, optional
        Relative tolerance on T_c, in (0, 0.1].
    full_output : bool, optional
        Return a :class:`CriticalTemperature` instead of a float.

    Returns
    -------
    float or CriticalTemperature
        T_c in the unit of ``omega_boson`` (k_B = 1); 0.0 when the leading eigenvalue is
        below 1 already at ``T_min`` (no superconductivity above T_min), returned without a
        search when lam_Delta has no positive eigenvalue (no attraction) or when even the bound
        2 w_c exp(-1 / (100 lam_max)) on the weak-coupling T_c lies below ``T_min``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range.
    ConvergenceError
        If the eigenvalue or root search does not converge.

    Examples
    --------
    >>> round(critical_temperature(1.0, 1.0, 1.0), 4)                      # one band
    0.1146
    >>> lz = [[0.0, 0.63], [0.25, 0.0]]                                      # triplon s+-
    >>> round(critical_temperature(lz, -np.array(lz), 1.0), 4)
    0.0212
    """
    prob = _problem(lam_Z, lam_Delta, omega_boson, mu_star, band_cutoff, matsubara_cutoff)
    prob = _attractive(prob)
    rtol = check.tolerance("rtol", rtol, 0.1)
    full_output = check.boolean("full_output", full_output)
    return _tc_search(prob, lambda T: _linearized(prob, T), T_min, rtol, full_output)


def _tc_search(prob, lin, T_min, rtol, full_output, enhancement=100.0):
    """Brent search in log T for the leading eigenvalue of ``lin(T)`` crossing 1."""
    t_floor = prob.wc / (2.0 * math.pi * (_N_MATS_MAX - 1))
    if T_min is None:
        T_min = t_floor
    else:
        T_min = check.in_range("T_min", T_min, t_floor, prob.wc)
    # no attraction, or so weak that even 2 w_c exp(-1/(enhancement lam_max)) (a generous upper bound of
    # the weak-coupling T_c: mass renormalization dropped, the coupling enhanced) lies below T_min:
    # T_c = 0 without a search
    lam_max = float(np.max(np.linalg.eigvals(prob.ld).real)) if np.any(prob.ld) else 0.0
    if lam_max <= 0.0 or (enhancement and 2.0 * prob.wc * math.exp(-1.0 / (enhancement * lam_max)) < T_min):
        out = CriticalTemperature(0.0, float(T_min), None, 0)
        return out if full_output else 0.0
    count = [0]
    cache = {}

    def f(logT):
        count[0] += 1
        g = lin(math.exp(logT))
        cache[logT] = g
        return g.eigenvalue - 1.0

    # the eigenvalue falls with T; bracket from above
    T_hi = 0.5 * float(prob.omega.max())
    hi = f(math.log(T_hi))
    while hi > 0:
        T_hi *= 2.0
        if T_hi > prob.wc:
            raise ConvergenceError(f"T_c search: the leading eigenvalue exceeds 1 up to T = {T_hi / 2:.4g}",
                                   iterations=count[0], residual=hi, last=T_hi / 2)
        hi = f(math.log(T_hi))
    T_lo = min(T_hi / 4.0, max(T_min, 0.02 * float(prob.omega.min())))
    lo = f(math.log(T_lo))
    while lo < 0 and T_lo > T_min:
        T_hi, hi = T_lo, lo
        T_lo = max(T_lo / 4.0, T_min)
        lo = f(math.log(T_lo))
    if lo < 0:
        out = CriticalTemperature(0.0, float(T_min), None, count[0])
        return out if full_output else 0.0
    try:
        x = brentq(f, math.log(T_lo), math.log(T_hi), xtol=rtol, rtol=4 * np.finfo(float).eps, maxiter=200)
    except RuntimeError as exc:
        raise ConvergenceError(f"T_c root search in [{T_lo:.4g}, {T_hi:.4g}] did not converge ({exc})",
                               iterations=count[0], residual=None, last=None) from exc
    Tc = math.exp(x)
    if not full_output:
        return float(Tc)
    g = cache.get(x) or lin(Tc)
    return CriticalTemperature(float(Tc), float(T_min), g, count[0])


# --------------------------------------------------------------------------
# nonlinear equations at fixed T


@dataclass(frozen=True)
class EliashbergSolution:
    """Solution Z_i(iw_n), Delta_i(iw_n) of the Eliashberg equations at one T (:func:`solve`).

    Attributes
    ----------
    T : float
        Temperature (unit of the boson energy, k_B = 1).
    wn : numpy.ndarray
        Matsubara frequencies w_n, n = 0..N-1.
    Z : numpy.ndarray
        (n_bands, N) renormalization Z_i(iw_n).
    delta : numpy.ndarray
        (n_bands, N) gap function Delta_i(iw_n) (unit of the boson energy).
    iterations : int
        Fixed-point iterations used.
    residual : float
        Largest relative change of the last iteration.
    error_estimate : float
        max |Delta - Delta(half cutoff)| / max |Delta| over w_n below a quarter of the
        cutoff: the change when the Matsubara cutoff is halved (an upper bound for the
        truncation error, which falls faster than the cutoff grows), plus ``residual``.
    matsubara_cutoff : float
        Highest Matsubara frequency kept.
    band_cutoff : numpy.ndarray
        Half-width of each band (inf = infinite band).

    Examples
    --------
    >>> s = solve(1.0, 1.0, 1.0, 0.02)
    >>> round(float(s.delta[0, 0]), 3), round(float(s.Z[0, 0]), 3)
    (0.237, 1.937)
    """

    T: float
    wn: np.ndarray
    Z: np.ndarray
    delta: np.ndarray
    iterations: int
    residual: float
    error_estimate: float
    matsubara_cutoff: float
    band_cutoff: np.ndarray

    @property
    def n_bands(self) -> int:
        """Number of bands."""
        return self.Z.shape[0]

    @property
    def superconducting(self) -> bool:
        """True if some |Delta_i(iw_0)| exceeds 1e-8 of the first Matsubara frequency."""
        return bool(np.max(np.abs(self.delta[:, 0])) > 1e-8 * self.wn[0])


def _anderson(prob, T, N, start, tol, max_iter, depth=6):
    lz, ld = prob.tables(T, N)
    wn = matsubara_frequencies(T, N)
    nb = prob.nb
    omt = np.ascontiguousarray(np.tile(wn, (nb, 1)) * start[0])
    phi = np.ascontiguousarray(start[1] * start[0])
    new_o = np.empty_like(omt)
    new_p = np.empty_like(phi)
    X, F = [], []
    res = math.inf
    it = 0
    for _ in range(max_iter):
        it += 1
        kernel.sweep(omt, phi, lz, ld, prob.mu, wn, T, prob.Om, new_o, new_p)
        scale = max(float(np.max(np.abs(new_p))), 1e-300)
        res = max(float(np.max(np.abs(new_o - omt) / new_o)), float(np.max(np.abs(new_p - phi))) / scale)
        if res < tol:
            omt, phi = new_o.copy(), new_p.copy()
            break
        x = np.concatenate([omt.ravel() / wn.max(), phi.ravel() / wn.max()])
        gx = np.concatenate([new_o.ravel() / wn.max(), new_p.ravel() / wn.max()])
        X.append(x)
        F.append(gx - x)
        if len(X) > depth:
            X.pop(0)
            F.pop(0)
        if len(X) > 1:
            dF = np.array([F[k + 1] - F[k] for k in range(len(F) - 1)]).T
            dX = np.array([X[k + 1] - X[k] for k in range(len(X) - 1)]).T
            gamma = np.linalg.lstsq(dF, F[-1], rcond=None)[0]
            xn = x + F[-1] - (dX + dF) @ gamma
        else:
            xn = gx
        xn = xn * wn.max()
        omt = np.ascontiguousarray(np.maximum(xn[: nb * N].reshape(nb, N), wn))
        phi = np.ascontiguousarray(xn[nb * N:].reshape(nb, N))
    else:
        raise ConvergenceError(f"Eliashberg equations at T = {T:.4g}: {max_iter} iterations, residual {res:.2e}",
                               iterations=max_iter, residual=res, last=(omt / wn, phi * wn / omt))
    return omt / wn, phi * wn / omt, it, res


def _interp_start(wn_from, Z, delta, wn_to):
    Zs = np.array([np.interp(wn_to, wn_from, z) for z in Z])
    Ds = np.array([np.interp(wn_to, wn_from, d) for d in delta])
    return Zs, Ds


def solve(lam_Z, lam_Delta, omega_boson, T, *, mu_star=None, band_cutoff=None, matsubara_cutoff=None,
          tol: float = 1e-10, max_iter: int = 3000, start=None) -> EliashbergSolution:
    """Solve the nonlinear Eliashberg equations at temperature ``T`` (Matsubara axis).

    Fixed-point iteration with Anderson mixing, started from ``start`` or from the leading
    eigenvector of the linearized equations (so the relative signs of the gaps, e.g. s+-,
    are an output) scaled to 0.3, 1.2 and 4.8 omega in turn, until a start below T_c
    does not fall back to Delta = 0. The equations are first solved with
    half the Matsubara cutoff; the change of Delta between the two cutoffs is the error
    estimate.

    Parameters
    ----------
    lam_Z, lam_Delta : array_like
        (n_bands, n_bands) couplings (dimensionless), as in :func:`critical_temperature`.
    omega_boson : float, array_like or BosonSpectrum
        Einstein boson energy (any unit), an (n_bands, n_bands) array, or a :class:`BosonSpectrum`.
    T : float
        Temperature (unit of ``omega_boson``, k_B = 1).
    mu_star : float or array_like, optional
        Coulomb pseudopotential (a number = on the diagonal), in [0, 1]; default 0.
    band_cutoff : float or array_like, optional
        Half-width of each flat band (unit of ``omega_boson``); default infinite.
    matsubara_cutoff : float, optional
        Highest Matsubara frequency kept (unit of ``omega_boson``).
    tol : float, optional
        Relative change at which the iteration stops, in (0, 1e-3].
    max_iter : int, optional
        Iteration cap, in [1, 10**6].
    start : EliashbergSolution, optional
        A solution (e.g. at a nearby T) to start from.

    Returns
    -------
    EliashbergSolution
        Z_i(iw_n), Delta_i(iw_n) and the error estimate; Delta = 0 above T_c, and at every T
        when lam_Delta has no positive eigenvalue (no attraction: the normal-state solution).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range.
    ConvergenceError
        If the iteration does not converge within ``max_iter``.

    Examples
    --------
    >>> s = solve([[0.0, 0.63], [0.25, 0.0]], [[0.0, -0.63], [-0.25, 0.0]], 1.0, 0.005)
    >>> bool(s.delta[0, 0] > 0 > s.delta[1, 0]), s.error_estimate < 1e-4
    (True, True)
    """
    prob = _problem(lam_Z, lam_Delta, omega_boson, mu_star, band_cutoff, matsubara_cutoff)
    prob = _attractive(prob)
    T = _check_T(T, prob)
    tol = check.tolerance("tol", tol, 1e-3)
    max_iter = check.iterations("max_iter", max_iter, 10**6)
    if start is not None:
        check.instance("start", start, EliashbergSolution)
        if start.n_bands != prob.nb:
            raise ValueError(f"start has {start.n_bands} bands, the couplings {prob.nb}")
    half = dataclasses.replace(prob, wc=0.5 * prob.wc)
    N_half = half.n_mats(T)
    wn_h = matsubara_frequencies(T, N_half)
    g = _linearized(half, T)
    starts = [] if start is None else [_interp_start(start.wn, start.Z, start.delta, wn_h)]
    starts += [(g.Z, g.delta * a * float(prob.omega.min())) for a in (0.3, 1.2, 4.8)]
    it1 = 0
    for st in starts:
        Zh, Dh, it, _ = _anderson(half, T, N_half, st, tol, max_iter)
        it1 += it
        if g.eigenvalue <= 1.0 or np.max(np.abs(Dh)) > 1e-8 * wn_h[0]:
            break
    else:
        raise ConvergenceError(f"Eliashberg equations at T = {T:.4g}: the leading linearized eigenvalue is "
                               f"{g.eigenvalue:.6f} > 1 (below T_c), but every start converged to Delta = 0",
                               iterations=it1, residual=None, last=(Zh, Dh))
    N = prob.n_mats(T)
    wn = matsubara_frequencies(T, N)
    Z, D, it2, res = _anderson(prob, T, N, _interp_start(wn_h, Zh, Dh, wn), tol, max_iter)
    scale = float(np.max(np.abs(D)))
    if scale > 1e-10 * wn[0]:
        low = wn[:N_half] <= 0.25 * prob.wc          # the lower half of the half-cutoff grid
        err = float(np.max(np.abs(D[:, :N_half][:, low] - Dh[:, low]))) / scale + res
    else:
        D = np.zeros_like(D)
        err = res
    return EliashbergSolution(float(T), wn, Z, D, int(it1 + it2), float(res), float(err), float(prob.wc),
                              prob.Om.copy())


def solve_reference(lam_Z, lam_Delta, omega_boson, T, *, n_matsubara, tol=1e-10, max_iter=20000):
    """Plain-NumPy reference solver (infinite band, mu* = 0, linear mixing) for the benchmark.

    Same equations as :func:`solve` (with the same analytic Z tail beyond the cutoff), one
    boson energy, dense einsum sums, start Delta = 0.3 omega with the signs of the
    leading eigenvector of lam_Delta, damped iteration (mixing 1/2).

    Parameters
    ----------
    lam_Z, lam_Delta : array_like
        (n_bands, n_bands) couplings (dimensionless).
    omega_boson : float
        Einstein boson energy (any unit).
    T : float
        Temperature (unit of ``omega_boson``).
    n_matsubara : int
        Positive Matsubara frequencies kept, in [8, 2500].
    tol : float, optional
        Relative change at which the iteration stops, in (0, 1e-3].
    max_iter : int, optional
        Iteration cap, in [1, 10**6].

    Returns
    -------
    tuple of numpy.ndarray
        (wn, Z, Delta), each (n_bands, N) except wn (N,).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range.
    ConvergenceError
        If the iteration does not converge.

    Examples
    --------
    >>> wn, Z, D = solve_reference(1.0, 1.0, 1.0, 0.02, n_matsubara=64)
    >>> round(float(D[0, 0]), 2)
    0.3
    """
    if isinstance(omega_boson, BosonSpectrum):
        raise TypeError("omega_boson must be one Einstein energy for the reference solver, not a BosonSpectrum")
    prob = _problem(lam_Z, lam_Delta, omega_boson, None, None, None)
    T = _check_T(T, prob)
    N = check.integer("n_matsubara", n_matsubara, 8, _N_MATS_MAX)
    tol = check.tolerance("tol", tol, 1e-3)
    max_iter = check.iterations("max_iter", max_iter, 10**6)
    wn = (2 * np.arange(N) + 1) * np.pi * T
    w = float(prob.omega[0, 0])
    n = np.arange(N)
    lam_k = w**2 / (w**2 + (2 * np.pi * T * np.arange(2 * N + 1)) ** 2)
    Kp = lam_k[np.abs(n[:, None] - n[None, :])] + lam_k[n[:, None] + n[None, :] + 1]
    Km = lam_k[np.abs(n[:, None] - n[None, :])] - lam_k[n[:, None] + n[None, :] + 1]
    # the m >= N tail of the Z sum (Delta -> 0 there): sum_{k=N-n}^{N+n} lam(k)
    cum = np.concatenate([[0.0], np.cumsum(lam_k)])
    tail = cum[N + n + 1] - cum[N - n]
    nb = prob.nb
    Z = np.ones((nb, N))
    D = np.full((nb, N), 0.3 * w) * np.sign(np.linalg.eig(prob.ld)[1][:, np.argmax(np.linalg.eig(prob.ld)[0].real)]
                                            .real)[:, None]
    for _ in range(max_iter):
        R = np.sqrt(wn**2 + D**2)
        Zn = 1 + np.pi * T / wn * (np.einsum("ij,nm,jm->in", prob.lz, Km, wn / R) + prob.lz.sum(1)[:, None] * tail)
        Dn = np.pi * T * np.einsum("ij,nm,jm->in", prob.ld, Kp, D / R) / Zn
        change = max(np.max(np.abs(Zn - Z)), np.max(np.abs(Dn - D)) / max(np.max(np.abs(Dn)), 1e-300))
        Z, D = Zn, 0.5 * D + 0.5 * Dn
        if change < tol:
            return wn, Z, Dn
    raise ConvergenceError(f"reference solver: {max_iter} iterations, change {change:.2e}", iterations=max_iter,
                           residual=float(change), last=(Z, D))


# --------------------------------------------------------------------------
# real axis


def pade(z_in, f_in, z_out):
    """N-point Pade approximant (Vidberg & Serene continued fraction) of f, evaluated at ``z_out``.

    Parameters
    ----------
    z_in : array_like of complex
        Input points (e.g. i w_n), at most 2000.
    f_in : array_like of complex
        Values f(z_in).
    z_out : array_like of complex
        Evaluation points (e.g. w + i 0+).

    Returns
    -------
    numpy.ndarray
        f(z_out), complex.

    Raises
    ------
    ValueError
        If the arrays are empty, of different lengths, not finite, or the input points repeat.

    Examples
    --------
    >>> z = 1j * np.arange(1, 9)
    >>> bool(abs(pade(z, 1 / (z - 0.5), [2.0])[0] - 1 / 1.5) < 1e-12)
    True
    """
    zi = check.complex_array("z_in", z_in).ravel()
    fi = check.complex_array("f_in", f_in).ravel()
    zo = check.complex_array("z_out", z_out).ravel()
    if zi.size == 0 or zi.size != fi.size or zi.size > 2000 or zo.size == 0:
        raise ValueError(f"z_in and f_in must have the same length in [1, 2000], got {zi.size} and {fi.size}; "
                         "z_out must not be empty")
    for name, a in (("z_in", zi), ("f_in", fi), ("z_out", zo)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must contain only finite numbers")
    if np.unique(zi).size != zi.size:
        raise ValueError("z_in must not repeat a point")
    a = kernel.pade_coefficients(zi, fi)
    if not np.all(np.isfinite(a)):
        raise ValueError("Pade: the continued fraction broke down (input values make a coefficient infinite); "
                         "use fewer points")
    return kernel.pade_evaluate(zi, a, zo)


@dataclass(frozen=True)
class RealAxisGap:
    """Z_i(w) and Delta_i(w) on the real axis (:func:`continue_to_real_axis`).

    Attributes
    ----------
    omega : numpy.ndarray
        Real frequencies w (unit of the boson energy).
    Z : numpy.ndarray
        (n_bands, len(omega)) complex Z_i(w + i0).
    delta : numpy.ndarray
        (n_bands, len(omega)) complex Delta_i(w + i0).
    n_points : int
        Matsubara points used by the Pade approximant.
    T : float
        Temperature.

    Examples
    --------
    >>> r = RealAxisGap(np.array([0.0, 2.0]), np.ones((1, 2), complex), np.ones((1, 2), complex), 8, 0.1)
    >>> np.round(r.dos(), 3).tolist()
    [[0.0, 1.155]]
    """

    omega: np.ndarray
    Z: np.ndarray
    delta: np.ndarray
    n_points: int
    T: float

    def dos(self, eta: float = 1e-6) -> np.ndarray:
        """Quasiparticle DOS N_i(w)/N_i(0) = Re[w / sqrt(w^2 - Delta_i(w)^2)].

        Parameters
        ----------
        eta : float, optional
            Small imaginary part added to w (unit of the boson energy), in [0, 1].

        Returns
        -------
        numpy.ndarray
            (n_bands, len(omega)) normalized DOS.
        """
        eta = check.nonnegative("eta", eta, 1.0)
        w = self.omega + 1j * eta
        return np.real(w / np.sqrt(w * w - self.delta**2 + 0j)) * np.sign(self.omega + (self.omega == 0))

    def gap_edge(self) -> np.ndarray:
        """Gap edge Delta_0 of each band: the lowest w > 0 with w = Re Delta(w).

        Returns
        -------
        numpy.ndarray
            Delta_0 per band (nan-free; 0.0 where no crossing lies on the grid).
        """
        out = []
        for d in self.delta:
            g = self.omega - np.abs(d.real)
            k = np.nonzero((self.omega > 0) & (g[:] > 0))[0]
            if k.size == 0 or k[0] == 0:
                out.append(0.0)
                continue
            i = k[0]
            x0, x1, g0, g1 = self.omega[i - 1], self.omega[i], g[i - 1], g[i]
            out.append(float(x0 - g0 * (x1 - x0) / (g1 - g0)))
        return np.array(out)


def continue_to_real_axis(solution, omega, *, n_points=None, eta: float = 0.0) -> RealAxisGap:
    """Pade continuation of Z_i(iw_n) and Delta_i(iw_n) to w + i eta.

    Parameters
    ----------
    solution : EliashbergSolution
        A Matsubara solution (:func:`solve`).
    omega : array_like of float
        Real frequencies (unit of the boson energy), at most 10**6.
    n_points : int, optional
        Matsubara points used, in [4, 2000]; default min(N, 256) where N is what the
        solution holds (frequencies up to about 4 boson energies are enough; more
        points do not help in double precision).
    eta : float, optional
        Distance above the real axis (unit of the boson energy), in [0, 1e6].

    Returns
    -------
    RealAxisGap
        Z(w), Delta(w) per band.

    Raises
    ------
    TypeError
        If ``solution`` is not an :class:`EliashbergSolution`.
    ValueError
        If an argument is out of range or the continued fraction breaks down.

    Examples
    --------
    >>> s = solve(1.0, 1.0, 1.0, 0.02)
    >>> r = continue_to_real_axis(s, np.linspace(0.0, 3.0, 301), n_points=64)
    >>> round(float(r.gap_edge()[0]), 2)
    0.24
    """
    check.instance("solution", solution, EliashbergSolution)
    w = check.real_array("omega", omega, ndim=1, max_size=10**6)
    N = solution.wn.size
    n = min(N, 256) if n_points is None else check.integer("n_points", n_points, 4, min(N, 2000))
    eta = check.nonnegative("eta", eta, 1e6)
    z = 1j * solution.wn[:n]
    zo = w + 1j * eta
    Z = np.array([pade(z, solution.Z[i, :n], zo) for i in range(solution.n_bands)])
    D = np.array([pade(z, solution.delta[i, :n] * solution.Z[i, :n], zo) for i in range(solution.n_bands)]) / Z
    return RealAxisGap(w, Z, D, int(n), solution.T)


def einstein_normal_self_energy(z, lam, omega_boson, T):
    """Exact normal-state self-energy of an Einstein boson in an infinite flat band.

    Summing the Matsubara equation in closed form (digamma functions) and continuing
    w_n -> -i z gives, for Im z >= 0,
    Sigma(z) = -(lam omega / 2) [psi(1/2 - i (z + omega)/(2 pi T)) - psi(1/2 - i (z - omega)/(2 pi T))
    + i pi coth(omega / 2T)]; at z = i w_n it equals i w_n (1 - Z_n). It is the
    reference for testing the Pade continuation.

    Parameters
    ----------
    z : array_like of complex
        Points with Im z >= 0 (unit of ``omega_boson``).
    lam : float
        Coupling, in [0, 50].
    omega_boson : float
        Boson energy (any unit), in (0, 1e12].
    T : float
        Temperature (unit of ``omega_boson``), in (1e-6 omega_boson, 1e12].

    Returns
    -------
    numpy.ndarray
        Sigma(z), complex (unit of ``omega_boson``).

    Raises
    ------
    TypeError
        If a real argument has the wrong type.
    ValueError
        If an argument is out of range or Im z < 0.

    Examples
    --------
    >>> s = einstein_normal_self_energy([0.001 + 0j], 1.0, 1.0, 0.01)      # slope -lam at T -> 0
    >>> round(float(s.real[0] / 0.001), 3)
    -1.0
    """
    from scipy.special import psi

    lam = check.nonnegative("lam", lam, _LAM_MAX)
    w = check.positive("omega_boson", omega_boson, _OMEGA_MAX)
    T = check.in_range("T", T, 1e-6 * w, _OMEGA_MAX)
    zz = check.complex_array("z", z)
    if np.any(zz.imag < 0) or not np.all(np.isfinite(zz)):
        raise ValueError("z must be finite with Im z >= 0 (the retarded branch)")
    a = 1.0 / (2 * math.pi * T)
    coth = 1.0 / math.tanh(min(0.5 * w / T, 350.0))
    return -0.5 * lam * w * (psi(0.5 - 1j * (zz + w) * a) - psi(0.5 - 1j * (zz - w) * a) + 1j * math.pi * coth)


def tunneling_conductance(real, bias, T, weights=None):
    """STM conductance dI/dV (normalized) from the continued gaps: thermally smeared DOS.

    dI/dV(V) = sum_i w_i int dw N_i(w) [-f'(w - V)], on the grid of ``real.omega``
    (which must be symmetric about 0 or start at 0: negative frequencies use
    N(-w) = N(w)).

    Parameters
    ----------
    real : RealAxisGap
        Continued gap functions.
    bias : array_like of float
        Bias (energy unit of the boson energy, e = 1), at most 10**5 points.
    T : float
        Temperature of the smearing (same unit), in [0, 1e12].
    weights : array_like of float, optional
        Band weights (e.g. N_i / sum N), >= 0; default equal.

    Returns
    -------
    numpy.ndarray
        dI/dV(bias) normalized to the normal state.

    Raises
    ------
    TypeError
        If ``real`` is not a :class:`RealAxisGap`.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> w = np.linspace(0, 5, 501)
    >>> r = RealAxisGap(w, np.ones((1, 501), complex), np.full((1, 501), 1.0 + 0.05j), 8, 0.1)
    >>> g = tunneling_conductance(r, [0.0, 4.9], 0.05)
    >>> bool(g[0] < 0.1 and abs(g[1] - 1) < 0.1)
    True
    """
    check.instance("real", real, RealAxisGap)
    V = check.real_array("bias", bias, ndim=1, max_size=10**5)
    T = check.nonnegative("T", T, _OMEGA_MAX)
    nb = real.delta.shape[0]
    wts = np.full(nb, 1.0 / nb) if weights is None else check.real_array("weights", weights, ndim=1)
    if wts.size != nb or np.any(wts < 0) or wts.sum() <= 0:
        raise ValueError(f"weights must be {nb} numbers >= 0 with a positive sum")
    wts = wts / wts.sum()
    w = real.omega
    dos = real.dos(1e-9)
    if w[0] >= 0:  # mirror
        w = np.concatenate([-w[::-1], w[1:] if w[0] == 0 else w])
        dos = np.concatenate([dos[:, ::-1], dos[:, 1:] if real.omega[0] == 0 else dos], axis=1)
    n = wts @ dos
    if T == 0:
        return np.interp(V, w, n)
    x = (w[None, :] - V[:, None]) / T
    kern = 0.25 / T / np.cosh(0.5 * np.clip(x, -700, 700)) ** 2
    dw = np.gradient(w)
    return (kern * n[None, :] * dw).sum(axis=1) / (kern * dw).sum(axis=1)


# --------------------------------------------------------------------------
# real axis directly (Marsiglio, Schossmann & Carbotte 1988)


def _modes(prob):
    """Boson modes per band pair: energies E[i, j, l] and static weights c[i, j, l] (sum_l c = 1)."""
    nb = prob.nb
    if prob.spec is None:
        return prob.omega.reshape(nb, nb, 1).copy(), np.ones((nb, nb, 1))
    L = prob.spec.energies.size
    E_ = np.broadcast_to(prob.spec.energies, (nb, nb, L)).copy()
    return E_, np.broadcast_to(prob.spec.weights, (nb, nb, L)).copy()


def _odd_tail(x, T, N, E_, c):
    """sum_{m >= N} [L(x - i w_m) - L(x + i w_m)] per band pair, L(z) = sum_l c_l E_l^2/(E_l^2 - z^2)."""
    from scipy.special import psi

    tp = 2.0 * math.pi * T
    out = np.zeros(E_.shape[:2] + (x.size,), complex)
    for i in range(E_.shape[0]):
        for j in range(E_.shape[1]):
            for e, w in zip(E_[i, j], c[i, j]):
                A, B_ = (e - x) / tp, (e + x) / tp
                s = (psi(N + 0.5 - 1j * B_) - psi(N + 0.5 - 1j * A) + psi(N + 0.5 + 1j * B_)
                     - psi(N + 0.5 + 1j * A))
                out[i, j] += w * 0.5 * e * (-1j / tp) * s
    return out


def _real_axis(prob, sol, omega_max, eta, n_grid, tol, max_iter):
    """omt_i(x), phi_i(x) on the symmetric grid x (no x = 0) covering [-omega_max, omega_max]."""
    T = sol.T
    n_half = n_grid // 2
    h = omega_max / (n_half - 0.5)
    x = (np.arange(2 * n_half) - (n_half - 0.5)) * h
    R = np.sqrt(sol.Z**2 * sol.wn**2 + (sol.Z * sol.delta) ** 2)
    gm = np.ascontiguousarray(sol.Z * sol.wn / R)
    fm = np.ascontiguousarray(sol.Z * sol.delta / R)
    E_, c = _modes(prob)
    N = sol.wn.size
    tail = _odd_tail(x, T, N, E_, c)
    tail_o = 1j * math.pi * T * np.einsum("ij,ijk,j->ik", prob.lz, tail, gm[:, -1])
    base_o = np.empty((prob.nb, x.size), complex)
    base_p = np.empty((prob.nb, x.size), complex)
    kernel.real_axis_matsubara(x, sol.wn, T, gm, fm, prob.lz, prob.ld, E_, c, np.ascontiguousarray(tail_o),
                               prob.mu, base_o, base_p)
    omt, phi = base_o.copy(), base_p.copy()
    it, change = kernel.real_axis_iterate(x, T, base_o, base_p, prob.lz, prob.ld, E_, c, eta, tol, max_iter,
                                          omt, phi)
    if not change < tol:
        raise ConvergenceError(f"real-axis Eliashberg equations at T = {T:.4g}: {it} iterations, change "
                               f"{change:.2e}", iterations=int(it), residual=float(change), last=(x, omt, phi))
    return x, omt, phi


def _real_axis_setup(lam_Z, lam_Delta, omega_boson, T, omega, solution, mu_star, matsubara_cutoff, eta, n_grid,
                     tol, max_iter):
    prob = _problem(lam_Z, lam_Delta, omega_boson, mu_star, None, matsubara_cutoff)
    prob = _attractive(prob)
    T = _check_T(T, prob)
    w = check.real_array("omega", omega, ndim=1, max_size=10**6)
    wscale = float(prob.omega.min()) if prob.spec is None else float(prob.spec.energies.min())
    eta = 1e-3 * wscale if eta is None else check.positive("eta", eta, 1e6)
    n_grid = 8001 if n_grid is None else check.integer("n_grid", n_grid, 64, 200001)
    tol = check.tolerance("tol", tol, 1e-3)
    max_iter = check.iterations("max_iter", max_iter, 10**6)
    if solution is None:
        solution = solve(lam_Z, lam_Delta, omega_boson, T, mu_star=mu_star, matsubara_cutoff=matsubara_cutoff)
    else:
        check.instance("solution", solution, EliashbergSolution)
        if solution.n_bands != prob.nb:
            raise ValueError(f"solution has {solution.n_bands} bands, the couplings {prob.nb}")
        if abs(solution.T / T - 1) > 1e-12:
            raise ValueError(f"solution is at T = {solution.T:.6g}, not at T = {T:.6g}")
        if not np.all(np.isinf(solution.band_cutoff)):
            raise ValueError("the real-axis equations are implemented for infinite bands (band_cutoff = None)")
    wmax = max(float(np.max(np.abs(w))), 4.0 * eta) * 1.001
    x, omt, phi = _real_axis(prob, solution, wmax, eta, n_grid, tol, max_iter)
    return prob, w, eta, x, omt, phi


def _on(w, x, v):
    """Complex linear interpolation of v (n_bands, len(x)) at w."""
    return np.array([np.interp(w, x, a.real) + 1j * np.interp(w, x, a.imag) for a in v])


def solve_real_axis(lam_Z, lam_Delta, omega_boson, T, omega, *, solution=None, mu_star=None, matsubara_cutoff=None,
                    eta=None, n_grid=None, tol: float = 1e-10, max_iter: int = 20000) -> RealAxisGap:
    """Z_i(w) and Delta_i(w) from the real-axis Eliashberg equations, with the Matsubara solution as input.

    Marsiglio, Schossmann & Carbotte (1988): for real w (Im R > 0, n Bose, f Fermi),
    omt_i(w) = w + i pi T sum_{m,j} lam^Z_ij(w - i w_m) omt_j(m)/R_j(m)
    + i pi sum_j int dnu a2F^Z_ij(nu) {[n(nu) + f(nu - w)] G_j(w - nu) + [n(nu) + f(nu + w)] G_j(w + nu)},
    phi_i(w) = pi T sum_{m,j} [lam^Delta_ij(w - i w_m) - mu*_ij] phi_j(m)/R_j(m) + i pi sum_j int dnu a2F^Delta_ij
    {... F_j ...}, with G = omt/R, F = phi/R, R = sqrt(omt^2 - phi^2) and a2F_ij = lam_ij sum_l c_l E_l/2 delta(nu - E_l).
    At w = i w_n the boson-emission terms vanish and the Matsubara equations are recovered; on the real
    axis they are iterated on a uniform grid (linear interpolation at w -+ nu). No Pade
    continuation is involved. Infinite flat bands only (the Matsubara solution must have no band cutoff).

    Parameters
    ----------
    lam_Z, lam_Delta : array_like
        (n_bands, n_bands) couplings (dimensionless), as in :func:`critical_temperature`.
    omega_boson : float, array_like or BosonSpectrum
        Einstein boson energy (any unit), an (n_bands, n_bands) array, or a :class:`BosonSpectrum`.
    T : float
        Temperature (unit of ``omega_boson``, k_B = 1).
    omega : array_like of float
        Real frequencies w >= 0 (unit of ``omega_boson``), at most 10**6.
    solution : EliashbergSolution, optional
        The Matsubara solution at ``T`` of the same couplings (:func:`solve`); computed if None.
    mu_star : float or array_like, optional
        Coulomb pseudopotential (as in :func:`solve`; must match ``solution``), in [0, 1].
    matsubara_cutoff : float, optional
        Matsubara cutoff of the solution computed here (unit of ``omega_boson``).
    eta : float, optional
        Broadening added to Z w inside R (unit of ``omega_boson``), in (0, 1e6]; default
        1e-3 of the smallest boson energy.
    n_grid : int, optional
        Points of the internal symmetric grid on [-max w, max w], in [64, 200001]; default 8001.
    tol : float, optional
        Relative change at which the iteration stops, in (0, 1e-3].
    max_iter : int, optional
        Iteration cap, in [1, 10**6].

    Returns
    -------
    RealAxisGap
        Z_i(w) and Delta_i(w) at ``omega`` (``n_points`` = 0: no Pade).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range, ``omega`` has negative entries, or ``solution`` does not fit.
    ConvergenceError
        If the Matsubara or the real-axis iteration does not converge.

    Examples
    --------
    >>> s = solve(1.0, 1.0, 1.0, 0.02)
    >>> r = solve_real_axis(1.0, 1.0, 1.0, 0.02, np.linspace(0.0, 3.0, 301), solution=s)
    >>> round(float(r.gap_edge()[0]), 2)
    0.24
    """
    prob, w, eta, x, omt, phi = _real_axis_setup(lam_Z, lam_Delta, omega_boson, T, omega, solution, mu_star,
                                                 matsubara_cutoff, eta, n_grid, tol, max_iter)
    if np.any(w < 0):
        raise ValueError("omega must be >= 0 (use real_axis_dos for negative frequencies)")
    o, p = _on(w, x, omt), _on(w, x, phi)
    x0 = x[x.size // 2]                                  # smallest positive grid point: Z(0) ~ omt(x0) / x0
    # below the first grid point (w = 0, or a w too small to divide by) the grid resolves only Z(0)
    resolved = w >= x0
    Z = np.where(resolved, o / np.where(resolved, w, 1.0), omt[:, x.size // 2:x.size // 2 + 1] / x0)
    return RealAxisGap(w, Z, p / Z, 0, float(T))


def real_axis_dos(lam_Z, lam_Delta, omega_boson, T, omega, *, solution=None, mu_star=None, matsubara_cutoff=None,
                  eta=None, n_grid=None, tol: float = 1e-10, max_iter: int = 20000) -> np.ndarray:
    """Normalized quasiparticle DOS N_i(w)/N_i(0) of each band from the real-axis Eliashberg equations.

    N_i(w) / N_i(0) = Re[(omt_i + i eta) / sqrt((omt_i + i eta)^2 - phi_i^2)] with omt_i = Z_i w and
    phi_i = Z_i Delta_i from :func:`solve_real_axis` (no Pade continuation); N(-w) = N(w) for the
    particle-hole symmetric flat band.

    Parameters
    ----------
    lam_Z, lam_Delta : array_like
        (n_bands, n_bands) couplings (dimensionless), as in :func:`critical_temperature`.
    omega_boson : float, array_like or BosonSpectrum
        Einstein boson energy (any unit), an (n_bands, n_bands) array, or a :class:`BosonSpectrum`
        (:func:`triplon_spectrum`).
    T : float
        Temperature (unit of ``omega_boson``, k_B = 1).
    omega : array_like of float
        Real frequencies (unit of ``omega_boson``), at most 10**6.
    solution : EliashbergSolution, optional
        The Matsubara solution at ``T`` of the same couplings; computed if None.
    mu_star : float or array_like, optional
        Coulomb pseudopotential (must match ``solution``), in [0, 1].
    matsubara_cutoff : float, optional
        Matsubara cutoff of the solution computed here.
    eta : float, optional
        Broadening (unit of ``omega_boson``), in (0, 1e6]; default 1e-3 of the smallest boson energy.
    n_grid : int, optional
        Points of the internal grid, in [64, 200001]; default 8001.
    tol : float, optional
        Relative change at which the iteration stops, in (0, 1e-3].
    max_iter : int, optional
        Iteration cap, in [1, 10**6].

    Returns
    -------
    numpy.ndarray
        (n_bands, len(omega)) normalized DOS.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range or ``solution`` does not fit.
    ConvergenceError
        If an iteration does not converge.

    Examples
    --------
    >>> n = real_axis_dos(0.3, 0.3, 1.0, 0.002, [0.0, 0.5], eta=1e-5)
    >>> bool(n[0, 0] < 1e-3 and abs(n[0, 1] - 1) < 0.01)
    True
    """
    prob, w, eta, x, omt, phi = _real_axis_setup(lam_Z, lam_Delta, omega_boson, T, omega, solution, mu_star,
                                                 matsubara_cutoff, eta, n_grid, tol, max_iter)
    o, p = _on(np.abs(w), x, omt), _on(np.abs(w), x, phi)
    o = o + 1j * eta
    R = np.sqrt(o * o - p * p)
    R = np.where(R.imag < 0, -R, R)
    return np.real(o / R)


def _segment_weights(x, c):
    """Weights W[k, p] with sum_p W[k, p] g(x_p) = int_{x_0}^{x_-1} g(x') / (x' + c_k) dx' for g linear between nodes."""
    a, b = x[:-1], x[1:]
    h = b - a
    ac = a[None, :] + c[:, None]
    Lg = np.log(b[None, :] + c[:, None]) - np.log(ac)
    wa = (1.0 + ac / h) * Lg - 1.0
    wb = 1.0 - ac / h * Lg
    W = np.zeros((c.size, x.size), complex)
    W[:, :-1] += wa
    W[:, 1:] += wb
    return W


def real_axis_reference(lam, omega_boson, omega, *, eta: float = 1e-3, cutoff: float = 40.0, tol: float = 1e-10,
                        max_iter: int = 5000) -> RealAxisGap:
    """Plain-NumPy reference: the T = 0 real-axis Eliashberg equations of one band and an Einstein boson.

    Eliashberg's original form, with no Matsubara input (mu* = 0, infinite flat band):
    Z(w) Delta(w) = int_0^inf dw' Re[Delta(w') / R(w')] K+(w, w'),
    [1 - Z(w)] w = int_0^inf dw' Re[w' / R(w')] K-(w, w'),
    K+-(w, w') = (lam omega / 2) [1/(w' + omega + w + i0) +- 1/(w' + omega - w - i0)],
    R(w') = sqrt((w' + i eta)^2 - Delta(w')^2) (Im R > 0). The w' integrals use the grid ``omega``
    (extended geometrically to ``cutoff`` omega; the Z integral beyond it in closed form) with
    Re[...] linear between nodes and the kernel integrated exactly (product integration);
    the iteration mixes old and new values half and half. A test of :func:`solve_real_axis`
    by an independent method; dense O(n^2) sums.

    Parameters
    ----------
    lam : float
        Coupling, in (0, 5].
    omega_boson : float
        Boson energy (any unit), in (0, 1e12].
    omega : array_like of float
        Strictly increasing grid of real frequencies > 0 (unit of ``omega_boson``), 16 to 4000 points,
        the first below the gap, the last below ``cutoff`` omega.
    eta : float, optional
        Broadening in units of ``omega_boson``, in (0, 0.1].
    cutoff : float, optional
        Upper end of the w' integrals in units of ``omega_boson``, in [4, 1e3].
    tol : float, optional
        Relative change at which the iteration stops, in (0, 1e-3].
    max_iter : int, optional
        Iteration cap, in [1, 10**6].

    Returns
    -------
    RealAxisGap
        Z(w) and Delta(w) at ``omega`` (T = 0, ``n_points`` = 0).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range or the grid is not increasing and positive.
    ConvergenceError
        If the iteration does not converge.

    Examples
    --------
    >>> r = real_axis_reference(1.0, 1.0, np.linspace(0.0013, 3.0, 600), eta=5e-3)
    >>> round(float(r.gap_edge()[0]), 2), round(float(r.Z[0, 0].real), 2)
    (0.24, 1.93)
    """
    lam = check.positive("lam", lam, 5.0)
    w0 = check.positive("omega_boson", omega_boson, _OMEGA_MAX)
    w = check.real_array("omega", omega, ndim=1, min_size=16, max_size=4000)
    eta = check.positive("eta", eta, 0.1) * w0
    cut = check.in_range("cutoff", cutoff, 4.0, 1e3) * w0
    tol = check.tolerance("tol", tol, 1e-3)
    max_iter = check.iterations("max_iter", max_iter, 10**6)
    if w[0] <= 0 or np.any(np.diff(w) <= 0) or w[-1] >= cut:
        raise ValueError("omega must be strictly increasing, > 0 and below cutoff * omega_boson")
    x = np.concatenate([[0.0], w, np.geomspace(w[-1], cut, 400)[1:]])      # w' grid from 0
    y = x[1:]                                             # where Z and Delta are computed
    pre = 0.5 * lam * w0
    c1, c2 = w0 + y + 1e-12j * w0, w0 - y - 1e-12j * w0
    W1, W2 = _segment_weights(x, c1), _segment_weights(x, c2)
    Kp, Km = pre * (W1 + W2), pre * (W1 - W2)
    # Z tail beyond the cutoff (Re[w'/R] = 1 there): int_cut^inf K-(w, w') dw'
    tailZ = pre * (np.log(c2 + cut) - np.log(c1 + cut))
    Z = np.full(y.size, 1.0 + lam, complex)
    D = np.where(x < w0, 0.2 * w0, 0.0).astype(complex)
    change = math.inf
    for _ in range(max_iter):
        o = x + 1j * eta
        R = np.sqrt(o * o - D * D)                     # principal branch: Re R >= 0 for w' > 0
        Zn = 1.0 - (Km @ np.real(x / R) + tailZ) / y
        phi = Kp @ np.real(D / R)
        Dn = np.concatenate([phi[:1] / Zn[:1], phi / Zn])
        scale = max(float(np.max(np.abs(Dn))), 1e-300)
        change = max(float(np.max(np.abs(Zn - Z))), float(np.max(np.abs(Dn - D))) / scale)
        Z, D = Zn, 0.5 * D + 0.5 * Dn
        if change < tol:
            n = w.size
            return RealAxisGap(w, Z[None, :n], Dn[None, 1:n + 1], 0, 0.0)
    raise ConvergenceError(f"real-axis reference: {max_iter} iterations, change {change:.2e}", iterations=max_iter,
                           residual=float(change), last=(Z, D))


# --------------------------------------------------------------------------
# finite bands with the real density of states and the band shift chi


def band_dos(p, energies, *, n_k: int = 1024, width=None) -> np.ndarray:
    """Densities of states N_alpha(eps), N_beta(eps) of the bilayer bands, eps measured from E_F.

    A k-grid histogram of xi_band(k) (:func:`nickelates.bands.band_energy`, n_k x n_k points of the
    zone), smoothed with a Gaussian of ``width`` and evaluated at ``energies``; per spin and k-point, 1/eV,
    like :func:`nickelates.bands.fermi_level_dos`.

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV).
    energies : array_like of float
        Energies from E_F (eV), |eps| <= 100, at most 10**5.
    n_k : int, optional
        k points per axis, in [64, 4096].
    width : float, optional
        Gaussian smoothing (eV), in (0, 1]; default 3 x (bandwidth / n_k).

    Returns
    -------
    numpy.ndarray
        (2, len(energies)) N_alpha, N_beta (1/eV).

    Raises
    ------
    TypeError
        If ``p`` is not a BandParams or an argument is not real.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> from nickelates import bands
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> n = band_dos(p, [0.0])
    >>> bool(abs(n[0, 0] / bands.fermi_level_dos(p).N_alpha - 1) < 0.02)
    True
    """
    from . import bands

    p = bands.check_params(p)
    e = check.real_array("energies", energies, ndim=1, max_size=10**5)
    if np.any(np.abs(e) > 100.0):
        raise ValueError("energies must lie in [-100, 100] eV")
    n_k = check.integer("n_k", n_k, 64, 4096)
    k = 2 * np.pi * (np.arange(n_k) + 0.5) / n_k - np.pi
    out = np.empty((2, e.size))
    for b, band in enumerate(bands.BAND_NAMES):
        xi = bands.band_energy(k[:, None], k[None, :], p, band).ravel()
        sig = 3.0 * np.ptp(xi) / n_k if width is None else check.in_range("width", width, 0.0, 1.0, lo_open=True)
        edges = np.linspace(xi.min() - 5 * sig, xi.max() + 5 * sig, 4 * n_k + 1)
        hist, _ = np.histogram(xi, edges)
        mid = 0.5 * (edges[1:] + edges[:-1])
        g = np.exp(-0.5 * ((e[:, None] - mid[None, :]) / sig) ** 2) / (math.sqrt(2 * math.pi) * sig)
        out[b] = g @ hist / xi.size
    return out


@dataclass(frozen=True)
class FiniteBandState:
    """Normal state and T_c of the finite-band equations (:func:`finite_band_tc`).

    Attributes
    ----------
    Tc : float
        Critical temperature (unit of the boson energy); 0.0 if below the lowest temperature.
    wn : numpy.ndarray
        Matsubara frequencies at T_c.
    Z : numpy.ndarray
        (n_bands, N) Z_i(i w_n) of the normal state at T_c.
    chi : numpy.ndarray
        (n_bands, N) band shift chi_i(i w_n) at T_c (after the common chemical-potential shift).
    mu_shift : float
        The common shift subtracted from chi (unit of the boson energy): the chemical potential that keeps
        the N(0)-weighted chi_i(i w_0) at zero.
    delta : numpy.ndarray
        (n_bands, N) gap eigenvector at T_c (max |Delta| = 1, Delta_0(i w_0) > 0).

    Examples
    --------
    >>> s = FiniteBandState(0.1, np.ones(1), np.ones((1, 1)), np.zeros((1, 1)), 0.0, np.ones((1, 1)))
    >>> s.Z0.tolist()
    [1.0]
    """

    Tc: float
    wn: np.ndarray
    Z: np.ndarray
    chi: np.ndarray
    mu_shift: float
    delta: np.ndarray

    @property
    def Z0(self) -> np.ndarray:
        """Z_i(i w_0) per band."""
        return self.Z[:, 0].copy()


def _fb_inputs(prob, energies, dos, lam_odd):
    e = check.real_array("energies", energies, ndim=1, min_size=8, max_size=20000)
    if np.any(np.diff(e) <= 0):
        raise ValueError("energies must be strictly increasing")
    if not e[0] < 0.0 < e[-1]:
        raise ValueError("energies must enclose the Fermi level (first < 0 < last)")
    d = check.real_array("dos", dos, ndim=2, max_size=_N_BANDS_MAX * 20000)
    if d.shape != (prob.nb, e.size) or np.any(d < 0):
        raise ValueError(f"dos must be ({prob.nb}, {e.size}) non-negative densities of states")
    N0 = np.array([np.interp(0.0, e, row) for row in d])
    if np.any(N0 <= 0):
        raise ValueError("dos must be positive at the Fermi level")
    w = np.empty_like(e)                               # trapezoid weights
    w[1:-1] = 0.5 * (e[2:] - e[:-2])
    w[0], w[-1] = 0.5 * (e[1] - e[0]), 0.5 * (e[-1] - e[-2])
    wq = np.ascontiguousarray(d / N0[:, None] * w[None, :])
    lo = np.zeros((prob.nb, prob.nb)) if lam_odd is None else _matrix("lam_odd", lam_odd, prob.nb)
    if np.any(np.abs(lo) > prob.lz * (1 + 1e-12) + 1e-300):
        raise ValueError("lam_odd must satisfy |lam_odd_ij| <= lam_Z_ij")
    return e, wq, N0, lo


def _fb_tables(prob, lo, T, N):
    lz, ld = prob.tables(T, N)
    k = np.arange(-2 * N, 2 * N + 1)
    nu = 2 * math.pi * T * k
    w = prob.omega
    lot = lo[:, :, None] * (w[:, :, None] * nu[None, None, :]) / (w[:, :, None] ** 2 + nu[None, None, :] ** 2)
    return lz, ld, np.ascontiguousarray(lot)


def _fb_normal(prob, e, wq, N0, lo, T, tol=1e-12, max_iter=2000):
    N = prob.n_mats(T)
    lz, ld, lot = _fb_tables(prob, lo, T, N)
    wn = matsubara_frequencies(T, N)
    nb = prob.nb
    omt = np.ascontiguousarray(np.tile(wn, (nb, 1)))
    chi = np.zeros((nb, N))
    phi = np.zeros((nb, N))
    no, nc, npp = np.empty_like(omt), np.empty_like(chi), np.empty_like(phi)
    shift = 0.0
    change = math.inf
    for _ in range(max_iter):
        kernel.finite_band_sweep(omt, chi, phi, lz, lz * 0.0, lot, wn, T, e, wq, no, nc, npp)
        s = float(N0 @ nc[:, 0] / N0.sum())
        nc -= s
        change = max(float(np.max(np.abs(no - omt) / no)), float(np.max(np.abs(nc - chi))) / wn[0])
        omt, chi = 0.5 * omt + 0.5 * no, 0.5 * chi + 0.5 * nc
        shift = s
        if change < tol:
            break
    else:
        raise ConvergenceError(f"finite-band normal state at T = {T:.4g}: {max_iter} iterations, change "
                               f"{change:.2e}", iterations=max_iter, residual=change, last=(omt, chi))
    return wn, omt, chi, shift, ld


def _fb_linearized(prob, e, wq, N0, lo, T):
    wn, omt, chi, shift, ld = _fb_normal(prob, e, wq, N0, lo, T)
    nb, N = omt.shape
    A, C, F = np.empty((nb, N)), np.empty((nb, N)), np.empty((nb, N))
    kernel.band_integrals(omt, chi, np.zeros((nb, N)), e, wq, A, C, F)
    wcol = math.pi * T * A / omt                        # pi T (1/pi) int n / (omt^2 + (eps + chi)^2)
    n = np.arange(N)
    K = np.zeros((nb * N, nb * N))
    for i in range(nb):
        for j in range(nb):
            kp = ld[i, j][np.abs(n[:, None] - n[None, :])] + ld[i, j][n[:, None] + n[None, :] + 1]
            K[i * N:(i + 1) * N, j * N:(j + 1) * N] = kp * wcol[j][None, :]
    ev, vec = np.linalg.eig(K)
    k = int(np.argmax(ev.real))
    v = np.real(vec[:, k]).reshape(nb, N) * omt / wn       # Delta = phi / Z
    v = v / np.max(np.abs(v)) * (1.0 if v[0, 0] >= 0 else -1.0)
    return dict(eigenvalue=float(ev[k].real), wn=wn, Z=omt / wn, chi=chi, shift=shift, delta=v)


def finite_band_tc(lam_Z, lam_Delta, omega_boson, energies, dos, *, lam_odd=None, matsubara_cutoff=None,
                   T_min=None, rtol: float = 1e-6) -> FiniteBandState:
    """T_c of the Eliashberg equations with a tabulated band DOS N_j(eps) and the band shift chi.

    The energy integrals are kept (Nambu G = -[i omt + (eps + chi) tau3 + phi tau1] / [omt^2 + (eps + chi)^2
    + phi^2], eps-integrated with N_j(eps)/N_j(0) over the tabulated range):
    omt_i = w_n + pi T sum [lam^Z_ij(n-m) A_j + lam^o_ij(n-m) C_j], chi_i = -pi T sum [lam^Z_ij(n-m) C_j +
    lam^o_ij(n-m) A_j], phi_i = pi T sum lam^Delta_ij(n-m) F_j, with A, C, F = (1/pi) int n_j {omt, eps + chi,
    phi} / D. lam^o_ij(nu) = lam_odd_ij omega nu / (omega^2 + nu^2) is the odd (band-shift) channel of a boson
    whose emission and absorption vertices differ (kappa_a != kappa_b for the triplon,
    :func:`triplon_form_factors`). An asymmetric N(eps) alone already gives chi != 0. The constant part of chi
    is absorbed in one chemical potential for all bands (N(0)-weighted chi(i w_0) = 0). A flat
    N(eps) on |eps| < Omega reproduces ``band_cutoff=Omega`` of :func:`critical_temperature`.

    Parameters
    ----------
    lam_Z, lam_Delta : array_like
        (n_bands, n_bands) Fermi-level couplings (dimensionless), as in :func:`critical_temperature`.
    omega_boson : float or array_like
        Einstein boson energy (any unit; not a spectrum).
    energies : array_like of float
        Increasing energy grid from E_F (unit of ``omega_boson``), 8 to 20000 points, enclosing 0.
    dos : array_like of float
        (n_bands, len(energies)) densities of states >= 0 (any common unit; only N_j(eps)/N_j(0) and the
        weights N_j(0) of the chemical-potential condition enter).
    lam_odd : array_like, optional
        (n_bands, n_bands) odd-channel couplings, |lam_odd| <= lam_Z; default 0.
    matsubara_cutoff : float, optional
        Highest Matsubara frequency (unit of ``omega_boson``).
    T_min : float, optional
        Lowest temperature searched.
    rtol : float, optional
        Relative tolerance on T_c, in (0, 0.1].

    Returns
    -------
    FiniteBandState
        T_c, Z_i, chi_i and the gap eigenvector at T_c.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range.
    ConvergenceError
        If the normal state or the root search does not converge.

    Examples
    --------
    >>> e = np.linspace(-2.0, 2.0, 801)
    >>> fb = finite_band_tc(1.0, 1.0, 1.0, e, np.ones((1, e.size)), matsubara_cutoff=12.0)
    >>> bool(abs(fb.Tc / critical_temperature(1.0, 1.0, 1.0, band_cutoff=2.0, matsubara_cutoff=12.0) - 1) < 2e-3)
    True
    """
    if isinstance(omega_boson, BosonSpectrum):
        raise TypeError("omega_boson must be an Einstein energy (a number or an array) for finite_band_tc")
    prob = _problem(lam_Z, lam_Delta, omega_boson, None, None, matsubara_cutoff)
    prob = _attractive(prob)
    e, wq, N0, lo = _fb_inputs(prob, energies, dos, lam_odd)
    rtol = check.tolerance("rtol", rtol, 0.1)
    cache = {}

    def lin(T):
        r = _fb_linearized(prob, e, wq, N0, lo, T)
        cache[T] = r
        return LinearizedGap(T, r["eigenvalue"], r["wn"], r["Z"], r["delta"])

    res = _tc_search(prob, lin, T_min, rtol, True)
    if res.Tc == 0.0:
        return FiniteBandState(0.0, np.zeros(0), np.zeros((prob.nb, 0)), np.zeros((prob.nb, 0)), 0.0,
                               np.zeros((prob.nb, 0)))
    r = cache.get(res.gap.T) or _fb_linearized(prob, e, wq, N0, lo, res.Tc)
    return FiniteBandState(float(res.Tc), r["wn"], r["Z"], r["chi"], float(r["shift"]), r["delta"])


# --------------------------------------------------------------------------
# the chapter's two-band triplon states


@dataclass(frozen=True)
class TriplonState:
    """Eliashberg state of the two-band triplon model at one (lam, omega_t) (:func:`triplon_state`).

    Attributes
    ----------
    lam : float
        s+- coupling lam = V sqrt(N_alpha N_beta).
    omega_t : float
        Triplon energy (eV).
    Tc : float
        Critical temperature (eV, k_B = 1).
    solution : EliashbergSolution
        Matsubara solution at T = T_frac T_c.
    real : RealAxisGap
        Its continuation to omega in [0, omega_max] (eV).
    gaps : numpy.ndarray
        Gap edges (Delta_alpha, Delta_beta) in eV (magnitudes).
    Z0 : numpy.ndarray
        Z_i(i w_0) in the superconducting state (at eta = 0 with an anisotropy).
    gaps_max : numpy.ndarray or None
        With an anisotropy: gap edges at the largest eta^2 of each sheet (eV); ``gaps`` are
        then the zone-diagonal (eta = 0) edges. None for the isotropic model.
    separable : SeparableSolution or None
        With an anisotropy: the full separable solution (``solution`` is its eta = 0 cut).

    Examples
    --------
    >>> st = triplon_state(0.4, 0.288, 0.286, 0.716, n_omega=801)
    >>> round(st.Tc / 8.617333262e-5), [round(x, 2) for x in st.gap_ratios]
    (73, [4.29, 2.94])
    """

    lam: float
    omega_t: float
    Tc: float
    solution: EliashbergSolution
    real: RealAxisGap
    gaps: np.ndarray
    Z0: np.ndarray
    gaps_max: np.ndarray | None = None
    separable: SeparableSolution | None = None

    @property
    def gap_ratios(self) -> list:
        """2 Delta_i / k_B T_c per band (dimensionless)."""
        return [float(2 * g / self.Tc) for g in self.gaps]

    @property
    def ratio(self) -> float:
        """Delta_alpha / Delta_beta (gap edges)."""
        return float(self.gaps[0] / self.gaps[1])


def triplon_state(lam, omega_t, N_alpha, N_beta, *, band_cutoff=None, matsubara_cutoff=None, T_frac: float = 0.2,
                  omega_max: float = 0.6, n_omega: int = 3001, anisotropy=None) -> TriplonState:
    """T_c, the gaps and their real-axis continuation of the triplon model at (lam, omega_t).

    Couplings from :func:`triplon_coupling_matrices` with V = lam / sqrt(N_alpha N_beta);
    with ``anisotropy`` (:func:`triplon_anisotropy`) the separable equations
    (:func:`critical_temperature_separable`, :func:`solve_separable`) are solved and the gaps
    continued on the zone diagonal (eta = 0) and at the largest eta^2 of each sheet.

    Parameters
    ----------
    lam : float
        s+- coupling, in (0, 5].
    omega_t : float
        Triplon energy (eV), in [1e-3, 10].
    N_alpha, N_beta : float
        Fermi-level densities of states (1/eV), in (0, 1e6].
    band_cutoff : float, optional
        Flat-band half-width (eV); default infinite.
    matsubara_cutoff : float, optional
        Highest Matsubara frequency (eV); default as in :func:`solve`.
    T_frac : float, optional
        Temperature of the solution in units of T_c, in [0.05, 0.99].
    omega_max : float, optional
        Largest real frequency of the continuation (eV), in (0, 100].
    n_omega : int, optional
        Real-frequency points, in [11, 10**5].
    anisotropy : SeparableAnisotropy, optional
        The kappa anisotropy (2 bands); default isotropic (kappa = 0).

    Returns
    -------
    TriplonState
        T_c, solution, continuation, gap edges, Z.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range.
    ConvergenceError
        If a solver does not converge.

    Examples
    --------
    >>> st = triplon_state(0.4, 0.288, 0.286, 0.716, n_omega=801)
    >>> round(st.ratio, 2), bool(st.Z0[0] > st.Z0[1])
    (1.46, True)
    """
    lam = check.positive("lam", lam, 5.0)
    w = check.in_range("omega_t", omega_t, 1e-3, 10.0)
    Na = check.positive("N_alpha", N_alpha, 1e6)
    Nb = check.positive("N_beta", N_beta, 1e6)
    T_frac = check.in_range("T_frac", T_frac, 0.05, 0.99)
    wmax = check.positive("omega_max", omega_max, 100.0)
    n_omega = check.integer("n_omega", n_omega, 11, 10**5)
    lz, ld = triplon_coupling_matrices(lam / math.sqrt(Na * Nb), Na, Nb)
    kw = dict(band_cutoff=band_cutoff, matsubara_cutoff=matsubara_cutoff)
    if anisotropy is not None:
        check.instance("anisotropy", anisotropy, SeparableAnisotropy)
        tc = critical_temperature_separable(lz, ld, w, anisotropy, **kw)
    else:
        tc = critical_temperature(lz, ld, w, **kw)
    if tc <= 0.0:
        raise ValueError(f"lam = {lam}: T_c is below the lowest temperature the solver handles; raise lam")
    grid = np.linspace(0.0, wmax, n_omega)
    if anisotropy is None:
        sol = solve(lz, ld, w, T_frac * tc, **kw)
        real = continue_to_real_axis(sol, grid)
        return TriplonState(float(lam), float(w), float(tc), sol, real, np.abs(real.gap_edge()), sol.Z[:, 0].copy())
    sep = solve_separable(lz, ld, w, T_frac * tc, anisotropy, **kw)
    sol = sep.at(0.0)
    real = continue_to_real_axis(sol, grid)
    gmax = np.abs(continue_to_real_axis(sep.at(anisotropy.s_max()), grid).gap_edge())
    return TriplonState(float(lam), float(w), float(tc), sol, real, np.abs(real.gap_edge()), sol.Z[:, 0].copy(),
                        gmax, sep)


# --------------------------------------------------------------------------
# the kappa anisotropy: separable a + c eta^2 form on each sheet


def triplon_form_factors() -> dict:
    """Form factors of the Eq. (11) vertex in the normal and the singlet-pairing channel.

    Eq. (11) couples the interband spin density to A = f^a T_q + f^b T^+_-q with
    f^{a,b} = 1 - kappa_{a,b} x, x = eta_k eta_k'. The normal self-energy carries
    <A A^+> = (f^a)^2 <T T^+> + (f^b)^2 <T^+ T>, i.e. (f^a)^2/(omega - i nu) + (f^b)^2/(omega + i nu);
    the anomalous one <A_q A_-q> = f^a f^b D(i nu), D = 2 omega/(omega^2 + nu^2). The even
    part of the normal propagator is [(f^a)^2 + (f^b)^2]/2 x D; the odd part
    [(f^a)^2 - (f^b)^2]/2 x 2 i nu/(omega^2 + nu^2) only shifts the band (the even-in-frequency
    self-energy chi), which vanishes for a particle-hole symmetric flat band and is dropped.
    In the A1g (s) channel the terms odd in x drop out (eta -> -eta under C4), leaving
    lam^X(k, k') = lam^X (1 + g_X eta_k^2 eta_k'^2).

    Returns
    -------
    dict
        ``normal`` ((f^a^2 + f^b^2)/2), ``pairing`` (f^a f^b), ``odd`` (the dropped odd part of
        the normal propagator over 2 i nu/(omega^2 + nu^2)), ``g_Z`` ((kappa_a^2 + kappa_b^2)/2),
        ``g_Delta`` (kappa_a kappa_b), ``linear`` (the x coefficient, -(kappa_a + kappa_b), the
        same in both channels: B1g only), and the symbols ``kappa_a``, ``kappa_b``, ``x``,
        ``omega``, ``nu``.

    Raises
    ------
    RuntimeError
        If the propagators do not decompose as stated (an internal consistency check).

    Examples
    --------
    >>> f = triplon_form_factors()
    >>> f["g_Z"], f["g_Delta"], f["linear"]
    (kappa_a**2/2 + kappa_b**2/2, kappa_a*kappa_b, -kappa_a - kappa_b)
    """
    import sympy as sp

    ka, kb, x = sp.symbols("kappa_a kappa_b x", real=True)
    w, nu = sp.symbols("omega nu", positive=True)
    fa, fb = 1 - ka * x, 1 - kb * x
    D = 2 * w / (w**2 + nu**2)
    normal_prop = fa**2 / (w - sp.I * nu) + fb**2 / (w + sp.I * nu)
    pair_prop = fa * fb * (1 / (w - sp.I * nu) + 1 / (w + sp.I * nu))
    even = sp.simplify((normal_prop + normal_prop.subs(nu, -nu)) / 2 / D)
    odd = sp.simplify((normal_prop - normal_prop.subs(nu, -nu)) / 2 / (2 * sp.I * nu / (w**2 + nu**2)))
    pairing = sp.simplify(pair_prop / D)
    if sp.simplify(even - (fa**2 + fb**2) / 2) != 0 or sp.simplify(pairing - fa * fb) != 0:
        raise RuntimeError("form factors: the propagators do not decompose as stated")
    pe, pp = sp.Poly(sp.expand(even), x), sp.Poly(sp.expand(pairing), x)
    lin_z, lin_d = pe.coeff_monomial(x), pp.coeff_monomial(x)
    if sp.simplify(lin_z - lin_d) != 0:
        raise RuntimeError("form factors: the linear (B1g) terms differ between the channels")
    return dict(normal=sp.factor(even), pairing=pairing, odd=sp.factor(odd), g_Z=pe.coeff_monomial(x**2),
                g_Delta=pp.coeff_monomial(x**2), linear=lin_z, kappa_a=ka, kappa_b=kb, x=x, omega=w, nu=nu)


@dataclass(frozen=True)
class SeparableAnisotropy:
    """Separable A1g anisotropy lam^X_ij(k, k') = lam^X_ij (1 + g_X s s'), s = eta_k^2, with sheet nodes.

    Build it with :func:`separable_anisotropy` (validated) or :func:`triplon_anisotropy`.

    Attributes
    ----------
    g_Z : float
        Coefficient of s s' in the mass channel (>= 0).
    g_Delta : float
        Coefficient of s s' in the pairing channel, |g_Delta| <= g_Z.
    s : numpy.ndarray
        (n_bands, n_nodes) values of eta^2 at the sheet nodes.
    w : numpy.ndarray
        (n_bands, n_nodes) weights of the Fermi-surface average (each row sums to 1).

    Examples
    --------
    >>> a = separable_anisotropy(0.5, 0.5, [[0.0, 1.0]], [[1.0, 1.0]])
    >>> a.moments().tolist()
    [[0.5, 0.5]]
    """

    g_Z: float
    g_Delta: float
    s: np.ndarray
    w: np.ndarray

    @property
    def n_bands(self) -> int:
        """Number of bands."""
        return self.s.shape[0]

    def moments(self) -> np.ndarray:
        """Sheet averages (<s>, <s^2>) per band.

        Returns
        -------
        numpy.ndarray
            (n_bands, 2): <eta^2> and <eta^4> on each sheet (DOS-weighted).
        """
        return np.stack([(self.w * self.s).sum(1), (self.w * self.s**2).sum(1)], axis=1)

    def s_max(self) -> np.ndarray:
        """Largest eta^2 on each sheet (where an a + c s gap with c/a > 0 is largest).

        Returns
        -------
        numpy.ndarray
            (n_bands,) max eta^2 over the nodes.
        """
        return self.s.max(axis=1)


def separable_anisotropy(g_Z, g_Delta, s, w) -> SeparableAnisotropy:
    """Validated :class:`SeparableAnisotropy` from the couplings and the sheet nodes.

    Parameters
    ----------
    g_Z : float
        Coefficient of s s' in the mass channel, in [0, 1e4].
    g_Delta : float
        Coefficient of s s' in the pairing channel, |g_Delta| <= g_Z (one-boson exchange).
    s : array_like
        (n_bands, n_nodes) eta^2 at the nodes, in [0, 1e3], at least two distinct values per
        band; 1 <= n_bands <= 8, 2 <= n_nodes <= 4096.
    w : array_like
        (n_bands, n_nodes) weights >= 0 with a positive sum per band (normalized here).

    Returns
    -------
    SeparableAnisotropy
        The anisotropy with normalized weights.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If an argument is out of range or the shapes disagree.

    Examples
    --------
    >>> a = separable_anisotropy(0.25, 0.25, [[0.0, 4.0], [0.0, 2.0]], [[1, 1], [1, 3]])
    >>> a.w.tolist()
    [[0.5, 0.5], [0.25, 0.75]]
    """
    gz = check.in_range("g_Z", g_Z, 0.0, 1e4)
    gd = check.in_range("g_Delta", g_Delta, -1e4, 1e4)
    if abs(gd) > gz * (1 + 1e-12):
        raise ValueError(f"g_Delta must satisfy |g_Delta| <= g_Z for one-boson exchange, got g_Delta = {gd:g}, "
                         f"g_Z = {gz:g}")
    sa = check.real_array("s", s, ndim=2, max_size=_N_BANDS_MAX * 4096)
    wa = check.real_array("w", w, ndim=2, max_size=_N_BANDS_MAX * 4096)
    if sa.shape != wa.shape or not 1 <= sa.shape[0] <= _N_BANDS_MAX or sa.shape[1] < 2:
        raise ValueError(f"s and w must have the same shape (n_bands <= {_N_BANDS_MAX}, n_nodes >= 2), got "
                         f"{sa.shape} and {wa.shape}")
    if np.any(sa < 0) or np.any(sa > 1e3):
        raise ValueError("s (eta^2 at the nodes) must lie in [0, 1e3]")
    if np.any(np.ptp(sa, axis=1) <= 1e-12 * (1 + sa.max(axis=1))):
        raise ValueError("s must take at least two distinct values on each band")
    if np.any(wa < 0) or np.any(wa.sum(axis=1) <= 0):
        raise ValueError("w must be >= 0 with a positive sum on each band")
    return SeparableAnisotropy(float(gz), float(gd), np.ascontiguousarray(sa),
                               np.ascontiguousarray(wa / wa.sum(axis=1, keepdims=True)))


def triplon_anisotropy(p, kappa_a, kappa_b, *, n_nodes: int = 64) -> SeparableAnisotropy:
    """Separable anisotropy of the triplon vertex on the Fermi sheets of the bands ``p``.

    g_Z = (kappa_a^2 + kappa_b^2)/2 and g_Delta = kappa_a kappa_b (:func:`triplon_form_factors`);
    the nodes are ``n_nodes`` equally spaced polar angles on each sheet (``bands.fermi_surface``,
    spectrally accurate for these periodic integrands) with the DOS weights, so that
    <s> = Nt/N and <s^2> = Nt2/N of :func:`nickelates.pairing.fermi_surface_moments`. Band
    order (alpha, beta), as in :func:`triplon_coupling_matrices`.

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV); both sheets star-shaped.
    kappa_a, kappa_b : float
        Kondo/Hund ratios J_K^{a,b}/J_H (dimensionless), in [-10, 10].
    n_nodes : int, optional
        Nodes per sheet, in [8, 4096].

    Returns
    -------
    SeparableAnisotropy
        Couplings and nodes (2 bands).

    Raises
    ------
    TypeError
        If ``p`` is not a ``bands.BandParams`` or a number is not real.
    ValueError
        If an argument is out of range or a sheet is missing.

    Examples
    --------
    >>> from nickelates import bands
    >>> a = triplon_anisotropy(bands.PAPER_V3, 0.75, 0.75, n_nodes=64)
    >>> a.g_Z, a.g_Delta, round(float(a.moments()[1, 0]), 3)
    (0.5625, 0.5625, 1.802)
    """
    from . import bands

    p = bands.check_params(p)
    ka = check.in_range("kappa_a", kappa_a, -10.0, 10.0)
    kb = check.in_range("kappa_b", kappa_b, -10.0, 10.0)
    n_nodes = check.integer("n_nodes", n_nodes, 8, 4096)
    s, w = [], []
    for band in ("alpha", "beta"):
        fs = bands.fermi_surface(p, band, n_theta=n_nodes)
        s.append((np.cos(fs.kx) - np.cos(fs.ky)) ** 2)
        w.append(fs.weight)
    return separable_anisotropy(0.5 * (ka * ka + kb * kb), ka * kb, np.array(s), np.array(w))


def _check_anisotropy(anisotropy, prob):
    check.instance("anisotropy", anisotropy, SeparableAnisotropy)
    if anisotropy.n_bands != prob.nb:
        raise ValueError(f"anisotropy has {anisotropy.n_bands} bands, the couplings {prob.nb}")
    return anisotropy


def _sep_normal(prob, an, T, N, lz):
    wn = matsubara_frequencies(T, N)
    omt, it, change = kernel.separable_normal_state(lz, prob.mu, an.g_Z, an.s, an.w, wn, T, prob.Om, 1e-13, 500)
    if change > 1e-10:
        raise ConvergenceError(f"normal-state Z (separable) at T = {T:.4g}: {it} iterations, change {change:.2e}",
                               iterations=int(it), residual=float(change), last=omt)
    return wn, omt


def _sqrt2x2(M):
    """Square roots (and inverse square roots) of a stack of symmetric positive-definite 2 x 2 matrices."""
    det = np.sqrt(np.maximum(M[..., 0, 0] * M[..., 1, 1] - M[..., 0, 1] ** 2, 0.0))
    t = np.sqrt(M[..., 0, 0] + M[..., 1, 1] + 2 * det)
    eye = np.eye(2)
    Q = (M + det[..., None, None] * eye) / t[..., None, None]
    Qi = np.empty_like(Q)                       # inverse of [[a, b], [b, c]]
    dq = Q[..., 0, 0] * Q[..., 1, 1] - Q[..., 0, 1] ** 2
    Qi[..., 0, 0], Qi[..., 1, 1] = Q[..., 1, 1] / dq, Q[..., 0, 0] / dq
    Qi[..., 0, 1] = Qi[..., 1, 0] = -Q[..., 0, 1] / dq
    return Q, Qi


@dataclass(frozen=True)
class SeparableLinearized:
    """Leading eigenvalue of the linearized separable equations (:func:`critical_temperature_separable`).

    Attributes
    ----------
    T : float
        Temperature (unit of the boson energy).
    eigenvalue : float
        Leading eigenvalue; 1 at T_c.
    wn : numpy.ndarray
        Matsubara frequencies w_n.
    omt : numpy.ndarray
        (n_bands, 2, N) normal-state Z w_n = omt[:, 0] + omt[:, 1] s.
    phi : numpy.ndarray
        (n_bands, 2, N) eigenvector phi = Z Delta = phi[:, 0] + phi[:, 1] s, with
        max |phi| = 1 and phi[0, 0, 0] > 0.

    Examples
    --------
    >>> a = separable_anisotropy(0.5, 0.5, [[0.0, 2.0], [0.0, 2.0]], [[1, 1], [1, 1]])
    >>> r = critical_temperature_separable([[0, 0.6], [0.25, 0]], [[0, -0.6], [-0.25, 0]], 1.0, a,
    ...                                    full_output=True)
    >>> bool(r.gap.phi[0, 0, 0] > 0 > r.gap.phi[1, 0, 0])
    True
    """

    T: float
    eigenvalue: float
    wn: np.ndarray
    omt: np.ndarray
    phi: np.ndarray


def _sep_linearized(prob, an, T):
    N = prob.n_mats(T)
    nb = prob.nb
    lz, ld = prob.tables(T, N)
    wn, omt = _sep_normal(prob, an, T, N, lz)
    W = kernel.separable_weights(omt, an.s, an.w, T, prob.Om)            # (nb, 3, N), includes pi T
    M = np.empty((nb, N, 2, 2))
    M[..., 0, 0], M[..., 0, 1], M[..., 1, 1] = W[:, 0], W[:, 1], W[:, 2]
    M[..., 1, 0] = M[..., 0, 1]
    size = 2 * nb * N
    if not (np.any(ld) or np.any(prob.mu)):
        return SeparableLinearized(float(T), 0.0, wn, omt, np.zeros((nb, 2, N)))
    d = _similarity(prob)
    if d is not None:                       # S = M^(1/2) (K~ (x) G) M^(1/2), symmetric
        P = np.sqrt(d)
        L, Li = _sqrt2x2(M)
        R = L
    else:
        P = np.ones(nb)
        L = Li = np.broadcast_to(np.eye(2), (nb, N, 2, 2)).copy()
        R = M

    def mv(v):
        return kernel.separable_matvec(np.ascontiguousarray(np.ravel(v)), L, R, ld, prob.mu, an.g_Delta, P)

    from scipy.sparse.linalg import ArpackError, LinearOperator, eigs, eigsh
    if size <= 64:
        A = np.array([mv(e) for e in np.eye(size)]).T
        if d is not None:
            ev, vec = np.linalg.eigh(0.5 * (A + A.T))
        else:
            ev, vec = np.linalg.eig(A)
        k = int(np.argmax(ev.real))
        lead, y = float(ev[k].real), np.real(vec[:, k])
    else:
        op = LinearOperator((size, size), matvec=mv, dtype=float)
        try:
            if d is not None:
                ev, vec = eigsh(op, k=1, which="LA", tol=1e-13, maxiter=50 * size, v0=_start_vector(size))
                k = 0
            else:
                ev, vec = eigs(op, k=2, which="LR", tol=1e-12, maxiter=50 * size, v0=_start_vector(size))
                k = int(np.argmax(ev.real))
        except ArpackError as exc:
            raise ConvergenceError(f"leading eigenvalue of the {size} x {size} separable kernel: ARPACK did not "
                                   "converge", iterations=50 * size, residual=None, last=None) from exc
        lead, y = float(ev[k].real), np.real(vec[:, k])
    y = y.reshape(nb, 2, N)
    phi = np.einsum("jmbc,jcm->jbm", Li, y) / P[:, None, None]
    s = np.max(np.abs(phi))
    phi = phi / s * (1.0 if phi[0, 0, 0] >= 0 else -1.0)
    return SeparableLinearized(float(T), lead, wn, omt, phi)


def critical_temperature_separable(lam_Z, lam_Delta, omega_boson, anisotropy, *, mu_star=None, band_cutoff=None,
                                   matsubara_cutoff=None, T_min=None, rtol: float = 1e-7,
                                   full_output: bool = False):
    """T_c of the Eliashberg equations with the separable A1g anisotropy (gap a + c eta^2 per sheet).

    With lam^X_ij(k, k'; nu) = lam^X_ij (1 + g_X s s') omega^2/(omega^2 + nu^2), s = eta_k^2,
    Z w_n and phi = Z Delta are exactly linear in s on each sheet:
    Z_i w_n(s) = w_n + pi T sum_{m,j} lam^Z_ij(n-m) [<B w_m/R>_j + g_Z s <s' B w_m/R>_j] and
    phi_i(s) = pi T sum_{m,j} [lam^Delta_ij(n-m) - mu*_ij] <B phi_j/R>_j + g_Delta s pi T sum lam^Delta_ij <s' B phi_j/R>_j,
    with sheet averages <.>_j over the nodes of ``anisotropy``. The linearized kernel acts on
    (phi_0, phi_1) per band and frequency; it is symmetrized exactly (K (x) G times a
    block-diagonal Gram matrix of sheet moments) and its leading eigenvalue is 1 at T_c.

    Parameters
    ----------
    lam_Z, lam_Delta : array_like
        (n_bands, n_bands) isotropic couplings, as in :func:`critical_temperature`.
    omega_boson : float, array_like or BosonSpectrum
        Einstein boson energy (any unit), an (n_bands, n_bands) array, or a :class:`BosonSpectrum`.
    anisotropy : SeparableAnisotropy
        g_Z, g_Delta and the sheet nodes (:func:`triplon_anisotropy`).
    mu_star : float or array_like, optional
        Coulomb pseudopotential (isotropic component only), in [0, 1].
    band_cutoff : float or array_like, optional
        Flat-band half-width(s); default infinite.
    matsubara_cutoff : float, optional
        Highest Matsubara frequency kept.
    T_min : float, optional
        Lowest temperature searched.
    rtol : float, optional
        Relative tolerance on T_c, in (0, 0.1].
    full_output : bool, optional
        Return a :class:`CriticalTemperature` whose ``gap`` is a :class:`SeparableLinearized`.

    Returns
    -------
    float or CriticalTemperature
        T_c (unit of ``omega_boson``); 0.0 if below ``T_min``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range or the band counts disagree.
    ConvergenceError
        If the normal state, the eigenvalue or the root search does not converge.

    Examples
    --------
    >>> lz = np.array([[0.0, 0.6], [0.25, 0.0]])
    >>> iso = critical_temperature(lz, -lz, 1.0)
    >>> a0 = separable_anisotropy(0.0, 0.0, [[0.0, 2.0], [0.0, 2.0]], [[1, 1], [1, 1]])
    >>> a1 = separable_anisotropy(0.5, 0.5, [[0.0, 2.0], [0.0, 2.0]], [[1, 1], [1, 1]])
    >>> bool(abs(critical_temperature_separable(lz, -lz, 1.0, a0) / iso - 1) < 1e-6)
    True
    >>> bool(critical_temperature_separable(lz, -lz, 1.0, a1) > iso)
    True
    """
    prob = _problem(lam_Z, lam_Delta, omega_boson, mu_star, band_cutoff, matsubara_cutoff)
    prob = _attractive(prob)
    an = _check_anisotropy(anisotropy, prob)
    rtol = check.tolerance("rtol", rtol, 0.1)
    full_output = check.boolean("full_output", full_output)
    return _tc_search(prob, lambda T: _sep_linearized(prob, an, T), T_min, rtol, full_output, enhancement=0.0)


@dataclass(frozen=True)
class SeparableSolution:
    """Solution of the separable Eliashberg equations at one T (:func:`solve_separable`).

    Z_i w_n(s) = omt[i, 0] + omt[i, 1] s and phi_i(s) = Z_i Delta_i(s) = phi[i, 0] + phi[i, 1] s,
    s = eta_k^2, so Delta_i(s, iw_n) = phi_i(s) / Z_i(s).

    Attributes
    ----------
    T : float
        Temperature.
    wn : numpy.ndarray
        Matsubara frequencies.
    omt : numpy.ndarray
        (n_bands, 2, N) coefficients of Z w_n.
    phi : numpy.ndarray
        (n_bands, 2, N) coefficients of Z Delta.
    iterations : int
        Fixed-point iterations used.
    residual : float
        Largest relative change of the last iteration.
    error_estimate : float
        Change of Delta(s) (at s = 0 and the largest node s) on halving the Matsubara cutoff,
        relative to max |Delta|, plus ``residual``.
    matsubara_cutoff : float
        Highest Matsubara frequency kept.
    band_cutoff : numpy.ndarray
        Band half-widths.
    anisotropy : SeparableAnisotropy
        The couplings and nodes used.

    Examples
    --------
    >>> a = separable_anisotropy(0.5, 0.5, [[0.0, 2.0], [0.0, 2.0]], [[1, 1], [1, 1]])
    >>> sol = solve_separable([[0, 0.6], [0.25, 0]], [[0, -0.6], [-0.25, 0]], 1.0, 0.005, a)
    >>> bool(sol.coef_ratio[0] > 0 and sol.coef_ratio[1] > 0), sol.at(0.0).delta.shape[0]
    (True, 2)
    """

    T: float
    wn: np.ndarray
    omt: np.ndarray
    phi: np.ndarray
    iterations: int
    residual: float
    error_estimate: float
    matsubara_cutoff: float
    band_cutoff: np.ndarray
    anisotropy: SeparableAnisotropy

    @property
    def n_bands(self) -> int:
        """Number of bands."""
        return self.omt.shape[0]

    @property
    def coef_ratio(self) -> np.ndarray:
        """c/a of the pair amplitude phi = Z Delta at the lowest Matsubara frequency, per band."""
        a = self.phi[:, 0, 0]
        return np.divide(self.phi[:, 1, 0], a, out=np.zeros(self.n_bands), where=a != 0)

    def gap_on_sheet(self, band, s) -> np.ndarray:
        """Delta_band(s, i w_0) = w_0 phi(s) / (Z w)(s) at the lowest Matsubara frequency for an array of eta^2.

        Parameters
        ----------
        band : int
            Band index, in [0, n_bands - 1].
        s : array_like of float
            Values of eta^2, in [0, 1e3] (at most 10**6).

        Returns
        -------
        numpy.ndarray
            Delta(s, i w_0), signed (unit of the boson energy).
        """
        b = check.integer("band", band, 0, self.n_bands - 1)
        sv = check.real_array("s", s, max_size=10**6)
        if np.any(sv < 0) or np.any(sv > 1e3):
            raise ValueError("s must lie in [0, 1e3]")
        o = self.omt[b, 0, 0] + self.omt[b, 1, 0] * sv
        return self.wn[0] * (self.phi[b, 0, 0] + self.phi[b, 1, 0] * sv) / o

    def at(self, s) -> EliashbergSolution:
        """Z_i(iw_n) and Delta_i(iw_n) at eta^2 = s (a number, or one per band) as an :class:`EliashbergSolution`.

        Parameters
        ----------
        s : float or array_like
            eta^2 on each sheet, in [0, 1e3].

        Returns
        -------
        EliashbergSolution
            Usable with :func:`continue_to_real_axis`.
        """
        sv = check.real_array("s", s, max_size=_N_BANDS_MAX)
        sv = np.full(self.n_bands, float(sv)) if sv.ndim == 0 else sv
        if sv.shape != (self.n_bands,) or np.any(sv < 0) or np.any(sv > 1e3):
            raise ValueError(f"s must be a number or {self.n_bands} numbers in [0, 1e3]")
        o = self.omt[:, 0] + self.omt[:, 1] * sv[:, None]
        p = self.phi[:, 0] + self.phi[:, 1] * sv[:, None]
        return EliashbergSolution(self.T, self.wn, o / self.wn, p * self.wn / o, self.iterations, self.residual,
                                  self.error_estimate, self.matsubara_cutoff, self.band_cutoff)


def _sep_anderson(prob, an, T, N, start, tol, max_iter, depth=6):
    lz, ld = prob.tables(T, N)
    wn = matsubara_frequencies(T, N)
    nb = prob.nb
    omt = np.ascontiguousarray(start[0])
    phi = np.ascontiguousarray(start[1])
    new_o, new_p = np.empty_like(omt), np.empty_like(phi)
    X, F = [], []
    res, it, size = math.inf, 0, nb * 2 * N
    for _ in range(max_iter):
        it += 1
        kernel.separable_sweep(omt, phi, lz, ld, prob.mu, an.g_Z, an.g_Delta, an.s, an.w, wn, T, prob.Om,
                               new_o, new_p)
        scale = max(float(np.max(np.abs(new_p))), 1e-300)
        res = max(float(np.max(np.abs(new_o - omt) / new_o[:, :1])), float(np.max(np.abs(new_p - phi))) / scale)
        if res < tol:
            omt, phi = new_o.copy(), new_p.copy()
            break
        x = np.concatenate([omt.ravel(), phi.ravel()]) / wn.max()
        gx = np.concatenate([new_o.ravel(), new_p.ravel()]) / wn.max()
        X.append(x)
        F.append(gx - x)
        if len(X) > depth:
            X.pop(0)
            F.pop(0)
        if len(X) > 1:
            dF = np.array([F[k + 1] - F[k] for k in range(len(F) - 1)]).T
            dX = np.array([X[k + 1] - X[k] for k in range(len(X) - 1)]).T
            gamma = np.linalg.lstsq(dF, F[-1], rcond=None)[0]
            xn = (x + F[-1] - (dX + dF) @ gamma) * wn.max()
        else:
            xn = gx * wn.max()
        omt = xn[:size].reshape(nb, 2, N).copy()
        omt[:, 0] = np.maximum(omt[:, 0], wn)
        omt[:, 1] = np.maximum(omt[:, 1], 0.0) if an.g_Z >= 0 else omt[:, 1]
        omt = np.ascontiguousarray(omt)
        phi = np.ascontiguousarray(xn[size:].reshape(nb, 2, N))
    else:
        raise ConvergenceError(f"separable Eliashberg equations at T = {T:.4g}: {max_iter} iterations, residual "
                               f"{res:.2e}", iterations=max_iter, residual=res, last=(omt, phi))
    return omt, phi, it, res


def _sep_interp(wn_from, a, wn_to):
    return np.array([[np.interp(wn_to, wn_from, c) for c in band] for band in a])


def solve_separable(lam_Z, lam_Delta, omega_boson, T, anisotropy, *, mu_star=None, band_cutoff=None,
                    matsubara_cutoff=None, tol: float = 1e-10, max_iter: int = 3000,
                    start=None) -> SeparableSolution:
    """Solve the nonlinear separable Eliashberg equations (gaps a + c eta^2 per sheet) at ``T``.

    Same equations as :func:`critical_temperature_separable` with R_j(s) = sqrt(omt_j(s)^2 + phi_j(s)^2);
    Anderson-mixed iteration started from the linearized eigenvector (scaled to 0.3, 1.2 and
    4.8 omega in turn) on half the Matsubara cutoff, then on the full one; the change between
    the two is the error estimate (as in :func:`solve`).

    Parameters
    ----------
    lam_Z, lam_Delta : array_like
        (n_bands, n_bands) isotropic couplings.
    omega_boson : float, array_like or BosonSpectrum
        Einstein boson energy (any unit), or a :class:`BosonSpectrum`.
    T : float
        Temperature (unit of ``omega_boson``).
    anisotropy : SeparableAnisotropy
        g_Z, g_Delta and the sheet nodes.
    mu_star : float or array_like, optional
        Coulomb pseudopotential (isotropic component only), in [0, 1].
    band_cutoff : float or array_like, optional
        Flat-band half-width(s); default infinite.
    matsubara_cutoff : float, optional
        Highest Matsubara frequency kept.
    tol : float, optional
        Relative change at which the iteration stops, in (0, 1e-3].
    max_iter : int, optional
        Iteration cap, in [1, 10**6].
    start : SeparableSolution, optional
        A solution at a nearby T to start from.

    Returns
    -------
    SeparableSolution
        The coefficients of Z w_n and Z Delta; phi = 0 above T_c.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range.
    ConvergenceError
        If the iteration does not converge or every start collapses below T_c.

    Examples
    --------
    >>> a = separable_anisotropy(0.0, 0.0, [[0.0, 2.0]], [[1, 1]])
    >>> s0, s1 = solve(1.0, 1.0, 1.0, 0.02), solve_separable(1.0, 1.0, 1.0, 0.02, a)
    >>> bool(np.allclose(s1.at(1.0).delta, s0.delta, rtol=1e-8))
    True
    """
    prob = _problem(lam_Z, lam_Delta, omega_boson, mu_star, band_cutoff, matsubara_cutoff)
    prob = _attractive(prob)
    T = _check_T(T, prob)
    an = _check_anisotropy(anisotropy, prob)
    tol = check.tolerance("tol", tol, 1e-3)
    max_iter = check.iterations("max_iter", max_iter, 10**6)
    if start is not None:
        check.instance("start", start, SeparableSolution)
        if start.n_bands != prob.nb:
            raise ValueError(f"start has {start.n_bands} bands, the couplings {prob.nb}")
    half = dataclasses.replace(prob, wc=0.5 * prob.wc)
    N_half = half.n_mats(T)
    wn_h = matsubara_frequencies(T, N_half)
    g = _sep_linearized(half, an, T)
    w0 = float(prob.omega.min())
    starts = [] if start is None else [(_sep_interp(start.wn, start.omt, wn_h), _sep_interp(start.wn, start.phi, wn_h))]
    d_lin = max(float(np.max(np.abs(g.phi[:, 0] * wn_h / g.omt[:, 0]))), 1e-300)
    starts += [(g.omt, g.phi * (a * w0 / d_lin)) for a in (0.3, 1.2, 4.8)]
    it1 = 0
    for st in starts:
        oh, ph, it, _ = _sep_anderson(half, an, T, N_half, st, tol, max_iter)
        it1 += it
        if g.eigenvalue <= 1.0 or np.max(np.abs(ph[:, 0] * wn_h / oh[:, 0])) > 1e-8 * wn_h[0]:
            break
    else:
        raise ConvergenceError(f"separable Eliashberg equations at T = {T:.4g}: the leading linearized eigenvalue "
                               f"is {g.eigenvalue:.6f} > 1, but every start converged to Delta = 0",
                               iterations=it1, residual=None, last=(oh, ph))
    N = prob.n_mats(T)
    wn = matsubara_frequencies(T, N)
    omt, phi, it2, res = _sep_anderson(prob, an, T, N, (_sep_interp(wn_h, oh, wn), _sep_interp(wn_h, ph, wn)),
                                       tol, max_iter)
    smax = an.s_max()
    errs, scale = [], 0.0
    for sv in (np.zeros(prob.nb), smax):
        D = (phi[:, 0] + phi[:, 1] * sv[:, None]) * wn / (omt[:, 0] + omt[:, 1] * sv[:, None])
        Dh = (ph[:, 0] + ph[:, 1] * sv[:, None]) * wn_h / (oh[:, 0] + oh[:, 1] * sv[:, None])
        low = wn_h <= 0.25 * prob.wc
        errs.append(float(np.max(np.abs(D[:, :N_half][:, low] - Dh[:, low]))))
        scale = max(scale, float(np.max(np.abs(D))))
    if scale > 1e-10 * wn[0]:
        err = max(errs) / scale + res
    else:
        phi = np.zeros_like(phi)
        err = res
    return SeparableSolution(float(T), wn, omt, phi, int(it1 + it2), float(res), float(err), float(prob.wc),
                             prob.Om.copy(), an)


def separable_weak_coupling_tc(lam_Z, lam_Delta, omega_boson, anisotropy, band_cutoff=None) -> tuple:
    """Weak-coupling T_c and c/a of the separable equations: the cutoff mapping with an anisotropic Z.

    The mapping of :func:`weak_coupling_tc` (pairing log with the constant I(r), mass
    renormalization z(r) per unit lambda, r = Omega / omega) with Z_j(s) = 1 + z(r) sum_k
    lam^Z_jk (1 + g_Z s <s'>_k) gives phi = L K phi with the 2 n_bands x 2 n_bands matrix
    K[(i,a),(j,b)] = G_a lam^Delta_ij <s^(a+b) / Z_j(s)>_j, G = (1, g_Delta), so
    T_c = (2 e^gamma / pi) omega e^I(r) exp(-1/lam~) with lam~ its leading eigenvalue; c/a is
    read off its eigenvector. For an isotropic problem lam~ = lam / sqrt(Z_alpha Z_beta) (two bands,
    interband); for omega -> inf with a band edge it is the flat-band BCS result
    (``pairing.effective_coupling``, ``pairing.log_model_anisotropy``).

    Parameters
    ----------
    lam_Z, lam_Delta : array_like
        (n_bands, n_bands) couplings, as in :func:`critical_temperature`.
    omega_boson : float
        Einstein boson energy (any unit), in (0, 1e12].
    anisotropy : SeparableAnisotropy
        g_Z, g_Delta and the sheet nodes.
    band_cutoff : float, optional
        Flat-band half-width (unit of ``omega_boson``); None = infinite band.

    Returns
    -------
    tuple
        (T_c in the unit of ``omega_boson``, numpy.ndarray of c/a per band); T_c = 0.0 if the
        leading eigenvalue is not positive.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range or the band counts disagree.

    Examples
    --------
    >>> lz = np.array([[0.0, 0.6], [0.25, 0.0]])
    >>> a0 = separable_anisotropy(0.0, 0.0, [[0.0, 2.0], [0.0, 2.0]], [[1, 1], [1, 1]])
    >>> tc, ca = separable_weak_coupling_tc(lz, -lz, 30.0, a0, band_cutoff=1.0)
    >>> round(tc / critical_temperature(lz, -lz, 30.0, band_cutoff=1.0), 2), np.abs(ca).tolist()
    (1.01, [0.0, 0.0])
    """
    w = check.positive("omega_boson", omega_boson, _OMEGA_MAX)
    prob = _problem(lam_Z, lam_Delta, w, None, band_cutoff, None)
    an = _check_anisotropy(anisotropy, prob)
    I, z = cutoff_mapping(w, None if band_cutoff is None else float(band_cutoff))
    lz, ld, nb = prob.lz, prob.ld, prob.nb
    mom = an.moments()[:, 0]
    Zs = 1.0 + z * (lz.sum(axis=1)[:, None] + an.g_Z * an.s * (lz @ mom)[:, None])
    m = [(an.w * an.s**p / Zs).sum(axis=1) for p in range(3)]
    K = np.zeros((2 * nb, 2 * nb))
    for i in range(nb):
        for j in range(nb):
            K[2 * i, 2 * j], K[2 * i, 2 * j + 1] = ld[i, j] * m[0][j], ld[i, j] * m[1][j]
            K[2 * i + 1, 2 * j] = an.g_Delta * ld[i, j] * m[1][j]
            K[2 * i + 1, 2 * j + 1] = an.g_Delta * ld[i, j] * m[2][j]
    ev, vec = np.linalg.eig(K)
    k = int(np.argmax(ev.real))
    lt, v = float(ev[k].real), np.real(vec[:, k])
    a = v[0::2]
    ca = np.divide(v[1::2], a, out=np.zeros(nb), where=np.abs(a) > 1e-300)
    if lt <= 0.0:
        return 0.0, ca
    return float(2.0 * math.exp(EULER_GAMMA) / math.pi * w * math.exp(I - 1.0 / lt)), ca


# --------------------------------------------------------------------------
# Coulomb pseudopotential


def morel_anderson(mu_star, cutoff, new_cutoff):
    """Morel-Anderson rescaling of mu* from one Matsubara cutoff to another.

    The repulsion mu between the cutoffs renormalizes as 1/mu*(w') = 1/mu*(w) + ln(w/w'); for a matrix
    (several bands) mu*(w') = mu*(w) [1 + ln(w/w') mu*(w)]^-1.

    Parameters
    ----------
    mu_star : float or array_like
        mu* at ``cutoff`` (a number or an (n_bands, n_bands) matrix), entries in [0, 1].
    cutoff, new_cutoff : float
        The two Matsubara cutoffs (same unit), in (0, 1e12].

    Returns
    -------
    float or numpy.ndarray
        mu* at ``new_cutoff``.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If an argument is out of range or the rescaled mu* diverges (a Cooper log of the repulsion).

    Examples
    --------
    >>> round(morel_anderson(0.1, 6.0, 24.0), 5)
    0.1161
    """
    w = check.positive("cutoff", cutoff, _OMEGA_MAX)
    w2 = check.positive("new_cutoff", new_cutoff, _OMEGA_MAX)
    mu = check.real_array("mu_star", mu_star, max_size=_N_BANDS_MAX**2)
    if np.any(mu < 0) or np.any(mu > 1):
        raise ValueError("mu_star entries must lie in [0, 1]")
    L = math.log(w / w2)
    if mu.ndim == 0:
        den = 1.0 + L * float(mu)
        if den <= 0:
            raise ValueError(f"mu_star = {float(mu)} cannot be rescaled from {w:g} to {w2:g}: 1 + mu* ln(w/w') <= 0")
        return float(mu) / den
    m = _matrix("mu_star", mu)
    A = np.eye(m.shape[0]) + L * m
    if np.linalg.det(A) <= 0:
        raise ValueError("mu_star cannot be rescaled that far: 1 + ln(w/w') mu* is not positive definite")
    return m @ np.linalg.inv(A)


def coulomb_matrix(mu_star, dos):
    """mu*_ij = mu* N_j / sum_k N_k: one screened repulsion U acting on all pairs (mu* = U sum_k N_k).

    Parameters
    ----------
    mu_star : float
        The total-DOS pseudopotential U N(0), in [0, 1].
    dos : array_like of float
        Fermi-level densities of states N_j (any unit), positive, 1 to 8 bands.

    Returns
    -------
    numpy.ndarray
        (n_bands, n_bands) matrix with identical rows.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> coulomb_matrix(0.1, [1.0, 3.0]).tolist()
    [[0.025, 0.075], [0.025, 0.075]]
    """
    mu = check.in_range("mu_star", mu_star, 0.0, 1.0)
    n = check.real_array("dos", dos, ndim=1, max_size=_N_BANDS_MAX)
    if np.any(n <= 0):
        raise ValueError("dos must be positive")
    return np.tile(mu * n / n.sum(), (n.size, 1))


#: the setting of chapter 8 (and of chapter 3's T_c problem): v3 bands at n_c, the s+- coupling lam,
#: the Fig. 5 kappa (= tunneling.FIG5["kappa"]), omega_t = J_c of the paper's t_c, U; solutions at T_frac T_c
SETTINGS = {"n_c": 0.45, "lam": 0.4, "kappa": 0.3, "T_frac": 0.2}


def setting_state(kappa=None) -> TriplonState:
    """Chapter 8's triplon state at :data:`SETTINGS` (v3 bands, omega_t = J_c), isotropic or with kappa.

    Parameters
    ----------
    kappa : float, optional
        kappa_a = kappa_b of the separable anisotropy, in [0, 10]; None = 0 (isotropic).

    Returns
    -------
    TriplonState
        T_c (eV), gaps (eV), Z, as :func:`triplon_state` returns them.

    Raises
    ------
    TypeError
        If ``kappa`` is not real.
    ValueError
        If ``kappa`` is out of range.

    Examples
    --------
    >>> round(setting_state().Tc / 8.617333262e-5, 1)
    72.5
    """
    from . import bands, couplings

    p = bands.with_density(bands.PAPER_V3, SETTINGS["n_c"])
    d = bands.fermi_level_dos(p)
    J_c = couplings.dimer_exchange(couplings.T_C, couplings.U_PAPER)
    an = None
    if kappa is not None and check.in_range("kappa", kappa, 0.0, 10.0) > 0:
        an = triplon_anisotropy(p, kappa, kappa)
    return triplon_state(SETTINGS["lam"], J_c, d.N_alpha, d.N_beta, T_frac=SETTINGS["T_frac"], anisotropy=an)
