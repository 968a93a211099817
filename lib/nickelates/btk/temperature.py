"""Gap versus temperature: the BCS-like interpolation and its fit (chapter 4, Guo et al. Fig. 3b).

Delta(T) = Delta0 tanh(a sqrt(Tc/T - 1)) below Tc, 0 above. Gaps in **meV**,
temperatures in **K**.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import _validate as check
from ..errors import ConvergenceError
from .model import DELTA_MAX, K_B_MEV_PER_K, T_MAX

_SIGMA_RANGE = (1e-9, 1e6)     # gap uncertainties accepted by fit_gap_temperature (meV)

__all__ = ["gap_bcs", "GapTemperatureFit", "fit_gap_temperature"]


def gap_bcs(T, delta0, Tc, a=1.74):
    """BCS-like interpolation Delta(T) = Delta0 tanh(a sqrt(Tc/T - 1)) (0 at and above Tc).

    Parameters
    ----------
    T : array_like of float
        Temperatures in K, in [0, 1e5].
    delta0 : float
        Zero-temperature gap in meV, in (0, 1e6].
    Tc : float
        Critical temperature in K, in (0, 1e5].
    a : float, optional
        Dimensionless shape constant (1.74 for weak-coupling BCS), in (0, 100].

    Returns
    -------
    numpy.ndarray
        Delta(T) in meV, shape of ``T``.

    Raises
    ------
    TypeError
        For complex, boolean or string temperatures.
    ValueError
        For negative or non-finite temperatures or parameters out of range.

    Examples
    --------
    >>> gap_bcs([0.0, 35.0, 80.0], 20.0, 70.0).round(3)
    array([20.   , 18.805,  0.   ])
    """
    t = check.real_array("T", T)
    delta0 = check.positive("delta0", delta0, DELTA_MAX)
    Tc = check.positive("Tc", Tc, T_MAX)
    a = check.positive("a", a, 100.0)
    if np.any(t < 0) or np.any(t > T_MAX):
        raise ValueError(f"T must lie in [0, {T_MAX}] K")
    with np.errstate(over="ignore"):     # Tc / T overflows to inf for subnormal T: tanh -> 1, correct
        ratio = np.divide(Tc, t, out=np.full(t.shape, np.inf), where=t > 0)   # Tc / T, inf at T = 0
    x = np.sqrt(np.maximum(ratio - 1.0, 0.0), where=t < Tc, out=np.zeros(t.shape))
    return delta0 * np.tanh(a * x)


@dataclass(frozen=True)
class GapTemperatureFit:
    """Result of :func:`fit_gap_temperature`.

    Attributes
    ----------
    delta0 : float
        Zero-temperature gap in meV.
    delta0_err : float
        Its standard error in meV.
    Tc : float
        Critical temperature in K.
    Tc_err : float
        Its standard error in K.
    ratio : float
        2 Delta0 / (k_B Tc) (dimensionless).
    ratio_err : float
        Its standard error (with the delta0-Tc correlation).
    correlation : float
        Correlation coefficient of delta0 and Tc.
    redchi : float
        Reduced chi^2.

    Examples
    --------
    >>> T = np.array([5.0, 15.0, 25.0, 35.0, 45.0])
    >>> r = fit_gap_temperature(T, gap_bcs(T, 20.0, 70.0))
    >>> round(r.delta0, 3), round(r.Tc, 3)
    (20.0, 70.0)
    """

    delta0: float
    delta0_err: float
    Tc: float
    Tc_err: float
    ratio: float
    ratio_err: float
    correlation: float
    redchi: float


def fit_gap_temperature(T, delta, sigma=None, a=1.74, Tc_guess=None):
    """Fit Delta(T) data with :func:`gap_bcs` (Delta0 and Tc free; lmfit).

    Parameters
    ----------
    T : array_like of float
        Temperatures in K (1-D, at least 3, positive).
    delta : array_like of float
        Gaps in meV (positive), same length.
    sigma : float or array_like of float, optional
        Uncertainties of the gaps in meV, in [1e-9, 1e6] (a number or one per point); if None
        the errors are scaled by the residuals.
    a : float, optional
        Dimensionless shape constant of :func:`gap_bcs`.
    Tc_guess : float, optional
        Starting Tc in K (default 1.6 max T), must exceed max T.

    Returns
    -------
    GapTemperatureFit
        Delta0, Tc, 2 Delta0 / k_B Tc with errors.

    Raises
    ------
    TypeError
        For arrays of the wrong type.
    ValueError
        For mismatched lengths, fewer than 3 points, non-positive data or sigma outside [1e-9, 1e6] meV.
    nickelates.errors.ConvergenceError
        If the fit gives no finite covariance (with the values reached).

    Examples
    --------
    >>> T = np.array([3, 5, 10, 14, 20, 26, 30, 35, 40.0])
    >>> d1 = np.array([23.0, 22.9, 23.0, 22.8, 22.9, 22.2, 22.1, 21.5, 20.5])
    >>> round(fit_gap_temperature(T, d1).Tc, 1)
    67.6
    """
    import lmfit

    t = check.real_array("T", T, ndim=1, min_size=3)
    d = check.real_array("delta", delta, ndim=1, min_size=3)
    check.same_length(T=t, delta=d)
    if np.any(d <= 0) or np.any(t <= 0) or np.any(t > T_MAX) or np.any(d > DELTA_MAX):
        raise ValueError(f"T must lie in (0, {T_MAX}] K and delta in (0, {DELTA_MAX}] meV")
    a = check.positive("a", a, 100.0)
    s = None
    if sigma is not None:
        s = check.real_array("sigma", sigma)
        if s.size not in (1, t.size) or np.any(s < _SIGMA_RANGE[0]) or np.any(s > _SIGMA_RANGE[1]):
            raise ValueError(f"sigma must lie in [{_SIGMA_RANGE[0]:g}, {_SIGMA_RANGE[1]:g}] meV, a number or one "
                             f"value per point ({t.size}), got {s.size} values in [{s.min():.3g}, {s.max():.3g}]")
        s = np.broadcast_to(s.ravel(), t.shape)
    tc0 = 1.6 * float(t.max()) if Tc_guess is None else check.positive("Tc_guess", Tc_guess, T_MAX)
    if tc0 <= t.max():
        raise ValueError(f"Tc_guess must exceed the largest T ({t.max()} K), got {tc0}")
    p = lmfit.Parameters()
    p.add("delta0", value=float(d.max()), min=0.0)
    p.add("Tc", value=tc0, min=float(t.max()) * 1.0001)

    def resid(pp):
        r = gap_bcs(t, pp["delta0"].value, pp["Tc"].value, a) - d
        return r if s is None else r / s

    r = lmfit.minimize(resid, p, method="leastsq", scale_covar=sigma is None)
    d0, tc = r.params["delta0"].value, r.params["Tc"].value
    e0, etc = r.params["delta0"].stderr, r.params["Tc"].stderr
    if e0 is None or etc is None or not (math.isfinite(e0) and math.isfinite(etc)):
        raise ConvergenceError(f"gap(T) fit gave no covariance (reached delta0={d0}, Tc={tc})",
                               iterations=r.nfev, residual=r.chisqr, last=(d0, tc))
    c = (r.params["delta0"].correl or {}).get("Tc", 0.0)
    ratio = 2 * d0 / (K_B_MEV_PER_K * tc)
    rel = math.sqrt(max((e0 / d0) ** 2 + (etc / tc) ** 2 - 2 * c * (e0 / d0) * (etc / tc), 0.0))
    return GapTemperatureFit(float(d0), float(e0), float(tc), float(etc), float(ratio),
                             float(ratio * rel), float(c), float(r.redchi))
