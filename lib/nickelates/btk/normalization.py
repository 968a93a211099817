"""Normal-state normalization of a raw point-contact spectrum (chapter 4).

The paper divides the raw dI/dV by a polynomial fitted to the high-bias,
normal-like part of the spectrum; :func:`normalize` does that. Bias in **mV**;
dI/dV in any unit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as check

__all__ = ["NormalizedSpectrum", "normalize"]


@dataclass(frozen=True)
class NormalizedSpectrum:
    """Spectrum divided by a polynomial normal-state background.

    Attributes
    ----------
    bias : numpy.ndarray
        Bias in mV.
    G : numpy.ndarray
        Normalized conductance (dimensionless).
    background : numpy.ndarray
        The polynomial at ``bias`` (unit of the raw dI/dV).
    coefficients : tuple of float
        numpy.polynomial power-basis coefficients in V/mV, low order first.
    v_min : float
        |V| >= v_min (mV) was used for the background fit.
    degree : int
        Degree of the polynomial.

    Examples
    --------
    >>> v = np.linspace(-10, 10, 41)
    >>> ns = normalize(v, 2.0 + 0.01 * v ** 2, degree=2)
    >>> bool(np.allclose(ns.G, 1.0)), ns.degree
    (True, 2)
    """

    bias: np.ndarray
    G: np.ndarray
    background: np.ndarray
    coefficients: tuple
    v_min: float
    degree: int


def normalize(bias_mV, didv, degree=2, outer_fraction=0.3, v_min=None):
    """Divide raw dI/dV by a polynomial fitted to the high-bias (normal-like) part.

    Parameters
    ----------
    bias_mV : array_like of float
        Bias in mV (1-D, at least 2 points).
    didv : array_like of float
        Raw dI/dV (any unit), same length as ``bias_mV``.
    degree : int, optional
        Degree of the background polynomial, 0..8.
    outer_fraction : float, optional
        Fraction in (0, 1] of the bias range used for the fit, i.e.
        v_min = (1 - outer_fraction) max|V| (ignored if ``v_min`` is given).
    v_min : float, optional
        Fit the background on |V| >= v_min (mV), in [0, max|V|).

    Returns
    -------
    NormalizedSpectrum
        The normalized spectrum and the background.

    Raises
    ------
    TypeError
        For complex, boolean or string arrays, or a non-integer degree.
    ValueError
        For mismatched lengths, too few points above ``v_min`` (< degree + 2)
        or a background that is not positive over the bias range.

    Examples
    --------
    >>> v = np.linspace(-100, 100, 201)
    >>> ns = normalize(v, 3.0 * (1 + 1e-4 * v ** 2), degree=2, outer_fraction=0.3)
    >>> round(ns.v_min, 1), round(ns.coefficients[0], 6)
    (70.0, 3.0)
    """
    b = check.real_array("bias_mV", bias_mV, ndim=1)
    y = check.real_array("didv", didv, ndim=1)
    check.same_length(bias_mV=b, didv=y)
    degree = check.integer("degree", degree, 0, 8)
    vmax = float(np.max(np.abs(b)))
    if v_min is None:
        outer_fraction = check.in_range("outer_fraction", outer_fraction, 0.0, 1.0, lo_open=True)
        v_min = (1.0 - outer_fraction) * vmax
    else:
        v_min = check.in_range("v_min", v_min, 0.0, vmax, hi_open=True)
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
