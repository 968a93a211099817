"""What static mean field leaves out: estimates for "the T_c problem" of chapter 3.

At the paper's couplings the exact BCS solution of Eq. (14) (:mod:`nickelates.pairing`)
gives T_c of several hundred kelvin, against 40-80 K measured. This module holds three
simple, separately testable corrections, each an *estimate* and not a full theory:

* **mass renormalization and retardation** -- :func:`mass_renormalization` (the interband
  Z_alpha = 1 + V N_beta, Z_beta = 1 + V N_alpha of a boson-exchange interaction whose
  normal self-energy has the size of its pairing vertex; lambda -> lambda / sqrt(Z_alpha Z_beta)),
  and the Allen-Dynes T_c for an Einstein mode, :func:`allen_dynes_tc` (chapter 8's
  :func:`nickelates.eliashberg.allen_dynes` in K);
  the full Eliashberg treatment is chapter 8;
* **interband impurity pair breaking** -- no Anderson theorem for s+-:
  :func:`abrikosov_gorkov_tc` (equal DOS, equal and opposite gaps: ln(T_c0/T_c) =
  psi(1/2 + Gamma_t / 2 pi k_B T_c) - psi(1/2)), :func:`interband_impurity_tc` (unequal DOS,
  derived in :func:`nickelates.symbolic.pairing.interband_impurity_tc`) and
  :func:`rate_for_tc` (the rate that brings T_c down to a target);
* **2D phase fluctuations** -- :func:`superfluid_fraction` (clean to dirty, any T),
  :func:`superfluid_stiffness` of a :class:`~nickelates.pairing.GapSolution` on the real
  Fermi sheets, and the Berezinskii-Kosterlitz-Thouless bound
  k_B T_BKT <= (pi/2) rho_s, :func:`bkt_temperature`.

Units: energies and rates in eV (a rate Gamma is the imaginary part of the self-energy,
Gamma = hbar / 2 tau), temperatures in K, densities of states in 1/eV per spin per k-point,
stiffnesses rho_s in eV (the 2D phase stiffness, F = (rho_s/2) int (grad theta)^2 with theta
the phase of the pair field).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.optimize import brentq
from scipy.special import digamma

from . import _validate as check
from . import bands
from .errors import ConvergenceError
from .pairing import K_B, GapSolution, critical_temperature, gap_vs_temperature, solve_gap

__all__ = ["HBAR", "MassRenormalization", "mass_renormalization", "allen_dynes_tc",
           "abrikosov_gorkov_tc", "interband_impurity_tc", "rate_for_tc",
           "superfluid_fraction", "Stiffness", "superfluid_stiffness", "BKTEstimate", "bkt_temperature"]

#: Planck constant over 2 pi, eV s.
HBAR = 6.582119569e-16
_EULER = 0.5772156649015329
_T_MAX = 5000.0          # K
_LAM_MAX = 10.0
_RATE_MAX = 100.0        # eV
_DOS_MAX = 1e6           # 1/eV
_RATIO_MAX = 1e6
_MAX_MATSUBARA = 20000
_GL_T, _GL_W = np.polynomial.legendre.leggauss(160)


def _brentq(f, lo, hi, what, **kw):
    try:
        return brentq(f, lo, hi, **kw)
    except RuntimeError as exc:
        raise ConvergenceError(f"{what}: root search in [{lo:.6g}, {hi:.6g}] did not converge ({exc})",
                               iterations=kw.get("maxiter", 100)) from exc


# --------------------------------------------------------------------------- (i) Z and retardation
@dataclass(frozen=True)
class MassRenormalization:
    """Interband mass renormalization (:func:`mass_renormalization`).

    Attributes
    ----------
    Z_alpha : float
        1 + V N_beta (dimensionless): an alpha electron is dressed by virtual scattering into beta.
    Z_beta : float
        1 + V N_alpha (dimensionless).
    lam : float
        Static coupling V sqrt(N_alpha N_beta) (dimensionless).
    lam_Z : float
        Renormalized coupling lam / sqrt(Z_alpha Z_beta) (dimensionless).

    Examples
    --------
    >>> m = MassRenormalization(1.5, 1.5, 0.5, 0.5 / 1.5)
    >>> round(m.lam_Z, 4)
    0.3333
    """

    Z_alpha: float
    Z_beta: float
    lam: float
    lam_Z: float


def mass_renormalization(N_alpha, N_beta, V) -> MassRenormalization:
    """Mass renormalization of the interband s+- problem and the renormalized coupling.

    In the linearized Eliashberg equations with a pair-hopping boson whose normal self-energy
    has the size of its pairing vertex (as for spin/triplon exchange, where both carry the
    same factor of the three polarizations), band alpha is renormalized by the states of
    beta, Z_alpha = 1 + lambda_ab with lambda_ab = V N_beta, and vice versa. The gap equation
    Z_alpha Delta_alpha = -lambda_ab L Delta_beta (and alpha <-> beta) gives the coupling
    lambda_Z = lambda / sqrt(Z_alpha Z_beta); for equal DOS this is McMillan's lambda / (1 + lambda).

    Parameters
    ----------
    N_alpha, N_beta : float
        Fermi-level densities of states per spin (1/eV), in (0, 1e6].
    V : float
        Pair-hopping amplitude (eV), in [0, 100].

    Returns
    -------
    MassRenormalization
        Z_alpha, Z_beta, lam and lam_Z.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> m = mass_renormalization(1.0, 1.0, 0.4)          # equal DOS: lambda / (1 + lambda)
    >>> round(m.lam_Z, 6), round(0.4 / 1.4, 6)
    (0.285714, 0.285714)
    """
    Na = check.positive("N_alpha", N_alpha, _DOS_MAX)
    Nb = check.positive("N_beta", N_beta, _DOS_MAX)
    V = check.nonnegative("V", V, 100.0)
    Za, Zb = 1.0 + V * Nb, 1.0 + V * Na
    lam = V * math.sqrt(Na * Nb)
    return MassRenormalization(Za, Zb, lam, lam / math.sqrt(Za * Zb))


def allen_dynes_tc(lam, omega_log, mu_star=0.0, *, corrections: bool = True) -> float:
    """Allen-Dynes T_c in K for an Einstein mode at omega_log (eV): :func:`nickelates.eliashberg.allen_dynes`.

    T_c = f1 (omega_log / 1.2) exp[-1.04 (1 + lam) / (lam - mu*(1 + 0.62 lam))] with the strong-coupling
    factor f1 = [1 + (lam / L1)^(3/2)]^(1/3), L1 = 2.46 (1 + 3.8 mu*) (f2 = 1 for one mode); the
    (1 + lam) in the exponent is the mass renormalization, the prefactor omega_log / 1.2 (instead of the
    BCS 1.13 Omega) the retardation (Allen & Dynes 1975). One formula for the book: this is chapter 8's
    function in chapter 3's units; ``corrections=False`` is McMillan's form (f1 = 1).

    Parameters
    ----------
    lam : float
        Electron-boson coupling (dimensionless), in (0, 10].
    omega_log : float
        Logarithmic average boson energy (eV), in (0, 10].
    mu_star : float, optional
        Coulomb pseudopotential (dimensionless), in [0, 0.5]; default 0.
    corrections : bool, optional
        Include f1 (default); False gives McMillan's form.

    Returns
    -------
    float
        T_c in K (0 if lam <= mu*(1 + 0.62 lam): no superconductivity).

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> round(allen_dynes_tc(1.0, 0.01, 0.1, corrections=False), 2)   # a lead-like coupling, 10 meV
    8.08
    >>> round(allen_dynes_tc(1.0, 0.01, 0.1), 2)
    8.49
    """
    from .eliashberg import allen_dynes

    lam = check.positive("lam", lam, _LAM_MAX)
    w = check.positive("omega_log", omega_log, 10.0)
    mu = check.in_range("mu_star", mu_star, 0.0, 0.5)
    return float(allen_dynes(lam, w, mu, corrections=check.boolean("corrections", corrections)) / K_B)


# --------------------------------------------------------------------------- (ii) impurities
def _chi(rate, T):
    """psi(1/2 + rate / 2 pi k_B T) - psi(1/2)."""
    return float(digamma(0.5 + rate / (2 * math.pi * K_B * T)) - digamma(0.5))


def _check_tc0(Tc0):
    return check.positive("Tc0", Tc0, _T_MAX)


def abrikosov_gorkov_tc(Gamma_t, Tc0) -> float:
    """T_c of an s+- state with equal DOS and equal and opposite gaps under interband scattering.

    Solves ln(T_c0 / T_c) = psi(1/2 + Gamma_t / 2 pi k_B T_c) - psi(1/2), the Abrikosov-Gor'kov
    equation with the pair-breaking rate Gamma_t = Gamma_ab + Gamma_ba, the sum of the two
    interband rates (Golubov & Mazin 1997; derived in
    :func:`nickelates.symbolic.pairing.interband_impurity_tc`). T_c vanishes at
    Gamma_t = pi k_B T_c0 / (2 e^gamma) = 0.882 k_B T_c0.

    Parameters
    ----------
    Gamma_t : float
        Pair-breaking rate (eV), in [0, 100].
    Tc0 : float
        Clean critical temperature (K), in (0, 5000].

    Returns
    -------
    float
        T_c in K (0 beyond the critical rate).

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is out of range.
    ConvergenceError
        If the root search fails.

    Examples
    --------
    >>> Tc0 = 100.0
    >>> crit = math.pi * K_B * Tc0 / (2 * math.exp(0.5772156649015329))
    >>> abrikosov_gorkov_tc(0.0, Tc0), abrikosov_gorkov_tc(1.001 * crit, Tc0)
    (100.0, 0.0)
    """
    G = check.nonnegative("Gamma_t", Gamma_t, _RATE_MAX)
    Tc0 = _check_tc0(Tc0)
    if G == 0:
        return Tc0
    if G >= math.pi * K_B * Tc0 / (2 * math.exp(_EULER)):
        return 0.0

    def f(lnT):
        T = math.exp(lnT)
        return math.log(Tc0 / T) - _chi(G, T)

    lo = math.log(Tc0) - 60.0
    if f(lo) < 0:
        return 0.0
    return float(math.exp(_brentq(f, lo, math.log(Tc0), "abrikosov_gorkov_tc", xtol=1e-13)))


def _weights(dos_ratio):
    r = check.positive("dos_ratio", dos_ratio, _RATIO_MAX)
    wa = 1.0 / (1.0 + r)
    return wa, 1.0 - wa


def _s_pm_margin(rate, T, Tc0, lam, wa, wb):
    """Leading s+- eigenvalue minus 1 of the linearized equations with interband scattering."""
    chi = _chi(rate, T)
    L = 1.0 / lam + math.log(Tc0 / T)
    A, B = L - wa * chi, L - wb * chi
    if A <= 0 or B <= 0:
        return -1.0
    return lam * math.sqrt(A * B) - lam * math.sqrt(wa * wb) * chi - 1.0


def _check_lam(lam):
    return check.positive("lam", lam, _LAM_MAX)


def interband_impurity_tc(Gamma_t, Tc0, lam, dos_ratio) -> float:
    """T_c of the two-band s+- state with interband impurity scattering (Born limit, unequal DOS).

    With w_zeta = N_zeta / (N_alpha + N_beta), the linearized equations at T_c
    (:func:`nickelates.symbolic.pairing.interband_impurity_tc`) have the leading s+- eigenvalue
    mu = lam sqrt((L - w_a chi)(L - w_b chi)) - lam sqrt(w_a w_b) chi, with
    L = 1/lam + ln(T_c0/T_c) and chi = psi(1/2 + Gamma_t / 2 pi k_B T_c) - psi(1/2); T_c is where
    mu = 1. For equal DOS this is :func:`abrikosov_gorkov_tc`; for unequal DOS the
    DOS-weighted average gap survives the scattering and T_c falls more slowly (it vanishes
    at Gamma_t = 0.882 k_B T_c0 exp[(1 - 2 sqrt(w_a w_b)) / lam]).

    Parameters
    ----------
    Gamma_t : float
        Pair-breaking rate Gamma_ab + Gamma_ba (eV), in [0, 100].
    Tc0 : float
        Clean critical temperature (K), in (0, 5000].
    lam : float
        Interband coupling V sqrt(N_alpha N_beta) (dimensionless), in (0, 10].
    dos_ratio : float
        N_beta / N_alpha, in (0, 1e6].

    Returns
    -------
    float
        T_c in K (0 if the s+- state is destroyed).

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is out of range.
    ConvergenceError
        If the root search fails.

    Examples
    --------
    >>> round(interband_impurity_tc(0.002, 100.0, 0.4, 1.0) / abrikosov_gorkov_tc(0.002, 100.0), 8)
    1.0
    >>> interband_impurity_tc(0.002, 100.0, 0.4, 2.5) > abrikosov_gorkov_tc(0.002, 100.0)
    True
    """
    G = check.nonnegative("Gamma_t", Gamma_t, _RATE_MAX)
    Tc0 = _check_tc0(Tc0)
    lam = _check_lam(lam)
    wa, wb = _weights(dos_ratio)
    if G == 0:
        return Tc0

    def f(lnT):
        return _s_pm_margin(G, math.exp(lnT), Tc0, lam, wa, wb)

    hi = math.log(Tc0)
    lo = hi - 60.0
    if f(lo) <= 0:
        return 0.0
    return float(math.exp(_brentq(f, lo, hi, "interband_impurity_tc", xtol=1e-13)))


def rate_for_tc(Tc, Tc0, lam, dos_ratio) -> float:
    """The pair-breaking rate Gamma_t (eV) at which interband scattering lowers T_c0 to ``Tc``.

    The inverse of :func:`interband_impurity_tc` (the margin decreases monotonically with
    the rate at fixed T).

    Parameters
    ----------
    Tc : float
        Target critical temperature (K), in (0, Tc0).
    Tc0 : float
        Clean critical temperature (K), in (0, 5000].
    lam : float
        Interband coupling (dimensionless), in (0, 10].
    dos_ratio : float
        N_beta / N_alpha, in (0, 1e6].

    Returns
    -------
    float
        Gamma_t in eV (hbar / tau_t = 2 Gamma_t).

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is out of range.
    ConvergenceError
        If the root search fails.

    Examples
    --------
    >>> g = rate_for_tc(50.0, 100.0, 0.4, 2.5)
    >>> round(interband_impurity_tc(g, 100.0, 0.4, 2.5), 6)
    50.0
    """
    Tc0 = _check_tc0(Tc0)
    Tc = check.positive("Tc", Tc, Tc0)
    if Tc >= Tc0:
        raise ValueError(f"Tc must lie in (0, Tc0) = (0, {Tc0}), got {Tc!r}")
    lam = _check_lam(lam)
    wa, wb = _weights(dos_ratio)

    def f(lnG):
        return _s_pm_margin(math.exp(lnG), Tc, Tc0, lam, wa, wb)

    lo = math.log(1e-12 * K_B * Tc0)
    hi = math.log(K_B * Tc0)
    while f(hi) > 0:
        hi += 1.0
        if hi > math.log(_RATE_MAX):
            raise ValueError(f"no rate up to {_RATE_MAX} eV lowers T_c to {Tc} K")
    return float(math.exp(_brentq(f, lo, hi, "rate_for_tc", xtol=1e-12)))


# --------------------------------------------------------------------------- (iii) phase stiffness
def superfluid_fraction(Delta, T=0.0, Gamma=0.0):
    """Superfluid fraction n_s / n of an s-wave gap with non-pair-breaking (intraband) scattering.

    n_s/n = pi k_B T sum_n Delta^2 / [(omega_n^2 + Delta^2)(sqrt(omega_n^2 + Delta^2) + Gamma)]
    over all Matsubara frequencies (Abrikosov-Gor'kov, Born limit): 1 at T = 0 without
    scattering, pi Delta / 2 Gamma in the dirty limit Gamma >> Delta, 1 minus the Yosida
    function in the clean limit. The sum is done term by term up to omega ~ 60 max(Delta, Gamma)
    and the rest as an integral.

    Parameters
    ----------
    Delta : array_like of float
        Gap magnitudes (eV), |Delta| <= 10 (the sign is irrelevant; |Delta| < 1e-30 counts as 0).
    T : float, optional
        Temperature (K), in [0, 5000].
    Gamma : float, optional
        Intraband scattering rate hbar / 2 tau (eV), in [0, 100].

    Returns
    -------
    numpy.ndarray
        n_s / n in [0, 1], the shape of ``Delta``.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> float(superfluid_fraction(0.01))
    1.0
    >>> round(float(superfluid_fraction(0.001, Gamma=1.0) / (math.pi * 0.001 / 2)), 3)
    0.995
    """
    D = np.abs(check.real_array("Delta", Delta))
    if D.size and D.max() > 10.0:
        raise ValueError(f"Delta must lie in [-10, 10] eV, got a maximum |Delta| of {D.max():.6g}")
    T = check.nonnegative("T", T, _T_MAX)
    G = check.nonnegative("Gamma", Gamma, _RATE_MAX)
    shape = D.shape
    D = D.ravel()
    out = np.zeros_like(D)
    ok = D > 1e-30                      # smaller gaps give n_s/n = 0 to double precision
    d = D[ok][:, None]
    if d.size == 0:
        return out.reshape(shape)

    def f(w):
        e2 = w * w + d * d
        return d * d / (e2 * (np.sqrt(e2) + G))

    kT = K_B * T
    if kT > 0:
        top = 60.0 * max(float(d.max()) if d.size else 0.0, G)
        n = int(min(_MAX_MATSUBARA, max(200, math.ceil(top / (2 * math.pi * kT)))))
        w = math.pi * kT * (2 * np.arange(n) + 1)
        s = 2 * math.pi * kT * f(w[None, :]).sum(axis=1)
        X = 2 * math.pi * kT * n
    else:
        s = np.zeros(d.shape[0])
        X = 0.0
    # tail integral over [X, inf) in omega = Delta sinh(u): the integrand 1/(cosh u (cosh u + Gamma/Delta))
    # is smooth on the scales of both Delta and Gamma
    u0 = np.arcsinh(X / d)
    t = 0.5 * (_GL_T + 1.0)
    uq = u0 + 50.0 * t[None, :]
    ch = np.cosh(uq)
    s = s + 25.0 * (_GL_W[None, :] / (ch * (ch + G / d))).sum(axis=1)
    out[ok] = np.clip(s, 0.0, 1.0)
    return out.reshape(shape)


@dataclass(frozen=True)
class Stiffness:
    """Phase stiffness of the two sheets (:func:`superfluid_stiffness`), eV.

    Attributes
    ----------
    rho_alpha : float
        Contribution of the alpha sheet (eV per bilayer, i.e. per a^2 of the bilayer).
    rho_beta : float
        Contribution of the beta sheet (eV).
    rho_normal : float
        Normal-state value hbar^2 (n/m) / 4 of both sheets (eV), the T = 0 clean limit.
    T : float
        Temperature (K).
    Gamma : float
        Intraband scattering rate used (eV).

    Examples
    --------
    >>> s = Stiffness(0.1, 0.2, 0.3, 0.0, 0.0)
    >>> round(s.rho_bilayer, 3), round(s.rho_layer, 3)
    (0.3, 0.15)
    """

    rho_alpha: float
    rho_beta: float
    rho_normal: float
    T: float
    Gamma: float

    @property
    def rho_bilayer(self) -> float:
        """Stiffness of the phase-locked bilayer, rho_alpha + rho_beta (eV)."""
        return self.rho_alpha + self.rho_beta

    @property
    def rho_layer(self) -> float:
        """Stiffness per layer, half the bilayer's (eV): the bound for decoupled layers."""
        return 0.5 * self.rho_bilayer


def superfluid_stiffness(sol, *, Gamma=0.0, n_theta: int = 720, gap_scale=None) -> Stiffness:
    """2D phase stiffness rho_s of a gap solution from the bands and gaps on the Fermi sheets.

    rho_s = (hbar^2/4)(n_s/m) with, per sheet, n_s/m = 2 sum_FS w v_x^2 (n_s/n)(Delta_k) (spin sum,
    FS weights w of :func:`nickelates.bands.fermi_surface`, v in eV a, C4 average of the
    tensor), the Fermi-surface form of the lattice diamagnetic sum at T = 0. The phase is that of
    the pair field; both sheets belong to one bilayer, so rho_alpha + rho_beta is the stiffness
    of the bilayer with its two layers phase-locked (interlayer pairs lock them) and half of
    it is the stiffness per layer. Approximations: the current couples to the bands only
    (no current vertex from the non-local Kondo terms), gaps enter locally through
    :func:`superfluid_fraction`, quasiparticle backflow and Fermi-liquid corrections are omitted.

    Parameters
    ----------
    sol : nickelates.pairing.GapSolution
        Gaps (s channel) at temperature ``sol.T``.
    Gamma : float, optional
        Intraband scattering rate hbar / 2 tau (eV), in [0, 100].
    n_theta : int, optional
        Points per Fermi sheet (8 to 10**6).
    gap_scale : tuple of float, optional
        Factors (s_alpha, s_beta) in [0, 100] multiplying the gaps of ``sol`` on each sheet (e.g. the
        Eliashberg over the BCS gap of chapter 8); default (1, 1).

    Returns
    -------
    Stiffness
        rho per sheet, the normal-state value, T and Gamma.

    Raises
    ------
    TypeError
        If ``sol`` is not a GapSolution or an argument has the wrong type.
    ValueError
        If ``sol`` is not an s-channel solution or an argument is out of range.

    Examples
    --------
    >>> from nickelates import pairing
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> sol = pairing.solve_gap(p, V=pairing.V_for_lambda(p, 0.4), kappa_a=0, kappa_b=0, n_k=64)
    >>> st = superfluid_stiffness(sol, n_theta=256)
    >>> round(st.rho_bilayer / st.rho_normal, 6)                 # clean, T = 0: all electrons
    1.0
    """
    check.instance("sol", sol, GapSolution)
    if sol.channel != "s":
        raise ValueError(f"sol must be an s-channel solution, got channel {sol.channel!r}")
    G = check.nonnegative("Gamma", Gamma, _RATE_MAX)
    n_theta = check.integer("n_theta", n_theta, 8, 10 ** 6)
    scale = (1.0, 1.0) if gap_scale is None else check.real_array("gap_scale", gap_scale, ndim=1, max_size=2)
    if len(scale) != 2 or np.any(np.asarray(scale) < 0) or np.any(np.asarray(scale) > 100):
        raise ValueError(f"gap_scale must be two factors in [0, 100], got {list(np.ravel(scale))}")
    rho, rho_n = {}, 0.0
    for band in bands.BAND_NAMES:
        fs = bands.fermi_surface(sol.p, band, n_theta=n_theta)
        vx, vy = bands.velocity(fs.kx, fs.ky, sol.p, band)
        v2 = 0.5 * (vx ** 2 + vy ** 2)
        gap = (sol.delta_alpha if band == "alpha" else sol.delta_beta)(fs.kx, fs.ky)
        gap = gap * float(scale[0] if band == "alpha" else scale[1])
        frac = superfluid_fraction(gap, sol.T, G)
        rho[band] = float(0.25 * 2.0 * np.sum(fs.weight * v2 * frac))
        rho_n += float(0.25 * 2.0 * np.sum(fs.weight * v2))
    return Stiffness(rho["alpha"], rho["beta"], rho_n, float(sol.T), G)


@dataclass(frozen=True)
class BKTEstimate:
    """Berezinskii-Kosterlitz-Thouless estimate (:func:`bkt_temperature`).

    Attributes
    ----------
    T_bkt : float
        Solution of k_B T = (pi/2) rho_s(T) (K), below the mean-field T_c.
    Tc_mf : float
        Mean-field T_c of the same couplings (K).
    bound0 : float
        The T = 0 bound (pi/2) rho_s(0) / k_B (K); T_bkt <= bound0.
    rho0 : float
        rho_s(0) in the chosen convention (eV).
    layers : str
        "bilayer" (phase-locked layers) or "layer" (decoupled layers, half the stiffness).
    Gamma : float
        Intraband scattering rate (eV).

    Examples
    --------
    >>> e = BKTEstimate(300.0, 320.0, 5000.0, 0.27, "bilayer", 0.0)
    >>> e.T_bkt < e.Tc_mf < e.bound0
    True
    """

    T_bkt: float
    Tc_mf: float
    bound0: float
    rho0: float
    layers: str
    Gamma: float


def bkt_temperature(p, *, V, kappa_a, kappa_b, Omega=0.3, Gamma=0.0, layers: str = "bilayer",
                    n_k: int = 128, n_theta: int = 360) -> BKTEstimate:
    """The BKT temperature k_B T_BKT = (pi/2) rho_s(T_BKT) with rho_s(T) from the exact gaps.

    The mean-field gaps Delta(T) (:func:`nickelates.pairing.gap_vs_temperature`, 23 temperatures up
    to 0.985 T_c, a spline of rho_s / (1 - T/T_c) beyond) give rho_s(T) (:func:`superfluid_stiffness`); the universal jump of Nelson and Kosterlitz puts T_BKT where
    the line k_B T / (pi/2) crosses rho_s(T). Since rho_s(T) <= rho_s(0), (pi/2) rho_s(0) is an upper
    bound on k_B T_BKT. Mean-field amplitude, phase fluctuations only.

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV).
    V : float
        Pair-hopping amplitude (eV).
    kappa_a, kappa_b : float
        Kondo/Hund ratios (dimensionless).
    Omega : float, optional
        Cutoff (eV).
    Gamma : float, optional
        Intraband scattering rate hbar / 2 tau (eV), in [0, 100].
    layers : {"bilayer", "layer"}, optional
        Stiffness of the phase-locked bilayer or of one (decoupled) layer.
    n_k : int, optional
        Quadrature cells of the gap solver (64 to 4096, a multiple of 4; three grids are extrapolated).
    n_theta : int, optional
        Points per Fermi sheet for the stiffness (8 to 10**6).

    Returns
    -------
    BKTEstimate
        T_bkt, Tc_mf, the T = 0 bound, rho_s(0).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range, or the s channel does not order.
    ConvergenceError
        If a solver fails.

    Examples
    --------
    >>> from nickelates import pairing
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> V = pairing.V_for_lambda(p, 0.2)
    >>> e = bkt_temperature(p, V=V, kappa_a=0, kappa_b=0, n_k=64, n_theta=64)
    >>> 0.9 < e.T_bkt / e.Tc_mf < 1.0
    True
    """
    check.choice("layers", layers, ("bilayer", "layer"))
    G = check.nonnegative("Gamma", Gamma, _RATE_MAX)
    n_k = check.integer("n_k", n_k, 64, 4096)
    if n_k % 4:
        raise ValueError(f"n_k must be a multiple of 4 in [64, 4096], got {n_k}")
    n_theta = check.integer("n_theta", n_theta, 8, 10 ** 6)
    kw = dict(V=V, kappa_a=kappa_a, kappa_b=kappa_b, Omega=Omega, n_k=n_k)
    Tc = critical_temperature(p, channel="s", **kw)
    half = 0.5 if layers == "layer" else 1.0
    # Delta(T) by continuation on a grid that ends just below T_c; rho(T) / (1 - T/T_c) is smooth
    # (Ginzburg-Landau: rho ~ 1 - T/T_c), so a spline of it closes the last 1.5 % to T_c
    Ts = Tc * np.concatenate([np.linspace(0.0, 0.95, 20), [0.965, 0.975, 0.985]])
    curve = gap_vs_temperature(p, temperatures=Ts, channel="s", **kw)
    sol0 = solve_gap(p, T=0.0, channel="s", **kw)
    if sol0.channel != "s":
        raise ValueError("the s channel does not order for these couplings")
    rho = np.array([half * superfluid_stiffness(
        replace(sol0, T=float(T), coef_alpha=tuple(ca), coef_beta=tuple(cb)), Gamma=G,
        n_theta=n_theta).rho_bilayer for T, ca, cb in zip(curve.T, curve.coef_alpha, curve.coef_beta)])
    spline = CubicSpline(curve.T, rho / (1 - curve.T / Tc))
    rho0 = float(rho[0])
    bound0 = 0.5 * math.pi * rho0 / K_B

    def h(T):
        return 0.5 * math.pi * float(spline(T)) * (1 - T / Tc) - K_B * T

    T = _brentq(h, 0.0, Tc, "bkt_temperature", xtol=1e-6, rtol=1e-10)
    return BKTEstimate(float(T), float(Tc), float(bound0), float(rho0), layers, G)
