"""Tunneling (STM) and Andreev spectra of the triplon model's anisotropic gaps (chapter 5).

Following Liu & Khaliullin (v3, Fig. 5), the zero-temperature differential
conductance is a sum over the two bands,

    dI/dV(omega) ∝ sum_zeta (p^z_zeta + r p^x_zeta) N_zeta(omega),
    N_zeta(omega) = N_zeta < Re (omega + i Gamma_zeta) / sqrt((omega + i Gamma_zeta)^2 - Delta_zeta(k)^2) >_FS,

with p^x = 1 - p^z the d_{x^2-y^2} content, r < 1 the relative tunneling
matrix element of the planar orbital, Gamma_zeta the Dynes broadening and
<...>_FS a Fermi-surface average of the anisotropic gap. The broadened BCS
density of states is ``btk.dynes_dos`` (one copy in the library).

Andreev side (:func:`andreev_spectrum`): the Tanaka-Kashiwaya BTK conductance
of ``nickelates.btk`` evaluated on the real Fermi sheets. Each Fermi-surface
point with positive velocity along the contact normal is a trajectory
(incidence angle = angle of v_F to the normal, weight dl cos theta, hole-like
quasiparticle at the mirror point); ``btk.trajectory_conductance`` and
``btk.smear_thermally`` do the rest. :func:`apparent_gaps` fits such a spectrum with
the two-isotropic-s-gap model of Guo et al. (``btk.fit``);
:func:`apparent_gap_map` sweeps (n_c, kappa), at fixed or magnitude-matched lambda,
and report every point that failed (:class:`ApparentGapMap`).

Units: bias energies omega and Dynes widths in meV, bias voltages in mV, gaps
returned by ``pairing`` in eV (converted to meV here), temperatures in K, the
cutoff Omega in eV, DOS prefactors N_zeta in 1/eV as in ``bands``.
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass

import numpy as np

from . import _validate as check
from . import bands
from . import btk
from . import pairing
from .errors import ConvergenceError

__all__ = ["fermi_surface_dos", "stm_spectrum", "STMSpectrum", "peak_positions", "gap_on_sheet",
           "gap_extrema", "slope_maxima", "andreev_spectrum", "AndreevSpectrum", "sheet_nodes",
           "SheetNodes", "INTERFACES", "GUO_T3", "STM_FILM_GAPS", "triplon_gaps", "ModelGaps",
           "apparent_gaps", "ApparentGaps", "apparent_gap_map", "ApparentGapMap",
           "MapFailure", "load_apparent_gap_map", "default_bias", "lambda_for_gap", "GAP_SOURCES", "T_XZ_PAPER", "FIG5",
           "STM_GAMMA_RATIO", "ANDREEV_GAMMA_RATIO", "fig5_spectra", "Fig5Spectra", "model_spectra",
           "ModelSpectra", "MAX_ENERGY_POINTS", "MAX_MAP_POINTS", "kappa_scan", "KappaScan",
           "FIG5_PEAK_WINDOWS", "VALID_GAP_OVER_OMEGA", "VALID_RMS"]

_AVERAGES = ("dos", "angle")
#: the paper's t_xz = sqrt(3)/4 t_c with t_c = 0.6 eV (eV)
T_XZ_PAPER = math.sqrt(3) / 4 * 0.6
#: largest number of bias points of one spectrum (a few complex arrays of this size fit in 24 GB)
MAX_ENERGY_POINTS = 10_000_000
#: largest number of (n_c, kappa) points of one map (about a second each)
MAX_MAP_POINTS = 100_000
_MAX_ABS_ENERGY = 1.0e5    # meV (mV): |omega|, |bias| beyond 100 eV are not a tunneling spectrum
_MAX_GAMMA = 1.0e3         # meV: Dynes widths above 1 eV wash out every gap
_MAX_Z = 1.0e4             # barrier strengths above this are the tunnel limit to 1e-8
_MAX_T = 1000.0            # K
_MIN_T = 1.0e-3            # K: T > 0 below this would need a smearing grid of > 2e6 points; use T = 0
_MAX_N_THETA = 10 ** 6

#: Gamma_alpha / Gamma_beta of the paper's Fig. 5 (2 meV / 1 meV).
STM_GAMMA_RATIO = 2.0
#: Gamma_1 / Gamma_2 of Guo et al.'s T = 3 K fit (6.6 / 4.0 meV).
ANDREEV_GAMMA_RATIO = 6.6 / 4.0
#: the book's Fig. 5 setting: n_c, lambda, kappa (a representative value inside the range the
#: paper's peaks allow, see :func:`kappa_scan`; the paper does not print it), Omega (eV)
FIG5 = {"n_c": 0.45, "lam": 0.4, "kappa": 0.3, "Omega": 0.3}
#: the book's reading of Fig. 5's text, "beta peak at 40 meV, alpha peak around 70 meV" (meV windows)
FIG5_PEAK_WINDOWS = {"beta": (37.0, 43.0), "alpha": (66.0, 74.0)}


# --------------------------------------------------------------------------- input helpers
def _energies(name, value):
    """Bias energies (meV) or voltages (mV): a real, finite, non-empty array of bounded size."""
    a = check.real_array(name, value, max_size=MAX_ENERGY_POINTS)
    if np.max(np.abs(a)) > _MAX_ABS_ENERGY:
        raise ValueError(f"{name} must lie in [-{_MAX_ABS_ENERGY:g}, {_MAX_ABS_ENERGY:g}], "
                         f"got a maximum |value| of {np.max(np.abs(a)):.6g}")
    return a


def _gamma(name, value):
    return check.positive(name, value, hi=_MAX_GAMMA)


def _n_theta(value):
    return check.integer("n_theta", value, 16, _MAX_N_THETA)


def _temperature(value):
    t = check.in_range("T", value, 0.0, _MAX_T)
    if 0.0 < t < _MIN_T:
        raise ValueError(f"T must be 0 (no thermal smearing) or lie in [{_MIN_T}, {_MAX_T}] K, got {t!r}")
    return t


def _pair(name, value):
    """A pair of real numbers (TypeError for other types, ValueError for other lengths)."""
    a = check.real_array(name, value, ndim=1)
    if a.size != 2:
        raise ValueError(f"{name} must be a pair ({name}[0], {name}[1]), got {a.size} numbers")
    return a


def _check_gap(name, gap):
    """A gap is a finite real number (eV) or a callable (kx, ky) -> gap in eV."""
    if callable(gap):
        return gap
    return check.finite(name, gap)


def _gap_values(name, gap, kx, ky) -> np.ndarray:
    """Gap (eV, signed) of a float or a callable at the momenta (kx, ky)."""
    if not callable(gap):
        return np.full(kx.shape, check.finite(name, gap))
    raw = np.asarray(gap(kx, ky))
    if raw.dtype.kind not in "iuf":
        raise TypeError(f"{name} must return real numbers, got dtype {raw.dtype}")
    try:
        vals = np.broadcast_to(raw.astype(float), kx.shape).copy()
    except ValueError as exc:
        raise ValueError(f"{name} returned shape {raw.shape}, not broadcastable to the "
                         f"{kx.shape} Fermi-surface points") from exc
    if not np.all(np.isfinite(vals)):
        raise ValueError(f"{name} must evaluate to finite numbers on the Fermi surface")
    return vals


# --------------------------------------------------------------------------- STM
def gap_on_sheet(gap, fs: bands.FermiSurface) -> np.ndarray:
    """Evaluate a gap at the points of a Fermi sheet.

    Parameters
    ----------
    gap : float or callable
        An isotropic gap (eV) or a function ``(kx, ky) -> gap`` in eV (momenta
        in 1/a), e.g. ``pairing.GapSolution.delta_alpha``.
    fs : bands.FermiSurface
        The Fermi sheet (``bands.fermi_surface``).

    Returns
    -------
    numpy.ndarray
        The signed gap (eV) at each point of ``fs``.

    Raises
    ------
    TypeError
        If ``fs`` is not a ``FermiSurface`` or ``gap`` is neither a real number
        nor a callable returning real numbers.
    ValueError
        If the gap is not finite on the sheet.

    Examples
    --------
    >>> from nickelates import bands
    >>> fs = bands.fermi_surface(bands.with_density(bands.PAPER_V3, 0.45), "beta", n_theta=16)
    >>> g = gap_on_sheet(lambda kx, ky: 0.01 * (1 + (np.cos(kx) - np.cos(ky)) ** 2), fs)
    >>> bool(g.min() >= 0.01), g.shape
    (True, (16,))
    """
    check.instance("fs", fs, bands.FermiSurface)
    return _gap_values("gap", gap, fs.kx, fs.ky)


def fermi_surface_dos(omega_meV, fs: bands.FermiSurface, gap_meV, gamma_meV: float, *,
                      average: str = "dos") -> np.ndarray:
    """Fermi-surface averaged Dynes density of states, normalized to the normal state.

    Parameters
    ----------
    omega_meV : array_like
        Bias energies (meV), ``|omega| <= 1e5``.
    fs : bands.FermiSurface
        The Fermi sheet.
    gap_meV : array_like
        Gap (meV) at each point of ``fs``; the sign is irrelevant for the DOS.
    gamma_meV : float
        Dynes broadening (meV), in (0, 1000].
    average : {"dos", "angle"}
        "dos" weights each Fermi-surface point by its density of states
        dl/|v_F| (the weight of a k-state in a momentum-independent tunneling
        process); "angle" is uniform in the sheet's polar angle theta, as the
        paper's <...>_theta literally reads.

    Returns
    -------
    numpy.ndarray
        N(omega)/N_F (dimensionless, shape of ``omega_meV``), tending to 1 for
        ``|omega| >> Delta``.

    Raises
    ------
    TypeError
        For complex, boolean or string arrays, or an ``fs`` that is not a ``FermiSurface``.
    ValueError
        For non-finite or out-of-range values, or ``gap_meV`` not one value per point.

    Examples
    --------
    >>> from nickelates import bands
    >>> fs = bands.fermi_surface(bands.with_density(bands.PAPER_V3, 0.45), "beta", n_theta=16)
    >>> dos = fermi_surface_dos([0.0, 20.0, 2000.0], fs, np.full(16, 20.0), 1.0)
    >>> bool(dos[0] < 0.1 < 1.0 < dos[1]), round(float(dos[2]), 3)
    (True, 1.0)
    """
    w = _energies("omega_meV", omega_meV)
    check.instance("fs", fs, bands.FermiSurface)
    gamma = _gamma("gamma_meV", gamma_meV)
    check.choice("average", average, _AVERAGES)
    gaps = np.abs(check.real_array("gap_meV", gap_meV))
    if gaps.shape != fs.kx.shape:
        raise ValueError(f"gap_meV must have one value per Fermi-surface point ({fs.kx.size}), "
                         f"got shape {gaps.shape}")
    weights = fs.weight if average == "dos" else np.ones_like(fs.theta)
    weights = weights / weights.sum()
    # group equal gaps (the 8-fold symmetry repeats each value 8 times): fewer DOS evaluations
    vals, inverse = np.unique(np.round(gaps, 12), return_inverse=True)
    wsum = np.bincount(inverse.ravel(), weights=weights.ravel(), minlength=vals.size)
    out = np.zeros_like(w, dtype=float)
    for d, ww in zip(vals, wsum):
        if d <= 1e-12:
            out += ww  # gapless point: normal-state DOS
        else:
            out += ww * btk.dynes_dos(w, d, gamma)
    return out


@dataclass(frozen=True)
class STMSpectrum:
    """A computed STM spectrum (result of :func:`stm_spectrum`).

    Attributes
    ----------
    omega_meV : numpy.ndarray
        Bias energies (meV).
    total : numpy.ndarray
        dI/dV normalized to its normal-state value (dimensionless; -> 1 far above the gaps).
    alpha : numpy.ndarray
        The two band contributions in the same normalization (``total = alpha + beta``).
    beta : numpy.ndarray
        The two band contributions in the same normalization (``total = alpha + beta``).
    weights : tuple of float
        (w_alpha, w_beta) = (p^z + r p^x) N_zeta / sum, the normal-state share of each band.
    pz : tuple of float
        (p^z_alpha, p^z_beta) used (dimensionless).
    r : float
        Relative tunneling weight of the d_{x^2-y^2} orbital (dimensionless).
    gamma_alpha : float
        Dynes broadening (meV).
    gamma_beta : float
        Dynes broadening (meV).
    average : str
        Fermi-surface weighting ("dos" or "angle").

    Examples
    --------
    >>> from nickelates import bands
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> s = stm_spectrum([0.0, 500.0], p, 0.04, -0.02, n_theta=16)
    >>> round(sum(s.weights), 12), bool(s.total[0] < 0.1)
    (1.0, True)
    """

    omega_meV: np.ndarray
    total: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    weights: tuple
    pz: tuple
    r: float
    gamma_alpha: float
    gamma_beta: float
    average: str


def stm_spectrum(omega_meV, p: bands.BandParams, delta_alpha, delta_beta, *, r: float = 0.7,
                 gamma_alpha: float = 2.0, gamma_beta: float = 1.0, pz=None,
                 t_xz: float = T_XZ_PAPER, average: str = "dos", n_theta: int = 720) -> STMSpectrum:
    """STM conductance of Fig. 5 (v3) for given gap functions.

    Parameters
    ----------
    omega_meV : array_like
        Bias energies (meV), ``|omega| <= 1e5``, at most ``MAX_ENERGY_POINTS``.
    p : bands.BandParams
        Band parameters (eV); the Fermi surfaces and N_zeta are taken from them.
    delta_alpha, delta_beta : float or callable
        Gap of each band: a number (eV) or a callable ``(kx, ky) -> signed gap``
        in eV, e.g. ``sol.delta_alpha`` of ``pairing.solve_gap``.
    r : float
        Relative tunneling weight of the d_{x^2-y^2} orbital, in [0, 1]
        (dimensionless; paper: 0.7).
    gamma_alpha, gamma_beta : float
        Dynes broadenings (meV), in (0, 1000] (paper: 2 and 1).
    pz : pair of float, optional
        (p^z_alpha, p^z_beta) in [0, 1] (dimensionless); default:
        ``bands.orbital_content(p, t_xz)``, the DOS-weighted Fermi-surface average.
    t_xz : float
        Interorbital hopping (eV) used for the default ``pz``.
    average : {"dos", "angle"}
        Fermi-surface average of the gap, see :func:`fermi_surface_dos`.
    n_theta : int
        Points per Fermi sheet, in [16, 10**6].

    Returns
    -------
    STMSpectrum
        Total and band-resolved normalized conductance.

    Raises
    ------
    TypeError
        For arguments of the wrong type (complex/bool/str arrays, a ``p`` that
        is not ``BandParams``, a ``pz`` that is not a pair of numbers).
    ValueError
        For out-of-range values, and if the tunneling weights
        (p^z_zeta + r p^x_zeta) N_zeta vanish for both bands (r = 0 and
        p^z = (0, 0)): the tip then couples to no state and dI/dV is undefined.

    Examples
    --------
    >>> from nickelates import bands, btk
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> s = stm_spectrum([30.0], p, 0.04, 0.04, gamma_alpha=1.0, n_theta=16)
    >>> bool(abs(s.total[0] - btk.dynes_dos([30.0], 40.0, 1.0)[0]) < 1e-12)
    True
    """
    p = bands.check_params(p)
    w = _energies("omega_meV", omega_meV)
    r = check.in_range("r", r, 0.0, 1.0)
    ga = _gamma("gamma_alpha", gamma_alpha)
    gb = _gamma("gamma_beta", gamma_beta)
    n_theta = _n_theta(n_theta)
    check.choice("average", average, _AVERAGES)
    _check_gap("delta_alpha", delta_alpha)
    _check_gap("delta_beta", delta_beta)
    if pz is None:
        pz = bands.orbital_content(p, check.positive("t_xz", t_xz))
    pz = _pair("pz", pz)
    pz = tuple(check.in_range(n, v, 0.0, 1.0) for n, v in zip(("pz[0]", "pz[1]"), pz))
    dos = bands.fermi_level_dos(p)
    pref = np.array([(pz[0] + r * (1 - pz[0])) * dos.N_alpha, (pz[1] + r * (1 - pz[1])) * dos.N_beta])
    if not pref.sum() > 0:
        raise ValueError(f"the tunneling weights (p^z + r p^x) N of both bands vanish (r = {r}, pz = {pz}): "
                         "the orbital weights must not all be zero (give r > 0 or some p^z > 0)")
    pref = pref / pref.sum()
    parts = []
    for band, gap, gamma in (("alpha", delta_alpha, ga), ("beta", delta_beta, gb)):
        fs = bands.fermi_surface(p, band, n_theta=n_theta)
        gap_meV = _gap_values(f"delta_{band}", gap, fs.kx, fs.ky) * 1e3
        parts.append(fermi_surface_dos(w, fs, gap_meV, gamma, average=average))
    a = pref[0] * parts[0]
    b = pref[1] * parts[1]
    return STMSpectrum(w, a + b, a, b, (float(pref[0]), float(pref[1])), pz, r, ga, gb, average)


def _curve(omega_meV, g, min_size):
    """(omega, g) of a spectrum: 1-D real arrays of equal length, omega strictly increasing."""
    w = _energies("omega_meV", omega_meV)
    g = check.real_array("g", g, max_size=MAX_ENERGY_POINTS)
    if w.ndim != 1 or g.ndim != 1:
        raise ValueError(f"omega_meV and g must be 1-dimensional, got shapes {w.shape} and {g.shape}")
    check.same_length(omega_meV=w, g=g)
    if w.size < min_size:
        raise ValueError(f"omega_meV and g must have at least {min_size} points, got {w.size}")
    if w.size > 1 and not np.all(np.diff(w) > 0):
        raise ValueError("omega_meV must be strictly increasing")
    return w, g


def peak_positions(omega_meV, g, *, min_prominence: float = 0.01) -> list:
    """Positive-bias local maxima of a spectrum, strongest first.

    Parameters
    ----------
    omega_meV : array_like
        Bias energies (meV), 1-D, strictly increasing.
    g : array_like
        Normalized conductance at ``omega_meV`` (dimensionless), same length.
    min_prominence : float
        A maximum counts if it rises at least this much (in units of ``g``)
        above the lower of its neighbouring minima; >= 0.

    Returns
    -------
    list of tuple
        ``(omega_meV, height, prominence)`` of each peak, sorted by decreasing prominence.

    Raises
    ------
    TypeError
        For complex, boolean or string arrays.
    ValueError
        For arrays of different lengths, a non-increasing ``omega_meV``, or a negative prominence.

    Examples
    --------
    >>> w = np.linspace(-10, 10, 201)
    >>> [round(x[0], 1) for x in peak_positions(w, np.exp(-(w - 3) ** 2))]
    [3.0]
    """
    from scipy.signal import find_peaks

    w, g = _curve(omega_meV, g, 1)
    prom = check.nonnegative("min_prominence", min_prominence)
    pos = w > 0
    idx, props = find_peaks(g[pos], prominence=prom)
    peaks = [(float(w[pos][i]), float(g[pos][i]), float(pr)) for i, pr in zip(idx, props["prominences"])]
    return sorted(peaks, key=lambda t: -t[2])


# --------------------------------------------------------------------------- gap extrema / shoulders
def gap_extrema(p: bands.BandParams, gap, band: str, *, n_theta: int = 720) -> tuple:
    """Smallest and largest |gap| of a gap function on one Fermi sheet.

    For a smooth anisotropic gap the FS-averaged DOS has a step (a shoulder)
    at the minimum and a logarithmic peak at the maximum (a saddle of the
    angular distribution of gaps), see chapter 5.

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV).
    gap : float or callable
        A gap (eV) or a callable ``(kx, ky) -> gap`` in eV.
    band : {"alpha", "beta"}
        The Fermi sheet.
    n_theta : int
        Points on the sheet, in [16, 10**6].

    Returns
    -------
    tuple of float
        ``(min |Delta|, max |Delta|)`` in meV.

    Raises
    ------
    TypeError
        For a ``p`` that is not ``BandParams`` or a gap of the wrong type.
    ValueError
        If the band has no (star-shaped) Fermi sheet or the gap is not finite on it.

    Examples
    --------
    >>> from nickelates import bands
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> gap_extrema(p, -0.02, "beta", n_theta=16)
    (20.0, 20.0)
    """
    p = bands.check_params(p)
    fs = bands.fermi_surface(p, band, n_theta=_n_theta(n_theta))
    g = np.abs(gap_on_sheet(gap, fs)) * 1e3
    return float(g.min()), float(g.max())


def slope_maxima(omega_meV, g, *, min_prominence: float = 0.002) -> list:
    """Positive-bias local maxima of dg/domega, ascending in omega.

    Steps of the averaged DOS (the shoulders at the gap minima) and the rising
    flanks of the coherence peaks appear as maxima of the slope.

    Parameters
    ----------
    omega_meV : array_like
        Bias energies (meV), 1-D, strictly increasing, at least 5 points.
    g : array_like
        Normalized conductance (dimensionless), same length.
    min_prominence : float
        Minimal prominence relative to the largest slope, >= 0.

    Returns
    -------
    list of tuple
        ``(omega_meV, slope, prominence)``, slope in 1/meV, prominence relative
        to the largest |slope| at positive bias.

    Raises
    ------
    TypeError
        For complex, boolean or string arrays.
    ValueError
        For arrays of different lengths, fewer than 5 points or a non-increasing ``omega_meV``.

    Examples
    --------
    >>> w = np.linspace(-10, 10, 401)
    >>> [round(x[0], 1) for x in slope_maxima(w, np.tanh(w - 4.0))]
    [4.0]
    """
    from scipy.signal import find_peaks

    w, g = _curve(omega_meV, g, 5)
    prom = check.nonnegative("min_prominence", min_prominence)
    d = np.gradient(g, w)
    pos = w > 0
    dp = d[pos]
    if dp.size == 0:
        return []
    scale = float(np.max(np.abs(dp))) or 1.0
    idx, props = find_peaks(dp / scale, prominence=prom)
    return [(float(w[pos][i]), float(dp[i]), float(pr)) for i, pr in zip(idx, props["prominences"])]


# --------------------------------------------------------------------------- Andreev reflection
#: interfaces of the Andreev conductance: current along (100), along (110), or along c
INTERFACES = ("100", "110", "c")
#: Extended Data Table 3 of Guo et al., T = 3 K row (T in K, Z dimensionless, gamma and delta in meV),
#: larger gap -> alpha, smaller -> beta.
GUO_T3 = {"T": 3.0, "Z_alpha": 0.58, "Z_beta": 0.40, "gamma_alpha": 6.6, "gamma_beta": 4.0,
          "delta1": 23.0, "delta2": 6.0}
#: Gaps quoted from STM on La2PrNi2O7 films (Fan et al., as cited by Guo et al.), meV.
STM_FILM_GAPS = (19.0, 6.0)


@dataclass(frozen=True)
class SheetNodes:
    """Trajectory nodes of one Fermi sheet for the angle-resolved BTK formula.

    Attributes
    ----------
    tau : numpy.ndarray
        Normal-state transparency tau_N = cos^2(theta)/(cos^2(theta) + Z^2) (dimensionless).
    weight : numpy.ndarray
        Flux weight dl |cos theta| (states dl/|v_F| times the normal velocity), 1/a.
    dplus : numpy.ndarray
        Signed gaps (meV) seen by the electron-like (k) and hole-like (mirror
        image of k, same parallel momentum) quasiparticles.
    dminus : numpy.ndarray
        Signed gaps (meV) seen by the electron-like (k) and hole-like (mirror
        image of k, same parallel momentum) quasiparticles.

    Examples
    --------
    >>> from nickelates import bands
    >>> n = sheet_nodes(bands.with_density(bands.PAPER_V3, 0.45), "beta", 0.01, 0.0, n_theta=16)
    >>> bool(np.all(n.tau == 1.0)), float(n.dplus[0])
    (True, 10.0)
    """

    tau: np.ndarray
    weight: np.ndarray
    dplus: np.ndarray
    dminus: np.ndarray


def sheet_nodes(p: bands.BandParams, band: str, gap, Z: float, *, interface: str = "100",
                n_theta: int = 720) -> SheetNodes:
    """Trajectory nodes of the anisotropic BTK integral for one band (see :func:`andreev_spectrum`).

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV).
    band : {"alpha", "beta"}
        The Fermi sheet.
    gap : float or callable
        A gap (eV) or a callable ``(kx, ky) -> signed gap`` in eV.
    Z : float
        Barrier strength (dimensionless), in [0, 1e4].
    interface : {"100", "110", "c"}
        Contact normal along x, along the diagonal, or along c (normal incidence, DOS weights).
    n_theta : int
        Points on the sheet, in [16, 10**6].

    Returns
    -------
    SheetNodes
        Transparencies, weights and the gaps seen by both quasiparticles.

    Raises
    ------
    TypeError
        For arguments of the wrong type.
    ValueError
        For out-of-range values or a gap that is not finite on the sheet.

    Examples
    --------
    >>> from nickelates import bands
    >>> n = sheet_nodes(bands.with_density(bands.PAPER_V3, 0.45), "alpha", 0.02, 1.0, n_theta=16)
    >>> bool(np.all((n.tau > 0) & (n.tau <= 0.5)))
    True
    """
    p = bands.check_params(p)
    Z = check.nonnegative("Z", Z, hi=_MAX_Z)
    check.choice("interface", interface, INTERFACES)
    fs = bands.fermi_surface(p, band, n_theta=_n_theta(n_theta))
    dp = _gap_values("gap", gap, fs.kx, fs.ky) * 1e3
    if interface == "c":
        # c-axis contact of a 2D band: every state at normal incidence, DOS weight
        tau = np.full(dp.shape, 1.0 / (1.0 + Z * Z))
        return SheetNodes(tau, fs.weight / fs.weight.sum(), dp, dp.copy())
    vx, vy = bands.velocity(fs.kx, fs.ky, p, band)
    if interface == "100":
        nx, ny = 1.0, 0.0
        mx, my = -fs.kx, fs.ky
    else:
        nx = ny = math.sqrt(0.5)
        mx, my = -fs.ky, -fs.kx
    cos_t = (vx * nx + vy * ny) / np.hypot(vx, vy)
    keep = cos_t > 1e-12
    c2 = cos_t[keep] ** 2
    tau = c2 / (c2 + Z * Z) if Z > 0 else np.ones_like(c2)
    wgt = fs.arc[keep] * cos_t[keep]
    dm = _gap_values("gap", gap, mx[keep], my[keep]) * 1e3
    return SheetNodes(tau, wgt, dp[keep], dm)


@dataclass(frozen=True)
class AndreevSpectrum:
    """A predicted point-contact (Andreev) spectrum (result of :func:`andreev_spectrum`).

    Attributes
    ----------
    bias_mV : numpy.ndarray
        Bias voltages (mV).
    total : numpy.ndarray
        Normalized conductance G(V) (dimensionless; -> 1 far above the gaps).
    alpha : numpy.ndarray
        Weighted band contributions (``total = alpha + beta``).
    beta : numpy.ndarray
        Weighted band contributions (``total = alpha + beta``).
    weights : tuple of float
        (w_alpha, w_beta), each band's share of the normal-state conductance.
    T : float
        Temperature (K).
    Z : tuple of float
        Barrier strengths (alpha, beta), dimensionless.
    gamma : tuple of float
        Dynes broadenings (alpha, beta) in meV.
    interface : str
        "100", "110" or "c".

    Examples
    --------
    >>> from nickelates import bands
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> s = andreev_spectrum([0.0, 400.0], p, 0.023, 0.006, n_theta=16)
    >>> bool(s.total[0] > 1.0), round(float(s.total[1]), 2)
    (True, 1.0)
    """

    bias_mV: np.ndarray
    total: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    weights: tuple
    T: float
    Z: tuple
    gamma: tuple
    interface: str


def _intrinsic(energy, nodes: SheetNodes, gamma):
    """G(E) of one sheet: the btk kernel with the sheet's trajectories as quadrature nodes."""
    return btk.trajectory_conductance(energy, gamma, nodes.tau, nodes.weight, nodes.dplus, nodes.dminus)


def andreev_spectrum(bias_mV, p: bands.BandParams, delta_alpha, delta_beta, *, T: float = 3.0,
                     Z_alpha: float = 0.58, Z_beta: float = 0.40, gamma_alpha: float = 6.6,
                     gamma_beta: float = 4.0, interface: str = "100", weights=None,
                     n_theta: int = 720, points_per_width: float = 3.0) -> AndreevSpectrum:
    """Anisotropic multi-band BTK conductance from gap functions on the Fermi sheets.

    The Andreev amplitudes and the Tanaka-Kashiwaya sigma_S are those of
    ``nickelates.btk`` (its kernel ``g_anisotropic`` is called with the sheet's
    trajectories as nodes) and the thermal smearing is btk's kernel too. The
    two bands add incoherently, so the relative sign of the alpha and beta gaps
    (s+-) does not enter; a sign change *within* a sheet would.

    Parameters
    ----------
    bias_mV : array_like
        Bias voltages (mV), ``|bias| <= 1e5``, at most ``MAX_ENERGY_POINTS``.
    p : bands.BandParams
        Band parameters (eV); Fermi sheets and velocities from ``bands``.
    delta_alpha, delta_beta : float or callable
        Gap of each band: a number (eV) or a callable ``(kx, ky) -> signed gap`` in eV.
    T : float
        Temperature (K): 0 (no smearing) or in [0.001, 1000]. Default: the
        T = 3 K row of Guo et al.'s Table 3 (``GUO_T3``), larger gap on alpha.
    Z_alpha, Z_beta : float
        Barrier strengths (dimensionless), in [0, 1e4].
    gamma_alpha, gamma_beta : float
        Dynes broadenings (meV), in (0, 1000].
    interface : {"100", "110", "c"}
        "100" or "110": in-plane contact normal along x or along the diagonal;
        every Fermi-surface point with positive normal velocity is a trajectory
        at incidence angle theta = angle(v_F, n), weighted by dl cos(theta); the
        hole-like quasiparticle sees the gap at the mirror point of k. "c":
        c-axis contact, normal incidence, DOS weights.
    weights : pair of float, optional
        (w_alpha, w_beta) in [0, 1] summing to 1 (dimensionless); default: each
        band's normal-state conductance sum(weight * tau_N).
    n_theta : int
        Fermi-surface points per sheet, in [16, 10**6].
    points_per_width : float
        Smearing-grid resolution (see ``btk.energy_grid_step``), in [0.5, 100].

    Returns
    -------
    AndreevSpectrum
        Total and band-resolved normalized conductance.

    Raises
    ------
    TypeError
        For arguments of the wrong type.
    ValueError
        For out-of-range values, weights that do not sum to 1, a gap that is
        not finite on a sheet, or a smearing grid too large for the machine.

    Examples
    --------
    >>> from nickelates import bands
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> s = andreev_spectrum([0.0], p, 0.023, 0.006, Z_alpha=0.0, Z_beta=0.0, T=0.0,
    ...                      gamma_alpha=0.01, gamma_beta=0.01, n_theta=16)
    >>> round(float(s.total[0]), 3)  # perfect Andreev reflection doubles the conductance
    2.0
    """
    p = bands.check_params(p)
    b = _energies("bias_mV", bias_mV)
    T = _temperature(T)
    za = check.nonnegative("Z_alpha", Z_alpha, hi=_MAX_Z)
    zb = check.nonnegative("Z_beta", Z_beta, hi=_MAX_Z)
    ga, gb = _gamma("gamma_alpha", gamma_alpha), _gamma("gamma_beta", gamma_beta)
    check.choice("interface", interface, INTERFACES)
    ppw = check.in_range("points_per_width", points_per_width, 0.5, 100.0)
    n_theta = _n_theta(n_theta)
    _check_gap("delta_alpha", delta_alpha)
    _check_gap("delta_beta", delta_beta)
    if weights is not None:
        wts = _pair("weights", weights)
        for i, v in enumerate(wts):
            check.in_range(f"weights[{i}]", v, 0.0, 1.0)
        if abs(wts.sum() - 1.0) > 1e-9:
            raise ValueError(f"weights must sum to 1, got {wts.sum()!r}")
    nodes = [sheet_nodes(p, "alpha", delta_alpha, za, interface=interface, n_theta=n_theta),
             sheet_nodes(p, "beta", delta_beta, zb, interface=interface, n_theta=n_theta)]
    if weights is None:
        if interface == "c":
            dos = bands.fermi_level_dos(p)
            gn = np.array([dos.N_alpha, dos.N_beta]) * np.array([n.tau[0] for n in nodes])
        else:
            gn = np.array([np.sum(n.weight * n.tau) for n in nodes])
        wts = gn / gn.sum()
    shape = b.shape
    flat = np.ascontiguousarray(b.ravel())
    gammas = (ga, gb)
    if T == 0.0:
        parts = [_intrinsic(flat, n, g) for n, g in zip(nodes, gammas)]
    else:
        egrid, h, kt, cutoff = btk.smearing_grid(float(np.max(np.abs(flat))), T, gammas, ppw)
        parts = [btk.smear_thermally(flat, _intrinsic(egrid, nd, g), h, kt, cutoff)
                 for nd, g in zip(nodes, gammas)]
    a = wts[0] * parts[0]
    bb = wts[1] * parts[1]
    tot = a + bb
    if not np.all(np.isfinite(tot)):  # pragma: no cover - guarded by the input ranges
        raise ValueError("andreev_spectrum: the conductance is not finite for these parameters")
    return AndreevSpectrum(b, tot.reshape(shape), a.reshape(shape), bb.reshape(shape),
                           (float(wts[0]), float(wts[1])), T, (za, zb), gammas, interface)


# --------------------------------------------------------------------------- model gaps
#: where the model gaps come from: the exact gap equations, or the paper's Eq. (18) / Eq. (17) forms
GAP_SOURCES = ("exact", "eq18", "eq17")


@dataclass(frozen=True)
class ModelGaps:
    """Gap functions of the triplon model at one parameter point (result of :func:`triplon_gaps`).

    Attributes
    ----------
    p : bands.BandParams
        Band parameters (eV) at density ``n_c``.
    delta_alpha : callable
        ``(kx, ky) -> signed gap`` in eV.
    delta_beta : callable
        ``(kx, ky) -> signed gap`` in eV.
    source : str
        "exact" (``pairing.solve_gap``) or the paper's analytic forms "eq18" /
        "eq17" (``pairing.analytic_gaps``).
    lam : float
        lambda = V sqrt(N_a N_b) (dimensionless).
    kappa : float
        kappa_a = kappa_b (dimensionless).
    Omega : float
        Cutoff (eV).
    n_c : float
        Electrons per Ni.
    extrema : dict
        band -> (min |Delta|, max |Delta|) on the Fermi sheet, meV.
    solution : object
        The underlying ``pairing.GapSolution`` or ``pairing.AnalyticGaps``.

    Examples
    --------
    >>> mg = triplon_gaps(0.45, 0.4, 0.0, 0.3, source="eq18")
    >>> round(mg.extrema["alpha"][1] / mg.extrema["beta"][1], 2)
    1.77
    """

    p: bands.BandParams
    delta_alpha: object
    delta_beta: object
    source: str
    lam: float
    kappa: float
    Omega: float
    n_c: float
    extrema: dict
    solution: object


def _check_model_point(n_c, lam, kappa, Omega, source):
    """The validated (n_c, lam, kappa, Omega, source) of :func:`triplon_gaps`."""
    return (check.in_range("n_c", n_c, 0.0, 2.0, lo_open=True, hi_open=True),
            check.in_range("lam", lam, 0.0, 2.0, lo_open=True, hi_open=True),
            check.in_range("kappa", kappa, 0.0, 3.0),
            check.in_range("Omega", Omega, 1e-3, 2.0),
            check.choice("source", source, GAP_SOURCES))


def triplon_gaps(n_c: float = 0.45, lam: float = 0.4, kappa: float = 0.3, Omega: float = 0.3, *,
                 source: str = "exact", base: bands.BandParams = bands.PAPER_V3, T: float = 0.0,
                 n_k: int = 128) -> ModelGaps:
    """The model's anisotropic s+- gaps at (n_c, lambda, kappa, Omega).

    Parameters
    ----------
    n_c : float
        Electrons per Ni, in (0, 2); the sheets must be star-shaped (e.g.
        0.32 <= n_c <= 1.0 for the v3 bands).
    lam : float
        lambda = V sqrt(N_a N_b), in (0, 2) (dimensionless).
    kappa : float
        kappa_a = kappa_b, in [0, 3] (so kappa^2 = kappa_a kappa_b of Eq. 15).
    Omega : float
        Cutoff (eV), in [0.001, 2].
    source : {"exact", "eq18", "eq17"}
        Full gap equation (14) or the paper's analytic forms.
    base : bands.BandParams
        Band parameters (eV) whose mu is replaced (``bands.with_density``).
    T : float
        Temperature (K), in [0, 5000], used only by "exact" (checked for every source).
    n_k : int
        Momentum grid of ``pairing.solve_gap`` (even, 16..4096), used only by "exact" (checked always).

    Returns
    -------
    ModelGaps
        Gap functions, extrema on the sheets (meV) and the underlying solution.

    Raises
    ------
    TypeError
        For arguments of the wrong type.
    ValueError
        For out-of-range values or a filling without star-shaped Fermi sheets.
    ConvergenceError
        If ``pairing.solve_gap`` does not converge.

    Examples
    --------
    >>> mg = triplon_gaps(0.45, 0.4, 0.3, 0.3, source="eq18")
    >>> [round(x, 1) for x in mg.extrema["beta"]]
    [37.0, 41.0]
    """
    n_c, lam, kappa, Omega, source = _check_model_point(n_c, lam, kappa, Omega, source)
    T, n_k = pairing._check_T(T), pairing._check_nk(n_k)     # checked for every source (only "exact" uses them)
    p = bands.with_density(bands.check_params(base), n_c)
    coupling = pairing.V_for_lambda(p, lam)
    if source == "exact":
        sol = pairing.solve_gap(p, V=coupling, kappa_a=kappa, kappa_b=kappa, Omega=Omega, T=T, channel="s",
                                n_k=n_k)
    else:
        sol = pairing.analytic_gaps(p, V=coupling, kappa_a=kappa, kappa_b=kappa, Omega=Omega, form=source)
    ext = {"alpha": gap_extrema(p, sol.delta_alpha, "alpha"), "beta": gap_extrema(p, sol.delta_beta, "beta")}
    return ModelGaps(p, sol.delta_alpha, sol.delta_beta, source, lam, kappa, Omega, n_c, ext, sol)


def _largest_gap(mg: ModelGaps) -> float:
    return max(mg.extrema["alpha"][1], mg.extrema["beta"][1])


# --------------------------------------------------------------------------- experimentalists' lens
@dataclass(frozen=True)
class ApparentGaps:
    """Two-isotropic-s-gap BTK fit (Guo et al.'s model) of a predicted spectrum.

    Attributes
    ----------
    delta1 : float
        Apparent gaps (meV), ``delta1 >= delta2``.
    delta2 : float
        Apparent gaps (meV), ``delta1 >= delta2``.
    delta1_err : float or None
        Standard errors (meV); None at a bound or without covariance.
    delta2_err : float or None
        Standard errors (meV); None at a bound or without covariance.
    ratio : float
        delta1 / delta2 (dimensionless).
    w1 : float
        Weight of gap 1 (dimensionless).
    redchi : float
        Reduced chi^2 of the fit (squared conductance units, no sigma given).
    fit : btk.BTKFit
        The fit.
    spectrum : AndreevSpectrum
        The fitted (predicted) spectrum.

    Examples
    --------
    >>> from nickelates import bands
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> ap = apparent_gaps(p, 0.03, 0.01, bias_mV=np.linspace(-60, 60, 61), starts=1, n_theta=16)
    >>> round(ap.delta1), round(ap.delta2)
    (30, 10)
    """

    delta1: float
    delta2: float
    delta1_err: object
    delta2_err: object
    ratio: float
    w1: float
    redchi: float
    fit: object
    spectrum: AndreevSpectrum


def default_bias(gmax_meV: float, n: int = 241) -> np.ndarray:
    """Symmetric bias grid reaching 2.5 times the largest gap (at least 40 mV).

    Parameters
    ----------
    gmax_meV : float
        Largest gap (meV), in (0, 1e4].
    n : int
        Number of points, in [21, 100001].

    Returns
    -------
    numpy.ndarray
        ``linspace(-vmax, vmax, n)`` in mV with ``vmax = max(40, 2.5 gmax_meV)``.

    Raises
    ------
    TypeError
        If ``gmax_meV`` is not a real number or ``n`` not an integer.
    ValueError
        For out-of-range values.

    Examples
    --------
    >>> default_bias(30.0, 21)[[0, -1]]
    array([-75.,  75.])
    """
    g = check.positive("gmax_meV", gmax_meV, hi=1e4)
    n = check.integer("n", n, 21, 100001)
    vmax = max(40.0, 2.5 * g)
    return np.linspace(-vmax, vmax, n)


def apparent_gaps(p: bands.BandParams, delta_alpha, delta_beta, *, bias_mV=None, starts: int = 4,
                  seed: int = 0, **andreev_kw) -> ApparentGaps:
    """Predict the Andreev spectrum of the given gaps and fit it like the experiment.

    The spectrum ``andreev_spectrum(bias_mV, p, delta_alpha, delta_beta, **andreev_kw)``
    is fitted with ``btk.fit`` (two isotropic s-wave gaps, angle-resolved, at
    the same T; Z, Gamma, weight free; ``starts`` multi-start points).

    Parameters
    ----------
    p : bands.BandParams
        Band parameters (eV).
    delta_alpha, delta_beta : float or callable
        Gap of each band: a number (eV) or a callable ``(kx, ky) -> signed gap`` in eV.
    bias_mV : array_like, optional
        Bias voltages (mV); default: :func:`default_bias` of the largest gap on either sheet.
    starts : int
        Multi-start points of the fit, in [1, 200].
    seed : int
        Seed of the multi-start variations (>= 0).
    **andreev_kw
        Keywords of :func:`andreev_spectrum` (T in K, Z_*, gamma_* in meV, interface, ...).

    Returns
    -------
    ApparentGaps
        The apparent gaps, their errors, the fit and the spectrum.

    Raises
    ------
    TypeError
        For arguments of the wrong type or unknown keywords.
    ValueError
        For out-of-range values.
    ConvergenceError
        If the fit ends without finite gaps.

    Examples
    --------
    >>> from nickelates import bands
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> ap = apparent_gaps(p, 0.02, -0.01, bias_mV=np.linspace(-50, 50, 51), starts=1, n_theta=16)
    >>> round(ap.ratio, 1)
    2.0
    """
    p = bands.check_params(p)
    starts = check.integer("starts", starts, 1, 200)
    seed = check.integer("seed", seed, 0, 2 ** 32 - 1)
    if bias_mV is None:
        gmax = max(gap_extrema(p, delta_alpha, "alpha")[1], gap_extrema(p, delta_beta, "beta")[1])
        bias_mV = default_bias(max(gmax, 1e-3))
    spec = andreev_spectrum(bias_mV, p, delta_alpha, delta_beta, **andreev_kw)
    r = btk.fit(spec.bias_mV, spec.total, n_gaps=2, symmetry="s", T=spec.T, starts=starts, seed=seed)
    d1, d2 = r.values["delta1"], r.values["delta2"]
    e1, e2 = r.stderr.get("delta1"), r.stderr.get("delta2")
    if not (math.isfinite(d1) and math.isfinite(d2) and d1 > 0 and d2 > 0 and math.isfinite(r.redchi)):
        raise ConvergenceError(f"apparent_gaps: the two-gap fit ended at delta1 = {d1}, delta2 = {d2} meV, "
                               f"reduced chi^2 = {r.redchi} ({r.message})", residual=r.redchi, last=r)
    if d2 > d1:
        d1, d2, e1, e2 = d2, d1, e2, e1
    return ApparentGaps(float(d1), float(d2), e1, e2, float(d1 / d2), float(r.values["w1"]), float(r.redchi),
                        r, spec)


# --------------------------------------------------------------------------- maps over (n_c, kappa)
@dataclass(frozen=True)
class MapFailure:
    """One point of an :class:`ApparentGapMap` where the model or the fit failed.

    Attributes
    ----------
    i : int
        Indices into ``n_c`` and ``kappa``.
    j : int
        Indices into ``n_c`` and ``kappa``.
    n_c : float
        Electrons per Ni.
    kappa : float
        kappa_a = kappa_b (dimensionless).
    reason : str
        Exception type and message (e.g. a Fermi sheet that is not star-shaped).

    Examples
    --------
    >>> MapFailure(0, 1, 0.3, 0.0, "ValueError: not star-shaped").reason
    'ValueError: not star-shaped'
    """

    i: int
    j: int
    n_c: float
    kappa: float
    reason: str


_MAP_FIELDS = ("lam", "delta1", "delta2", "ratio", "w1", "redchi", "alpha_min", "alpha_max",
               "beta_min", "beta_max")
_DERIVED = ("gap_max_ratio", "rms", "gap_over_Omega")
#: the validity cut of chapter 5: a map point enters a conclusion only if the model's largest
#: gap is below half the cutoff (the static cutoff model is meaningful) ...
VALID_GAP_OVER_OMEGA = 0.5
#: ... and the two-gap fit describes the predicted spectrum (rms residual, conductance units)
VALID_RMS = 1e-3


@dataclass(frozen=True)
class ApparentGapMap:
    """Apparent BTK gaps and the model's true gap extrema over a (n_c, kappa) grid.

    Every 2-D array has shape ``(len(n_c), len(kappa))``. Points where the
    model or the fit failed are ``False`` in ``ok``, NaN in every value array
    and listed, with the reason, in ``failures``: use :meth:`masked` (or
    ``ok``) before taking extrema, and :meth:`summary` to report them.

    Attributes
    ----------
    n_c : numpy.ndarray
        Fillings (electrons per Ni), 1-D.
    kappa : numpy.ndarray
        kappa_a = kappa_b (dimensionless), 1-D.
    lam : numpy.ndarray
        Coupling lambda used at each point (dimensionless; constant for
        :func:`apparent_gap_map` at fixed lambda, solved for at each point with ``target_meV``).
    delta1 : numpy.ndarray
        Apparent gaps (meV), ``delta1 >= delta2``.
    delta2 : numpy.ndarray
        Apparent gaps (meV), ``delta1 >= delta2``.
    ratio : numpy.ndarray
        delta1 / delta2.
    w1 : numpy.ndarray
        Fitted weight of gap 1.
    redchi : numpy.ndarray
        Reduced chi^2 of each fit.
    alpha_min : numpy.ndarray
        The model's min and max |Delta| on each sheet (meV).
    alpha_max : numpy.ndarray
        The model's min and max |Delta| on each sheet (meV).
    beta_min : numpy.ndarray
        The model's min and max |Delta| on each sheet (meV).
    beta_max : numpy.ndarray
        The model's min and max |Delta| on each sheet (meV).
    ok : numpy.ndarray
        Boolean mask of the points that succeeded.
    failures : tuple of MapFailure
        One entry per failed point.
    Omega : float
        Cutoff (eV).
    source : str
        Gap source ("exact", "eq18", "eq17").
    target_meV : tuple of float or None
        The (Delta1, Delta2) aimed at by a magnitude-matched :func:`apparent_gap_map` (meV).

    Examples
    --------
    >>> m = apparent_gap_map([0.25, 0.45], [0.0], source="eq18", starts=1, n_bias=41, progress=False,
    ...                      n_theta=16)
    >>> m.n_failed, bool(m.ok[1, 0]), round(float(m.ratio[1, 0]), 1)
    (1, True, 1.8)
    """

    n_c: np.ndarray
    kappa: np.ndarray
    lam: np.ndarray
    delta1: np.ndarray
    delta2: np.ndarray
    ratio: np.ndarray
    w1: np.ndarray
    redchi: np.ndarray
    alpha_min: np.ndarray
    alpha_max: np.ndarray
    beta_min: np.ndarray
    beta_max: np.ndarray
    ok: np.ndarray
    failures: tuple
    Omega: float
    source: str
    target_meV: tuple | None = None

    @property
    def n_failed(self) -> int:
        """Number of failed points.

        Returns
        -------
        int
            ``len(failures)``.
        """
        return len(self.failures)

    @property
    def rms(self) -> np.ndarray:
        """Root-mean-square residual of each two-gap fit, ``sqrt(redchi)`` (NaN where failed).

        Returns
        -------
        numpy.ndarray
            Shape ``(len(n_c), len(kappa))``, in the normalized-conductance unit of the spectrum.
        """
        return np.sqrt(self.redchi)

    @property
    def gap_over_Omega(self) -> np.ndarray:
        """The model's largest gap over the cutoff, max(max|Delta_alpha|, max|Delta_beta|) / Omega.

        Where this is not small the static cutoff model (gap equation cut at Omega,
        a frequency-independent Delta) stops being meaningful.

        Returns
        -------
        numpy.ndarray
            Shape ``(len(n_c), len(kappa))``, dimensionless (NaN where failed).
        """
        return np.fmax(self.alpha_max, self.beta_max) / (1e3 * self.Omega)

    def valid(self, max_gap_over_Omega: float = VALID_GAP_OVER_OMEGA,
              max_rms: float = VALID_RMS) -> np.ndarray:
        """The points that may enter a conclusion: ok, gaps well below Omega, a good fit.

        Parameters
        ----------
        max_gap_over_Omega : float
            Largest allowed :attr:`gap_over_Omega`, in (0, 10].
        max_rms : float
            Largest allowed :attr:`rms` of the two-gap fit, in (0, 1].

        Returns
        -------
        numpy.ndarray
            Boolean, shape ``(len(n_c), len(kappa))``.

        Raises
        ------
        TypeError
            If a bound is not a real number.
        ValueError
            If a bound is out of range.

        Examples
        --------
        >>> m = load_apparent_gap_map()
        >>> bool(m.valid()[m.ok].any()), bool(m.valid(max_rms=1e-12).any())
        (True, False)
        """
        g = check.in_range("max_gap_over_Omega", max_gap_over_Omega, 0.0, 10.0, lo_open=True)
        r = check.in_range("max_rms", max_rms, 0.0, 1.0, lo_open=True)
        with np.errstate(invalid="ignore"):
            return self.ok & (self.gap_over_Omega < g) & (self.rms < r)

    @property
    def gap_max_ratio(self) -> np.ndarray:
        """The model's own ratio max|Delta_alpha| / max|Delta_beta| (NaN where failed).

        Returns
        -------
        numpy.ndarray
            Shape ``(len(n_c), len(kappa))``, dimensionless.
        """
        return self.alpha_max / self.beta_max

    def masked(self, name: str) -> np.ma.MaskedArray:
        """Return one value array with the failed points masked.

        Parameters
        ----------
        name : str
            A value field ("ratio", "delta1", ..., "lam") or a derived one
            ("gap_max_ratio", "rms", "gap_over_Omega").

        Returns
        -------
        numpy.ma.MaskedArray
            The values, masked where ``ok`` is False.

        Raises
        ------
        ValueError
            If ``name`` is not a value field.
        """
        check.choice("name", name, (*_MAP_FIELDS, *_DERIVED))
        return np.ma.masked_array(getattr(self, name), mask=~self.ok)

    def distance(self, target_meV=None) -> np.ndarray:
        """Log distance of the apparent gaps from a target (Delta1, Delta2).

        Parameters
        ----------
        target_meV : pair of float, optional
            The target gaps (meV, positive); default: ``self.target_meV``.

        Returns
        -------
        numpy.ndarray
            ``hypot(log(delta1/t1), log(delta2/t2))`` (NaN where failed).

        Raises
        ------
        ValueError
            If no target is given and the map has none, or a target is not positive.
        """
        t = self.target_meV if target_meV is None else target_meV
        if t is None:
            raise ValueError("target_meV must be given: this map has no target (see apparent_gap_map(target_meV=...))")
        t = _pair("target_meV", t)
        t1, t2 = check.positive("target_meV[0]", t[0]), check.positive("target_meV[1]", t[1])
        return np.hypot(np.log(self.delta1 / t1), np.log(self.delta2 / t2))

    def summary(self) -> str:
        """One line per failure after a count: what a figure or a script must report.

        Returns
        -------
        str
            e.g. ``"66 points, 66 ok, 0 failed"`` followed by the failures.
        """
        n = self.ok.size
        lines = [f"{n} points, {n - self.n_failed} ok, {self.n_failed} failed"]
        lines += [f"  n_c = {f.n_c:g}, kappa = {f.kappa:g}: {f.reason}" for f in self.failures]
        return "\n".join(lines)

    def to_arrays(self, prefix: str = "") -> dict:
        """Return the map as a dict of numpy arrays (for ``numpy.savez``; no pickles needed).

        Parameters
        ----------
        prefix : str
            Prepended to every key (e.g. "match_").

        Returns
        -------
        dict
            str -> numpy.ndarray (the fields, ``ok``, the failures, and the derived
            ``rms`` and ``gap_over_Omega`` for readers without the library); read back
            with :meth:`from_arrays`.
        """
        out = {k: np.asarray(getattr(self, k)) for k in ("n_c", "kappa", *_MAP_FIELDS, "ok")}
        out["rms"] = self.rms
        out["gap_over_Omega"] = self.gap_over_Omega
        out["Omega"] = np.array(self.Omega)
        out["source"] = np.array(self.source)
        out["failed_i"] = np.array([f.i for f in self.failures], dtype=int)
        out["failed_j"] = np.array([f.j for f in self.failures], dtype=int)
        out["failed_reason"] = np.array([f.reason for f in self.failures], dtype=str)
        if self.target_meV is not None:
            out["target_meV"] = np.array(self.target_meV, dtype=float)
        return {prefix + k: v for k, v in out.items()}

    @classmethod
    def concatenate(cls, maps) -> ApparentGapMap:
        """Join maps computed on consecutive blocks of n_c (same kappa grid) into one.

        Lets a sweep run as independent tasks (one block of n_c rows each, e.g. on
        ``nickelates.engine.map_tasks``) and be assembled afterwards; failures keep
        their reasons, with row indices shifted to the joined map.

        Parameters
        ----------
        maps : sequence of ApparentGapMap
            Blocks in n_c order, all with the same kappa values, Omega, source and target.

        Returns
        -------
        ApparentGapMap
            The joined map (n_c concatenated).

        Raises
        ------
        TypeError
            If an element is not an ``ApparentGapMap``.
        ValueError
            If ``maps`` is empty or the blocks disagree on kappa, Omega, source or target.

        Examples
        --------
        >>> cells = {k: [[1.0]] for k in ("lam", "delta1", "delta2", "ratio", "w1", "redchi",
        ...                               "alpha_min", "alpha_max", "beta_min", "beta_max")}
        >>> a = ApparentGapMap.from_arrays({"n_c": [0.4], "kappa": [0.0], "Omega": 0.3, "source": "exact", **cells})
        >>> b = ApparentGapMap.from_arrays({"n_c": [0.5], "kappa": [0.0], "Omega": 0.3, "source": "exact", **cells})
        >>> joined = ApparentGapMap.concatenate([a, b])
        >>> joined.ratio.shape, joined.n_c.tolist()
        ((2, 1), [0.4, 0.5])
        """
        maps = list(maps)
        if not maps:
            raise ValueError("maps must contain at least one ApparentGapMap")
        for m in maps:
            check.instance("maps[...]", m, ApparentGapMap)
        first = maps[0]
        for m in maps[1:]:
            same = (np.array_equal(m.kappa, first.kappa) and m.Omega == first.Omega and m.source == first.source
                    and (m.target_meV is None) == (first.target_meV is None)
                    and (m.target_meV is None or tuple(m.target_meV) == tuple(first.target_meV)))
            if not same:
                raise ValueError("maps must share kappa, Omega, source and target_meV")
        arrays = {"n_c": np.concatenate([np.atleast_1d(m.n_c) for m in maps]), "kappa": np.asarray(first.kappa),
                  "Omega": np.array(first.Omega), "source": np.array(first.source),
                  "ok": np.concatenate([np.asarray(m.ok) for m in maps], axis=0)}
        for k in _MAP_FIELDS:
            arrays[k] = np.concatenate([np.asarray(getattr(m, k)) for m in maps], axis=0)
        fi, fj, fr, offset = [], [], [], 0
        for m in maps:
            for f in m.failures:
                fi.append(f.i + offset)
                fj.append(f.j)
                fr.append(f.reason)
            offset += len(np.atleast_1d(m.n_c))
        arrays["failed_i"] = np.array(fi, dtype=int)
        arrays["failed_j"] = np.array(fj, dtype=int)
        arrays["failed_reason"] = np.array(fr, dtype=str)
        if first.target_meV is not None:
            arrays["target_meV"] = np.array(first.target_meV, dtype=float)
        return cls.from_arrays(arrays)

    @classmethod
    def from_arrays(cls, arrays, prefix: str = "") -> ApparentGapMap:
        """Build a map from :meth:`to_arrays` output or an ``np.load`` of a saved file.

        Files written before failures were stored (``data/apparent_gap_map.npz``
        of the first run) are read too: ``ok`` is then where the ratio is
        finite, ``redchi`` is taken from ``rms`` (squared), and the reasons from
        the ``failed`` text if present.

        Parameters
        ----------
        arrays : mapping
            str -> array (e.g. ``numpy.load(path)``).
        prefix : str
            Key prefix of this map ("" or "match_").

        Returns
        -------
        ApparentGapMap
            The map.

        Raises
        ------
        KeyError
            If a required array is missing.
        """
        def get(key, default=None):
            return arrays[prefix + key] if prefix + key in arrays else default

        ncs, ks = np.asarray(get("n_c"), float), np.asarray(get("kappa"), float)
        shape = (ncs.size, ks.size)
        ratio = np.asarray(get("ratio"), float)
        redchi = get("redchi")
        if redchi is None:
            redchi = np.asarray(arrays[prefix + "rms"], float) ** 2
        vals = {k: np.asarray(get(k), float) for k in _MAP_FIELDS if k not in ("lam", "redchi", "ratio")}
        lam = np.broadcast_to(np.asarray(get("lam", arrays.get("lam", np.nan)), float), shape).copy()
        ok = get("ok")
        ok = np.isfinite(ratio) if ok is None else np.asarray(ok, bool)
        failures = []
        if get("failed_i") is not None:
            for i, j, why in zip(get("failed_i"), get("failed_j"), get("failed_reason")):
                failures.append(MapFailure(int(i), int(j), float(ncs[i]), float(ks[j]), str(why)))
        else:
            stored = {}
            if get("failed") is not None:
                stored = {(round(a, 9), round(b, 9)): why
                          for a, b, why in ast.literal_eval(str(get("failed")))}
            for i, j in zip(*np.nonzero(~ok)):
                why = stored.get((round(ncs[i], 9), round(ks[j], 9)), "failed (reason not stored in this file)")
                failures.append(MapFailure(int(i), int(j), float(ncs[i]), float(ks[j]), why))
        omega = get("Omega", arrays.get("Omega"))
        source = get("source", arrays.get("source", "exact"))
        target = get("target_meV")
        return cls(ncs, ks, lam, ratio=ratio, redchi=np.asarray(redchi, float), ok=ok, failures=tuple(failures),
                   Omega=float(omega), source=str(source),
                   target_meV=None if target is None else tuple(float(x) for x in target), **vals)


def load_apparent_gap_map(path=None, prefix: str = "") -> ApparentGapMap:
    """Read an apparent-gap map saved by ``scripts/apparent_gap_map.py``.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The ``.npz`` file; default ``paths.data_file("apparent_gap_map.npz")``.
    prefix : str
        "" for the fixed-lambda map, "match_" for the magnitude-matched one.

    Returns
    -------
    ApparentGapMap
        See :meth:`ApparentGapMap.from_arrays` (files of the first format are read too).

    Raises
    ------
    TypeError
        If ``prefix`` is not a string.
    FileNotFoundError
        If the file does not exist.
    KeyError
        If the file holds no map with that prefix.

    Examples
    --------
    >>> m = load_apparent_gap_map()
    >>> m.ratio.shape == (m.n_c.size, m.kappa.size), m.n_failed
    (True, 0)
    """
    from . import paths

    check.choice("prefix", prefix, ("", "match_"))
    path = paths.data_file("apparent_gap_map.npz") if path is None else path
    with np.load(path, allow_pickle=False) as arrays:
        return ApparentGapMap.from_arrays(dict(arrays), prefix=prefix)


def _andreev_options(andreev_kw: dict) -> dict:
    """Validate the ``andreev_spectrum`` keywords of a sweep before it starts."""
    allowed = {"T", "Z_alpha", "Z_beta", "gamma_alpha", "gamma_beta", "interface", "weights", "n_theta",
               "points_per_width"}
    unknown = sorted(set(andreev_kw) - allowed)
    if unknown:
        raise TypeError(f"unknown andreev_spectrum keywords {unknown}; allowed: {sorted(allowed)}")
    kw = dict(andreev_kw)
    if "T" in kw:
        kw["T"] = _temperature(kw["T"])
    for name in ("Z_alpha", "Z_beta"):
        if name in kw:
            kw[name] = check.nonnegative(name, kw[name], hi=_MAX_Z)
    for name in ("gamma_alpha", "gamma_beta"):
        if name in kw:
            kw[name] = _gamma(name, kw[name])
    if "interface" in kw:
        check.choice("interface", kw["interface"], INTERFACES)
    if "n_theta" in kw:
        kw["n_theta"] = _n_theta(kw["n_theta"])
    if "points_per_width" in kw:
        kw["points_per_width"] = check.in_range("points_per_width", kw["points_per_width"], 0.5, 100.0)
    if kw.get("weights") is not None:
        wts = _pair("weights", kw["weights"])
        if np.any(wts < 0) or abs(wts.sum() - 1.0) > 1e-9:
            raise ValueError(f"weights must be two numbers in [0, 1] summing to 1, got {tuple(wts)}")
    return kw


def _sweep(ncs, ks, point, *, Omega, source, target_meV, progress, on_failure, desc):
    """Evaluate ``point(n_c, kappa) -> (lam, ModelGaps, ApparentGaps)`` on the grid and collect failures."""
    from tqdm.auto import tqdm

    shape = (ncs.size, ks.size)
    vals = {k: np.full(shape, np.nan) for k in _MAP_FIELDS}
    ok = np.zeros(shape, dtype=bool)
    failures = []
    with tqdm(total=ncs.size * ks.size, desc=desc, disable=not progress) as bar:
        for i, nc in enumerate(ncs):
            for j, kap in enumerate(ks):
                try:
                    lam, mg, ap = point(float(nc), float(kap))
                except (ValueError, ConvergenceError) as exc:
                    if on_failure == "raise":
                        raise
                    failures.append(MapFailure(i, j, float(nc), float(kap), f"{type(exc).__name__}: {exc}"[:300]))
                    bar.update()
                    continue
                row = (lam, ap.delta1, ap.delta2, ap.ratio, ap.w1, ap.redchi, *mg.extrema["alpha"],
                       *mg.extrema["beta"])
                for k, v in zip(_MAP_FIELDS, row):
                    vals[k][i, j] = v
                ok[i, j] = True
                bar.update()
    return ApparentGapMap(ncs, ks, ok=ok, failures=tuple(failures), Omega=Omega, source=source,
                          target_meV=target_meV, **vals)


def apparent_gap_map(n_c_values, kappa_values, *, lam: float | None = None, target_meV=None,
                     lam_bounds=(0.05, 1.5), Omega: float = 0.3, source: str = "exact", starts: int = 3, n_bias: int = 201,
                     progress: bool = True, n_k: int = 128, on_failure: str = "record",
                     **andreev_kw) -> ApparentGapMap:
    """Sweep (n_c, kappa): true gap extrema and apparent BTK gaps at each point.

    At fixed ``lam`` (default 0.4) or, with ``target_meV``, magnitude-matched:
    at each point :func:`lambda_for_gap` lowers lambda (Omega fixed) until the
    model's largest gap equals ``target_meV[0]`` (the measured Delta1), and
    :meth:`ApparentGapMap.distance` measures how close the apparent (Delta1,
    Delta2) come to the target. Each spectrum is fitted like the experiment
    (:func:`apparent_gaps`).

    Every argument is checked before the sweep starts. A point where the model
    cannot be evaluated (no star-shaped sheet, no s solution, a target outside
    the lambda range) or the fit does not converge is recorded in ``failures``
    (and ``ok`` is False there) unless ``on_failure="raise"``. Progress is
    reported with tqdm when ``progress`` is true.

    Parameters
    ----------
    n_c_values : array_like
        Fillings (electrons per Ni), each in (0, 2), 1-D.
    kappa_values : array_like
        kappa_a = kappa_b, each in [0, 3], 1-D.
    lam : float, optional
        lambda = V sqrt(N_a N_b), in (0, 2) (dimensionless); default 0.4; not
        together with ``target_meV``.
    target_meV : pair of float, optional
        The measured (Delta1, Delta2) in meV (Guo et al.: 23 and 6) for a magnitude-matched map.
    lam_bounds : pair of float
        Search interval of lambda with ``target_meV`` (see :func:`lambda_for_gap`).
    Omega : float
        Cutoff (eV), in [0.001, 2].
    source : {"exact", "eq18", "eq17"}
        Gap source (see :func:`triplon_gaps`).
    starts : int
        Multi-start points of each fit, in [1, 200].
    n_bias : int
        Bias points of each spectrum (:func:`default_bias`), in [21, 100001].
    progress : bool
        Show a tqdm progress bar.
    n_k : int
        Momentum grid of the exact gaps, in [16, 4096].
    on_failure : {"record", "raise"}
        Record failed points, or raise the first failure.
    **andreev_kw
        Keywords of :func:`andreev_spectrum` (T in K, Z_*, gamma_* in meV, ...), checked first.

    Returns
    -------
    ApparentGapMap
        Values, the ``ok`` mask and the failures (``lam`` per point; ``target_meV`` if given).

    Raises
    ------
    TypeError
        For arguments of the wrong type or unknown keywords (before the sweep).
    ValueError
        For out-of-range arguments or both ``lam`` and ``target_meV`` (before
        the sweep), or a point's failure with ``on_failure="raise"``.
    ConvergenceError
        A point's non-convergence with ``on_failure="raise"``.

    Examples
    --------
    >>> m = apparent_gap_map([0.45], [0.0, 0.3], source="eq18", starts=1, n_bias=41, progress=False,
    ...                      n_theta=16)
    >>> m.summary()
    '2 points, 2 ok, 0 failed'
    >>> m = apparent_gap_map([0.45], [0.0], target_meV=(23.0, 6.0), lam_bounds=(0.1, 0.6), source="eq18",
    ...                      starts=1, n_bias=41, progress=False, n_theta=16)
    >>> round(float(m.alpha_max[0, 0]), 2), round(float(m.lam[0, 0]), 3)
    (23.0, 0.283)
    """
    ncs = check.real_array("n_c_values", n_c_values, ndim=1)
    ks = check.real_array("kappa_values", kappa_values, ndim=1)
    check.size_limit("len(n_c_values) * len(kappa_values)", ncs.size * ks.size, MAX_MAP_POINTS, "map points")
    for i, nc in enumerate(ncs):
        check.in_range(f"n_c_values[{i}]", nc, 0.0, 2.0, lo_open=True, hi_open=True)
    for j, kap in enumerate(ks):
        check.in_range(f"kappa_values[{j}]", kap, 0.0, 3.0)
    bounds = _lam_bounds(lam_bounds)           # checked even when lam is fixed (then unused)
    if target_meV is None:
        lam = check.in_range("lam", 0.4 if lam is None else lam, 0.0, 2.0, lo_open=True, hi_open=True)
        target = None
    elif lam is not None:
        raise ValueError("give either lam (a fixed coupling) or target_meV (lambda matched at each point), not both")
    else:
        t = _pair("target_meV", target_meV)
        target = (check.positive("target_meV[0]", t[0], hi=1e4), check.positive("target_meV[1]", t[1], hi=1e4))
    Omega = check.in_range("Omega", Omega, 1e-3, 2.0)
    check.choice("source", source, GAP_SOURCES)
    starts = check.integer("starts", starts, 1, 200)
    n_bias = check.integer("n_bias", n_bias, 21, 100001)
    progress = check.boolean("progress", progress)
    n_k = check.integer("n_k", n_k, 16, 4096)
    check.choice("on_failure", on_failure, ("record", "raise"))
    akw = _andreev_options(andreev_kw)

    def point(nc, kap):
        lam_point = lam if target is None else lambda_for_gap(target[0], nc, kap, Omega, source=source,
                                                                   lam_bounds=bounds, n_k=n_k)
        mg = triplon_gaps(nc, lam_point, kap, Omega, source=source, n_k=n_k)
        ap = apparent_gaps(mg.p, mg.delta_alpha, mg.delta_beta, bias_mV=default_bias(_largest_gap(mg), n_bias),
                           starts=starts, **akw)
        return lam_point, mg, ap

    return _sweep(ncs, ks, point, Omega=Omega, source=source, target_meV=target, progress=progress,
                  on_failure=on_failure, desc="apparent-gap map" if target is None else "magnitude-matched")


def _lam_bounds(lam_bounds):
    bounds = _pair("lam_bounds", lam_bounds)
    lo = check.in_range("lam_bounds[0]", bounds[0], 0.0, 2.0, lo_open=True, hi_open=True)
    hi = check.in_range("lam_bounds[1]", bounds[1], 0.0, 2.0, lo_open=True, hi_open=True)
    if not lo < hi:
        raise ValueError(f"lam_bounds must be increasing, got {tuple(bounds)!r}")
    return lo, hi


def lambda_for_gap(target_meV: float, n_c: float, kappa: float, Omega: float = 0.3, *,
                   source: str = "exact", lam_bounds=(0.05, 1.5), xtol: float = 1e-4, n_k: int = 128,
                   maxiter: int = 100) -> float:
    """Coupling lambda at which the largest gap on either sheet equals ``target_meV``.

    Used to scale the model's gap magnitude to an experiment (e.g. Delta1 = 23
    meV) at fixed n_c, kappa and cutoff; the largest gap grows monotonically with lambda.

    Parameters
    ----------
    target_meV : float
        The largest gap to reach (meV), in (0, 1e4].
    n_c : float
        Electrons per Ni, in (0, 2).
    kappa : float
        kappa_a = kappa_b, in [0, 3].
    Omega : float
        Cutoff (eV), in [0.001, 2].
    source : {"exact", "eq18", "eq17"}
        Gap source.
    lam_bounds : pair of float
        Search interval of lambda, increasing, inside (0, 2).
    xtol : float
        Absolute tolerance on lambda, in (0, 1].
    n_k : int
        Momentum grid of the exact gaps.
    maxiter : int
        Iteration cap of the root search (>= 1).

    Returns
    -------
    float
        The coupling lambda = V sqrt(N_a N_b) that reaches the target (dimensionless).

    Raises
    ------
    TypeError
        For arguments of the wrong type.
    ValueError
        For out-of-range arguments, or a target not reached on ``lam_bounds``.
    ConvergenceError
        If the root search does not converge within ``maxiter`` iterations.

    Examples
    --------
    >>> lam = lambda_for_gap(30.0, 0.45, 0.0, source="eq18", lam_bounds=(0.1, 0.6))
    >>> round(max(triplon_gaps(0.45, lam, 0.0, source="eq18").extrema["alpha"]), 2)
    30.0
    """
    from scipy.optimize import brentq

    target = check.positive("target_meV", target_meV, hi=1e4)
    n_c, _, kappa, Omega, source = _check_model_point(n_c, 0.4, kappa, Omega, source)
    lo, hi = _lam_bounds(lam_bounds)
    xtol = check.tolerance("xtol", xtol)
    maxiter = check.iterations("maxiter", maxiter, hi=10_000)
    n_k = check.integer("n_k", n_k, 16, 4096)

    def excess(lam):
        return _largest_gap(triplon_gaps(n_c, lam, kappa, Omega, source=source, n_k=n_k)) - target

    flo, fhi = excess(lo), excess(hi)
    if flo > 0 or fhi < 0:
        raise ValueError(f"target_meV = {target} is not reached for lambda in [{lo}, {hi}] "
                         f"(largest gap from {flo + target:.3g} to {fhi + target:.3g} meV)")
    lam, info = brentq(excess, lo, hi, xtol=xtol, maxiter=maxiter, full_output=True, disp=False)
    if not info.converged:
        raise ConvergenceError(f"lambda_for_gap: no root within {maxiter} iterations (reached lambda = {lam})",
                               iterations=info.iterations, last=lam)
    return float(lam)


# --------------------------------------------------------------------------- chapter 5 settings
@dataclass(frozen=True)
class Fig5Spectra:
    """Gaps and STM spectra behind the paper's Fig. 5 (result of :func:`fig5_spectra`).

    Attributes
    ----------
    omega_meV : numpy.ndarray
        Bias energies (meV).
    setting : dict
        n_c, lam, kappa, Omega (eV) of the figure.
    analytic : ModelGaps
        Eq. (16)+(18) gaps, exact gaps (Eq. 14), and the analytic kappa = 0 reference.
    exact : ModelGaps
        Eq. (16)+(18) gaps, exact gaps (Eq. 14), and the analytic kappa = 0 reference.
    kappa0 : ModelGaps
        Eq. (16)+(18) gaps, exact gaps (Eq. 14), and the analytic kappa = 0 reference.
    stm_analytic : STMSpectrum
        The STM spectra of those gaps (Fig. 5 defaults: r = 0.7, Gamma = 2 / 1 meV).
    stm_exact : STMSpectrum
        The STM spectra of those gaps (Fig. 5 defaults: r = 0.7, Gamma = 2 / 1 meV).
    stm_kappa0 : STMSpectrum
        The STM spectra of those gaps (Fig. 5 defaults: r = 0.7, Gamma = 2 / 1 meV).

    Examples
    --------
    >>> f = fig5_spectra(np.linspace(-100, 100, 201), sources=("eq18",))
    >>> f.exact is None, round(f.analytic.extrema["beta"][1], 1)
    (True, 41.0)
    """

    omega_meV: np.ndarray
    setting: dict
    analytic: ModelGaps | None
    exact: ModelGaps | None
    kappa0: ModelGaps | None
    stm_analytic: STMSpectrum | None
    stm_exact: STMSpectrum | None
    stm_kappa0: STMSpectrum | None


def _setting(setting) -> dict:
    check.instance("setting", setting, dict)
    keys = {"n_c", "lam", "kappa", "Omega"}
    if set(setting) != keys:
        raise ValueError(f"setting must have exactly the keys {sorted(keys)}, got {sorted(setting)}")
    n_c, lam, kappa, Omega, _ = _check_model_point(setting["n_c"], setting["lam"], setting["kappa"],
                                                   setting["Omega"], "exact")
    return {"n_c": n_c, "lam": lam, "kappa": kappa, "Omega": Omega}


def fig5_spectra(omega_meV=None, setting=FIG5, *, sources=("eq18", "exact")) -> Fig5Spectra:
    """Gaps and STM spectra of the paper's Fig. 5 (analytic, exact, and the kappa = 0 reference).

    Parameters
    ----------
    omega_meV : array_like, optional
        Bias energies (meV); default -200..200 meV in 0.1 meV steps.
    setting : dict
        ``{"n_c", "lam", "kappa", "Omega"}`` (Omega in eV); default :data:`FIG5`.
    sources : tuple of str
        Which of "eq18" (analytic, with its kappa = 0 reference) and "exact" to compute.

    Returns
    -------
    Fig5Spectra
        Gaps (``tunneling.triplon_gaps``) and spectra (``tunneling.stm_spectrum``);
        entries of sources not computed are None.

    Raises
    ------
    TypeError
        For arguments of the wrong type.
    ValueError
        For a setting without exactly those keys or out-of-range values.

    Examples
    --------
    >>> f = fig5_spectra(np.linspace(-100, 100, 401), sources=("eq18",))
    >>> [round(x[0]) for x in sorted(peak_positions(f.omega_meV, f.stm_analytic.total)[:2])]
    [41, 72]
    """
    w = np.linspace(-200.0, 200.0, 4001) if omega_meV is None else _energies("omega_meV", omega_meV)
    s = _setting(setting)
    check.instance("sources", sources, (tuple, list), "a tuple of source names, e.g. ('eq18', 'exact')")
    for src in sources:
        check.choice("sources[...]", src, ("eq18", "exact"))
    out = dict.fromkeys(("analytic", "exact", "kappa0", "stm_analytic", "stm_exact", "stm_kappa0"))
    jobs = []
    if "eq18" in sources:
        jobs += [("analytic", s, "eq18"), ("kappa0", {**s, "kappa": 0.0}, "eq18")]
    if "exact" in sources:
        jobs.append(("exact", s, "exact"))
    for key, kw, src in jobs:
        mg = triplon_gaps(**kw, source=src)
        out[key] = mg
        out["stm_" + key] = stm_spectrum(w, mg.p, mg.delta_alpha, mg.delta_beta)
    return Fig5Spectra(w, s, **out)


@dataclass(frozen=True)
class ModelSpectra:
    """STM and Andreev spectra (and optionally the apparent gaps) at one setting of the explorer.

    Attributes
    ----------
    gaps : ModelGaps
        The triplon gaps.
    stm : STMSpectrum
        STM spectrum (Gamma_alpha = ``STM_GAMMA_RATIO`` * gamma_beta).
    andreev : AndreevSpectrum
        Andreev spectrum at Guo et al.'s T and Z (Gamma_alpha = ``ANDREEV_GAMMA_RATIO`` * gamma_beta).
    apparent : ApparentGaps or None
        The two-gap fit of ``andreev`` (if requested).
    stm_peaks : list of float
        The two strongest STM peaks (meV), ascending.
    lam : float
        Coupling, Kondo ratio and orbital weight (dimensionless).
    kappa : float
        Coupling, Kondo ratio and orbital weight (dimensionless).
    r : float
        Coupling, Kondo ratio and orbital weight (dimensionless).
    gamma_beta : float
        Dynes Gamma_beta (meV).

    Examples
    --------
    >>> s = model_spectra(0.4, 0.0, 0.7, 1.0, source="eq18", n_theta=32,
    ...                   omega_meV=np.linspace(-100, 100, 401), bias_mV=np.linspace(-100, 100, 41))
    >>> [round(x) for x in s.stm_peaks]
    [38, 67]
    """

    gaps: ModelGaps
    stm: STMSpectrum
    andreev: AndreevSpectrum
    apparent: ApparentGaps | None
    stm_peaks: list
    lam: float
    kappa: float
    r: float
    gamma_beta: float


def model_spectra(lam: float = 0.4, kappa: float = 0.3, r: float = 0.7, gamma_beta: float = 1.0, *,
                  n_c: float = 0.45, Omega: float = 0.3, source: str = "exact", fit: bool = False,
                  omega_meV=None, bias_mV=None, n_theta: int = 720) -> ModelSpectra:
    """STM and Andreev spectra of the triplon gaps at one (lambda, kappa, r, Gamma_beta).

    Parameters
    ----------
    lam : float
        lambda = V sqrt(N_a N_b), in (0, 2).
    kappa : float
        kappa_a = kappa_b, in [0, 3].
    r : float
        Relative tunneling weight of the d_{x^2-y^2} orbital, in [0, 1].
    gamma_beta : float
        Dynes Gamma_beta (meV); Gamma_alpha = 2 Gamma_beta in the STM spectrum
        (Fig. 5 ratio) and 1.65 Gamma_beta in the Andreev spectrum (Guo et
        al.'s ratio), at Guo et al.'s T = 3 K and Z.
    n_c : float
        Electrons per Ni.
    Omega : float
        Cutoff (eV).
    source : {"exact", "eq18", "eq17"}
        Gap source.
    fit : bool
        Also fit the Andreev spectrum with two isotropic gaps (slower).
    omega_meV : array_like, optional
        STM bias energies (meV); default +-1.6 times the largest gap, 1601 points.
    bias_mV : array_like, optional
        Andreev bias (mV); default :func:`default_bias` with 241 points.
    n_theta : int
        Points per Fermi sheet.

    Returns
    -------
    ModelSpectra
        Gaps, both spectra, the optional fit and the STM peak positions.

    Raises
    ------
    TypeError
        For arguments of the wrong type.
    ValueError
        For out-of-range values.
    ConvergenceError
        If the gap equation or the fit does not converge.

    Examples
    --------
    >>> s = model_spectra(0.4, 0.3, 0.7, 2.0, source="eq18", n_theta=32,
    ...                   omega_meV=np.linspace(-100, 100, 401), bias_mV=np.linspace(-100, 100, 41))
    >>> s.stm.gamma_alpha, s.andreev.gamma[1]
    (4.0, 2.0)
    """
    gamma_beta = _gamma("gamma_beta", gamma_beta)
    fit = check.boolean("fit", fit)
    mg = triplon_gaps(n_c, lam, kappa, Omega, source=source)
    gmax = _largest_gap(mg)
    w = np.linspace(-1.6 * gmax, 1.6 * gmax, 1601) if omega_meV is None else omega_meV
    stm = stm_spectrum(w, mg.p, mg.delta_alpha, mg.delta_beta, r=r, gamma_alpha=STM_GAMMA_RATIO * gamma_beta,
                       gamma_beta=gamma_beta, n_theta=n_theta)
    b = default_bias(gmax, 241) if bias_mV is None else bias_mV
    akw = dict(T=GUO_T3["T"], Z_alpha=GUO_T3["Z_alpha"], Z_beta=GUO_T3["Z_beta"],
               gamma_alpha=ANDREEV_GAMMA_RATIO * gamma_beta, gamma_beta=gamma_beta, n_theta=n_theta)
    if fit:
        ap = apparent_gaps(mg.p, mg.delta_alpha, mg.delta_beta, bias_mV=b, starts=3, **akw)
        andreev = ap.spectrum
    else:
        ap = None
        andreev = andreev_spectrum(b, mg.p, mg.delta_alpha, mg.delta_beta, **akw)
    peaks = sorted(pk[0] for pk in peak_positions(stm.omega_meV, stm.total)[:2])
    return ModelSpectra(mg, stm, andreev, ap, peaks, mg.lam, mg.kappa, stm.r, gamma_beta)


# --------------------------------------------------------------------------- kappa of Fig. 5
@dataclass(frozen=True)
class KappaScan:
    """STM peaks and shoulders of the Fig. 5 setting over kappa (result of :func:`kappa_scan`).

    For each band the *peak* is the coherence peak (at the gap maximum on the
    sheet) and the *shoulder* the lowest maximum of dG/domega between
    Delta_min - 3 Gamma and the peak: the step at the gap minimum when it is
    resolved, otherwise the rising flank of the peak itself.

    Attributes
    ----------
    kappa : numpy.ndarray
        kappa_a = kappa_b values (dimensionless).
    source : str
        Gap source ("eq18" analytic, "exact").
    setting : dict
        n_c, lam, Omega (eV) held fixed.
    peak : dict
        ``{"alpha", "beta"}`` -> peak positions (meV), one per kappa.
    height : dict
        ``{"alpha", "beta"}`` -> peak heights (normalized conductance).
    shoulder : dict
        ``{"alpha", "beta"}`` -> shoulder positions (meV).
    resolved : dict
        ``{"alpha", "beta"}`` -> bool arrays: a slope maximum separate from the
        peak's flank (at least two maxima of dG/domega in the window).
    gap_min : dict
        ``{"alpha", "beta"}`` -> min |Delta| on the sheet (meV).
    gap_max : dict
        ``{"alpha", "beta"}`` -> max |Delta| on the sheet (meV).

    Examples
    --------
    >>> sc = kappa_scan([0.0, 0.3], omega_meV=np.linspace(-100, 100, 2001))
    >>> [round(float(x), 1) for x in sc.splitting("beta")]
    [0.9, 3.8]
    """

    kappa: np.ndarray
    source: str
    setting: dict
    peak: dict
    height: dict
    shoulder: dict
    resolved: dict
    gap_min: dict
    gap_max: dict

    def splitting(self, band: str) -> np.ndarray:
        """Peak minus shoulder position of ``band`` (meV), one value per kappa.

        Parameters
        ----------
        band : {"alpha", "beta"}
            The band.

        Returns
        -------
        numpy.ndarray
            Splittings in meV (>= 0).

        Raises
        ------
        ValueError
            For an unknown band.

        Examples
        --------
        >>> sc = kappa_scan([0.0], omega_meV=np.linspace(-100, 100, 2001))
        >>> float(sc.splitting("alpha")[0]) > float(sc.splitting("beta")[0])
        True
        """
        check.choice("band", band, bands.BAND_NAMES)
        return self.peak[band] - self.shoulder[band]

    def compatible(self, windows=None) -> np.ndarray:
        """Which kappa put both peaks inside ``windows`` with the beta peak the higher one.

        Parameters
        ----------
        windows : dict, optional
            ``{"beta": (lo, hi), "alpha": (lo, hi)}`` in meV; default :data:`FIG5_PEAK_WINDOWS`.

        Returns
        -------
        numpy.ndarray
            Boolean mask over :attr:`kappa`.

        Raises
        ------
        TypeError
            If ``windows`` is not a dict of pairs of numbers.
        ValueError
            If a window is not (lo, hi) with lo < hi, or a band is missing.

        Examples
        --------
        >>> sc = kappa_scan([0.0, 0.6], omega_meV=np.linspace(-150, 150, 3001))
        >>> sc.compatible().tolist()
        [True, False]
        """
        win = _peak_windows(windows)
        ok = self.height["beta"] > self.height["alpha"]
        for band, (lo, hi) in win.items():
            ok = ok & (self.peak[band] >= lo) & (self.peak[band] <= hi)
        return ok

    def kappa_range(self, windows=None) -> tuple:
        """Smallest and largest scanned kappa compatible with ``windows`` (see :meth:`compatible`).

        Parameters
        ----------
        windows : dict, optional
            As in :meth:`compatible`.

        Returns
        -------
        tuple of float
            (kappa_min, kappa_max) among the scanned values.

        Raises
        ------
        ValueError
            If no scanned kappa is compatible, or the compatible values are not
            contiguous on the scanned grid (then no single range describes them).

        Examples
        --------
        >>> kappa_scan([0.0, 0.2, 0.6], omega_meV=np.linspace(-150, 150, 3001)).kappa_range()
        (0.0, 0.2)
        """
        ok = self.compatible(windows)
        idx = np.flatnonzero(ok)
        if idx.size == 0:
            raise ValueError(f"no scanned kappa puts the peaks inside the windows ({self.source} gaps)")
        if idx[-1] - idx[0] + 1 != idx.size:
            raise ValueError("the compatible kappa values are not contiguous on the scanned grid")
        return float(self.kappa[idx[0]]), float(self.kappa[idx[-1]])


def _peak_windows(windows) -> dict:
    if windows is None:
        return dict(FIG5_PEAK_WINDOWS)
    check.instance("windows", windows, dict)
    if set(windows) != {"alpha", "beta"}:
        raise ValueError(f"windows must have exactly the keys ['alpha', 'beta'], got {sorted(windows)}")
    out = {}
    for band, w in windows.items():
        if isinstance(w, (str, bytes)) or not hasattr(w, "__len__") or len(w) != 2:
            raise TypeError(f"windows[{band!r}] must be a pair (lo, hi) of numbers in meV, got {w!r}")
        lo = check.in_range(f"windows[{band!r}][0]", w[0], 0.0, _MAX_ABS_ENERGY)
        hi = check.in_range(f"windows[{band!r}][1]", w[1], 0.0, _MAX_ABS_ENERGY)
        if not lo < hi:
            raise ValueError(f"windows[{band!r}] must have lo < hi, got {w!r}")
        out[band] = (lo, hi)
    return out


def kappa_scan(kappas, *, source: str = "eq18", setting=FIG5, omega_meV=None,
               gamma_beta: float = 1.0) -> KappaScan:
    """STM peak and shoulder positions of the Fig. 5 setting for several kappa.

    For each kappa the gaps come from :func:`triplon_gaps` (n_c, lambda, Omega
    of ``setting``; its kappa is replaced) and the spectrum from
    :func:`stm_spectrum` (r = 0.7, Gamma_alpha = ``STM_GAMMA_RATIO`` Gamma_beta).
    The two most prominent peaks are the beta (lower) and alpha (higher) peaks;
    shoulders are maxima of the slope (:func:`slope_maxima`) between
    Delta_min - 3 Gamma and the peak of each band.

    Parameters
    ----------
    kappas : array_like
        kappa values in [0, 3], 1-D, at most 10**4.
    source : {"eq18", "exact"}
        Analytic gaps (Eq. 16 + 18) or the full gap equation.
    setting : dict
        ``{"n_c", "lam", "kappa", "Omega"}``; default :data:`FIG5` (its kappa is not used).
    omega_meV : array_like, optional
        Bias energies (meV); default -200..200 meV in 0.1 meV steps.
    gamma_beta : float
        Dynes Gamma_beta (meV), in (0, 1000]; default 1 (Fig. 5).

    Returns
    -------
    KappaScan
        Peaks, heights, shoulders and gap extrema per kappa.

    Raises
    ------
    TypeError
        For arguments of the wrong type.
    ValueError
        For out-of-range values, or a spectrum without two peaks.
    ConvergenceError
        If an exact gap solution does not converge.

    Examples
    --------
    >>> sc = kappa_scan([0.0, 0.3], omega_meV=np.linspace(-100, 100, 2001))
    >>> [round(float(x), 1) for x in sc.peak["beta"]], sc.resolved["alpha"].tolist()
    ([37.6, 40.9], [False, False])
    """
    ks = check.real_array("kappas", kappas, ndim=1, max_size=10 ** 4)
    check.choice("source", source, ("eq18", "exact"))
    s = _setting(setting)
    w = np.linspace(-200.0, 200.0, 4001) if omega_meV is None else _energies("omega_meV", omega_meV)
    gb = _gamma("gamma_beta", gamma_beta)
    gamma = {"beta": gb, "alpha": STM_GAMMA_RATIO * gb}
    keys = ("peak", "height", "shoulder", "resolved", "gap_min", "gap_max")
    out = {k: {b: [] for b in bands.BAND_NAMES} for k in keys}
    for kap in ks:
        mg = triplon_gaps(s["n_c"], s["lam"], float(kap), s["Omega"], source=source)
        spec = stm_spectrum(w, mg.p, mg.delta_alpha, mg.delta_beta, gamma_alpha=gamma["alpha"], gamma_beta=gb)
        pk = peak_positions(w, spec.total)[:2]
        if len(pk) < 2:
            raise ValueError(f"the spectrum at kappa = {kap} has fewer than two peaks in omega_meV")
        (wb, hb, _), (wa, ha, _) = sorted(pk)
        slopes = np.array([x[0] for x in slope_maxima(w, spec.total)])
        for band, (wp, hp) in (("beta", (wb, hb)), ("alpha", (wa, ha))):
            lo, hi = mg.extrema[band]
            inside = slopes[(slopes >= lo - 3 * gamma[band]) & (slopes <= wp)]
            out["peak"][band].append(wp)
            out["height"][band].append(hp)
            out["shoulder"][band].append(float(inside.min()) if inside.size else wp)
            out["resolved"][band].append(inside.size >= 2)
            out["gap_min"][band].append(lo)
            out["gap_max"][band].append(hi)
    arrays = {k: {b: np.asarray(v, dtype=bool if k == "resolved" else float) for b, v in d.items()}
              for k, d in out.items()}
    return KappaScan(ks.copy(), source, {k: s[k] for k in ("n_c", "lam", "Omega")}, **arrays)
