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

Units: any energy unit, k_B = 1; T, omega_boson, band_cutoff and the returned
T_c share it. The numba loops are in :mod:`nickelates.kernels.eliashberg`.
"""
from __future__ import annotations

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
class _Problem:
    lz: np.ndarray
    ld: np.ndarray
    omega: np.ndarray
    mu: np.ndarray
    Om: np.ndarray
    wc: float

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
        lz = kernel.coupling_table(self.lz, self.omega, T, 2 * N)
        ld = kernel.coupling_table(self.ld, self.omega, T, 2 * N)
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
    return _Problem(lz, ld, w, mu, Om, wc)


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
                ev, vec = eigsh(S, k=1, which="LA", tol=1e-12, maxiter=50 * n)
            except ArpackError as exc:
                raise ConvergenceError(f"leading eigenvalue of the {n} x {n} linearized kernel: ARPACK (Lanczos) "
                                       "did not converge", iterations=50 * n, residual=None, last=None) from exc
        return float(ev[-1]), vec[:, -1] / m
    if n <= 64:
        ev, vec = np.linalg.eig(A)
    else:
        from scipy.sparse.linalg import ArpackError, eigs
        try:
            ev, vec = eigs(A, k=2, which="LR", tol=1e-12, maxiter=50 * n)
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
    omega_boson : float or array_like
        Einstein boson energy (any unit), or an (n_bands, n_bands) array of them.
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
    omega_boson : float or array_like
        Einstein boson energy (any unit), or an (n_bands, n_bands) array, in (0, 1e12].
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
        below 1 already at ``T_min`` (no superconductivity above T_min).

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
    rtol = check.tolerance("rtol", rtol, 0.1)
    full_output = check.boolean("full_output", full_output)
    t_floor = prob.wc / (2.0 * math.pi * (_N_MATS_MAX - 1))
    if T_min is None:
        T_min = t_floor
    else:
        T_min = check.in_range("T_min", T_min, t_floor, prob.wc)
    count = [0]
    cache = {}

    def f(logT):
        count[0] += 1
        g = _linearized(prob, math.exp(logT))
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
    g = cache.get(x) or _linearized(prob, Tc)
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
    omega_boson : float or array_like
        Einstein boson energy (any unit), or an (n_bands, n_bands) array.
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
        Z_i(iw_n), Delta_i(iw_n) and the error estimate; Delta = 0 above T_c.

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
    T = _check_T(T, prob)
    tol = check.tolerance("tol", tol, 1e-3)
    max_iter = check.iterations("max_iter", max_iter, 10**6)
    if start is not None:
        check.instance("start", start, EliashbergSolution)
        if start.n_bands != prob.nb:
            raise ValueError(f"start has {start.n_bands} bands, the couplings {prob.nb}")
    half = _Problem(prob.lz, prob.ld, prob.omega, prob.mu, prob.Om, 0.5 * prob.wc)
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
    zi = np.asarray(z_in, dtype=complex).ravel()
    fi = np.asarray(f_in, dtype=complex).ravel()
    zo = np.asarray(z_out, dtype=complex).ravel()
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
    try:
        zz = np.asarray(z, dtype=complex)
    except (TypeError, ValueError) as exc:
        raise TypeError("z must be an array of complex numbers") from exc
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
        Z_i(i w_0) in the superconducting state.

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

    @property
    def gap_ratios(self) -> list:
        """2 Delta_i / k_B T_c per band (dimensionless)."""
        return [float(2 * g / self.Tc) for g in self.gaps]

    @property
    def ratio(self) -> float:
        """Delta_alpha / Delta_beta (gap edges)."""
        return float(self.gaps[0] / self.gaps[1])


def triplon_state(lam, omega_t, N_alpha, N_beta, *, band_cutoff=None, matsubara_cutoff=None, T_frac: float = 0.2,
                  omega_max: float = 0.6, n_omega: int = 3001) -> TriplonState:
    """T_c, the gaps and their real-axis continuation of the triplon model at (lam, omega_t).

    Couplings from :func:`triplon_coupling_matrices` with V = lam / sqrt(N_alpha N_beta).

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
    tc = critical_temperature(lz, ld, w, band_cutoff=band_cutoff, matsubara_cutoff=matsubara_cutoff)
    if tc <= 0.0:
        raise ValueError(f"lam = {lam}: T_c is below the lowest temperature the solver handles; raise lam")
    sol = solve(lz, ld, w, T_frac * tc, band_cutoff=band_cutoff, matsubara_cutoff=matsubara_cutoff)
    real = continue_to_real_axis(sol, np.linspace(0.0, wmax, n_omega))
    return TriplonState(float(lam), float(w), float(tc), sol, real, np.abs(real.gap_edge()), sol.Z[:, 0].copy())
