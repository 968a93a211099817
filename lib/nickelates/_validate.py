"""Input validation used by every public function.

Each check raises :class:`ValueError` whose message names the argument and the
allowed range, as the project's standards require.
"""
from __future__ import annotations

import math
import numbers

import numpy as np


def finite(name: str, value) -> float:
    """Return ``value`` as float; raise if it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return v


def in_range(name: str, value, lo=-math.inf, hi=math.inf, *, lo_open=False, hi_open=False) -> float:
    """Finite real in [lo, hi] (open ends on request); error names the interval."""
    v = finite(name, value)
    bad = (v < lo or v > hi or (lo_open and v == lo) or (hi_open and v == hi))
    if bad:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        raise ValueError(f"{name} must lie in {left}{lo}, {hi}{right}, got {v!r}")
    return v


def positive(name: str, value) -> float:
    return in_range(name, value, 0.0, math.inf, lo_open=True)


def nonnegative(name: str, value) -> float:
    return in_range(name, value, 0.0, math.inf)


def integer(name: str, value, lo=None, hi=None) -> int:
    """Integer (not bool) in [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    v = int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {v}")
    return v


def finite_array(name: str, value, *, ndim=None) -> np.ndarray:
    """Float array with only finite entries (scalars allowed unless ndim says otherwise)."""
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of real numbers") from exc
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-dimensional array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must contain only finite numbers")
    return a


def choice(name: str, value, allowed) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)!r}, got {value!r}")
    return value
