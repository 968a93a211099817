"""SI side estimates of Guo et al.: coherence length, mean free path, Sharvin contact size.

All quantities in SI units (m, T, Ohm, Ohm m, 1/m^3).
"""
from __future__ import annotations

import math

from .. import _validate as check

__all__ = ["coherence_length_from_hc2", "mean_free_path", "sharvin_resistance", "sharvin_radius"]

_LO, _HI = 1e-60, 1e60   # range of every input: keeps the products, squares and quotients finite and normal


def _physical(name, value):
    """A positive real number in [1e-60, 1e60] (SI units)."""
    return check.in_range(name, value, _LO, _HI)


def coherence_length_from_hc2(mu0_hc2_T):
    """Ginzburg-Landau coherence length from mu0 Hc2(0) = Phi0 / (2 pi xi^2).

    Parameters
    ----------
    mu0_hc2_T : float
        Upper critical field mu0 Hc2(0) in T, in [1e-60, 1e60].

    Returns
    -------
    float
        xi in m.

    Raises
    ------
    TypeError
        If the field is not a real number.
    ValueError
        If it is not positive (outside [1e-60, 1e60]).

    Examples
    --------
    >>> round(coherence_length_from_hc2(97.7) * 1e10, 2)     # Angstrom; the paper: 18.3
    18.35
    """
    from scipy.constants import physical_constants
    b = _physical("mu0_hc2_T", mu0_hc2_T)
    phi0 = physical_constants["mag. flux quantum"][0]
    return math.sqrt(phi0 / (2 * math.pi * b))


def mean_free_path(k_F, rho, n):
    """Drude mean free path l = m_e v_F / (n e^2 rho) = hbar k_F / (n e^2 rho).

    Parameters
    ----------
    k_F : float
        Fermi wave number in 1/m.
    rho : float
        Resistivity in Ohm m.
    n : float
        Carrier density in 1/m^3.

    Returns
    -------
    float
        l in m.

    Raises
    ------
    TypeError, ValueError
        If an argument is not a positive real number in [1e-60, 1e60].

    Examples
    --------
    >>> import math
    >>> round(mean_free_path(0.5 * math.pi / 3.7e-10, 9e-6, 1.25e27) * 1e9, 2)   # nm; paper ~1.6
    1.55
    """
    from scipy.constants import e, hbar
    k = _physical("k_F", k_F)
    r = _physical("rho", rho)
    nn = _physical("n", n)
    return hbar * k / (nn * e ** 2 * r)


def sharvin_resistance(a, rho, l):
    """Sharvin resistance R_S = 4 rho l / (3 pi a^2) of a ballistic contact of radius a.

    Parameters
    ----------
    a : float
        Contact radius in m.
    rho : float
        Resistivity in Ohm m.
    l : float
        Mean free path in m.

    Returns
    -------
    float
        R_S in Ohm.

    Raises
    ------
    TypeError, ValueError
        If an argument is not a positive real number in [1e-60, 1e60].

    Examples
    --------
    >>> round(sharvin_resistance(7.33e-9, 9e-6, 1.55e-9))
    110
    """
    aa = _physical("a", a)
    return 4 * _physical("rho", rho) * _physical("l", l) / (3 * math.pi * aa ** 2)


def sharvin_radius(R, rho, l):
    """Contact radius a from the Sharvin formula R = 4 rho l / (3 pi a^2).

    Parameters
    ----------
    R : float
        Contact resistance in Ohm.
    rho : float
        Resistivity in Ohm m.
    l : float
        Mean free path in m.

    Returns
    -------
    float
        a in m.

    Raises
    ------
    TypeError, ValueError
        If an argument is not a positive real number in [1e-60, 1e60].

    Examples
    --------
    >>> round(sharvin_radius(10.0, 9e-6, 1.55e-9) * 1e9, 1)    # nm, chapter 4 exercise
    24.3
    """
    r = _physical("rho", rho)
    ll = _physical("l", l)
    return math.sqrt(4 * r * ll / (3 * math.pi * _physical("R", R)))
